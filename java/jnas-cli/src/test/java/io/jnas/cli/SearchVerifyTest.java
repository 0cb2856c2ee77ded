package io.jnas.cli;

import static io.jnas.cli.CliRun.bad;
import static io.jnas.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnas.enas.EnasSearch;
import io.jnas.util.Json;
import io.jnas.util.Ranks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jnas search --verify K --check-ranking N} end to end on a tiny configuration: the
 * derived cell's rank among random cells in result.json, verify.json and ranking.json written and
 * consistent with their own rows (the rank and τ recomputed here from the rows).
 */
class SearchVerifyTest {
  private static final String[] SEARCH = concat(tiny(96), "--epochs", "1", "--derive-samples", "3", "--derive-random", "7",
      "--derive-select-batches", "2", "--derive-heldout-batches", "1", "--seed", "2");

  /**
   * A search of a tiny supernet (no normal layers, 4 channels, 2 nodes, batch 32) on {@code val}
   * synthetic validation images, one controller step of 2 samples an epoch; the test adds the
   * epochs, the derivation and the seed.
   */
  private static String[] tiny(int val) {
    return new String[] {"search", "--data", "synthetic:train=320,val=" + val + ",test=32", "--validation", String.valueOf(val),
        "--preset", "quick", "--batch", "32", "--layers", "0", "--channels", "4", "--nodes", "2", "--controller-steps", "1",
        "--controller-aggregate", "2"};
  }

  @Test
  @SuppressWarnings("unchecked")
  void verifyAndCheckRankingEndToEnd(@TempDir Path tmp) throws Exception {
    Path out = tmp.resolve("run");
    String[] args = concat(SEARCH, "--out", out.toString(), "--verify", "2", "--check-ranking", "4", "--proxy-epochs", "1");
    CliRun r = run(args);
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("rank among the 7 random cells and itself: "), r.out());
    assertTrue(r.out().contains("from scratch (1 epochs"), r.out());
    assertTrue(r.out().contains("ranking: Kendall tau "), r.out());

    Map<String, Object> result = Json.parseObject(Files.readString(out.resolve("result.json")));
    Map<String, Object> found = (Map<String, Object>) result.get("found");
    assertEquals(7.0, found.get("random_cells"));
    int rank = ((Number) found.get("rank_among_random")).intValue();
    assertTrue(rank >= 1 && rank <= 8, "rank " + rank);

    // 96 validation images = 3 batches of 32: candidates on the first 2, the pick and the yardstick on the third
    assertEquals(32.0, found.get("held_out_images"));
    Map<String, Object> derive = lastDerive(out);
    double max = 0;
    for (Object c : (List<Object>) derive.get("candidates")) {
      double a = ((Number) c).doubleValue();
      assertEquals(Math.rint(a * 64), a * 64, 1e-9, "a candidate's score counts hits on 64 images: " + a);
      max = Math.max(max, a);
    }
    assertEquals(max, ((Number) derive.get("selection_accuracy")).doubleValue(), 0);

