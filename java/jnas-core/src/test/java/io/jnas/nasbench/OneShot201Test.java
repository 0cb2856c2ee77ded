package io.jnas.nasbench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.jnas.darts.Relaxation;
import io.jnas.space.NasBench201Space;
import io.jnas.space.Nb201Cell;
import io.jnas.tensor.IntTensor;
import io.jnas.tensor.Tensor;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The one-shot methods' gradients: DARTS's second-order (unrolled) architecture gradient
 * against a direct finite difference of the unrolled validation loss, GDAS's straight-through
 * pieces against finite differences, the softmax backward, the derivations.
 */
class OneShot201Test {
  private static Nb201Network.Config tiny() {
    return new Nb201Network.Config(null, 2, 1, 3, 3, 8, 8, false, 11);  // no batch norm: a smooth loss
  }

  private static Tensor images(SplittableRandom r, int b) {
    float[] v = new float[b * 3 * 8 * 8];
    for (int i = 0; i < v.length; i++) v[i] = (float) (r.nextDouble() * 2 - 1);
    return Tensor.of(v, b, 3, 8, 8);
  }

  /** L_val at the weights after one virtual SGD step on the training batch, at alpha. */
  private static double unrolledLoss(Nb201Network net, double[] alpha, Tensor x, IntTensor y, Tensor vx, IntTensor vy,
      double xi, double wd) {
    float[] w0 = net.weights();
    net.setArchWeights(Relaxation.softmax(alpha, 1, 5));
    net.forwardBackward(null, x, y);
    float[] g = net.gradients();
    float[] w1 = new float[w0.length];
    for (int i = 0; i < w0.length; i++) w1[i] = (float) (w0[i] - xi * (g[i] + wd * w0[i]));
    net.setWeights(w1);
    double l = net.forwardBackward(null, vx, vy).loss();
    net.setWeights(w0);
    return l;
  }

  @Test
  void dartsSecondOrderGradientMatchesAFiniteDifferenceOfTheUnrolledLoss() {
    // ReLU kinks make the training gradient jump wherever a unit changes sign, and with it the
    // unrolled loss; so the check runs where no unit is near a kink: no batch norm, positive
    // weights and positive images, every ReLU passing (the network is then smooth in both the
    // weights and alpha, and the unrolled step keeps the weights positive).
    SplittableRandom r = new SplittableRandom(21);
    double xi = 0.02, wd = 3e-4;
    try (Nb201Network net = new Nb201Network(tiny()); Tensor x = positive(r, 6); Tensor vx = positive(r, 6);
        IntTensor y = IntTensor.of(new int[] {0, 1, 2, 0, 1, 2}, 6); IntTensor vy = IntTensor.of(new int[] {2, 2, 1, 0, 0, 1}, 6)) {
      float[] pw = net.weights();
      for (int i = 0; i < pw.length; i++) pw[i] = 0.05f + 0.5f * Math.abs(pw[i]);
      net.setWeights(pw);
      double[] alpha = new double[Nb201Network.ARCH_WEIGHTS];
      for (int i = 0; i < alpha.length; i++) alpha[i] = 0.5 * r.nextGaussian();
      float[] w0 = net.weights();
      double[] g2 = Relaxation.secondOrder(net, alpha, x, y, vx, vy, xi, wd);
      assertEquals(0, java.util.Arrays.compare(w0, net.weights()), "the weights are restored");
      double[] g1 = Relaxation.firstOrder(net, alpha, vx, vy);
      double h = 1e-3, diff12 = 0, norm = 0;
      StringBuilder bad = new StringBuilder();
      for (int i = 0; i < alpha.length; i++) {
        double a = alpha[i];
        alpha[i] = a + h;
        double lp = unrolledLoss(net, alpha, x, y, vx, vy, xi, wd);
        alpha[i] = a - h;
        double lm = unrolledLoss(net, alpha, x, y, vx, vy, xi, wd);
        alpha[i] = a;
        double num = (lp - lm) / (2 * h);
        if (Math.abs(g2[i] - num) > 2e-3 + 5e-2 * Math.abs(num)) {
          bad.append(String.format(Locale.ROOT, " [%d] unrolled %.5g numeric %.5g (first order %.5g);", i, g2[i], num, g1[i]));
        }
        diff12 += (g2[i] - g1[i]) * (g2[i] - g1[i]);
        norm += g2[i] * g2[i];
      }
      if (bad.length() > 0) fail("second-order gradient off:" + bad);
      // the check has teeth: at this xi the second-order term is not negligible
      assertTrue(Math.sqrt(diff12) > 0.05 * Math.sqrt(norm), "first and second order too close to tell apart");
      assertTrue(Math.sqrt(diff12) > 0.02, "the second-order term is below the tolerance: " + Math.sqrt(diff12));
    }
  }

