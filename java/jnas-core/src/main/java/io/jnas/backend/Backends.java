package io.jnas.backend;

import io.jnas.internal.NativeLib;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.LongPointer;

/**
 * Chooses the backend at run time: CUDA where this build has it and a usable GPU answers,
 * else the CPU. {@code -Djnas.backend=cpu|cuda|auto} overrides (default {@code auto}); asking
 * for {@code cuda} where none is usable is an error. {@code -Djnas.threads=N} sets the CPU
 * kernels' threads. The probe runs once, on first use, and never crashes: any failure
 * (no driver, no device, no native library) falls back to the CPU with one log line.
 */
public final class Backends {
  /** System property naming the backend. */
  public static final String BACKEND_PROPERTY = "jnas.backend";
  /** System property with the CPU kernels' thread count. */
  public static final String THREADS_PROPERTY = "jnas.threads";

  private static volatile BackendInfo info;

  private Backends() {}

  /** The backend in use, probing on first call. */
  public static Backend current() {
    return info().backend();
  }

  /** The probe's full answer, probing on first call. */
  public static BackendInfo info() {
    BackendInfo i = info;
    if (i == null) {
      synchronized (Backends.class) {
        if (info == null) info = probe();
        i = info;
      }
    }
    return i;
  }

  private static BackendInfo probe() {
    String wanted = System.getProperty(BACKEND_PROPERTY, "auto").trim().toLowerCase(Locale.ROOT);
    if (!List.of("auto", "cpu", "cuda").contains(wanted)) {
      throw new IllegalArgumentException("-D" + BACKEND_PROPERTY + "=" + wanted + ": expected cpu, cuda or auto");
    }
    NativeLib.load();
    String threads = System.getProperty(THREADS_PROPERTY);
    if (threads != null) {
      int n;
      try {
        n = Integer.parseInt(threads.trim());
      } catch (NumberFormatException e) {
        n = -1;
      }
      if (n <= 0) throw new IllegalArgumentException("-D" + THREADS_PROPERTY + "=" + threads + ": expected a positive integer");
      NativeLib.jnas_cpu_set_num_threads(n);
      NativeLib.jnas_cpu_set_blas_threads(n);
    }
    int cpuThreads = NativeLib.jnas_cpu_get_num_threads();
    boolean built = false;
    List<BackendInfo.Gpu> gpus = new ArrayList<>();
    String cudaProblem;
    try {
      built = NativeLib.jnas_cuda_built() == 1;
      if (!built) {
        cudaProblem = "this build has no CUDA backend (nvcc was absent at build time)";
      } else {
        try (IntPointer count = new IntPointer(1)) {
          int err = NativeLib.jnas_cuda_device_count(count);
          if (err != 0) {
            cudaProblem = "CUDA probe: " + NativeLib.jnas_cuda_error_string(err).getString() + " (error " + err + ")";
          } else {
            for (int d = 0; d < count.get(); d++) gpus.add(gpu(d));
            cudaProblem = gpus.isEmpty() ? "CUDA probe found no device" : null;
          }
        }
      }
    } catch (Throwable t) {  // a broken driver must not take the JVM's CPU path down
      cudaProblem = "CUDA probe failed: " + t;
    }
    BackendInfo result;
    if (wanted.equals("cpu")) {
      result = new BackendInfo(Backend.CPU, "-D" + BACKEND_PROPERTY + "=cpu", cpuThreads, built, gpus);
    } else if (cudaProblem == null) {
      // The CUDA kernels arrive with the CUDA backend issue; until they do, the CPU runs.
      String why = "GPU present (" + gpus.get(0).name() + "), but the CUDA kernels are not in this build yet; using the CPU";
      if (wanted.equals("cuda")) throw new IllegalStateException("-D" + BACKEND_PROPERTY + "=cuda: " + why);
      result = new BackendInfo(Backend.CPU, why, cpuThreads, built, gpus);
    } else {
      if (wanted.equals("cuda")) throw new IllegalStateException("-D" + BACKEND_PROPERTY + "=cuda: " + cudaProblem);
      result = new BackendInfo(Backend.CPU, cudaProblem + "; using the CPU", cpuThreads, built, gpus);
    }
    System.getLogger("io.jnas").log(System.Logger.Level.INFO, "backend " + result.backend().id() + ": " + result.reason());
    return result;
  }

  /** Threads of the CPU kernels' own loops now (the native pool is one per process). */
  public static int cpuThreads() {
    NativeLib.load();
    return NativeLib.jnas_cpu_get_num_threads();
  }

  /**
   * Sets the threads of the CPU kernels and of OpenBLAS for the whole process (both are
   * global: every network in the JVM shares them). With 1, a kernel runs on its caller's
   * thread and never enters the shared pool, so several Java threads can each run their own
   * network at once.
   */
  public static void setCpuThreads(int n) {
    if (n < 1) throw new IllegalArgumentException("cpu threads is " + n + ", expected at least 1");
    NativeLib.load();
    NativeLib.jnas_cpu_set_num_threads(n);
    NativeLib.jnas_cpu_set_blas_threads(n);
  }

  private static BackendInfo.Gpu gpu(int d) {
    try (BytePointer name = new BytePointer(256);
        LongPointer total = new LongPointer(1);
        LongPointer free = new LongPointer(1);
        IntPointer major = new IntPointer(1);
        IntPointer minor = new IntPointer(1)) {
      NativeLib.jnas_cuda_device_info(d, name, 256, total, free, major, minor);
      return new BackendInfo.Gpu(d, name.getString(), total.get(), free.get(), major.get() + "." + minor.get());
    }
  }
}
