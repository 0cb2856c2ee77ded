package io.jnas.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnas.train.Checkpoint;
import io.jnas.train.WeightsFile;
import io.jnas.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Run folders written before the naming conventions (version 1: the seed a string, epochs from 0
 * in the log, subset fractions, 0 and -1 for "automatic") still resume and evaluate, and a
 * resumed one goes on exactly as the run would have.
 */
class OldFormatTest {
  private static final Pattern EPOCH = Pattern.compile("\"epoch\":(\\d)");

  /** Rewrites a log's epochs to count from 0 (one digit each, so the byte length is kept). */
  private static void epochsFromZero(Path log) throws Exception {
    StringBuilder sb = new StringBuilder();
    for (String line : Files.readAllLines(log)) {
      Matcher m = EPOCH.matcher(line);
      sb.append(m.replaceAll(r -> "\"epoch\":" + (Integer.parseInt(r.group(1)) - 1))).append('\n');
    }
    long before = Files.size(log);
    Files.writeString(log, sb.toString());
    assertEquals(before, Files.size(log));
  }


  @Test
  void aVersionOneSearchResumesWithItsOwnEpochNumbers(@TempDir Path tmp) throws Exception {
    String[] args = {"search", "--data", "synthetic:train=400,val=128,test=64", "--validation", "128", "--epochs", "2",
        "--batch", "32", "--layers", "0", "--channels", "4", "--nodes", "2", "--controller-steps", "2",
        "--controller-aggregate", "2", "--derive-every", "1", "--derive-samples", "3", "--seed", "4", "--out"};
    Path ref = tmp.resolve("ref"), old = tmp.resolve("old");
    assertEquals(0, CliRun.run(with(args, ref.toString())).code());
    assertEquals(0, CliRun.run(with(args, old.toString(), "--stop-after", "1")).code());
    // make it a version-1 folder
    Map<String, Object> s = Json.parseObject(Files.readString(old.resolve("settings.json")));
    s.remove("version");
    s.put("seed", "4");
    Files.writeString(old.resolve("settings.json"), Json.pretty(s));
    epochsFromZero(old.resolve("log.jsonl"));
    Checkpoint c = Checkpoint.read(old.resolve("checkpoint.bin"));
    Map<String, Object> h = new LinkedHashMap<>(c.header());
    h.put("valid_batches_used", String.valueOf(((Number) h.get("valid_batches_used")).longValue()));
    @SuppressWarnings("unchecked")
    Map<String, Object> best = new LinkedHashMap<>((Map<String, Object>) h.get("best"));
    best.put("epoch", 0);
    h.put("best", best);
    new Checkpoint(h, c.arrays()).write(old.resolve("checkpoint.bin"));

    CliRun r = CliRun.run("search", "--resume", old.toString());
    assertEquals(0, r.code(), r.err());
    List<Map<String, Object>> a = CliRun.searchEvents(ref), b = CliRun.searchEvents(old);
    assertEquals(a.size(), b.size());
    for (int i = 0; i < a.size(); i++) {
      Map<String, Object> want = new LinkedHashMap<>(a.get(i));
      want.computeIfPresent("epoch", (k, v) -> ((Number) v).doubleValue() - 1);  // the old run counts from 0
      assertEquals(want, b.get(i), "event " + i);
    }
    assertEquals(Files.readString(ref.resolve("final_arch.txt")), Files.readString(old.resolve("final_arch.txt")));
    // its settings.json is left as it was
    assertEquals("4", Json.parseObject(Files.readString(old.resolve("settings.json"))).get("seed"));
  }

  @Test
  @SuppressWarnings("unchecked")
  void aVersionOneTrainRunResumesWithItsFractionAndEvaluates(@TempDir Path tmp) throws Exception {
    String[] args = {"train", "--genotype", "darts-v2", "--data", "synthetic:train=48,val=8,test=16,seed=3", "--layers", "3",
        "--channels", "4", "--epochs", "2", "--batch", "8", "--workers", "0", "--train-subset", "28", "--seed", "5", "--out"};
    Path ref = tmp.resolve("ref"), old = tmp.resolve("old");
    assertEquals(0, CliRun.run(with(args, ref.toString())).code());
    assertEquals(0, CliRun.run(with(args, old.toString(), "--stop-after", "1")).code());
    Map<String, Object> cfg = Json.parseObject(Files.readString(old.resolve("config.json")));
    Map<String, Object> s = (Map<String, Object>) cfg.get("settings");
    assertEquals(28.0, s.get("train_subset"));  // of 56 training images (train + val)
    assertEquals(5.0, s.get("seed"));
    assertEquals(0.0, s.get("cutout"));  // resolved: no cutout off CIFAR-10
    assertEquals(2.0, s.get("lr_t0"));   // resolved: one period over the run
    // make it a version-1 config: fractions, 0 and -1 for automatic, no sizes
    s.remove("version");
    s.remove("train_subset");
    s.remove("test_subset");
    s.put("train_fraction", 0.5);
    s.put("test_fraction", 1.0);
    s.put("lr_t0", 0);
    s.put("lr_tmul", 0);
    s.put("cutout", -1);
    cfg.remove("train_images");
    cfg.remove("test_images");
    Files.writeString(old.resolve("config.json"), Json.pretty(cfg));
    epochsFromZero(old.resolve("log.jsonl"));

    CliRun r = CliRun.run("train", "--resume", old.toString());
    assertEquals(0, r.code(), r.err());
    List<Map<String, Object>> a = CliRun.searchEvents(ref), b = CliRun.searchEvents(old);
    assertEquals(List.of(0.0, 1.0), b.stream().map(e -> e.get("epoch")).toList());
    for (int i = 0; i < 2; i++) assertEquals(a.get(i).get("train_loss"), b.get(i).get("train_loss"), "epoch " + i);
    assertArrayEquals(WeightsFile.read(ref.resolve("weights.jnw")).weights(), WeightsFile.read(old.resolve("weights.jnw")).weights());
    r = CliRun.run("eval", "--run", old.toString());
    assertEquals(0, r.code(), r.err());
    assertFalse(Json.parseObject(Files.readString(old.resolve("config.json"))).containsKey("train_images"), "left as it was");
    assertTrue(Files.isRegularFile(old.resolve("curves.png")));
  }

  private static String[] with(String[] args, String... more) {
    List<String> l = new ArrayList<>(List.of(args));
    l.addAll(List.of(more));
    return l.toArray(new String[0]);
  }
}
