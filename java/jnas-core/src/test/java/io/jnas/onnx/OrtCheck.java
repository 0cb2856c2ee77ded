package io.jnas.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.jnas.tensor.Tensor;
import io.jnas.testing.Tolerances;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Test helpers: run an exported model in ONNX Runtime for Java and compare its output with
 * what jnas's own ops computed, within {@link Tolerances#ONNX_ATOL}.
 */
final class OrtCheck {
  private OrtCheck() {}

  /** One environment for the whole test JVM (ORT allows one per process). */
  static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();

  /** A session on one thread (the test machines have two shared cores). */
  static OrtSession session(byte[] model) throws OrtException {
    try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
      so.setIntraOpNumThreads(1);
      so.setInterOpNumThreads(1);
      return ENV.createSession(model, so);
    }
  }

  /** Runs {@code model} on the named jnas tensors; returns its first output, checked to have {@code outShape}. */
  static float[] run(byte[] model, Map<String, Tensor> inputs, int... outShape) throws OrtException {
    try (OrtSession s = session(model)) {
      return run(s, inputs, outShape);
    }
  }

  static float[] run(OrtSession s, Map<String, Tensor> inputs, int... outShape) throws OrtException {
    Map<String, OnnxTensor> feed = new LinkedHashMap<>();
    try {
      for (Map.Entry<String, Tensor> e : inputs.entrySet()) {
        long[] shape = Arrays.stream(e.getValue().shape()).asLongStream().toArray();
        feed.put(e.getKey(), OnnxTensor.createTensor(ENV, FloatBuffer.wrap(e.getValue().toArray()), shape));
      }
      try (OrtSession.Result r = s.run(feed)) {
        OnnxTensor out = (OnnxTensor) r.get(0);
        long[] expected = Arrays.stream(outShape).asLongStream().toArray();
        assertArrayEquals(expected, out.getInfo().getShape(), "ONNX Runtime output shape");
        FloatBuffer fb = out.getFloatBuffer();
        float[] v = new float[fb.remaining()];
        fb.get(v);
        return v;
      }
    } finally {
      for (OnnxTensor t : feed.values()) t.close();
    }
  }

  /** Runs the model on one input {@code x} named {@code name} and compares with {@code expected}. */
  static void assertMatches(String what, byte[] model, String name, Tensor x, Tensor expected) throws OrtException {
    float[] got = run(model, Map.of(name, x), expected.shape());
    assertClose(what, expected.toArray(), got);
  }

  /**
   * Fails unless {@code max |expected - got| <= ONNX_ATOL}; the message names the check, the
   * largest absolute and relative error, where, and the first few value pairs.
   */
  static void assertClose(String what, float[] expected, float[] got) {
    if (expected.length != got.length) {
      fail(what + ": ONNX Runtime gave " + got.length + " values, expected " + expected.length);
    }
    double worst = -1;
    int at = -1;
    for (int i = 0; i < expected.length; i++) {
      double d = Math.abs((double) expected[i] - got[i]);
      if (!(d <= worst) || Double.isNaN(d)) {
        worst = Double.isNaN(d) ? Double.POSITIVE_INFINITY : d;
        at = i;
      }
    }
    if (worst > Tolerances.ONNX_ATOL) {
      StringBuilder sb = new StringBuilder(what).append(": jnas vs ONNX Runtime, largest abs error ").append(worst)
          .append(" (rel ").append(worst / Math.max(1e-30, Math.abs(expected[at]))).append(") at flat index ")
          .append(at).append(" (jnas ").append(expected[at]).append(", ORT ").append(got[at]).append("), tolerance ")
          .append(Tolerances.ONNX_ATOL).append("; first pairs:");
      for (int i = 0; i < Math.min(6, expected.length); i++) sb.append(" (").append(expected[i]).append(", ").append(got[i]).append(')');
      fail(sb.toString());
    }
  }

  /** Uniform values in [-1, 1). */
  static float[] uniform(SplittableRandom rng, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) v[i] = (float) (rng.nextDouble() * 2 - 1);
    return v;
  }

  /** Uniform values in [-1, 1) / sqrt(fanIn): a weight that keeps activations O(1). */
  static float[] weight(SplittableRandom rng, int fanIn, int n) {
    float[] v = uniform(rng, n);
    float s = (float) (Math.sqrt(3.0 / fanIn));
    for (int i = 0; i < n; i++) v[i] *= s;
    return v;
  }

  /** Uniform values in [lo, hi). */
  static float[] uniform(SplittableRandom rng, int n, double lo, double hi) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) v[i] = (float) (lo + (hi - lo) * rng.nextDouble());
    return v;
  }

  /** A random jnas tensor, uniform in [-1, 1). */
  static Tensor rand(SplittableRandom rng, int... shape) {
    long n = 1;
    for (int d : shape) n *= d;
    return Tensor.of(uniform(rng, Math.toIntExact(n)), shape);
  }

  static int prod(int... shape) {
    int n = 1;
    for (int d : shape) n *= d;
    return n;
  }
}
