package io.jnas.multitrial;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnas.backend.Backends;
import io.jnas.data.SyntheticDataset;
import io.jnas.enas.EnasMicroSpace;
import io.jnas.genotype.Genotype;
import io.jnas.objective.Constraint;
import io.jnas.objective.Objective;
import io.jnas.search.RunDir;
import io.jnas.strategy.Strategies;
import io.jnas.strategy.Strategy;
import io.jnas.strategy.StrategyParams;
import io.jnas.util.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Multi-trial search: real tiny runs on synthetic data (files and their consistency, same seed
 * same trials, parallel rounds) and scripted evaluators (a failing trial, constraints, early
 * stopping).
 */
class MultiTrialSearchTest {
  private static final EnasMicroSpace SPACE = new EnasMicroSpace(2);

  /** A tiny real setting: 3 cells of 4 channels on 8x8 images, 64 training images, batch 16. */
  private static TrialSettings tiny(int trials) {
    TrialSettings s = new TrialSettings();
    s.data = "synthetic:train=64,val=32,test=8,seed=3";
    s.strategy = "random";
    s.trials = trials;
    s.epochs = 1;
    s.trainSubset = 0;
    s.valSubset = 0;
    s.resolution = 8;
    s.layers = 3;
    s.channels = 4;
    s.nodes = 2;
    s.batch = 16;
    s.latencyBatch = 4;
    s.latencyRepeats = 1;
    s.earlyStopping = EarlyStopping.NONE;
    s.seed = 5;
    return s;
  }

  private static MultiTrialSearch.Outcome runReal(TrialSettings s, Path dir) throws Exception {
    Strategy st = Strategies.registry().get(s.strategy).create(SPACE, s.seed, new StrategyParams(s.strategyParams));
    ProxyTrainer pt = new ProxyTrainer(s, SyntheticDataset.open(64, 32, 8, 3), SPACE);
    return new MultiTrialSearch(s, SPACE, st, pt, RunDir.create(dir), null).run();
  }

  private static List<Map<String, Object>> lines(Path f) throws IOException {
    List<Map<String, Object>> out = new ArrayList<>();
    for (String l : Files.readAllLines(f)) if (!l.isBlank()) out.add(Json.parseObject(l));
    return out;
  }

