package io.jnas.cli;

import static io.jnas.cli.CliRun.bad;
import static io.jnas.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.jnas.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jnas search --supernet-reduce strided}: the run records the setting, trains another
 * supernet than ENAS's reductions (other rewards from the same seed), and a run stopped after
 * epoch 1 and resumed makes the events of one never stopped.
 */
class SupernetReduceTest {
  private static final String[] SEARCH = {"search", "--data", "synthetic:train=256,val=128,test=32", "--validation", "128",
      "--preset", "quick", "--epochs", "2", "--batch", "32", "--layers", "1", "--channels", "4", "--nodes", "3",
      "--controller-steps", "2", "--derive-every", "1", "--derive-samples", "3", "--derive-random", "5",
      "--derive-select-batches", "1", "--derive-heldout-batches", "1", "--seed", "3"};

  @Test
  void stridedRunsRecordsAndResumesToTheSameRun(@TempDir Path tmp) throws Exception {
    Path ref = tmp.resolve("ref"), cut = tmp.resolve("cut"), enas = tmp.resolve("enas");
    CliRun r = run(CliRun.with(SEARCH, "--supernet-reduce", "strided", "--out", ref.toString()));
    assertEquals(0, r.code(), r.err());
    assertEquals("strided", Json.parseObject(Files.readString(ref.resolve("settings.json"))).get("supernet_reduce"));
    r = run(CliRun.with(SEARCH, "--out", enas.toString()));
    assertEquals(0, r.code(), r.err());
    assertEquals("enas", Json.parseObject(Files.readString(enas.resolve("settings.json"))).get("supernet_reduce"));
    assertNotEquals(CliRun.searchEvents(enas), CliRun.searchEvents(ref), "another supernet: other losses from the same seed");

    CliRun.assertStoppedAndResumedMatches(ref, cut, "strided search", CliRun.with(SEARCH, "--supernet-reduce", "strided"));
  }

  @Test
  void badValues(@TempDir Path tmp) {
    bad("--supernet-reduce is 'pool', expected one of enas, strided", "search", "--supernet-reduce", "pool", "--out",
        tmp.resolve("a").toString());
    bad("--supernet-reduce strided applies to the cell spaces", "search", "--space", "enas-macro", "--supernet-reduce", "strided",
        "--out", tmp.resolve("b").toString());
    bad("--supernet-reduce cannot be combined with --resume", "search", "--resume", tmp.resolve("c").toString(),
        "--supernet-reduce", "strided");
    bad("--supernet-reduce is not a setting of --space darts", "search", "--space", "darts", "--supernet-reduce", "strided",
        "--out", tmp.resolve("d").toString());
  }
}