    Map<String, Object> v = Json.parseObject(Files.readString(out.resolve("verify.json")));
    assertEquals(found.get("arc"), v.get("derived_arc"));
    List<Map<String, Object>> rows = (List<Map<String, Object>>) v.get("random");
    assertEquals(2, rows.size());
    double[] acc = rows.stream().mapToDouble(m -> ((Number) m.get("accuracy")).doubleValue()).toArray();
    double derived = ((Number) v.get("derived_accuracy")).doubleValue();
    assertEquals(Ranks.rankAmong(derived, acc), ((Number) v.get("rank_among_random")).intValue());
    assertEquals((acc[0] + acc[1]) / 2, ((Number) v.get("random_mean_accuracy")).doubleValue(), 1e-12);
    for (double a : acc) assertTrue(a >= 0 && a <= 1);
    // two trainings each by default: the score is their mean, the spread their sample sd
    assertEquals(2.0, v.get("repeats"));
    for (Map<String, Object> m : rows) {
      double[] runs = doubles(m.get("runs"));
      assertEquals(2, runs.length);
      assertEquals((runs[0] + runs[1]) / 2, ((Number) m.get("accuracy")).doubleValue(), 1e-12);
      assertEquals(Math.abs(runs[0] - runs[1]) / Math.sqrt(2), ((Number) m.get("run_sd")).doubleValue(), 1e-12);
    }
    double[] derivedRuns = doubles(v.get("derived_runs"));
    assertEquals((derivedRuns[0] + derivedRuns[1]) / 2, derived, 1e-12);
    // the margin and its noise, recomputed from the rows: one training's variance pooled over the 3 cells
    double margin = derived - (acc[0] + acc[1]) / 2;
    assertEquals(margin, ((Number) v.get("margin")).doubleValue(), 1e-12);
    double w = Math.pow(derivedRuns[0] - derivedRuns[1], 2) / 2;
    for (Map<String, Object> m : rows) w += Math.pow(doubles(m.get("runs"))[0] - doubles(m.get("runs"))[1], 2) / 2;
    w /= 3;
    double between = Math.pow(acc[0] - acc[1], 2) / 2, se = Math.sqrt(w / 2 + between / 2);
    assertEquals(Math.sqrt(w), ((Number) v.get("run_sd_pooled")).doubleValue(), 1e-12);
    assertEquals(se, ((Number) v.get("margin_se")).doubleValue(), 1e-12);
    assertEquals(margin > 2 * se ? "better" : margin < -2 * se ? "worse" : "within_noise", v.get("verdict"));
    assertTrue(((String) v.get("summary")).contains(((String) v.get("verdict")).replace('_', ' ')), (String) v.get("summary"));
    // the default proxy is shaped like the searched network: images as stored, the search's layers + 2 cells but at least 5
    Map<String, Object> p0 = (Map<String, Object>) v.get("proxy");
    assertEquals(0.0, p0.get("resolution"));
    assertEquals((double) EnasSearch.proxyLayers(0), p0.get("layers"));
    assertEquals((double) EnasSearch.PROXY_TRAIN_IMAGES, p0.get("train_subset"));
    assertEquals((double) EnasSearch.PROXY_VAL_IMAGES, p0.get("val_subset"));
    assertEquals(8.0, p0.get("channels"));

    Map<String, Object> k = Json.parseObject(Files.readString(out.resolve("ranking.json")));
    List<Map<String, Object>> kr = (List<Map<String, Object>>) k.get("rows");
    assertEquals(4, kr.size());
    double[] sw = kr.stream().mapToDouble(m -> ((Number) m.get("shared_weight_accuracy")).doubleValue()).toArray();
    double[] sc = kr.stream().mapToDouble(m -> ((Number) m.get("scratch_accuracy")).doubleValue()).toArray();
    double tau = Ranks.kendallTau(sw, sc);
    if (Double.isNaN(tau)) assertEquals(null, k.get("kendall_tau"));
    else assertEquals(tau, ((Number) k.get("kendall_tau")).doubleValue(), 1e-12);
    // the proxy's own test-retest tau: with two repeats, the one pair's
    double retest = Ranks.kendallTau(kr.stream().mapToDouble(m -> doubles(m.get("runs"))[0]).toArray(),
        kr.stream().mapToDouble(m -> doubles(m.get("runs"))[1]).toArray());
    if (k.get("proxy_retest_kendall_tau") != null) assertEquals(retest, ((Number) k.get("proxy_retest_kendall_tau")).doubleValue(), 1e-12);
    else assertTrue(Double.isNaN(retest));

    // the from-scratch numbers do not depend on when they are computed: --verify on the finished run gives the same
    assertFalse(Files.exists(out.resolve("verify-1.json")) || Files.exists(out.resolve("ranking-1.json")), "one check so far");
    Path v1 = tmp.resolve("verify1.json");
    Files.copy(out.resolve("verify.json"), v1);
    CliRun again = CliRun.runCapturingStderr("search", "--resume", out.toString(), "--verify", "2", "--proxy-epochs", "1");
    assertEquals(0, again.code(), again.err());
    assertEquals(Files.readString(v1), Files.readString(out.resolve("verify.json")));
    // the re-check does not destroy the earlier one: it is kept beside, under the first free name
    assertEquals(Files.readString(v1), Files.readString(out.resolve("verify-1.json")));
    assertTrue(again.err().contains("the earlier verify.json is kept as verify-1.json"), again.err());

    // --proxy-repeats 1: one training each, the first of the two above
    CliRun once = run("search", "--resume", out.toString(), "--verify", "2", "--proxy-epochs", "1", "--proxy-repeats", "1");
    assertEquals(0, once.code(), once.err());
    assertEquals(Files.readString(v1), Files.readString(out.resolve("verify-2.json")), "the second re-check keeps the first's as verify-2");
    assertTrue(Files.exists(out.resolve("verify-1.json")));
    Map<String, Object> v2 = Json.parseObject(Files.readString(out.resolve("verify.json")));
    assertEquals(1.0, v2.get("repeats"));
    assertEquals(derivedRuns[0], ((Number) v2.get("derived_accuracy")).doubleValue(), 0);
    List<Map<String, Object>> rows2 = (List<Map<String, Object>>) v2.get("random");
    assertEquals(null, v2.get("verdict"), "one training each: no estimate of a training's noise, no verdict");
    for (int i = 0; i < 2; i++) {
      assertEquals(doubles(rows.get(i).get("runs"))[0], ((Number) rows2.get(i).get("accuracy")).doubleValue(), 0);
      assertEquals(null, rows2.get(i).get("runs"));
    }

