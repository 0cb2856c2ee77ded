package io.jnas.study;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnas.multitrial.EarlyStopping;
import io.jnas.util.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Studies: trials with identity, pruning, the Pareto front, and a state that restores exactly. */
class StudyTest {
  private static final Map<String, Object> SPACE = Map.of("name", "categorical", "choices", List.of(4, 4, 3, 5), "names",
      List.of("a", "b", "c", "d"));

  /** A made-up objective with an optimum: the caller's "training" of a trial. */
  private static double score(int[] d, int epoch) {
    double s = 0.2 * d[0] - 0.1 * Math.abs(d[1] - 2) + 0.05 * d[2] - 0.03 * Math.abs(d[3] - 3);
    return s + 0.1 * epoch;
  }

  private static StudySpec spec(String strategy) {
    StudySpec.Builder b = StudySpec.builder().space(SPACE).strategy(strategy).seed(3).objective(StudyObjective.maximize("accuracy"))
        .pruner(Pruners.median(2, 1));
    if (strategy.equals("evolution")) b.strategyParam("population", "4").strategyParam("tournament", "2");
    if (strategy.equals("bo")) b.strategyParam("steps", "10");
    return b.build();
  }

  /** Runs trials 3 epochs each, with pruning; returns the decisions asked, in order. */
  private static List<String> drive(Study s, int n) {
    List<String> asked = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Trial t = s.ask();
      asked.add(java.util.Arrays.toString(t.decisions()));
      boolean pruned = false;
      double v = 0;
      for (int e = 1; e <= 3 && !pruned; e++) {
        v = score(t.decisions(), e);
        t.report(e, v);
        pruned = e < 3 && t.shouldPrune();
      }
      if (t.id() % 7 == 0) s.tellFailure(t, "scripted failure");
      else if (pruned) s.tellPruned(t);
      else s.tell(t, v);
    }
    return asked;
  }

  @Test
  void trialsHaveIdentityReportsAndEnds() {
    Study s = Study.create(spec("evolution"));
    List<String> asked = drive(s, 14);
    assertEquals(14, s.trials().size());
    Map<TrialState, Integer> c = s.counts();
    assertEquals(2, c.get(TrialState.FAILED), "trials 7 and 14");
    assertTrue(c.get(TrialState.PRUNED) > 0, "the median pruner stopped some trials: " + c);
    assertEquals(14, c.get(TrialState.COMPLETE) + c.get(TrialState.PRUNED) + c.get(TrialState.FAILED));
    for (Trial t : s.trials()) {
      assertEquals(asked.get(t.id() - 1), java.util.Arrays.toString(t.decisions()));
      if (t.state() == TrialState.PRUNED) assertTrue(t.reports().lastKey() < 3, "pruned before the last step");
      if (t.state() == TrialState.COMPLETE) assertEquals(score(t.decisions(), 3), t.values().get(0), 0);
    }
    Trial best = s.best().orElseThrow();
    for (Trial t : s.trials()) if (t.state() == TrialState.COMPLETE) assertTrue(t.values().get(0) <= best.values().get(0));
    assertEquals(Map.of("a", best.decisions()[0], "b", best.decisions()[1], "c", best.decisions()[2], "d", best.decisions()[3]),
        best.architecture());
  }

  @Test
  void endedTrialsAndBadValuesAreRefused() {
    Study s = Study.create(spec("random"));
    Trial t = s.ask();
    assertThrows(IllegalArgumentException.class, () -> s.tell(t, 1, 2), "one value per objective");
    assertThrows(IllegalArgumentException.class, () -> s.tell(t, Double.NaN));
    assertThrows(IllegalArgumentException.class, () -> t.report(1, Double.POSITIVE_INFINITY));
    s.tell(t, 0.5);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> s.tell(t, 0.6));
    assertTrue(e.getMessage().contains("complete already"), e.getMessage());
    assertThrows(IllegalStateException.class, () -> t.report(2, 0.1));
    assertThrows(IllegalStateException.class, () -> s.tellPruned(t));
    assertThrows(java.util.NoSuchElementException.class, () -> s.trial(2));
    Trial other = Study.create(spec("random")).ask();
    assertThrows(IllegalArgumentException.class, () -> s.tell(other, 1.0), "a trial of another study");
  }

  @Test
  void paretoFrontOverTwoObjectives() {
    Study s = Study.create(StudySpec.builder().space(SPACE).objective(StudyObjective.maximize("accuracy"))
        .objective(StudyObjective.minimize("params")).build());
    double[][] v = {{0.9, 100}, {0.8, 50}, {0.85, 120}, {0.7, 40}, {0.9, 90}};
    for (double[] x : v) s.tell(s.ask(), x);
    List<Integer> front = s.paretoFront().stream().map(Trial::id).toList();
    assertEquals(List.of(2, 4, 5), front, "trial 1 is dominated by 5, trial 3 by 1 and 5");
    assertEquals(1, s.best().orElseThrow().id(), "the first of two equal on accuracy");
  }

  @Test
  void restoredStudyAsksWhatTheOriginalWould() throws Exception {
    for (String strategy : List.of("random", "evolution", "bo", "reinforce", "grid")) {
      Study a = Study.create(spec(strategy));
      drive(a, 9);
      // two trials left running, told out of order after the restore
      Trial r1 = a.ask();
      Trial r2 = a.ask();
      r1.report(1, 0.3);
      Study b = Study.fromMap(Json.parseObject(Json.write(a.toMap())));
      assertEquals(Json.write(a.toMap()), Json.write(b.toMap()), strategy + ": the restored state is the saved one");
      for (Study s : List.of(a, b)) {
        s.tell(s.trial(r2.id()), 0.4);
        s.tellPruned(s.trial(r1.id()));
      }
      assertEquals(drive(a, 6), drive(b, 6), strategy + ": the same proposals after the restore");
      assertEquals(Json.write(a.toMap()), Json.write(b.toMap()), strategy);
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void stateThatDoesNotReplayIsRefused(@TempDir Path tmp) throws Exception {
    Study a = Study.create(spec("evolution"));
    drive(a, 5);
    Path f = tmp.resolve("study.json");
    a.save(f);
    assertEquals(Json.write(a.toMap()), Json.write(Study.load(f).toMap()));
    Map<String, Object> m = Json.parseObject(Json.write(a.toMap()));
    ((Map<String, Object>) m.get("spec")).put("seed", 4.0);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> Study.fromMap(m));
    assertTrue(e.getMessage().contains("cannot restore"), e.getMessage());
  }

  /** The seeds' spaces over ask/tell: NASNet, AmoebaNet, NASNet with combiners, ENAS macro, with REINFORCE and evolution. */
  @Test
  void nasnetAndMacroSpacesAskAndTell() {
    for (String space : List.of("nasnet", "amoebanet", "nasnet-combine", "enas-macro")) {
      Map<String, Object> desc = space.equals("enas-macro") ? Map.of("name", space, "layers", 4) : Map.of("name", space, "nodes", 3);
      io.jnas.space.SearchSpace<?> sp = StudySpaces.fromMap(desc);
      for (String strategy : List.of("reinforce", "evolution")) {
        StudySpec.Builder b = StudySpec.builder().space(desc).strategy(strategy).seed(1).objective(StudyObjective.maximize("accuracy"));
        if (strategy.equals("evolution")) b.strategyParam("population", "3").strategyParam("tournament", "2");
        Study st = Study.create(b.build());
        for (int i = 0; i < 5; i++) {
          Trial t = st.ask();
          assertTrue(sp.isValid(t.decisions()), space + " " + strategy);
          Map<String, Object> arch = t.architecture();
          assertTrue(arch.containsKey(space.equals("enas-macro") ? "architecture" : "genotype"), space + ": " + arch);
          if (!space.equals("enas-macro")) {
            @SuppressWarnings("unchecked")
            io.jnas.genotype.Genotype g = io.jnas.genotype.Genotype.fromMap((Map<String, Object>) arch.get("genotype"));
            assertEquals(((io.jnas.space.CellSpace<?>) sp).genotypeOf(t.decisions()), g);
          }
          st.tell(t, i * 0.1);
        }
      }
    }
    assertEquals(30, StudySpaces.fromMap(Map.of("name", "nasnet-combine", "nodes", 3)).numDecisions());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> StudySpaces.fromMap(Map.of("name", "enas-macro", "nodes", 3)));
    assertTrue(e.getMessage().contains("'space.nodes' is unknown for space enas-macro, expected name, layers"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> StudySpaces.fromMap(Map.of("name", "nasnet", "nodes", 0)));
    assertTrue(e.getMessage().contains("'space.nodes' is 0, expected an integer in 1..12"), e.getMessage());
  }

  @Test
  void specsNameTheirBadFields() {
    record Case(String json, String field) {}
    for (Case c : List.of(new Case("{}", "'space'"), new Case("{\"space\": {\"name\": \"nb999\"}}", "'space.name'"),
        new Case("{\"space\": {\"name\": \"categorical\", \"choices\": [2, 0]}}", "'space.choices[1]'"),
        new Case("{\"space\": {\"name\": \"nb201\"}, \"strategy\": \"magic\"}", "'strategy'"),
        new Case("{\"space\": {\"name\": \"nb201\"}, \"objectives\": [{\"name\": \"acc\", \"direction\": \"up\"}]}", "'objectives[0].direction'"),
        new Case("{\"space\": {\"name\": \"nb201\"}, \"seed\": 1.5}", "'seed'"),
        new Case("{\"space\": {\"name\": \"nb201\"}, \"pruner\": {\"name\": \"halving\", \"eta\": 1}}", "eta"),
        new Case("{\"space\": {\"name\": \"nb201\"}, \"colour\": 1}", "'colour'"),
        new Case("{\"space\": {\"name\": \"nb201\"}, \"strategy\": \"evolution\", \"strategy_params\": {\"population\": \"x\"}}", "population"))) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StudySpec.fromMap(Json.parseObject(c.json())), c.json());
      assertTrue(e.getMessage().contains(c.field()), c.json() + " -> " + e.getMessage());
    }
    StudySpec s = StudySpec.fromMap(Json.parseObject("{\"space\": {\"name\": \"enas-micro\", \"nodes\": 2}, \"strategy\": \"evolution\","
        + " \"strategy_params\": {\"population\": 5}, \"objectives\": [{\"name\": \"acc\"}, {\"name\": \"ms\", \"direction\": \"minimize\"}],"
        + " \"seed\": 12, \"pruner\": {\"name\": \"halving\"}}"));
    assertEquals(s, StudySpec.fromMap(s.toMap()));
    assertEquals(12, s.seed());
    assertEquals("halving", s.pruner().id());
    assertTrue(Study.create(s).ask().architecture().containsKey("arc"));
  }

  @Test
  void prunersJudgeByDirection() {
    Pruner median = Pruners.median(3, 2);
    List<Double> others = List.of(0.5, 0.6, 0.7);
    assertTrue(median.shouldPrune(2, 0.55, others, true));
    assertFalse(median.shouldPrune(2, 0.65, others, true));
    assertFalse(median.shouldPrune(1, 0.1, others, true), "warm-up");
    assertFalse(median.shouldPrune(2, 0.1, others.subList(0, 2), true), "too few finished trials");
    assertTrue(median.shouldPrune(2, 0.65, others, false), "minimized: above the median is worse");
    Pruner asha = Pruners.successiveHalving(1, 3, 3);
    List<Double> five = List.of(0.1, 0.2, 0.3, 0.4, 0.5);
    assertTrue(asha.shouldPrune(1, 0.35, five, true), "6 at the rung keep their best 2: 0.5 and 0.4");
    assertFalse(asha.shouldPrune(1, 0.45, five, true), "0.45 is the second best of 6");
    assertFalse(asha.shouldPrune(2, 0.0, five, true), "step 2 is no rung");
    assertTrue(asha.shouldPrune(3, 0.15, five, false) == false && asha.shouldPrune(3, 0.35, five, false), "minimized");
    // the multi-trial rules are these pruners
    assertEquals("median", EarlyStopping.MEDIAN.pruner().id());
    assertEquals("halving", EarlyStopping.HALVING.pruner().id());
    assertEquals(Pruners.fromMap(median.toMap()).toMap(), median.toMap());
    assertEquals(Pruners.fromMap(asha.toMap()).toMap(), asha.toMap());
  }
}
