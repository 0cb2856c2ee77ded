package io.jnas.enas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnas.controller.LstmController;
import io.jnas.controller.SplitMix64;
import io.jnas.data.Dataset;
import io.jnas.data.SyntheticDataset;
import io.jnas.util.Json;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** ENAS's initial op biases as a setting of the search: on in ENAS's settings, off in the quick preset. */
class OpBiasesTest {
  @Test
  void presetsAndTheSettingsFile() {
    assertTrue(SearchSettings.enas("synthetic").controller().opBiases(), "ENAS's settings keep ENAS's biases");
    assertFalse(SearchSettings.quick().controller().opBiases(), "the quick preset drops them");
    SearchSettings on = SearchSettings.quick().withController(SearchSettings.quick().controller().withOpBiases(true));
    assertEquals(on, SearchSettings.fromMap(Json.parseObject(Json.pretty(on.toMap()))));
    assertEquals(SearchSettings.quick(), SearchSettings.fromMap(Json.parseObject(Json.pretty(SearchSettings.quick().toMap()))));
    Map<String, Object> old = Json.parseObject(Json.pretty(SearchSettings.quick().toMap()));
    old.remove("controller_op_biases");
    assertTrue(SearchSettings.fromMap(old).controller().opBiases(), "runs from before the setting had ENAS's biases");
    old.put("controller_op_biases", "yes");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SearchSettings.fromMap(old));
    assertTrue(e.getMessage().contains("controller_op_biases"), e.getMessage());
  }

  @Test
  void theBiasesMakeTheControllerFavourTheSeparableConvs() {
    SearchSettings s = SearchSettings.quick().withNet(new SearchSettings.Net(0, 4, 3));
    Dataset d = SyntheticDataset.generate("t", 8, 1, SyntheticDataset.TRAIN_STREAM);
    try (SharedNet net = SharedNet.create(s, d, 1)) {
      assertTrue(net.controllerSpec(true).name().contains("enasBiases=true"), net.controllerSpec(true).name());
      assertTrue(net.controllerSpec(false).name().contains("enasBiases=false"), net.controllerSpec(false).name());
      double with = sepShare(new LstmController(net.controllerSpec(true), s.controller().config(), new SplitMix64(3)));
      double without = sepShare(new LstmController(net.controllerSpec(false), s.controller().config(), new SplitMix64(3)));
      // 2 of 5 ops are separable convs: 0.4 when uniform; ENAS's b_soft lifts them to about 0.54
      assertEquals(0.4, without, 0.03, "without the biases the untrained controller draws ops about uniformly");
      assertTrue(with > 0.49, "with them it favours the separable convs: " + with);
    }
  }

  /** Share of the normal cell's ops that are a separable conv (ids 0, 1) in 2000 samples of an untrained controller. */
  private static double sepShare(LstmController c) {
    SplitMix64 rng = new SplitMix64(5);
    int sep = 0, all = 0;
    for (int i = 0; i < 2000; i++) {
      int[] a = c.sample(rng).actions();
      for (int j = 0; j < 3; j++) {
        for (int k : new int[] {4 * j + 1, 4 * j + 3}) {
          if (a[k] <= 1) sep++;
          all++;
        }
      }
    }
    return sep / (double) all;
  }
}