  @Test
  void tinyRunWritesConsistentFiles(@TempDir Path tmp) throws Exception {
    MultiTrialSearch.Outcome o = runReal(tiny(3), tmp.resolve("run"));
    Path d = tmp.resolve("run");
    for (String f : List.of(MultiTrialSearch.TRIALS, MultiTrialSearch.PARETO_JSON, MultiTrialSearch.PARETO_PNG, MultiTrialSearch.SUMMARY)) {
      assertTrue(Files.size(d.resolve(f)) > 0, f);
    }
    List<Map<String, Object>> ts = lines(d.resolve(MultiTrialSearch.TRIALS));
    assertEquals(3, ts.size());
    double bestAcc = -1;
    for (int i = 0; i < 3; i++) {
      Map<String, Object> t = ts.get(i);
      assertEquals(i + 1, ((Number) t.get("id")).intValue());
      assertEquals("ok", t.get("status"), t.toString());
      assertEquals(1, ((List<?>) t.get("accuracy")).size());
      double acc = ((Number) t.get("final_accuracy")).doubleValue();
      assertTrue(acc >= 0 && acc <= 1);
      assertTrue(((Number) t.get("params")).longValue() > 0 && ((Number) t.get("flops")).doubleValue() > 0
          && ((Number) t.get("latency_ms")).doubleValue() > 0);
      assertEquals(SPACE.numDecisions(), ((List<?>) t.get("decisions")).size());
      int[] dec = ((List<?>) t.get("decisions")).stream().mapToInt(v -> ((Number) v).intValue()).toArray();
      assertEquals(Genotype.of(SPACE.decode(dec)), Genotype.fromMap(castMap(t.get("genotype"))));
      bestAcc = Math.max(bestAcc, acc);
    }
    Map<String, Object> sum = Json.parseObject(Files.readString(d.resolve(MultiTrialSearch.SUMMARY)));
    assertEquals(3, ((Number) castMap(sum.get("counts")).get("ok")).intValue());
    assertEquals(bestAcc, ((Number) castMap(sum.get("best")).get("accuracy")).doubleValue(), 0);
    List<?> front = (List<?>) Json.parseObject(Files.readString(d.resolve(MultiTrialSearch.PARETO_JSON))).get("front");
    assertEquals(o.front().size(), front.size());
    assertEquals(front.size(), ((Number) sum.get("front_size")).intValue());
    // every front member is a trial that no other trial dominates; every other trial is dominated
    for (TrialResult t : o.trials()) {
      boolean dominated = false;
      for (TrialResult u : o.trials()) {
        dominated |= u.accuracy() >= t.accuracy() && u.params() <= t.params()
            && (u.accuracy() > t.accuracy() || u.params() < t.params());
      }
      assertEquals(!dominated, o.front().contains(t), "trial " + t.id());
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> castMap(Object o) {
    return (Map<String, Object>) o;
  }

  @Test
  void sameSeedSameTrials(@TempDir Path tmp) throws Exception {
    TrialSettings s = tiny(4);
    s.strategy = "evolution";
    s.strategyParams.put("population", "2");
    s.strategyParams.put("tournament", "1");
    MultiTrialSearch.Outcome a = runReal(s, tmp.resolve("a"));
    MultiTrialSearch.Outcome b = runReal(s, tmp.resolve("b"));
    assertEquals(a.trials(), b.trials());  // decisions, statuses, accuracies, params, FLOPs
    s.seed = 6;
    MultiTrialSearch.Outcome c = runReal(s, tmp.resolve("c"));
    assertFalse(java.util.Arrays.equals(a.trials().get(0).decisions(), c.trials().get(0).decisions()));
  }

  @Test
  void parallelRoundsTrainOnSeveralThreads(@TempDir Path tmp) throws Exception {
    int before = Backends.cpuThreads();
    TrialSettings s = tiny(3);
    s.parallel = 2;
    MultiTrialSearch.Outcome o = runReal(s, tmp.resolve("p"));
    assertEquals(3, o.counts().get(TrialResult.Status.OK), o.trials().toString());
    assertEquals(before, Backends.cpuThreads(), "kernel threads restored after the search");
    // the restored pool's new workers must not rerun the last, finished region (a native crash before)
    assertEquals(1, runReal(tiny(1), tmp.resolve("after")).counts().get(TrialResult.Status.OK));
  }

  // ------------------------------------------------------------------ scripted evaluators

  /** A candidate with given measures whose training returns a given curve (or throws). */
  private record Scripted(long params, List<Double> curve, boolean fail, boolean[] trained) implements TrialEvaluator.Candidate {
    @Override
    public Genotype genotype() {
      return null;
    }

    @Override
    public double flops() {
      return 2.0 * params;
    }

    @Override
    public double latencyMs() {
      return 1;
    }

    @Override
    public List<Double> train(TrialEvaluator.EpochHook hook) {
      trained[0] = true;
      List<Double> out = new ArrayList<>();
      for (int e = 0; e < curve.size(); e++) {
        if (fail && e == 1) throw new IllegalStateException("scripted failure in epoch 2");
        out.add(curve.get(e));
        if (hook.afterEpoch(e, curve.get(e))) break;
      }
      return out;
    }

    @Override
    public void close() {}
  }

  /** A strategy that proposes random vectors and records what it was told. */
  private static final class Recording implements Strategy {
    final Strategy inner = Strategies.registry().get("random").create(SPACE, 1, StrategyParams.none());
    final List<Double> told = new ArrayList<>();
    int failures;

    @Override
    public String name() {
      return "recording";
    }

    @Override
    public int[] ask() {
      return inner.ask();
    }

    @Override
    public void tell(int[] a, double r) {
      told.add(r);
    }

    @Override
    public void tellFailure(int[] a) {
      failures++;
    }
  }

  private static MultiTrialSearch.Outcome runScripted(TrialSettings s, Recording st, IntFunction<Scripted> byId, Path dir)
      throws Exception {
    return new MultiTrialSearch(s, SPACE, st, (id, d) -> byId.apply(id), RunDir.create(dir), null).run();
  }

  @Test
  void failingTrialIsRecordedAndTheSearchGoesOn(@TempDir Path tmp) throws Exception {
    TrialSettings s = tiny(4);
    s.epochs = 2;
    Recording st = new Recording();
    MultiTrialSearch.Outcome o = runScripted(s, st, id -> {
      if (id == 3) throw new IllegalArgumentException("scripted build failure");
      return new Scripted(1000L * id, List.of(0.3, 0.4 + id / 100.0), id == 2, new boolean[1]);
    }, tmp.resolve("f"));
    List<TrialResult> t = o.trials();
    assertEquals(4, t.size());
    assertEquals(TrialResult.Status.FAILED, t.get(1).status());
    assertTrue(t.get(1).reason().contains("scripted failure in epoch 2"), t.get(1).reason());
    assertEquals(List.of(0.3), t.get(1).accuracies(), "the epochs before the failure are kept");
    assertEquals(TrialResult.Status.FAILED, t.get(2).status());
    assertTrue(t.get(2).reason().contains("scripted build failure"), t.get(2).reason());
    assertEquals(TrialResult.Status.OK, t.get(3).status(), "the search went on");
    assertEquals(2, st.failures);
    assertEquals(List.of(0.4 + 1 / 100.0, 0.4 + 4 / 100.0), st.told);
    List<Map<String, Object>> lines = lines(tmp.resolve("f").resolve(MultiTrialSearch.TRIALS));
    assertEquals("failed", lines.get(1).get("status"));
    assertNotNull(lines.get(2).get("reason"));
  }

  @Test
  void constraintRejectsWithoutTraining(@TempDir Path tmp) throws Exception {
    TrialSettings s = tiny(4);
    s.constraints.add(new Constraint(Objective.PARAMS, true, 2500));
    Recording st = new Recording();
    List<boolean[]> trained = new ArrayList<>();
    MultiTrialSearch.Outcome o = runScripted(s, st, id -> {
      boolean[] flag = new boolean[1];
      trained.add(flag);
      return new Scripted(1000L * id, List.of(0.5), false, flag);
    }, tmp.resolve("c"));
    for (TrialResult t : o.trials()) {
      boolean over = t.params() > 2500;
      assertEquals(over ? TrialResult.Status.REJECTED : TrialResult.Status.OK, t.status(), "trial " + t.id());
      assertEquals(!over, trained.get(t.id() - 1)[0], "trial " + t.id() + " trained");
      if (over) assertTrue(t.reason().contains("params<=2500"), t.reason());
    }
    assertEquals(2, st.failures);
    assertEquals(2, st.told.size());
  }

  @Test
  void medianStoppingStopsAWorseTrial(@TempDir Path tmp) throws Exception {
    TrialSettings s = tiny(5);
    s.epochs = 3;
    s.earlyStopping = EarlyStopping.MEDIAN;
    Recording st = new Recording();
    // trials 1-3 set the reference; 4 is worse after epoch 1, 5 is better
    double[] first = {0, 0.5, 0.6, 0.7, 0.2, 0.9};
    MultiTrialSearch.Outcome o = runScripted(s, st, id -> new Scripted(100, List.of(first[id], 0.8, 0.9), false, new boolean[1]),
        tmp.resolve("m"));
    assertEquals(TrialResult.Status.STOPPED, o.trials().get(3).status());
    assertEquals(List.of(0.2), o.trials().get(3).accuracies());
    assertTrue(o.trials().get(3).reason().contains("median rule after epoch 1"), o.trials().get(3).reason());
    assertEquals(TrialResult.Status.OK, o.trials().get(4).status());
    assertEquals(0.2, st.told.get(3), 0, "a stopped trial's last accuracy is its reward");
    assertFalse(o.front().contains(o.trials().get(3)), "stopped trials are not on the front");
  }

  // ------------------------------------------------------------------ resume

  /** A deterministic evaluator over NAS-Bench-201 vectors: a curve from the decisions; some fail, some are too big. */
  private static TrialEvaluator.Candidate byDecisions(int id, int[] d, int killAt) {
    if (id == killAt) throw new Error("scripted kill at trial " + id);  // not a trial failure: ends the run
    long h = java.util.Arrays.hashCode(d) & 0xffffL;
    double a = 0.2 + (h % 700) / 1000.0;
    return new Scripted(100 + h % 50, List.of(a * 0.7, a * 0.9, a), h % 11 == 0, new boolean[1]);
  }

  private static MultiTrialSearch.Outcome runNb201(TrialSettings s, Path dir, int killAt, List<TrialResult> earlier, double secs)
      throws Exception {
    io.jnas.space.NasBench201Space space = new io.jnas.space.NasBench201Space();
    Strategy st = Strategies.registry().get(s.strategy).create(space, s.seed, new StrategyParams(s.strategyParams));
    Files.createDirectories(dir);
    return new MultiTrialSearch(s, space, st, (id, d) -> byDecisions(id, d, killAt), dir, null).resume(earlier, secs);
  }

  @Test
  void resumedRunsMakeTheTrialsOfAnUninterruptedOne(@TempDir Path tmp) throws Exception {
    for (String strategy : List.of("random", "evolution", "reinforce", "bo", "grid")) {
      for (int parallel : new int[] {1, 3}) {
        TrialSettings s = tiny(14);
        s.strategy = strategy;
        s.strategyParams.put("population", "4");
        s.strategyParams.put("tournament", "2");
        s.parallel = parallel;
        s.epochs = 3;
        s.earlyStopping = EarlyStopping.MEDIAN;
        s.constraints.add(new Constraint(Objective.PARAMS, true, 145));
        String tag = strategy + "-" + parallel;
        MultiTrialSearch.Outcome ref = runNb201(s, tmp.resolve(tag + "-ref"), -1, List.of(), 0);
        Path cut = tmp.resolve(tag + "-cut");
        assertThrows(Throwable.class, () -> runNb201(s, cut, 9, List.of(), 0), tag);
        Map<String, Object> sum = Json.parseObject(Files.readString(cut.resolve(MultiTrialSearch.SUMMARY)));
        assertEquals("interrupted", sum.get("status"), tag);
        assertEquals(14, ((Number) sum.get("planned_trials")).intValue(), tag);
        List<TrialResult> earlier = MultiTrialSearch.readTrials(cut);
        assertEquals(parallel == 1 ? 8 : 6, earlier.size(), tag + ": whole rounds only");
        assertEquals(ref.trials().subList(0, earlier.size()), earlier, tag + ": trials read back as written");
        MultiTrialSearch.Outcome res = runNb201(s, cut, -1, earlier, 1.5);
        assertEquals(ref.trials(), res.trials(), tag);
        assertEquals(ref.best(), res.best(), tag);
        assertTrue(res.seconds() >= 1.5, "earlier sessions' wall time counts");
        assertEquals(strip(tmp.resolve(tag + "-ref")), strip(cut), tag + ": trials.jsonl, parents included");
        sum = Json.parseObject(Files.readString(cut.resolve(MultiTrialSearch.SUMMARY)));
        assertEquals("done", sum.get("status"), tag);
        assertEquals(14.0, sum.get("trials"), tag);
      }
    }
  }

  /** The lines of trials.jsonl without the wall-clock field. */
  private static List<Map<String, Object>> strip(Path dir) throws IOException {
    List<Map<String, Object>> out = lines(dir.resolve(MultiTrialSearch.TRIALS));
    for (Map<String, Object> m : out) m.remove("seconds");
    return out;
  }

  @Test
  void resumeRefusesTrialsTheStrategyWouldNotPropose(@TempDir Path tmp) throws Exception {
    TrialSettings s = tiny(6);
    s.strategy = "random";
    runNb201(s, tmp.resolve("a"), -1, List.of(), 0);
    List<TrialResult> earlier = MultiTrialSearch.readTrials(tmp.resolve("a"));
    s.seed = 99;
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> runNb201(s, tmp.resolve("b"), -1, earlier, 0));
    assertTrue(e.getMessage().contains("trial 1: the strategy now proposes"), e.getMessage());
  }

  @Test
  void evolutionRecordsParentsAndSaysWhenItStarts(@TempDir Path tmp) throws Exception {
    TrialSettings s = tiny(9);
    s.strategy = "evolution";
    s.strategyParams.put("population", "3");
    s.strategyParams.put("tournament", "2");
    io.jnas.space.NasBench201Space space = new io.jnas.space.NasBench201Space();
    Strategy st = Strategies.registry().get(s.strategy).create(space, s.seed, new StrategyParams(s.strategyParams));
    java.io.ByteArrayOutputStream msg = new java.io.ByteArrayOutputStream();
    Path dir = Files.createDirectories(tmp.resolve("e"));
    new MultiTrialSearch(s, space, st, (id, d) -> new Scripted(100, List.of(0.1 * (id % 7)), false, new boolean[1]), dir,
        new java.io.PrintStream(msg, true, java.nio.charset.StandardCharsets.UTF_8)).run();
    String log = msg.toString(java.nio.charset.StandardCharsets.UTF_8);
    assertTrue(log.contains("the population (3) is full: evolution starts; from trial 4 on"), log);
    List<Map<String, Object>> ts = lines(dir.resolve(MultiTrialSearch.TRIALS));
    for (int i = 0; i < 9; i++) {
      Object parent = ts.get(i).get("parent");
      if (i < 3) {
        assertEquals(null, parent, "trial " + (i + 1) + " is a random sample");
        continue;
      }
      int p = ((Number) parent).intValue();
      assertTrue(p >= 1 && p <= i, "trial " + (i + 1) + " mutates an earlier trial: " + p);
      assertTrue(log.contains("trial " + (i + 1) + " (mutant of trial " + p + "): ok"), log);
      // a one-decision mutation of its parent
      List<?> a = (List<?>) ts.get(i).get("decisions"), b = (List<?>) ts.get(p - 1).get("decisions");
      int diff = 0;
      for (int k = 0; k < a.size(); k++) if (!a.get(k).equals(b.get(k))) diff++;
      assertEquals(1, diff, "trial " + (i + 1) + " against trial " + p);
    }
  }

  @Test
  void stoppingRules() {
    List<List<Double>> done = List.of(List.of(0.5, 0.6), List.of(0.6, 0.7), List.of(0.7, 0.8));
    assertTrue(EarlyStopping.MEDIAN.shouldStop(0, 3, 0.55, done));
    assertFalse(EarlyStopping.MEDIAN.shouldStop(0, 3, 0.6, done));
    assertFalse(EarlyStopping.MEDIAN.shouldStop(2, 3, 0.0, done), "never at the last epoch");
    assertFalse(EarlyStopping.MEDIAN.shouldStop(0, 3, 0.1, done.subList(0, 2)), "too few finished trials");
    assertFalse(EarlyStopping.NONE.shouldStop(0, 3, 0.0, done));
    // halving, eta 3: at the rung after epoch 1, keep the top third of {0.5, 0.6, 0.7, x}
    assertTrue(EarlyStopping.HALVING.shouldStop(0, 3, 0.65, done));
    assertFalse(EarlyStopping.HALVING.shouldStop(0, 3, 0.75, done));
    assertFalse(EarlyStopping.HALVING.shouldStop(1, 3, 0.0, done), "epoch 2 is no rung");
    assertTrue(EarlyStopping.isRung(1) && EarlyStopping.isRung(3) && EarlyStopping.isRung(9) && !EarlyStopping.isRung(2));
  }
}
