package io.jnas.ops;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnas.tensor.IntTensor;
import io.jnas.tensor.Tensor;
import io.jnas.testing.GradCheck;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LossTest {
  /** Java reference in double: the mean over rows of -sum_v t_v log softmax(z)_v. */
  private static float reference(float[] z, int[] y, int b, int v, float ls) {
    double total = 0;
    for (int i = 0; i < b; i++) {
      double mx = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < v; j++) mx = Math.max(mx, z[i * v + j]);
      double se = 0;
      for (int j = 0; j < v; j++) se += Math.exp(z[i * v + j] - mx);
      double lse = mx + Math.log(se);
      for (int j = 0; j < v; j++) {
        double t = (j == y[i] ? 1 - ls : 0) + ls / v;
        total -= t * (z[i * v + j] - lse);
      }
    }
    return (float) (total / b);
  }

  private static IntTensor labels(SplittableRandom rng, int b, int v) {
    int[] y = new int[b];
    for (int i = 0; i < b; i++) y[i] = rng.nextInt(v);
    return IntTensor.of(y, b);
  }

  private static void check(float ls, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    for (int[] bv : new int[][] {{1, 5}, {4, 7}, {3, 10}}) {
      int b = bv[0], v = bv[1];
      Tensor z = Tensor.randn(rng, 2f, b, v);
      Tensor dz = Tensor.zeros(b, v);
      IntTensor y = labels(rng, b, v);
      Tensor loss = Tensor.zeros(1), probs = Tensor.zeros(b, v);
      float got = LossOps.softmaxXentForward(loss, probs, z, y, ls);
      GradCheck.assertClose("xent loss ls=" + ls, new float[] {reference(z.toArray(), y.toArray(), b, v, ls)},
          new float[] {got});
      // dL/dloss is GradCheck's random weight, not 1: backward's scaling by dloss is checked too.
      GradCheck.of("softmax_xent ls=" + ls + " B=" + b + " V=" + v).wrt("logits", z, dz).run(() -> {
        LossOps.softmaxXentForward(loss, probs, z, y, ls);
        return loss;
      }, dout -> LossOps.softmaxXentBackward(dz, probs, y, ls, dout.get(0)));
    }
  }

  @Test
  void gradientWithoutSmoothing() {
    check(0f, 41);
  }

  @Test
  void gradientWithSmoothing() {
    check(0.1f, 42);
  }

  @Test
  void stableForLargeLogits() {
    float[] z = {1000f, 0f, -1000f, 500f, 501f, 499f};
    int[] y = {2, 1};
    Tensor loss = Tensor.zeros(1), probs = Tensor.zeros(2, 3);
    float got = LossOps.softmaxXentForward(loss, probs, Tensor.of(z, 2, 3), IntTensor.of(y, 2), 0.1f);
    assertTrue(Float.isFinite(got), "loss " + got);
    GradCheck.assertClose("xent large logits", new float[] {reference(z, y, 2, 3, 0.1f)}, new float[] {got});
    for (float p : probs.toArray()) assertTrue(Float.isFinite(p) && p >= 0 && p <= 1, "prob " + p);
  }

  private static void assertBad(String expectedInMessage, Runnable r) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
    assertTrue(e.getMessage().contains(expectedInMessage), e.getMessage());
  }

  @Test
  void badArgumentsNameTheArgument() {
    Tensor z = Tensor.zeros(2, 4), loss = Tensor.zeros(1), probs = Tensor.zeros(2, 4);
    IntTensor ok = IntTensor.of(new int[] {0, 3}, 2);
    assertBad("labels[1] is 4, expected a class in [0, 4)",
        () -> LossOps.softmaxXentForward(loss, probs, z, IntTensor.of(new int[] {0, 4}, 2), 0f));
    assertBad("labels[0] is -1", () -> LossOps.softmaxXentBackward(z.copy(), probs, IntTensor.of(new int[] {-1, 0}, 2), 0f, 1f));
    assertBad("labels has shape [3], expected [2]", () -> LossOps.softmaxXentForward(loss, probs, z, IntTensor.zeros(3), 0f));
    assertBad("labels is null", () -> LossOps.softmaxXentForward(loss, probs, z, null, 0f));
    assertBad("labelSmoothing is 1.0", () -> LossOps.softmaxXentForward(loss, probs, z, ok, 1f));
    assertBad("labelSmoothing is -0.1", () -> LossOps.softmaxXentForward(loss, probs, z, ok, -0.1f));
    assertBad("loss has shape [2]", () -> LossOps.softmaxXentForward(Tensor.zeros(2), probs, z, ok, 0f));
    assertBad("probs has shape [4, 2]", () -> LossOps.softmaxXentForward(loss, Tensor.zeros(4, 2), z, ok, 0f));
    assertBad("logits has shape [8], expected 2 dimensions", () -> LossOps.softmaxXentForward(loss, probs, Tensor.zeros(8), ok, 0f));
    assertBad("dloss is NaN", () -> LossOps.softmaxXentBackward(z.copy(), probs, ok, 0f, Float.NaN));
    assertBad("dlogits has shape", () -> LossOps.softmaxXentBackward(Tensor.zeros(2, 3), probs, ok, 0f, 1f));
  }
}
