package io.jnas.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnas.tensor.Tensor;
import io.jnas.testing.GradCheck;
import io.jnas.testing.Tolerances;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** SGD, Adam, global norm, scale and clipping against plain Java implementations of the same formulas. */
class OptimizerTest {
  private static final int N = 37;
  private static final int STEPS = 5;

  private static float[] randn(SplittableRandom rng, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) v[i] = (float) rng.nextGaussian();
    return v;
  }

  /** PyTorch's SGD, in float as the kernel; returns the parameters after STEPS steps of grads[s]. */
  private static float[] sgdReference(float[] p0, float[][] grads, float lr, float mom, float wd, boolean nesterov) {
    float[] p = p0.clone(), buf = new float[p.length];
    for (float[] grad : grads)
      for (int i = 0; i < p.length; i++) {
        float g = grad[i] + wd * p[i];
        buf[i] = mom * buf[i] + g;
        g = nesterov ? g + mom * buf[i] : buf[i];
        p[i] -= lr * g;
      }
    return p;
  }

  private static float[] sgdNative(float[] p0, float[][] grads, float lr, float mom, float wd, boolean nesterov) {
    Tensor p = Tensor.of(p0, p0.length), buf = mom == 0f ? null : Tensor.zeros(p0.length);
    for (float[] g : grads) Optimizers.sgd(p, buf, Tensor.of(g, g.length), lr, mom, wd, nesterov);
    return p.toArray();
  }

  @Test
  void sgdMatchesReference() {
    SplittableRandom rng = new SplittableRandom(61);
    float[] p0 = randn(rng, N);
    float[][] grads = new float[STEPS][];
    for (int s = 0; s < STEPS; s++) grads[s] = randn(rng, N);
    float[][] cases = {{0.1f, 0.9f, 3e-4f}, {0.05f, 0f, 0f}, {0.2f, 0.5f, 0.01f}};
    for (float[] c : cases) {
      for (boolean nest : c[1] == 0f ? new boolean[] {false} : new boolean[] {false, true}) {
        GradCheck.assertClose("sgd " + Arrays.toString(c) + " nesterov=" + nest, sgdReference(p0, grads, c[0], c[1], c[2], nest),
            sgdNative(p0, grads, c[0], c[1], c[2], nest));
      }
    }
    // Nesterov moves the parameters differently from plain momentum.
    float[] plain = sgdNative(p0, grads, 0.1f, 0.9f, 0f, false), nest = sgdNative(p0, grads, 0.1f, 0.9f, 0f, true);
    double diff = 0;
    for (int i = 0; i < N; i++) diff = Math.max(diff, Math.abs(plain[i] - nest[i]));
    assertTrue(diff > 0.1, "nesterov and plain momentum agree to " + diff);
  }

  private static float[] adamReference(float[] p0, float[][] grads, float lr, float b1, float b2, float eps, float wd) {
    float[] p = p0.clone(), m = new float[p.length], v = new float[p.length];
    for (int s = 1; s <= grads.length; s++) {
      double bc1 = 1 - Math.pow(b1, s), bc2 = 1 - Math.pow(b2, s);
      for (int i = 0; i < p.length; i++) {
        float g = grads[s - 1][i] + wd * p[i];
        m[i] = b1 * m[i] + (1 - b1) * g;
        v[i] = b2 * v[i] + (1 - b2) * g * g;
        double mhat = m[i] / bc1, vhat = v[i] / bc2;
        p[i] = (float) (p[i] - lr * mhat / (Math.sqrt(vhat) + eps));
      }
    }
    return p;
  }

  @Test
  void adamMatchesReference() {
    SplittableRandom rng = new SplittableRandom(62);
    float[] p0 = randn(rng, N);
    float[][] grads = new float[STEPS][];
    for (int s = 0; s < STEPS; s++) grads[s] = randn(rng, N);
    for (float[] c : new float[][] {{1e-2f, 0.9f, 0.999f, 1e-8f, 0f}, {3e-3f, 0.5f, 0.99f, 1e-3f, 0.1f}}) {
      Tensor p = Tensor.of(p0, N), m = Tensor.zeros(N), v = Tensor.zeros(N);
      for (int s = 1; s <= STEPS; s++) Optimizers.adam(p, m, v, Tensor.of(grads[s - 1], N), c[0], c[1], c[2], c[3], c[4], s);
      GradCheck.assertClose("adam " + Arrays.toString(c), adamReference(p0, grads, c[0], c[1], c[2], c[3], c[4]), p.toArray());
    }
  }

  @Test
  void globalNormScaleAndClip() {
    SplittableRandom rng = new SplittableRandom(63);
    List<Tensor> bufs = new ArrayList<>();
    double ss = 0;
    for (int[] shape : new int[][] {{3, 5}, {1}, {2, 3, 4, 5}, {70001}}) {
      Tensor t = Tensor.randn(rng, 1f, shape);
      for (float x : t.toArray()) ss += (double) x * x;
      bufs.add(t);
    }
    float norm = Optimizers.globalNorm(bufs);
    GradCheck.assertClose("global norm", new float[] {(float) Math.sqrt(ss)}, new float[] {norm});
    assertEquals(0f, Optimizers.globalNorm(List.of()));

    Tensor s = Tensor.of(new float[] {1, -2, 3}, 3);
    Optimizers.scale(s, -0.5f);
    GradCheck.assertClose("scale", new float[] {-0.5f, 1f, -1.5f}, s.toArray());

    // Clip above the norm: nothing moves. Clip below: norm becomes maxNorm.
    float[] before = bufs.get(0).toArray();
    assertEquals(norm, Optimizers.clipGlobalNorm(bufs, 2 * norm));
    GradCheck.assertClose("clip above the norm", before, bufs.get(0).toArray());
    float maxNorm = norm / 4;
    assertEquals(norm, Optimizers.clipGlobalNorm(bufs, maxNorm));
    GradCheck.assertClose("norm after clipping", new float[] {maxNorm}, new float[] {Optimizers.globalNorm(bufs)},
        Tolerances.REF_ATOL, Tolerances.REF_RTOL);
    float[] scaled = before.clone();
    for (int i = 0; i < scaled.length; i++) scaled[i] *= (float) (maxNorm / (norm + 1e-6));
    GradCheck.assertClose("clipped values", scaled, bufs.get(0).toArray());
  }

  private static void assertBad(String expectedInMessage, Runnable r) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
    assertTrue(e.getMessage().contains(expectedInMessage), e.getMessage());
  }

  @Test
  void badArgumentsNameTheArgument() {
    Tensor p = Tensor.zeros(4), g = Tensor.zeros(4), b = Tensor.zeros(4), v = Tensor.zeros(4);
    assertBad("lr is -0.1", () -> Optimizers.sgd(p, b, g, -0.1f, 0.9f, 0f, false));
    assertBad("momentum is 1.0", () -> Optimizers.sgd(p, b, g, 0.1f, 1f, 0f, false));
    assertBad("momentumBuf is null", () -> Optimizers.sgd(p, null, g, 0.1f, 0.9f, 0f, false));
    assertBad("nesterov is true with momentum 0", () -> Optimizers.sgd(p, b, g, 0.1f, 0f, 0f, true));
    assertBad("grad has shape [5], expected [4]", () -> Optimizers.sgd(p, b, Tensor.zeros(5), 0.1f, 0.9f, 0f, false));
    assertBad("weightDecay is NaN", () -> Optimizers.sgd(p, b, g, 0.1f, 0.9f, Float.NaN, false));
    assertBad("param and grad are the same tensor", () -> Optimizers.sgd(p, b, p, 0.1f, 0.9f, 0f, false));
    assertBad("step is 0", () -> Optimizers.adam(p, b, v, g, 1e-3f, 0.9f, 0.999f, 1e-8f, 0f, 0));
    assertBad("beta1 is 1.0", () -> Optimizers.adam(p, b, v, g, 1e-3f, 1f, 0.999f, 1e-8f, 0f, 1));
    assertBad("eps is 0.0", () -> Optimizers.adam(p, b, v, g, 1e-3f, 0.9f, 0.999f, 0f, 0f, 1));
    assertBad("v has shape [3]", () -> Optimizers.adam(p, b, Tensor.zeros(3), g, 1e-3f, 0.9f, 0.999f, 1e-8f, 0f, 1));
    assertBad("bufs[1] is null", () -> Optimizers.globalNorm(Arrays.asList(p, null)));
    assertBad("maxNorm is 0.0", () -> Optimizers.clipGlobalNorm(List.of(p), 0f));
    assertBad("s is Infinity", () -> Optimizers.scale(p, Float.POSITIVE_INFINITY));
  }
}
