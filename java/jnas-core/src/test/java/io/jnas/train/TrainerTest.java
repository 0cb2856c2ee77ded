package io.jnas.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnas.data.DataSource;
import io.jnas.data.Datasets;
import io.jnas.genotype.Genotype;
import io.jnas.search.RunDir;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Final training end to end on a tiny synthetic set: outputs, and resume equality. */
class TrainerTest {
  private static Trainer.Settings tiny() {
    Trainer.Settings s = new Trainer.Settings();
    s.data = "synthetic:train=48,val=8,test=16,seed=3";
    s.epochs = 2;
    s.batch = 16;
    s.layers = 3;
    s.channels = 4;
    s.dropPathKeep = 0.7;  // drop-path on, so its seeds must also resume exactly
    s.workers = 1;
    s.seed = 5;
    return s;
  }

  @Test
  void resumedRunMatchesAnUninterruptedOne(@TempDir Path tmp) throws Exception {
    Trainer.Settings s = tiny();
    DataSource src = Datasets.open(s.data);
    Genotype g = Genotype.DARTS_V2;
    RunDir full = RunDir.create(tmp.resolve("full"));
    Trainer.Outcome a = new Trainer(s, null).run(src, g, full, false, 0);
    assertTrue(a.finished());
    for (String f : List.of("config.json", "genotype.json", "log.jsonl", "checkpoint.bin", "curves.png", "weights.jnw", "result.json")) {
      assertTrue(Files.isRegularFile(full.file(f)), f + " missing");
    }
    RunDir part = RunDir.create(tmp.resolve("part"));
    Trainer.Outcome b1 = new Trainer(s, null).run(src, g, part, false, 1);
    assertFalse(b1.finished());
    assertFalse(Files.exists(part.file("weights.jnw")));
    Trainer.Outcome b2 = new Trainer(s, null).run(src, g, RunDir.resume(part.path()), true, 0);
    assertEquals(1, b2.epochs().size());
    // bit-exact: same thread count, same batches, same masks
    assertEquals(a.epochs().get(0).trainLoss(), b1.epochs().get(0).trainLoss());
    assertEquals(a.epochs().get(1).trainLoss(), b2.epochs().get(0).trainLoss());
    assertEquals(a.epochs().get(1).testAccuracy(), b2.epochs().get(0).testAccuracy());
    List<Map<String, Object>> la = full.readLog(), lb = part.readLog();
    assertEquals(la.size(), lb.size());
    assertEquals(la.get(1).get("train_loss"), lb.get(1).get("train_loss"));
    WeightsFile wa = WeightsFile.read(full.file("weights.jnw"));
    WeightsFile wb = WeightsFile.read(part.file("weights.jnw"));
    assertTrue(Arrays.equals(wa.weights(), wb.weights()), "weights differ after resume");
    assertTrue(Arrays.equals(wa.runningStats(), wb.runningStats()));
    // the weights file loads back and evaluates to the recorded test accuracy
    try (FinalNetwork net = wa.open()) {
      Trainer.Evaluation e = Trainer.evaluate(net, src.test(), src.evalAugmentation(), 7);
      assertEquals(a.test().accuracy(), e.accuracy(), 1e-12);
      assertEquals(wa.config(), net.config());
    }
  }
}
