package io.jnas.enas;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnas.plot.LinePlot;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** search_curves.png: the derived architecture beside the random yardstick at each derivation, and chance. */
class SearchCurvesTest {
  private static Map<String, Object> ev(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
    return m;
  }

  @Test
  void derivationsSitAtTheirEpochBesideTheYardstickAndChance() {
    List<Map<String, Object>> log = new ArrayList<>();
    log.add(ev("event", "start"));  // a version-1 log: epochs from 0
    assertNull(EnasSearch.searchCurves(log, 0, "months", 12), "nothing to plot before the first epoch");
    log.add(ev("event", "epoch", "epoch", 0, "train_accuracy", 0.1, "reward_mean", 0.12));
    log.add(ev("event", "epoch", "epoch", 1, "train_accuracy", 0.2, "reward_mean", 0.22));
    log.add(ev("event", "derive", "epoch", 1, "valid_accuracy", 0.3, "random_mean_valid_accuracy", 0.15));
    log.add(ev("event", "resume", "epoch", 2));
    log.add(ev("event", "epoch", "epoch", 2, "train_accuracy", 0.25, "reward_mean", 0.3));
    log.add(ev("event", "epoch", "epoch", 3, "train_accuracy", 0.35, "reward_mean", 0.4));
    log.add(ev("event", "derive", "epoch", 3, "valid_accuracy", 0.45, "random_mean_valid_accuracy", 0.2));
    LinePlot p = EnasSearch.searchCurves(log, 0, "months", 12);
    assertTrue(p.title().contains("months"), "the data set's name in the title: " + p.title());
    List<String> names = p.legendNames();
    assertTrue(names.get(0).startsWith("chance (1/12"), names.toString());
    String derived = names.stream().filter(n -> n.startsWith("derived")).findFirst().orElseThrow();
    String random = names.stream().filter(n -> n.startsWith("random")).findFirst().orElseThrow();
    double[][] train = p.data(names.stream().filter(n -> n.startsWith("train")).findFirst().orElseThrow());
    assertArrayEquals(new double[] {1, 2, 3, 4}, train[0], "epochs from 1");
    assertArrayEquals(new double[] {2, 4}, p.data(derived)[0], "each derivation at the epoch it follows");
    assertArrayEquals(new double[] {0.3, 0.45}, p.data(derived)[1]);
    assertArrayEquals(new double[] {2, 4}, p.data(random)[0]);
    assertArrayEquals(new double[] {0.15, 0.2}, p.data(random)[1]);
    assertArrayEquals(new double[] {1.0 / 12}, p.data(names.get(0))[1], 1e-12);
    assertTrue(names.stream().noneMatch(n -> n.startsWith("controller's concentration")), "a log without entropy_uniform: no such curve");
  }

  @Test
  void theControllersConcentrationIsOneMinusItsEntropyOverTheUniforms() {
    List<Map<String, Object>> log = new ArrayList<>();
    log.add(ev("event", "epoch", "epoch", 1, "train_accuracy", 0.1, "reward_mean", 0.12, "entropy_mean", 32.0, "entropy_uniform", 32.0));
    log.add(ev("event", "epoch", "epoch", 2, "train_accuracy", 0.2, "reward_mean", 0.22, "entropy_mean", 24.0, "entropy_uniform", 32.0));
    LinePlot p = EnasSearch.searchCurves(log, 1, "months", 12);
    String c = p.legendNames().stream().filter(n -> n.startsWith("controller's concentration")).findFirst().orElseThrow();
    assertArrayEquals(new double[] {1, 2}, p.data(c)[0]);
    assertArrayEquals(new double[] {0, 0.25}, p.data(c)[1], 1e-12);
  }

  @Test
  void uniformEntropyOfTheEnasMicroSpace() {
    // two cells of 3 nodes: inputs from 2, 3, 4 predecessors (two each), ops from 5 (two each)
    double cell = 2 * (Math.log(2) + Math.log(3) + Math.log(4)) + 6 * Math.log(5);
    assertEquals(2 * cell, io.jnas.controller.ControllerSpec.enasMicro(3, 5, false).uniformEntropy(), 1e-12);
  }
}
