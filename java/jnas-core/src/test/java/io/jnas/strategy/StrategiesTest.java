package io.jnas.strategy;

import static org.junit.jupiter.api.Assertions.*;

import io.jnas.space.NasBench101Space;
import io.jnas.space.NasBench201Space;
import io.jnas.space.SearchSpace;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;

class StrategiesTest {
  /** A deterministic synthetic reward on NB201: a smooth function of the decisions. */
  static double smooth(int[] d) {
    double s = 0;
    for (int i = 0; i < d.length; i++) s -= (d[i] - (i % 5)) * (d[i] - (i % 5)) * (1 + 0.3 * i);
    return s;
  }

  /** Reward on NB101: count of conv3x3 ops minus edges, plus a small deterministic term. */
  static double nb101Reward(int[] d) {
    double s = 0;
    for (int i = 0; i < d.length; i++) s += (i >= 21 && d[i] == 0 ? 1 : 0) - 0.1 * (i < 21 ? d[i] : 0);
    return s;
  }

  static List<int[]> trace(Strategy s, int n, ToDoubleFunction<int[]> f) {
    List<int[]> out = new ArrayList<>();
    for (int k = 0; k < n; k++) {
      int[] a = s.ask();
      out.add(a);
      s.tell(a, f.applyAsDouble(a));
    }
    return out;
  }

  static boolean same(List<int[]> a, List<int[]> b) {
    if (a.size() != b.size()) return false;
    for (int k = 0; k < a.size(); k++) if (!Arrays.equals(a.get(k), b.get(k))) return false;
    return true;
  }

  static final BayesianOptimization.Config SMALL_BO = new BayesianOptimization.Config(5, 3, 8, 20, 40,
      BayesianOptimization.Acquisition.THOMPSON);

  @Test
  void seedingIsReproducibleAndSeedDependent() {
    NasBench201Space s201 = new NasBench201Space();
    NasBench101Space s101 = new NasBench101Space();
    Map<String, StrategyFactory> reg = Strategies.registry();
    for (String name : List.of("random", "evolution", "bo")) {
      for (SearchSpace<?> sp : List.<SearchSpace<?>>of(s201, s101)) {
        ToDoubleFunction<int[]> f = sp == s201 ? StrategiesTest::smooth : StrategiesTest::nb101Reward;
        StrategyParams p = new StrategyParams(Map.of("population", "8", "tournament", "3", "steps", "10", "ensemble", "2"));
        List<int[]> a = trace(reg.get(name).create(sp, 7, p), 30, f);
        List<int[]> b = trace(reg.get(name).create(sp, 7, p), 30, f);
        List<int[]> c = trace(reg.get(name).create(sp, 8, p), 30, f);
        assertTrue(same(a, b), name + " on " + sp.name() + ": same seed, different trials");
        assertFalse(same(a, c), name + " on " + sp.name() + ": different seeds, same trials");
        for (int[] x : a) assertTrue(sp.isValid(x), name + " proposed an invalid " + Arrays.toString(x));
      }
    }
  }

  @Test
  void mutationChangesExactlyOneDecisionAndStaysValid() {
    NasBench101Space sp = new NasBench101Space();
    java.util.SplittableRandom r = new java.util.SplittableRandom(5);
    for (int k = 0; k < 300; k++) {
      int[] p = sp.sample(r);
      int[] c = Mutations.mutate(sp, p, r);
      assertTrue(sp.isValid(c));
      int diff = 0;
      for (int i = 0; i < p.length; i++) if (p[i] != c[i]) diff++;
      assertEquals(1, diff);
    }
  }

  @Test
  void evolutionAgingRemovesTheOldest() {
    NasBench201Space sp = new NasBench201Space();
    RegularizedEvolution ev = new RegularizedEvolution(sp, 1, 3, 2, true);
    int[][] arch = {{0, 0, 0, 0, 0, 0}, {1, 0, 0, 0, 0, 0}, {2, 0, 0, 0, 0, 0}, {3, 0, 0, 0, 0, 0}};
    double[] reward = {100, 1, 2, 3}; // the oldest is the best: aging still kills it
    for (int k = 0; k < 4; k++) ev.tell(arch[k], reward[k]);
    List<RegularizedEvolution.Member> pop = ev.population();
    assertEquals(3, pop.size());
    assertArrayEquals(arch[1], pop.get(0).decisions());
    assertArrayEquals(arch[3], pop.get(2).decisions());

    RegularizedEvolution worst = new RegularizedEvolution(sp, 1, 3, 2, false);
    double[] r2 = {100, 1, 2, 3};
    for (int k = 0; k < 4; k++) worst.tell(arch[k], r2[k]);
    List<Double> left = worst.population().stream().map(RegularizedEvolution.Member::reward).toList();
    assertEquals(List.of(100.0, 2.0, 3.0), left, "without aging the worst (reward 1) dies");
  }

