package io.jnas.enas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnas.train.CosineSchedule;
import io.jnas.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The search's warm-up and yardstick settings: stored and read back (older settings files
 * without them read as before), checked, and obeyed by a real search: during warm-up every
 * child step trains a chain-input cell, the controller does not train and nothing is derived.
 */
class WarmupTest {
  @Test
  void settingsRoundTripAndOlderFilesReadAsBefore() {
    SearchSettings q = SearchSettings.quick().withChild(SearchSettings.quick().child().withWarmup(10));
    assertEquals(0, SearchSettings.quick().child().warmup());
    assertEquals(100, q.derive().random());
    SearchSettings back = SearchSettings.fromMap(Json.parseObject(Json.pretty(q.toMap())));
    assertEquals(q, back);
    Map<String, Object> old = Json.parseObject(Json.pretty(q.toMap()));
    old.remove("warmup_epochs");
    old.remove("derive_random");
    old.remove("derive_select_batches");
    old.remove("derive_heldout_batches");
    SearchSettings o = SearchSettings.fromMap(old);
    assertEquals(1, o.derive().selectBatches(), "ENAS's selection on one batch");
    assertEquals(4, o.derive().heldOutBatches());
    assertEquals(0, o.child().warmup(), "runs before warm-up existed had none");
    assertEquals(20, o.derive().random(), "runs before derive_random ranked among 20");
  }

  @Test
  void warmupIsChecked() {
    SearchSettings.Child c = SearchSettings.quick().child().withWarmup(10);
    assertThrows(IllegalArgumentException.class, () -> c.withWarmup(-1));
    assertThrows(IllegalArgumentException.class, () -> c.withWarmup(c.epochs()));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SearchSettings.quick().withChild(c).withNet(new SearchSettings.Net(SearchSettings.MACRO, 4, 8, 1)));
    assertTrue(e.getMessage().contains("enas-macro"), e.getMessage());
    // fewer epochs: the warm-up keeps its share, one cosine period stays one period
    SearchSettings.Child four = c.withEpochs(4);
    assertEquals(2, four.warmup());
    assertEquals(new CosineSchedule(0.1, 1e-3, 4, 1), four.lr());
    assertEquals(0, c.withEpochs(1).warmup());
  }

  @Test
  @SuppressWarnings("unchecked")
  void aSearchWarmsUpOnChainCellsWithTheControllerIdle(@TempDir Path tmp) throws Exception {
    SearchSettings s = SearchSettings.quick().withData("synthetic:train=256,val=64,test=32", 64)
        .withNet(new SearchSettings.Net(0, 4, 3))
        .withChild(new SearchSettings.Child(32, 3, new CosineSchedule(0.1, 1e-3, 3, 1), 0.9, 1e-4, 5, 0.9, 3, 2))
        .withController(new SearchSettings.Controller(SearchSettings.quick().controller().config(),
            SearchSettings.quick().controller().reinforce().withAggregate(2), 2))
        .withDerive(new SearchSettings.Derive(1, 2, 5)).withSeed(4);
    Path run = tmp.resolve("run");
    try (EnasSearch search = EnasSearch.start(s, run, null)) {
      search.run();
    }
    int chainSteps = 0, freeSteps = 0;
    boolean someFree = false;
    for (String line : Files.readAllLines(run.resolve("log.jsonl"))) {
      Map<String, Object> ev = Json.parseObject(line);
      Object event = ev.get("event");
      int epoch = ev.get("epoch") instanceof Number n ? n.intValue() : -1;
      if ("child_step".equals(event)) {
        List<Object> arc = (List<Object>) ev.get("arc");
        boolean chain = true;
        for (int j = 0; j < arc.size() / 4; j++) {
          int node = j % 3;
          chain &= ((Number) arc.get(4 * j)).intValue() == node && ((Number) arc.get(4 * j + 2)).intValue() == node + 1;
        }
        if (epoch <= 2) {
          assertTrue(chain, "warm-up step trains a chain cell: " + arc);
          chainSteps++;
        } else {
          freeSteps++;
          someFree |= !chain;
        }
      }
      if ("controller_step".equals(event)) assertEquals(3, epoch, "the controller trains after the warm-up only");
      if ("derive".equals(event)) assertEquals(3, epoch, "nothing is derived during the warm-up");
      if ("epoch".equals(event)) assertEquals(epoch <= 2, ev.containsKey("warmup"), line);
    }
    assertEquals(6, chainSteps);
    assertEquals(3, freeSteps);
    assertTrue(someFree, "after the warm-up the controller's cells choose their inputs");
    assertFalse(Files.readString(run.resolve("result.json")).isEmpty());
  }
}
