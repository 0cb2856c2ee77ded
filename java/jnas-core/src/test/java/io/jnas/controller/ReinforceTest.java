package io.jnas.controller;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** REINFORCE moves the controller toward rewarded actions; its state round-trips exactly. */
class ReinforceTest {
  @Test
  void learnsRewardedOpInCategoricalSequence() {
    ControllerSpec spec = ControllerSpec.categorical(new int[] {5, 5, 5});
    LstmController c = new LstmController(spec, ControllerConfig.enas().withHidden(16).withTanh(2.5, 1.0),
        new SplitMix64(1));
    Reinforce r = new Reinforce(c, ReinforceConfig.enas().withAggregate(5));
    int[] target = {3, 3, 3};
    double before = c.probabilities(target)[0][3];
    SplitMix64 rng = new SplitMix64(2);
    for (int s = 0; s < 1500; s++) {
      int[] a = c.sample(rng).actions();
      r.observe(a, a[0] == 3 ? 1.0 : 0.0);
    }
    double after = c.probabilities(target)[0][3];
    assertEquals(300, r.steps());
    assertTrue(before < 0.3, "start near uniform, got " + before);
    assertTrue(after > 0.7, "P(op 3) after 300 steps: " + after + " (before " + before + ")");
  }

  @Test
  void learnsRewardedInputInEnasMicro() {
    ControllerSpec spec = ControllerSpec.enasMicro(3, 5, true);
    // init range 0.5 (ENAS: 0.1, which needs a few thousand samples before attention moves: the
    // anchors' hidden states start tiny); tanh constant 1.1 caps P at e^1.1 / (e^1.1 + 3 e^-1.1) = 0.75
    LstmController c = new LstmController(spec, ControllerConfig.enas().withHidden(16).withInitRange(0.5),
        new SplitMix64(3));
    Reinforce r = new Reinforce(c, ReinforceConfig.enas().withAggregate(5).withLearningRate(0.01)
        .withBaselineFromFirstReward(true));
    SplitMix64 rng = new SplitMix64(4);
    // reward: the last normal-cell node reads node 1 (ENAS index 3) as its first input
    int slot = 4 * 2;
    int[] probe = c.sample(new SplitMix64(5)).actions();
    double before = c.probabilities(probe)[slot][3];
    for (int s = 0; s < 600; s++) {
      int[] a = c.sample(rng).actions();
      r.observe(a, a[slot] == 3 ? 0.9 : 0.5);
    }
    double after = c.probabilities(probe)[slot][3];
    assertTrue(before < 0.3 && after > 0.6, "P(input 3) " + before + " -> " + after);
  }

  @Test
  void saveRestoreContinuesIdentically() {
    ControllerSpec spec = ControllerSpec.enasMicro(3, 5, true);
    ControllerConfig cc = ControllerConfig.enas().withHidden(12);
    ReinforceConfig rc = ReinforceConfig.enas().withAggregate(4).withGradBound(5.0);
    Reinforce a = new Reinforce(new LstmController(spec, cc, new SplitMix64(6)), rc);
    SplitMix64 rngA = new SplitMix64(7);
    for (int s = 0; s < 10; s++) { // ends mid-aggregate (10 = 2 * 4 + 2)
      int[] x = a.controller().sample(rngA).actions();
      a.observe(x, reward(x));
    }
    assertEquals(2, a.pending());
    byte[] saved = a.saveState();
    long rngState = rngA.state();
    Reinforce b = new Reinforce(new LstmController(spec, cc, new SplitMix64(999)), rc);
    b.restoreStateMap(Map.copyOf(a.stateMap()));
    SplitMix64 rngB = new SplitMix64(0);
    rngB.setState(rngState);
    for (int s = 0; s < 13; s++) {
      int[] xa = a.controller().sample(rngA).actions();
      int[] xb = b.controller().sample(rngB).actions();
      assertArrayEquals(xa, xb, "sample " + s);
      a.observe(xa, reward(xa));
      b.observe(xb, reward(xb));
    }
    assertArrayEquals(a.controller().parameters(), b.controller().parameters());
    assertEquals(a.baseline(), b.baseline());
    assertEquals(a.steps(), b.steps());
    assertArrayEquals(a.saveState(), b.saveState());
    // the raw bytes restore too, mid-aggregate gradient count included
    Reinforce c = new Reinforce(new LstmController(spec, cc, new SplitMix64(1)), rc);
    c.restoreState(saved);
    assertEquals(2, c.pending());
  }

  @Test
  void restoreRejectsOtherSpec() {
    ControllerConfig cc = ControllerConfig.enas().withHidden(8);
    Reinforce a = new Reinforce(new LstmController(ControllerSpec.enasMicro(3, 5, true), cc, new SplitMix64(1)),
        ReinforceConfig.enas());
    Reinforce b = new Reinforce(new LstmController(ControllerSpec.enasMicro(4, 5, true), cc, new SplitMix64(1)),
        ReinforceConfig.enas());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.restoreState(a.saveState()));
    assertTrue(e.getMessage().contains("nodes=3"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> b.restoreState(new byte[] {1, 2, 3}));
  }

  @Test
  void baselineFollowsMovingAverage() {
    LstmController c = new LstmController(ControllerSpec.categorical(new int[] {3}), ControllerConfig.enas()
        .withHidden(4), new SplitMix64(1));
    Reinforce r = new Reinforce(c, ReinforceConfig.enas().withEntropyWeight(0));
    r.observe(new int[] {0}, 1.0);
    assertEquals(0.01, r.baseline(), 1e-15);
    r.observe(new int[] {1}, 0.5);
    assertEquals(0.99 * 0.01 + 0.01 * 0.5, r.baseline(), 1e-15);
    Reinforce f = new Reinforce(c, ReinforceConfig.enas().withEntropyWeight(0).withBaselineFromFirstReward(true));
    f.observe(new int[] {0}, 0.8);
    assertEquals(0.8, f.baseline(), 1e-15);
  }

  private static double reward(int[] x) {
    double s = 0;
    for (int i = 0; i < x.length; i++) s += (x[i] * 7 + i) % 3 == 0 ? 0.05 : 0.0;
    return 0.5 + s;
  }
}
