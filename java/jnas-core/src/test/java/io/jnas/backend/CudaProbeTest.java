package io.jnas.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.SplittableRandom;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The CUDA runtime through the JNI path: device memory, a host-device-host round trip, a
 * stream, and ReLU on the device against the CPU. Skips, naming the reason, where this build
 * has no CUDA backend or no GPU answers (no driver, no device).
 */
@Tag("gpu")
class CudaProbeTest {
  private static final int N = 100_003;

  @BeforeEach  // per test, so that each one is reported as skipped with the reason
  void needsGpu() {
    NativeLib.load();
    Assumptions.assumeTrue(NativeLib.jnas_cuda_built() == 1,
        "no CUDA backend in this build (nvcc was absent at build time)");
    try (IntPointer count = new IntPointer(1)) {
      int err = NativeLib.jnas_cuda_device_count(count);
      String why = err == 35 ? "driver missing or too old" : NativeLib.jnas_cuda_error_string(err).getString();
      Assumptions.assumeTrue(err == 0 && count.get() > 0,
          "no CUDA device: " + why + " (cudaGetDeviceCount error " + err + ")");
    }
  }

  /** Checks a CUDA return code, naming the call and the error. */
  private static void ok(String what, int rc) {
    assertEquals(0, rc, () -> what + ": " + NativeLib.jnas_cuda_error_string(rc).getString() + " (error " + rc + ")");
  }

  private static Pointer deviceAlloc(long bytes) {
    try (PointerPointer<Pointer> p = new PointerPointer<>(1)) {
      ok("jnas_cuda_malloc", NativeLib.jnas_cuda_malloc(bytes, p));
      Pointer d = p.get(0);
      assertNotNull(d, "jnas_cuda_malloc returned no pointer");
      return d;
    }
  }

  private static float[] random(SplittableRandom rng) {
    float[] v = new float[N];
    for (int i = 0; i < N; i++) {
      double m = 0.05 + rng.nextDouble();
      v[i] = (float) (rng.nextBoolean() ? m : -m);
    }
    return v;
  }

  @Test
  void roundTripThroughDeviceMemory() {
    float[] v = random(new SplittableRandom(1));
    long bytes = 4L * N;
    Pointer d = deviceAlloc(bytes);
    Pointer d2 = deviceAlloc(bytes);
    try (FloatPointer host = new FloatPointer(v); FloatPointer back = new FloatPointer(N)) {
      ok("memcpy_htod", NativeLib.jnas_cuda_memcpy_htod(d, host, bytes));
      ok("memcpy_dtod", NativeLib.jnas_cuda_memcpy_dtod(d2, d, bytes));
      ok("memcpy_dtoh", NativeLib.jnas_cuda_memcpy_dtoh(back, d2, bytes));
      float[] got = new float[N];
      back.get(got);
      assertArrayEquals(v, got);
    } finally {
      ok("free", NativeLib.jnas_cuda_free(d));
      ok("free", NativeLib.jnas_cuda_free(d2));
    }
  }

  @Test
  void reluOnTheDeviceMatchesTheCpu() {
    SplittableRandom rng = new SplittableRandom(2);
    float[] x = random(rng);
    float[] dy = random(rng);
    float[] dx0 = random(rng);  // backward adds into dinp: start from non-zero values
    long bytes = 4L * N;
    Pointer dIn = deviceAlloc(bytes), dOut = deviceAlloc(bytes), dDout = deviceAlloc(bytes), dDinp = deviceAlloc(bytes);
    Pointer stream;
    try (PointerPointer<Pointer> s = new PointerPointer<>(1)) {
      ok("stream_create", NativeLib.jnas_cuda_stream_create(s));
      stream = s.get(0);
    }
    try (FloatPointer hx = new FloatPointer(x); FloatPointer hdy = new FloatPointer(dy);
        FloatPointer hdx = new FloatPointer(dx0); FloatPointer cpuOut = new FloatPointer(N);
        FloatPointer cpuDx = new FloatPointer(dx0); FloatPointer gpuOut = new FloatPointer(N);
        FloatPointer gpuDx = new FloatPointer(N)) {
      ok("memset", NativeLib.jnas_cuda_memset(dOut, 0xFF, bytes));  // NaN poison: unwritten elements show
      ok("htod", NativeLib.jnas_cuda_memcpy_htod_async(dIn, hx, bytes, stream));
      ok("htod", NativeLib.jnas_cuda_memcpy_htod_async(dDout, hdy, bytes, stream));
      ok("htod", NativeLib.jnas_cuda_memcpy_htod_async(dDinp, hdx, bytes, stream));
      ok("relu_forward", NativeLib.jnas_cuda_relu_forward(new FloatPointer(dOut), new FloatPointer(dIn), N, stream));
      ok("relu_backward", NativeLib.jnas_cuda_relu_backward(new FloatPointer(dDinp), new FloatPointer(dDout),
          new FloatPointer(dIn), N, stream));
      ok("dtoh", NativeLib.jnas_cuda_memcpy_dtoh_async(gpuOut, dOut, bytes, stream));
      ok("dtoh", NativeLib.jnas_cuda_memcpy_dtoh_async(gpuDx, dDinp, bytes, stream));
      ok("stream_synchronize", NativeLib.jnas_cuda_stream_synchronize(stream));

      assertEquals(0, NativeLib.jnas_cpu_relu_forward(cpuOut, hx, N));
      assertEquals(0, NativeLib.jnas_cpu_relu_backward(cpuDx, hdy, hx, N));
      float[] a = new float[N], b = new float[N];
      cpuOut.get(a);
      gpuOut.get(b);
      assertArrayEquals(a, b, "relu forward: CPU vs CUDA");
      cpuDx.get(a);
      gpuDx.get(b);
      assertArrayEquals(a, b, "relu backward (accumulated into dinp): CPU vs CUDA");
    } finally {
      NativeLib.jnas_cuda_stream_destroy(stream);
      for (Pointer p : new Pointer[] {dIn, dOut, dDout, dDinp}) NativeLib.jnas_cuda_free(p);
    }
  }
}