  @Test
  void gdasStraightThroughPiecesMatchFiniteDifferences() {
    SplittableRandom r = new SplittableRandom(22);
    try (Nb201Network net = new Nb201Network(tiny()); Tensor vx = images(r, 6);
        IntTensor vy = IntTensor.of(new int[] {2, 2, 1, 0, 0, 1}, 6)) {
      double[] alpha = new double[Nb201Network.ARCH_WEIGHTS];
      for (int i = 0; i < alpha.length; i++) alpha[i] = r.nextGaussian();
      Relaxation.Gumbel gs = Relaxation.Gumbel.sample(alpha, 2.0, 5, r);
      float[] hard = gs.hard();
      net.setArchWeights(hard);
      net.forwardBackward(null, vx, vy);
      float[] g = net.archGradient();
      // the computed op's weight: d loss / d w at w = 1 (only that op runs while its weight is not 0)
      double h = 1e-3;
      for (int i = 0; i < hard.length; i++) {
        if (hard[i] != 1f) continue;
        float[] w = hard.clone();
        w[i] = (float) (1 + h);
        net.setArchWeights(w);
        double lp = net.forwardBackward(null, vx, vy).loss();
        w[i] = (float) (1 - h);
        net.setArchWeights(w);
        double lm = net.forwardBackward(null, vx, vy).loss();
        double num = (lp - lm) / (2 * h);
        if (i % 5 != 0) assertEquals(num, g[i], 2e-3 + 2e-2 * Math.abs(num), "edge " + i / 5);
      }
      // the soft path: d/d alpha of sum_k softmax((alpha + g)/tau)_k c_k equals softmaxBackward(soft, c, tau)
      float[] c = new float[alpha.length];
      for (int i = 0; i < c.length; i++) c[i] = (float) r.nextGaussian();
      double tau = 2.0;
      double[] d = Relaxation.softmaxBackward(Relaxation.softmax(alpha, tau, 5), c, tau, 5);
      for (int i = 0; i < alpha.length; i++) {
        double a = alpha[i];
        alpha[i] = a + 1e-4;
        double fp = dot(Relaxation.softmax(alpha, tau, 5), c);
        alpha[i] = a - 1e-4;
        double fm = dot(Relaxation.softmax(alpha, tau, 5), c);
        alpha[i] = a;
        assertEquals((fp - fm) / 2e-4, d[i], 1e-3, "alpha " + i);
      }
    }
  }

  private static Tensor positive(SplittableRandom r, int b) {
    float[] v = new float[b * 3 * 8 * 8];
    for (int i = 0; i < v.length; i++) v[i] = (float) (0.1 + r.nextDouble());
    return Tensor.of(v, b, 3, 8, 8);
  }

  private static double dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) s += (double) a[i] * b[i];
    return s;
  }

  @Test
  void derivationTakesTheLargestAlphaPerEdgeNoneIncluded() {
    double[] alpha = new double[30];
    int[] want = {1, 0, 3, 4, 2, 1};
    for (int e = 0; e < 6; e++) alpha[e * 5 + want[e]] = 1;
    Nb201Cell c = OneShot201.argmax(alpha, new NasBench201Space());
    assertEquals("|skip_connect~0|+|none~0|nor_conv_3x3~1|+|avg_pool_3x3~0|nor_conv_1x1~1|skip_connect~2|", c.toString());
    assertEquals(OneShot201.Method.DARTS_V2, OneShot201.Method.of("darts-v2"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OneShot201.Method.of("darts"));
    assertTrue(e.getMessage().contains("rsps, enas, darts-v1, darts-v2, gdas"), e.getMessage());
  }
}
