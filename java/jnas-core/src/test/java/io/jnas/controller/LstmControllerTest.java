package io.jnas.controller;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Test;

/** The controller's hand-written backward against central finite differences, and sampling sanity. */
class LstmControllerTest {
  /** Finite-difference step and tolerance, double precision: truncation error ~ eps^2 ~ 1e-10. */
  private static final double EPS = 1e-5, TOL = 1e-6;

  private static void checkGradient(LstmController c, int[] actions, double wLogProb, double wEntropy,
      String what) {
    double[] grad = new double[c.numParameters()];
    c.backward(actions, wLogProb, wEntropy, grad);
    double[] p = c.parameters();
    double worstAbs = 0;
    int worstAt = -1;
    double[] worstPair = null;
    for (int k = 0; k < p.length; k++) {
      double keep = p[k];
      p[k] = keep + EPS;
      c.setParameters(p);
      LstmController.Sample plus = c.score(actions);
      p[k] = keep - EPS;
      c.setParameters(p);
      LstmController.Sample minus = c.score(actions);
      p[k] = keep;
      c.setParameters(p);
      double fPlus = wLogProb * plus.logProb() + wEntropy * plus.entropy();
      double fMinus = wLogProb * minus.logProb() + wEntropy * minus.entropy();
      double fd = (fPlus - fMinus) / (2 * EPS);
      double err = Math.abs(fd - grad[k]) / Math.max(1, Math.abs(fd));
      if (err > worstAbs) {
        worstAbs = err;
        worstAt = k;
        worstPair = new double[] {grad[k], fd};
      }
    }
    if (worstAbs > TOL) {
      fail(what + ": largest error " + worstAbs + " at parameter " + worstAt + " (analytic " + worstPair[0]
          + ", finite difference " + worstPair[1] + ")");
    }
    double norm = 0;
    for (double g : grad) norm += g * g;
    assertTrue(norm > 1e-8, what + ": gradient is (nearly) zero, the check would be vacuous");
  }

  private static LstmController small(ControllerSpec spec, ControllerConfig cfg, long seed) {
    return new LstmController(spec, cfg, new SplitMix64(seed));
  }

  @Test
  void enasMicroGradientsMatchFiniteDifferences() {
    ControllerSpec spec = ControllerSpec.enasMicro(3, 5, true);
    ControllerConfig cfg = new ControllerConfig(5, 1.1, 2.5, 1.3, 0.6);
    LstmController c = small(spec, cfg, 7);
    int[] actions = c.sample(new SplitMix64(11)).actions();
    checkGradient(c, actions, 1.0, 0.0, "enas log-prob");
    checkGradient(c, actions, 0.0, 1.0, "enas entropy");
    checkGradient(c, actions, -0.7, 0.3, "enas mix");
  }

  @Test
  void enasMicroGradientsWithoutTanh() {
    ControllerSpec spec = ControllerSpec.enasMicro(2, 4, false);
    ControllerConfig cfg = new ControllerConfig(4, 0.0, 2.5, 1.0, 0.8);
    LstmController c = small(spec, cfg, 3);
    int[] actions = c.sample(new SplitMix64(5)).actions();
    checkGradient(c, actions, 1.0, 0.5, "enas no-tanh");
  }

  @Test
  void categoricalGradientsMatchFiniteDifferences() {
    ControllerSpec spec = ControllerSpec.categorical(new int[] {5, 5, 3, 5, 2, 5});
    ControllerConfig cfg = new ControllerConfig(6, 2.5, 1.0, 1.0, 0.7);
    LstmController c = small(spec, cfg, 9);
    int[] actions = c.sample(new SplitMix64(1)).actions();
    checkGradient(c, actions, 1.0, 0.0, "categorical log-prob");
    checkGradient(c, actions, 0.0, 1.0, "categorical entropy");
  }

  @Test
  void zeroWeightsGiveUniformOps() {
    ControllerSpec spec = ControllerSpec.enasMicro(5, 5, false);
    LstmController c = small(spec, ControllerConfig.enas().withHidden(8).withInitRange(0), 1);
    int[] actions = c.sample(new SplitMix64(2)).actions();
    double[][] p = c.probabilities(actions);
    for (int i = 0; i < p.length; i++) {
      for (double v : p[i]) assertEquals(1.0 / spec.numChoices(i), v, 1e-15, "slot " + i);
    }
    // empirical frequencies of the first op over many draws: uniform within 4 sigma
    int n = 20000;
    int[] count = new int[5];
    SplitMix64 rng = new SplitMix64(3);
    for (int s = 0; s < n; s++) count[c.sample(rng).actions()[1]]++;
    double sigma = Math.sqrt(n * 0.2 * 0.8);
    for (int k = 0; k < 5; k++) assertEquals(n * 0.2, count[k], 4 * sigma, "op " + k);
  }

