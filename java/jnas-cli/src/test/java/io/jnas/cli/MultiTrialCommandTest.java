package io.jnas.cli;

import static io.jnas.cli.CliRun.bad;
import static io.jnas.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** jnas multitrial: bad flags exit 2 with one line naming the flag; a tiny run end to end. */
class MultiTrialCommandTest {
  @Test
  void badFlagsExitTwo(@TempDir Path tmp) throws Exception {
    String out = tmp.resolve("x").toString();
    bad("--trials is 0, expected at least 1", "multitrial", "--trials", "0", "--out", out);
    bad("--strategy is 'nope', expected one of random, evolution", "multitrial", "--strategy", "nope", "--out", out);
    bad("--early-stop is 'soon', expected one of median, halving, none", "multitrial", "--early-stop", "soon", "--out", out);
    bad("--resolution is 'big', expected an integer", "multitrial", "--resolution", "big", "--out", out);
    bad("--max-params is 'lots', expected an integer", "multitrial", "--max-params", "lots", "--out", out);
    bad("--parallel is 0, expected at least 1", "multitrial", "--parallel", "0", "--out", out);
    bad("--tournament is 9, expected at most --population (3)", "multitrial", "--population", "3", "--tournament", "9", "--out", out);
    bad("unknown flag --bogus", "multitrial", "--bogus");
    bad("not found", "multitrial", "--data", tmp.resolve("nodata").toString(), "--out", out);
    assertFalse(Files.exists(tmp.resolve("x")), "no run folder for bad input");
    Files.writeString(Files.createDirectories(tmp.resolve("full")).resolve("f"), "x");
    bad("is not empty", "multitrial", "--out", tmp.resolve("full").toString());
  }

  @Test
  void theDefaultRunEvolves() {
    io.jnas.multitrial.TrialSettings d = new io.jnas.multitrial.TrialSettings();
    assertEquals("evolution", d.strategy);
    assertTrue(d.trials > MultiTrialCommand.DEFAULT_POPULATION, "more trials than the population: mutations happen");
    CliRun r = run("multitrial", "--help");
    assertTrue(r.out().matches("(?s).*--population P +evolution: population size.*\\(default: "
        + MultiTrialCommand.DEFAULT_POPULATION + "\\).*"), r.out());
    assertTrue(r.out().matches("(?s).*--trials N .*\\(default: " + d.trials + "\\).*"), r.out());
  }

  @Test
  void tinyRunEndToEnd(@TempDir Path tmp) throws Exception {
    Path out = tmp.resolve("run");
    CliRun r = run("multitrial", "--data", "synthetic:train=64,val=32,test=8,seed=1", "--strategy", "random", "--trials", "2",
        "--epochs", "1", "--train-subset", "0", "--val-subset", "0", "--resolution", "8", "--layers", "3", "--channels", "4",
        "--nodes", "2", "--batch", "16", "--latency-batch", "4", "--max-params", "1", "--out", out.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("2 trials (0 ok, 0 stopped, 0 failed, 2 rejected)"), r.out());
    String trials = Files.readString(out.resolve("trials.jsonl"));
    assertTrue(trials.contains("breaks the constraint params<=1\"") && trials.contains("\"status\":\"rejected\""), trials);
    for (String f : new String[] {"trials.jsonl", "pareto.json", "summary.json"}) assertTrue(Files.isRegularFile(out.resolve(f)), f);
    assertEquals(2, Files.readAllLines(out.resolve("trials.jsonl")).size());
    Path out2 = tmp.resolve("run2");
    r = run("multitrial", "--data", "synthetic:train=64,val=32,test=8,seed=1", "--strategy", "evolution", "--population", "2",
        "--tournament", "1", "--trials", "2", "--epochs", "1", "--train-subset", "0", "--val-subset", "0", "--resolution", "8",
        "--layers", "3", "--channels", "4", "--nodes", "2", "--batch", "16", "--latency-batch", "4", "--out", out2.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("2 trials (2 ok"), r.out());
    assertTrue(Files.size(out2.resolve("pareto.png")) > 0);
  }

  @Test
  void sparkExecutorNeedsItsModule(@TempDir Path tmp) {
    String out = tmp.resolve("run").toString();
    bad("--executor spark needs the jnas-spark module", "multitrial", "--executor", "spark", "--master", "local[2]", "--out", out);
    bad("--master is for --executor spark", "multitrial", "--master", "local[2]", "--out", out);
    bad("--executor is 'magic', expected inprocess or spark", "multitrial", "--executor", "magic", "--out", out);
    assertFalse(Files.exists(tmp.resolve("run")), "nothing is made before the flags are checked");
  }
}