    // the --proxy-* shape flags reach the proxy trainer and are recorded (a resumed run may check with another schedule)
    CliRun shaped = run("search", "--resume", out.toString(), "--verify", "2", "--proxy-epochs", "1", "--proxy-repeats", "1",
        "--proxy-train-images", "64", "--proxy-val-images", "32", "--proxy-resolution", "full", "--proxy-layers", "2",
        "--proxy-channels", "4");
    assertEquals(0, shaped.code(), shaped.err());
    assertTrue(shaped.out().contains("from scratch (1 epochs, 64 images at full size, 2 layers x 4 channels"), shaped.out());
    Map<String, Object> p3 = (Map<String, Object>) Json.parseObject(Files.readString(out.resolve("verify.json"))).get("proxy");
    assertEquals(64.0, p3.get("train_subset"));
    assertEquals(32.0, p3.get("val_subset"));
    assertEquals(0.0, p3.get("resolution"));
    assertEquals(2.0, p3.get("layers"));
    assertEquals(4.0, p3.get("channels"));
  }

  private static double[] doubles(Object list) {
    return ((List<?>) list).stream().mapToDouble(x -> ((Number) x).doubleValue()).toArray();
  }

  @Test
  void opBiasesAreASettingOfTheRun(@TempDir Path tmp) throws Exception {
    Path off = tmp.resolve("off"), on = tmp.resolve("on");
    assertEquals(0, run(concat(SEARCH, "--out", off.toString())).code());
    assertEquals(0, run(concat(SEARCH, "--out", on.toString(), "--controller-op-biases", "on")).code());
    assertEquals(false, Json.parseObject(Files.readString(off.resolve("settings.json"))).get("controller_op_biases"), "quick: off");
    assertEquals(true, Json.parseObject(Files.readString(on.resolve("settings.json"))).get("controller_op_biases"));
    bad("cannot be combined with --resume", "search", "--resume", on.toString(), "--controller-op-biases", "off");
  }

  @Test
  @SuppressWarnings("unchecked")
  void overMoreThanTwoBatchesTheSelectionIsARace(@TempDir Path tmp) throws Exception {
    // 128 validation images = 4 batches of 32: 5 candidates on batches 1-2, the best one
    // (a fifth) on batches 1-3, the pick and the yardstick on batch 4
    Path out = tmp.resolve("run");
    CliRun r = run(concat(tiny(128), "--epochs", "1", "--derive-samples", "5", "--derive-random", "3", "--derive-select-batches", "3",
        "--derive-heldout-batches", "4", "--derive-race", "fifth", "--seed", "6", "--out", out.toString()));
    assertEquals(0, r.code(), r.err());
    Map<String, Object> derive = lastDerive(out);
    double picked = ((Number) derive.get("selection_accuracy")).doubleValue();
    assertEquals(Math.rint(picked * 96), picked * 96, 1e-9, "the finalist is scored on 3 batches of 32: " + picked);
    List<Object> scores = (List<Object>) derive.get("candidates");
    assertEquals(5, scores.size());
    assertTrue(scores.contains(picked), scores + " " + picked);
    for (Object c : scores) {
      double a = ((Number) c).doubleValue();
      if (a != picked) assertEquals(Math.rint(a * 64), a * 64, 1e-9, "the others stop after 2 batches: " + a);
    }
    assertEquals(32.0, derive.get("valid_images"), "one batch is left for the held-out scores");
  }

  @Test
  @SuppressWarnings("unchecked")
  void theHalvingRaceHalvesTheFieldAsItDoublesTheBatches(@TempDir Path tmp) throws Exception {
    // 192 validation images = 6 batches of 32: 8 candidates on batches 1-2, the best 4 on 1-4,
    // the best 2 on 1-5, the pick and the yardstick on batch 6
    Path out = tmp.resolve("run");
    CliRun r = run(concat(tiny(192), "--epochs", "1", "--derive-samples", "8", "--derive-random", "3", "--derive-select-batches", "5",
        "--derive-heldout-batches", "4", "--derive-race", "halving", "--seed", "6", "--out", out.toString()));
    assertEquals(0, r.code(), r.err());
    Map<String, Object> derive = lastDerive(out);
    List<Object> seen = (List<Object>) derive.get("candidate_batches");
    double[] n = seen.stream().mapToDouble(o -> ((Number) o).doubleValue()).sorted().toArray();
    assertArrayEquals(new double[] {2, 2, 2, 2, 4, 4, 5, 5}, n, 0, "batches per candidate: " + seen);
    List<Object> scores = (List<Object>) derive.get("candidates");
    double best4 = 0;
    for (int i = 0; i < 8; i++) {
      double batches = ((Number) seen.get(i)).doubleValue(), a = ((Number) scores.get(i)).doubleValue();
      assertEquals(Math.rint(a * 32 * batches), a * 32 * batches, 1e-9, "a score over " + batches + " batches: " + a);
      if (batches == 5) best4 = Math.max(best4, a);
    }
    assertEquals(best4, ((Number) derive.get("selection_accuracy")).doubleValue(), 1e-12, "the pick is the best finalist");
    assertEquals(32.0, derive.get("valid_images"));
  }

  @Test
  void badValuesAreRefusedBeforeAnythingRuns(@TempDir Path tmp) throws Exception {
    Path out = tmp.resolve("run");
    bad("--verify", concat(SEARCH, "--out", out.toString(), "--verify", "0"));
    bad("--check-ranking", concat(SEARCH, "--out", out.toString(), "--check-ranking", "2"));
    bad("--proxy-epochs needs --verify or --check-ranking", concat(SEARCH, "--out", out.toString(), "--proxy-epochs", "2"));
    bad("--proxy-repeats needs --verify or --check-ranking", concat(SEARCH, "--out", out.toString(), "--proxy-repeats", "2"));
    bad("--proxy-repeats", concat(SEARCH, "--out", out.toString(), "--verify", "2", "--proxy-repeats", "0"));
    bad("--proxy-resolution", concat(SEARCH, "--out", out.toString(), "--verify", "2", "--proxy-resolution", "2"));
    bad("--proxy-resolution", concat(SEARCH, "--out", out.toString(), "--verify", "2", "--proxy-resolution", "half"));
    bad("--proxy-train-images", concat(SEARCH, "--out", out.toString(), "--verify", "2", "--proxy-train-images", "-5"));
    bad("--proxy-channels", concat(SEARCH, "--out", out.toString(), "--check-ranking", "3", "--proxy-channels", "1"));
    bad("--proxy-layers needs --verify or --check-ranking", concat(SEARCH, "--out", out.toString(), "--proxy-layers", "2"));
    bad("enas-micro", concat(new String[] {"search", "--space", "enas-macro", "--out", out.toString()}, "--verify", "2"));
    bad("--derive-random", concat(SEARCH, "--out", out.toString(), "--derive-random", "0"));
    bad("--derive-race", concat(SEARCH, "--out", out.toString(), "--derive-race", "third"));
    bad("--controller-op-biases", concat(SEARCH, "--out", out.toString(), "--controller-op-biases", "maybe"));
    bad("--controller-op-biases applies to --space enas-micro only",
        concat(SEARCH, "--out", out.toString(), "--space", "nasnet", "--controller-op-biases", "on"));
    assertTrue(!Files.exists(out) || Files.list(out).findAny().isEmpty(), "a refused search leaves no run behind");
  }

  @Test
  @SuppressWarnings("unchecked")
  void anIntermediateDerivationRacesAtMostFiftyCandidates(@TempDir Path tmp) throws Exception {
    Path out = tmp.resolve("run");
    CliRun r = run(concat(tiny(128), "--epochs", "2", "--derive-every", "1", "--derive-samples", "60", "--derive-random", "3",
        "--derive-select-batches", "3", "--derive-heldout-batches", "1", "--seed", "6", "--out", out.toString()));
    assertEquals(0, r.code(), r.err());
    List<Integer> sizes = new java.util.ArrayList<>();
    for (String line : Files.readAllLines(out.resolve("log.jsonl"))) {
      if (line.contains("\"event\":\"derive\"")) sizes.add(((List<Object>) Json.parseObject(line).get("candidates")).size());
    }
    assertEquals(List.of(50, 60), sizes, "epoch 1 (a progress reading) races 50, the last derivation all 60");
  }

  /** The run's last derive event. */
  private static Map<String, Object> lastDerive(Path run) throws java.io.IOException {
    Map<String, Object> derive = null;
    for (String line : Files.readAllLines(run.resolve("log.jsonl"))) {
      if (line.contains("\"event\":\"derive\"")) derive = Json.parseObject(line);
    }
    return derive;
  }

  private static String[] concat(String[] a, String... b) {
    String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }
}