  @Test
  void samplesAreValidAndLogProbMatchesScore() {
    ControllerSpec spec = ControllerSpec.enasMicro(5, 5, true);
    LstmController c = small(spec, ControllerConfig.enas(), 42);
    SplitMix64 rng = new SplitMix64(4);
    for (int s = 0; s < 50; s++) {
      LstmController.Sample x = c.sample(rng);
      for (int i = 0; i < x.actions().length; i++) {
        assertTrue(x.actions()[i] >= 0 && x.actions()[i] < spec.numChoices(i));
      }
      LstmController.Sample y = c.score(x.actions());
      assertEquals(x.logProb(), y.logProb(), 1e-12);
      assertEquals(x.entropy(), y.entropy(), 1e-12);
      assertTrue(x.logProb() < 0 && x.entropy() > 0);
    }
  }

  @Test
  void sameSeedSameSamples() {
    ControllerSpec spec = ControllerSpec.categorical(new int[] {5, 5, 5, 5, 5, 5});
    LstmController a = small(spec, ControllerConfig.enas(), 8);
    LstmController b = small(spec, ControllerConfig.enas(), 8);
    assertArrayEquals(a.parameters(), b.parameters());
    SplitMix64 ra = new SplitMix64(9), rb = new SplitMix64(9);
    for (int s = 0; s < 20; s++) assertArrayEquals(a.sample(ra).actions(), b.sample(rb).actions());
  }

  @Test
  void enasMacroGradientsMatchFiniteDifferences() {
    ControllerSpec spec = ControllerSpec.enasMacro(5, 6, 0.4);
    ControllerConfig cfg = new ControllerConfig(5, 1.5, 2.5, 1.3, 0.6);
    LstmController c = small(spec, cfg, 3);
    int[] actions = c.sample(new SplitMix64(4)).actions();
    assertEquals(5 + 10, actions.length);
    int skips = 0;
    for (int l = 1; l < 5; l++) for (int j = 0; j < l; j++) skips += actions[l + l * (l - 1) / 2 + 1 + j];
    assertTrue(skips > 0 && skips < 10, "a mix of chosen and unchosen skips, for a check that covers both: " + skips);
    checkGradient(c, actions, 1.0, 0.0, "macro log-prob");
    checkGradient(c, actions, 0.0, 1.0, "macro entropy");
    // the skip penalty: its own finite differences
    double[] grad = new double[c.numParameters()];
    c.backward(actions, 0.0, 0.0, 1.0, grad);
    double[] p = c.parameters();
    double worst = 0;
    for (int k = 0; k < p.length; k++) {
      double keep = p[k];
      p[k] = keep + EPS;
      c.setParameters(p);
      double plus = c.skipPenalty(actions);
      p[k] = keep - EPS;
      c.setParameters(p);
      double minus = c.skipPenalty(actions);
      p[k] = keep;
      c.setParameters(p);
      double fd = (plus - minus) / (2 * EPS);
      worst = Math.max(worst, Math.abs(fd - grad[k]) / Math.max(1, Math.abs(fd)));
    }
    assertTrue(worst < TOL, "macro skip penalty: largest error " + worst);
    assertTrue(c.skipPenalty(actions) > 0);
    // ENAS's penalty at zero logits: s = 1/2, KL = 0.5 log(0.5/0.6) + 0.5 log(0.5/0.4), per skip decision
    LstmController zero = small(spec, new ControllerConfig(5, 1.5, 2.5, 1.0, 0.0), 1);
    assertEquals(10 * (0.5 * Math.log(0.5 / 0.6) + 0.5 * Math.log(0.5 / 0.4)), zero.skipPenalty(actions), 1e-12);
    double[][] probs = zero.probabilities(actions);
    assertArrayEquals(new double[] {0.5, 0.5}, probs[2], 1e-12);
    assertEquals(6, probs[0].length);
  }
}
