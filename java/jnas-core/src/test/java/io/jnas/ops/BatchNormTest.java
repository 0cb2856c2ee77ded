package io.jnas.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnas.tensor.Tensor;
import io.jnas.testing.GradCheck;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BatchNormTest {
  private static final float EPS = 1e-5f;
  private static final float MOMENTUM = 0.1f;
  /** Shapes (B, C, H, W): odd sizes, batch 1 (with HW > 1), HW = 1 (with B > 1). */
  private static final int[][] SHAPES = {{2, 3, 3, 3}, {1, 2, 3, 5}, {4, 3, 1, 1}};

  /** Java reference in double: returns {out, mean, rstd, newRunningMean, newRunningVar}. */
  private static float[][] reference(float[] x, int[] s, float[] gamma, float[] beta, float[] rm, float[] rv,
      boolean training) {
    int b = s[0], c = s[1], hw = s[2] * s[3];
    int n = b * hw;
    float[] out = new float[x.length], mean = new float[c], rstd = new float[c];
    float[] nrm = rm == null ? null : rm.clone(), nrv = rv == null ? null : rv.clone();
    for (int ch = 0; ch < c; ch++) {
      double mu, var;
      if (training) {
        double sum = 0;
        for (int i = 0; i < b; i++)
          for (int j = 0; j < hw; j++) sum += x[(i * c + ch) * hw + j];
        mu = sum / n;
        double ss = 0;
        for (int i = 0; i < b; i++)
          for (int j = 0; j < hw; j++) ss += Math.pow(x[(i * c + ch) * hw + j] - mu, 2);
        var = ss / n;
        if (nrm != null) {
          nrm[ch] = (float) ((1 - MOMENTUM) * rm[ch] + MOMENTUM * mu);
          nrv[ch] = (float) ((1 - MOMENTUM) * rv[ch] + MOMENTUM * ss / (n - 1));
        }
      } else {
        mu = rm[ch];
        var = rv[ch];
      }
      double r = 1 / Math.sqrt(var + EPS);
      mean[ch] = (float) mu;
      rstd[ch] = (float) r;
      for (int i = 0; i < b; i++)
        for (int j = 0; j < hw; j++) {
          int at = (i * c + ch) * hw + j;
          double xhat = (x[at] - mu) * r;
          out[at] = (float) (gamma == null ? xhat : gamma[ch] * xhat + beta[ch]);
        }
    }
    return new float[][] {out, mean, rstd, nrm, nrv};
  }

  private static void check(boolean training, boolean affine, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    for (int[] s : SHAPES) {
      int c = s[1];
      // A shifted, scaled input: the statistics are not those of a unit normal.
      Tensor x = Tensor.randn(rng, 1.5f, s);
      float[] xv = x.toArray();
      for (int i = 0; i < xv.length; i++) xv[i] += 0.7f;
      x.copyFrom(xv);
      Tensor gamma = affine ? Tensor.uniform(rng, 0.5f, 1.5f, c) : null;
      Tensor beta = affine ? Tensor.randn(rng, 0.5f, c) : null;
      Tensor rm = Tensor.randn(rng, 0.5f, c);
      Tensor rv = Tensor.uniform(rng, 0.5f, 2f, c);
      Tensor out = Tensor.zeros(s), mean = Tensor.zeros(c), rstd = Tensor.zeros(c);
      float[] rm0 = rm.toArray(), rv0 = rv.toArray();

      // Values, including one running-statistics update.
      BatchNormOps.forward(out, mean, rstd, x, gamma, beta, rm, rv, EPS, MOMENTUM, training);
      float[][] ref = reference(xv, s, affine ? gamma.toArray() : null, affine ? beta.toArray() : null, rm0, rv0,
          training);
      String what = "batchnorm " + (training ? "training" : "inference") + (affine ? " affine " : " ") + java.util.Arrays.toString(s);
      GradCheck.assertClose(what + " out", ref[0], out.toArray());
      GradCheck.assertClose(what + " mean", ref[1], mean.toArray());
      GradCheck.assertClose(what + " rstd", ref[2], rstd.toArray());
      if (training) {
        GradCheck.assertClose(what + " running mean", ref[3], rm.toArray());
        GradCheck.assertClose(what + " running var", ref[4], rv.toArray());
      } else {
        assertArrayEquals(rm0, rm.toArray(), what + ": inference moved the running mean");
        assertArrayEquals(rv0, rv.toArray(), what + ": inference moved the running var");
      }

      // Gradients. Training passes no running statistics, so the forward can be repeated.
      Tensor dx = Tensor.zeros(s);
      Tensor rmG = training ? null : rm, rvG = training ? null : rv;
      GradCheck g = GradCheck.of(what).wrt("inp", x, dx);
      Tensor dgamma = Tensor.zeros(c), dbeta = Tensor.zeros(c);
      if (affine) g.wrt("gamma", gamma, dgamma).wrt("beta", beta, dbeta);
      g.run(() -> {
        BatchNormOps.forward(out, mean, rstd, x, gamma, beta, rmG, rvG, EPS, MOMENTUM, training);
        return out;
      }, dout -> BatchNormOps.backward(dx, affine ? dgamma : null, affine ? dbeta : null, dout, x, mean, rstd, gamma,
          training));
    }
  }

  @Test
  void trainingAffine() {
    check(true, true, 21);
  }

  @Test
  void trainingNoAffine() {
    check(true, false, 22);
  }

  @Test
  void inferenceAffine() {
    check(false, true, 23);
  }

  @Test
  void inferenceNoAffine() {
    check(false, false, 24);
  }

  /** apply() rebuilds a training forward's output bit for bit (the tapes rely on it), affine or not. */
  @Test
  void applyRebuildsTheForwardOutputBitForBit() {
    for (boolean affine : new boolean[] {true, false}) {
      SplittableRandom rng = new SplittableRandom(26);
      int[] s = {5, 7, 9, 11};  // HW 99: vector tails
      Tensor x = Tensor.uniform(rng, -2f, 3f, s);
      Tensor g = affine ? Tensor.uniform(rng, 0.5f, 1.5f, 7) : null, b = affine ? Tensor.uniform(rng, -1f, 1f, 7) : null;
      Tensor out = Tensor.zeros(s), mean = Tensor.zeros(7), rstd = Tensor.zeros(7), again = Tensor.uniform(rng, -9f, 9f, s);
      BatchNormOps.forward(out, mean, rstd, x, g, b, null, null, 1e-5f, 0.1f, true);
      BatchNormOps.apply(again, x, mean, rstd, g, b);
      assertArrayEquals(out.toArray(), again.toArray(), "affine " + affine);
    }
    Tensor x = Tensor.zeros(2, 3, 2, 2);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> BatchNormOps.apply(Tensor.zeros(2, 3, 2, 2), x, Tensor.zeros(4), Tensor.zeros(3), null, null));
    assertTrue(e.getMessage().contains("mean"), e.getMessage());
  }

  @Test
  void runningStatisticsOverSeveralSteps() {
    SplittableRandom rng = new SplittableRandom(25);
    int[] s = {3, 2, 2, 3};
    Tensor rm = Tensor.zeros(2), rv = Tensor.zeros(2).fill(1f);
    Tensor out = Tensor.zeros(s), mean = Tensor.zeros(2), rstd = Tensor.zeros(2);
    float[] erm = rm.toArray(), erv = rv.toArray();
    for (int step = 0; step < 4; step++) {
      Tensor x = Tensor.randn(rng, 2f, s);
      float[][] ref = reference(x.toArray(), s, null, null, erm, erv, true);
      erm = ref[3];
      erv = ref[4];
      BatchNormOps.forward(out, mean, rstd, x, null, null, rm, rv, EPS, MOMENTUM, true);
    }
    GradCheck.assertClose("running mean after 4 steps", erm, rm.toArray());
    GradCheck.assertClose("running var after 4 steps", erv, rv.toArray());
  }

  private static void assertBad(String expectedInMessage, Runnable r) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
    assertTrue(e.getMessage().contains(expectedInMessage), e.getMessage());
  }

  @Test
  void badArgumentsNameTheArgument() {
    Tensor x = Tensor.zeros(2, 3, 2, 2), out = Tensor.zeros(2, 3, 2, 2);
    Tensor m = Tensor.zeros(3), r = Tensor.zeros(3), g = Tensor.zeros(3), b = Tensor.zeros(3);
    Tensor rm = Tensor.zeros(3), rv = Tensor.zeros(3);
    assertBad("gamma is given and beta is null", () -> BatchNormOps.forward(out, m, r, x, g, null, rm, rv, EPS, MOMENTUM, true));
    assertBad("runningMean is null in inference", () -> BatchNormOps.forward(out, m, r, x, g, b, null, null, EPS, MOMENTUM, false));
    assertBad("runningMean is given and runningVar is null", () -> BatchNormOps.forward(out, m, r, x, g, b, rm, null, EPS, MOMENTUM, true));
    assertBad("eps is 0.0", () -> BatchNormOps.forward(out, m, r, x, g, b, rm, rv, 0f, MOMENTUM, true));
    assertBad("momentum is 2.0", () -> BatchNormOps.forward(out, m, r, x, g, b, rm, rv, EPS, 2f, true));
    assertBad("mean has shape [2]", () -> BatchNormOps.forward(out, Tensor.zeros(2), r, x, g, b, rm, rv, EPS, MOMENTUM, true));
    assertBad("gamma has shape [4]", () -> BatchNormOps.forward(out, m, r, x, Tensor.zeros(4), b, rm, rv, EPS, MOMENTUM, true));
    assertBad("1 value per channel", () -> BatchNormOps.forward(Tensor.zeros(1, 3, 1, 1), m, r, Tensor.zeros(1, 3, 1, 1),
        g, b, rm, rv, EPS, MOMENTUM, true));
    assertBad("inp has shape [3], expected at least 2", () -> BatchNormOps.forward(out, m, r, Tensor.zeros(3), g, b, rm, rv,
        EPS, MOMENTUM, true));
    assertBad("dout has shape", () -> BatchNormOps.backward(null, null, null, Tensor.zeros(2, 3), x, m, r, g, true));
    assertBad("dgamma has shape [2]", () -> BatchNormOps.backward(null, Tensor.zeros(2), null, out, x, m, r, g, true));
  }
}
