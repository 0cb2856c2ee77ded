package io.jnas.cli;

import static io.jnas.cli.CliRun.bad;
import static io.jnas.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnas.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jnas search --controller-baseline batch}: each controller step scores its samples on
 * one validation batch against each other; the run records the setting, draws one validation
 * batch a step instead of one a sample, and a run stopped after epoch 1 and resumed makes the
 * events of one never stopped.
 */
class ControllerBaselineTest {
  private static final String[] SEARCH = {"search", "--data", "synthetic:train=256,val=128,test=32", "--validation", "128",
      "--preset", "quick", "--epochs", "2", "--batch", "32", "--layers", "0", "--channels", "4", "--nodes", "3",
      "--controller-steps", "3", "--controller-aggregate", "4", "--derive-every", "1", "--derive-samples", "3",
      "--derive-random", "5", "--derive-select-batches", "1", "--derive-heldout-batches", "1", "--seed", "5"};

  private static String[] with(String... extra) {
    return CliRun.with(SEARCH, extra);
  }

  @Test
  void batchBaselineRunsRecordsAndResumesToTheSameRun(@TempDir Path tmp) throws Exception {
    Path ref = tmp.resolve("ref"), cut = tmp.resolve("cut"), moving = tmp.resolve("moving");
    CliRun r = run(with("--controller-baseline", "batch", "--out", ref.toString()));
    assertEquals(0, r.code(), r.err());
    assertEquals("batch", Json.parseObject(Files.readString(ref.resolve("settings.json"))).get("controller_baseline"));
    Map<String, Object> result = Json.parseObject(Files.readString(ref.resolve("result.json")));
    assertTrue(result.get("controller_reward_average") instanceof Number, "result.json records the rewards' moving average");
    assertFalse(result.containsKey("controller_baseline"), "the setting's name in settings.json; not reused for a number");
    r = run(with("--controller-baseline", "moving", "--out", moving.toString()));
    assertEquals(0, r.code(), r.err());
    assertEquals("moving", Json.parseObject(Files.readString(moving.resolve("settings.json"))).get("controller_baseline"));
    Path plain = tmp.resolve("plain");
    r = run(with("--stop-after", "1", "--out", plain.toString()));
    assertEquals(0, r.code(), r.err());
    assertEquals("batch", Json.parseObject(Files.readString(plain.resolve("settings.json"))).get("controller_baseline"),
        "the quick preset's default");
    List<Double> batchRewards = rewards(ref), movingRewards = rewards(moving);
    assertEquals(6, batchRewards.size(), "3 controller steps in each of 2 epochs");
    // the same samples (same seed, same shared weights after epoch 1's child phase) scored on
    // one batch instead of four: the first step's mean reward differs
    assertNotEquals(movingRewards.get(0), batchRewards.get(0));
    // log.jsonl: under the batch baseline a step has no single baseline; the moving average is
    // recorded as reward_average, with the step's spread of rewards; ENAS's keeps "baseline"
    for (Map<String, Object> ev : CliRun.searchEvents(ref)) {
      if (!ev.get("event").equals("controller_step")) continue;
      assertFalse(ev.containsKey("baseline"), "no number called baseline under the batch baseline: " + ev);
      assertTrue(ev.get("reward_average") instanceof Number && ev.get("reward_sd") instanceof Number, ev.toString());
      assertTrue(((Number) ev.get("reward_sd")).doubleValue() >= 0);
    }
    for (Map<String, Object> ev : CliRun.searchEvents(moving)) {
      if (ev.get("event").equals("controller_step")) {
        assertTrue(ev.get("baseline") instanceof Number && !ev.containsKey("reward_average"), ev.toString());
      }
    }

    CliRun.assertStoppedAndResumedMatches(ref, cut, "search with the batch baseline", with("--controller-baseline", "batch"));
  }

  private static List<Double> rewards(Path run) throws Exception {
    List<Double> out = new ArrayList<>();
    for (Map<String, Object> ev : CliRun.searchEvents(run)) {
      if (ev.get("event").equals("controller_step")) out.add(((Number) ev.get("reward")).doubleValue());
    }
    return out;
  }

  @Test
  void badValues(@TempDir Path tmp) {
    bad("--controller-baseline", "search", "--controller-baseline", "mean", "--out", tmp.resolve("a").toString());
    bad("--controller-baseline batch needs at least 2 samples a controller step, got --controller-aggregate 1", "search",
        "--controller-baseline", "batch", "--controller-aggregate", "1", "--out", tmp.resolve("b").toString());
    bad("--controller-aggregate 1 leaves the preset's batch baseline no other sample to compare with; expected 2 or more, or add"
        + " --controller-baseline moving", "search", "--controller-aggregate", "1", "--out", tmp.resolve("d").toString());
    bad("--controller-baseline cannot be combined with --resume", "search", "--resume", tmp.resolve("c").toString(),
        "--controller-baseline", "batch");
  }
}
