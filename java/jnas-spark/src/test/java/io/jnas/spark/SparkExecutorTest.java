package io.jnas.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnas.cli.Main;
import io.jnas.data.Datasets;
import io.jnas.enas.EnasMicroSpace;
import io.jnas.multitrial.EarlyStopping;
import io.jnas.multitrial.MultiTrialSearch;
import io.jnas.multitrial.ProxyTrainer;
import io.jnas.multitrial.TrialResult;
import io.jnas.multitrial.TrialSettings;
import io.jnas.strategy.Strategies;
import io.jnas.strategy.StrategyParams;
import io.jnas.util.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Multi-trial search with its trials as Spark tasks on {@code local[2]}: the same trials as the
 * in-process executor for the same seed (through the command line, file for file); a task that
 * fails once is retried, one that keeps failing is recorded failed and the search goes on.
 */
class SparkExecutorTest {
  private static final String DATA = "synthetic:train=64,val=32,test=8,seed=3";

  /** A tiny real search: 6 trials of evolution in rounds of 2, 2 epochs on 8x8 images, median stopping. */
  private static TrialSettings tiny() {
    TrialSettings s = new TrialSettings();
    s.data = DATA;
    s.strategy = "evolution";
    s.strategyParams.put("population", "2");
    s.strategyParams.put("tournament", "1");
    s.trials = 6;
    s.parallel = 2;
    s.epochs = 2;
    s.trainSubset = 0;
    s.valSubset = 0;
    s.resolution = 8;
    s.layers = 3;
    s.channels = 4;
    s.nodes = 2;
    s.batch = 16;
    s.latencyBatch = 4;
    s.latencyRepeats = 1;
    s.earlyStopping = EarlyStopping.MEDIAN;
    s.seed = 5;
    return s;
  }

  private static MultiTrialSearch search(TrialSettings s) {
    EnasMicroSpace space = new EnasMicroSpace(s.nodes);
    return new MultiTrialSearch(s, space, Strategies.registry().get(s.strategy).create(space, s.seed, new StrategyParams(s.strategyParams)),
        new ProxyTrainer(s, Datasets.open(s.data), space), (Path) null, null);
  }

  /** Fails trial 2's first attempt (Spark retries it) and every attempt of trial 3. */
  static final class Flaky implements Function<String, String> {
    private static final long serialVersionUID = 1L;
    private final Function<String, String> real;

    Flaky(Function<String, String> real) {
      this.real = real;
    }

    @Override
    public String call(String task) throws Exception {
      int id = ((Number) Json.parseObject(task).get("id")).intValue();
      if (id == 3 || (id == 2 && TaskContext.get().attemptNumber() == 0)) {
        throw new IllegalStateException("executor lost (scripted) on trial " + id + ", attempt " + TaskContext.get().attemptNumber());
      }
      return real.call(task);
    }
  }

  @Test
  void failedTaskIsRetriedOrRecordedFailed() throws Exception {
    TrialSettings s = tiny();
    MultiTrialSearch.Outcome ref = search(s).run();
    MultiTrialSearch.Outcome o;
    // local[2,2]: two attempts per task
    try (SparkTrialExecutor ex = new SparkTrialExecutor(s, "local[2,2]", new Flaky(new TrialFunction(Json.write(s.toMap()))))) {
      o = search(s).executor(ex).run();
    }
    assertEquals(6, o.trials().size(), "no trial is lost");
    assertEquals(ref.trials().subList(0, 2), o.trials().subList(0, 2), "trial 2, retried, is what it is in-process");
    TrialResult three = o.trials().get(2);
    assertEquals(TrialResult.Status.FAILED, three.status());
    assertTrue(three.reason().startsWith("spark: ") && three.reason().contains("executor lost (scripted) on trial 3"), three.reason());
    assertTrue(o.trials().subList(3, 6).stream().allMatch(TrialResult::trained), "the search went on: " + o.trials());
  }

  @Test
  void commandLineOnLocal2MakesTheInProcessTrials(@TempDir Path tmp) throws Exception {
    List<String> common = List.of("multitrial", "--data", DATA, "--strategy", "evolution", "--population", "2", "--tournament", "1",
        "--trials", "6", "--epochs", "2", "--train-subset", "0", "--val-subset", "0", "--resolution", "8", "--layers", "3",
        "--channels", "4", "--nodes", "2", "--batch", "16", "--latency-batch", "4", "--early-stop", "median", "--seed", "5");
    List<String> a = new ArrayList<>(common);
    a.addAll(List.of("--parallel", "2", "--out", tmp.resolve("inprocess").toString()));
    List<String> b = new ArrayList<>(common);
    b.addAll(List.of("--executor", "spark", "--master", "local[2]", "--out", tmp.resolve("spark").toString()));  // --parallel from local[2]
    assertEquals(0, run(a), "in-process run");
    assertEquals(0, run(b), "Spark run");
    assertEquals(trials(tmp.resolve("inprocess")), trials(tmp.resolve("spark")), "decisions, statuses, accuracies, params, FLOPs: trial by trial");
    Map<String, Object> sum = Json.parseObject(Files.readString(tmp.resolve("spark").resolve(MultiTrialSearch.SUMMARY)));
    assertEquals("spark", sum.get("executor"));
    assertEquals(1, ((Number) sum.get("cpu_threads_per_trial")).intValue());
    Map<String, Object> cfg = Json.parseObject(Files.readString(tmp.resolve("spark").resolve("config.json")));
    assertEquals("local[2]", cfg.get("master"));
    assertEquals(2, ((Number) cfg.get("parallel")).intValue());
  }

  private static int run(List<String> args) {
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    return Main.run(args.toArray(String[]::new), new PrintStream(o, true, StandardCharsets.UTF_8), new PrintStream(o, true, StandardCharsets.UTF_8));
  }

  /** The trials of a run folder without the timing fields (seconds, latency). */
  private static List<TrialResult> trials(Path dir) throws Exception {
    return MultiTrialSearch.readTrials(dir);
  }
}