  @Test
  void evolutionMutatesTournamentWinnersAfterThePopulationFills() {
    NasBench201Space sp = new NasBench201Space();
    RegularizedEvolution ev = new RegularizedEvolution(sp, 2, 5, 5, true);
    List<int[]> t = trace(ev, 40, StrategiesTest::smooth);
    Set<String> seenBefore = new HashSet<>();
    for (int k = 0; k < t.size(); k++) {
      if (k >= 5) {
        // every child is one decision away from some earlier architecture
        boolean near = false;
        for (int j = 0; j < k && !near; j++) {
          int diff = 0;
          for (int i = 0; i < 6; i++) if (t.get(j)[i] != t.get(k)[i]) diff++;
          near = diff == 1;
        }
        assertTrue(near, "ask " + k + " is no mutation");
      }
      seenBefore.add(Arrays.toString(t.get(k)));
    }
  }

  @Test
  void gridIsCompleteOnATinySpaceAndRefusesHugeOnes() {
    SearchSpace<int[]> tiny = new SearchSpace<>() {
      public String name() {
        return "tiny";
      }

      public int numDecisions() {
        return 3;
      }

      public int numChoices(int i) {
        return i + 2; // 2 x 3 x 4 = 24 vectors
      }

      @Override
      public boolean isValid(int[] d) {
        return SearchSpace.super.isValid(d) && (d[0] + d[1] + d[2]) % 2 == 0; // half of them
      }

      public int[] decode(int[] d) {
        return d;
      }

      public int[] encode(int[] a) {
        return a;
      }
    };
    GridSearch g = new GridSearch(tiny);
    Set<String> all = new HashSet<>();
    int[] prev = null;
    while (g.hasNext()) {
      int[] x = g.ask();
      assertTrue(tiny.isValid(x));
      assertTrue(all.add(Arrays.toString(x)), "repeated " + Arrays.toString(x));
      if (prev != null) assertTrue(Arrays.compare(prev, x) < 0, "not in order");
      prev = x;
    }
    assertEquals(12, all.size());
    assertThrows(java.util.NoSuchElementException.class, g::ask);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new GridSearch(new NasBench101Space(), 1_000_000));
    assertTrue(e.getMessage().contains("nb101") && e.getMessage().contains("1000000"), e.getMessage());
    assertEquals(15625, count(new GridSearch(new NasBench201Space())));
  }

  private static int count(GridSearch g) {
    int n = 0;
    while (g.hasNext()) {
      g.ask();
      n++;
    }
    return n;
  }

  @Test
  void boBeatsRandomOnASmoothObjective() {
    NasBench201Space sp = new NasBench201Space();
    double boSum = 0, rsSum = 0;
    int seeds = 4, queries = 30;
    for (int seed = 0; seed < seeds; seed++) {
      boSum += best(trace(new BayesianOptimization(sp, seed, SMALL_BO), queries, StrategiesTest::smooth));
      rsSum += best(trace(new RandomSearch(sp, seed), queries, StrategiesTest::smooth));
    }
    assertTrue(boSum / seeds > rsSum / seeds, "bo mean best " + boSum / seeds + " <= random " + rsSum / seeds);
  }

  private static double best(List<int[]> t) {
    double b = Double.NEGATIVE_INFINITY;
    for (int[] x : t) b = Math.max(b, smooth(x));
    return b;
  }

  @Test
  void boAnswersBeforeTellsAndAvoidsRepeats() {
    NasBench201Space sp = new NasBench201Space();
    BayesianOptimization bo = new BayesianOptimization(sp, 3, SMALL_BO);
    List<int[]> t = trace(bo, 25, StrategiesTest::smooth);
    Set<String> s = new HashSet<>();
    for (int[] x : t) s.add(Arrays.toString(x));
    assertEquals(25, s.size(), "bo proposed a repeat");
    for (int k = 0; k < 3; k++) assertTrue(sp.isValid(bo.ask()), "asks without tells still answer");
  }

  @Test
  void expectedImprovementAndNormalCdf() {
    assertEquals(0.5, BayesianOptimization.normalCdf(0), 1e-7);
    assertEquals(0.841344746, BayesianOptimization.normalCdf(1), 1e-6);
    assertEquals(0.022750132, BayesianOptimization.normalCdf(-2), 1e-6);
    assertEquals(1 / Math.sqrt(2 * Math.PI), BayesianOptimization.expectedImprovement(0, 1, 0), 1e-6);
    assertTrue(BayesianOptimization.expectedImprovement(1, 1, 0) > BayesianOptimization.expectedImprovement(0, 1, 0));
  }

  @Test
  void registryRejectsBadParameters() {
    StrategyParams bad = new StrategyParams(Map.of("population", "x"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Strategies.registry().get("evolution").create(new NasBench201Space(), 0, bad));
    assertTrue(e.getMessage().contains("population"));
  }
}
