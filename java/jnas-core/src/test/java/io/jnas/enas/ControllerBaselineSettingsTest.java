package io.jnas.enas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnas.util.Json;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The controller's baseline as a setting: written, read back, absent in older runs, checked. */
class ControllerBaselineSettingsTest {
  @Test
  void roundTripOlderFilesAndBadValues() {
    assertFalse(SearchSettings.enas("synthetic").controller().batchBaseline(), "ENAS's settings keep ENAS's moving average");
    SearchSettings q = SearchSettings.quick();
    assertTrue(q.controller().batchBaseline(), "the quick preset scores a step's samples on one batch");
    assertEquals(SearchSettings.QUICK_CONTROLLER_LR, q.controller().reinforce().learningRate());
    assertEquals(0.0035, SearchSettings.enas("synthetic").controller().reinforce().learningRate(), "ENAS's step in ENAS's settings");
    SearchSettings batch = q.withController(q.controller().withBatchBaseline(true));
    Map<String, Object> m = Json.parseObject(Json.pretty(batch.toMap()));
    assertEquals("batch", m.get("controller_baseline"));
    assertEquals(batch, SearchSettings.fromMap(m));
    SearchSettings moving = q.withController(q.controller().withBatchBaseline(false));
    assertEquals(moving, SearchSettings.fromMap(Json.parseObject(Json.pretty(moving.toMap()))));
    m.remove("controller_baseline");
    assertFalse(SearchSettings.fromMap(m).controller().batchBaseline(), "runs from before the setting used the moving average");
    m.put("controller_baseline", "mean");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SearchSettings.fromMap(m));
    assertTrue(e.getMessage().contains("controller_baseline") && e.getMessage().contains("mean"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new SearchSettings.Controller(q.controller().config(),
        q.controller().reinforce().withAggregate(1), 10, false, true));
    assertTrue(e.getMessage().contains("at least 2 samples"), e.getMessage());
    assertTrue(batch.controller().withOpBiases(true).batchBaseline(), "copies keep the baseline");
  }
}
