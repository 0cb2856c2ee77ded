package io.jnas.nasbench;

import static org.junit.jupiter.api.Assertions.*;

import io.jnas.space.NasBench201Space;
import io.jnas.space.Nb201Cell;
import io.jnas.strategy.Strategies;
import io.jnas.strategy.StrategyParams;
import io.jnas.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NasBench201Test {
  static final String HEADER = "arch,cellstr,cifar10-test,cifar10-val,cifar100-test,cifar100-val,imagenet-test,imagenet-val";

  /** A synthetic oracle: validation = number of conv3x3 edges, test = validation + 0.5. */
  static final BenchmarkRunner.Oracle SYNTH = new BenchmarkRunner.Oracle() {
    public double validation(int[] d) {
      double v = 0;
      for (int x : d) v += x == 3 ? 1 : 0;
      return v;
    }

    public double test(int[] d) {
      return validation(d) + 0.5;
    }
  };

  @Test
  void runnerCurvesAreMonotoneAndJsonHasItsShape(@TempDir Path dir) throws Exception {
    BenchmarkResult r = BenchmarkRunner.run(SYNTH, Nb201Dataset.CIFAR10, Strategies.registry(),
        new BenchmarkRunner.Config(List.of("random", "evolution"), 25, 3, 0, StrategyParams.none(), 2), line -> {});
    assertEquals(2, r.runs().size());
    for (BenchmarkResult.StrategyRuns s : r.runs()) {
      assertEquals(3, s.test().length);
      for (double[] v : s.validation()) for (int q = 1; q < v.length; q++) assertTrue(v[q] >= v[q - 1]);
      for (int k = 0; k < 3; k++) for (int q = 0; q < 25; q++) assertEquals(s.validation()[k][q] + 0.5, s.test()[k][q], 1e-12);
    }
    BenchmarkResult again = BenchmarkRunner.run(SYNTH, Nb201Dataset.CIFAR10, Strategies.registry(),
        new BenchmarkRunner.Config(List.of("random", "evolution"), 25, 3, 0, StrategyParams.none(), 1), line -> {});
    assertArrayEquals(r.runs().get(1).test()[2], again.runs().get(1).test()[2], "thread count changed the result");

    BenchmarkReport.write(dir, r, Map.of("command", "test"), BenchmarkReport.Ceilings.best(6.5));
    Map<String, Object> j = Json.parseObject(Files.readString(dir.resolve("results.json")));
    assertEquals("cifar10", j.get("dataset"));
    assertEquals(25.0, j.get("queries"));
    @SuppressWarnings("unchecked")
    Map<String, Object> st = (Map<String, Object>) j.get("strategies");
    assertEquals(List.of("random", "evolution"), List.copyOf(st.keySet()));
    @SuppressWarnings("unchecked")
    Map<String, Object> rnd = (Map<String, Object>) st.get("random");
    for (String k : List.of("final_mean", "final_std", "seconds", "mean", "std", "curves", "validation_curves")) assertTrue(rnd.containsKey(k), k);
    assertEquals(25, ((List<?>) rnd.get("mean")).size());
    assertEquals(3, ((List<?>) rnd.get("curves")).size());
    assertEquals(r.runs().get(0).finalMean(), (Double) rnd.get("final_mean"), 1e-9);
    assertEquals(1 + 2 * 3 * 25, Files.readAllLines(dir.resolve("results.csv")).size());
    assertTrue(Files.readString(dir.resolve("table.md")).contains("| random |"));
    assertNotNull(javax.imageio.ImageIO.read(dir.resolve("best_so_far.png").toFile()));
  }

  /** A full table: every cell, validation = SYNTH's, test = validation + 0.5, other data sets 1. */
  static Path fullTable(Path f) throws Exception {
    NasBench201Space space = new NasBench201Space();
    StringBuilder sb = new StringBuilder(HEADER).append('\n');
    int[] d = new int[Nb201Cell.EDGES];
    for (int k = 0; k < NasBench201Table.SIZE; k++) {
      for (int e = d.length - 1, x = k; e >= 0; e--, x /= 5) d[e] = x % 5;
      double v = SYNTH.validation(d);
      sb.append(k).append(',').append(space.decode(d)).append(',').append(v + 0.5).append(',').append(v).append(",1,1,1,1\n");
    }
    Files.writeString(f, sb.toString());
    return f;
  }

  @Test
  void everyPickIsRecordedAndIsTheBestValidationCellSoFar(@TempDir Path dir) throws Exception {
    BenchmarkResult r = BenchmarkRunner.run(SYNTH, Nb201Dataset.CIFAR10, Strategies.registry(),
        new BenchmarkRunner.Config(List.of("random", "evolution", "grid"), 30, 4, 7, StrategyParams.none(), 2), line -> {});
    NasBench201Space space = new NasBench201Space();
    for (BenchmarkResult.StrategyRuns s : r.runs()) {
      assertEquals(4, s.picks().length);
      for (int k = 0; k < 4; k++) {
        assertEquals(BenchmarkRunner.streamSeed(s.strategy(), 7 + k), s.streamSeeds()[k]);
        for (int q = 0; q < 30; q++) {
          int[] d = space.encode(Nb201Cell.parse(s.picks()[k][q]));
          assertEquals(s.validation()[k][q], SYNTH.validation(d), 0, s.strategy() + " seed " + k + " query " + (q + 1));
          assertEquals(s.test()[k][q], SYNTH.test(d), 0);
        }
      }
    }
    // random and evolution (random for its first 20 asks) no longer share their first samples
    assertNotEquals(BenchmarkRunner.streamSeed("random", 7), BenchmarkRunner.streamSeed("evolution", 7));
    assertNotEquals(r.runs().get(0).picks()[0][0], r.runs().get(1).picks()[0][0]);

    BenchmarkReport.write(dir, r, Map.of("command", "test"), BenchmarkReport.Ceilings.best(6.5));
    Map<String, Object> j = Json.parseObject(Files.readString(dir.resolve("results.json")));
    @SuppressWarnings("unchecked")
    Map<String, Object> ev = (Map<String, Object>) ((Map<String, Object>) j.get("strategies")).get("evolution");
    List<?> picks = (List<?>) ev.get("picks");
    assertEquals(4, picks.size());
    assertEquals(List.of(r.runs().get(1).picks()[2]), picks.get(2));
    assertEquals(BenchmarkRunner.streamSeed("evolution", 9), ((Number) ((List<?>) ev.get("stream_seeds")).get(2)).longValue());
    List<String> csv = Files.readAllLines(dir.resolve("results.csv"));
    assertEquals("strategy,seed,stream_seed,query,best_val,test_of_best_val,pick", csv.get(0));
    String row = csv.get(1 + 30 * 4 + 2 * 30 + 4);  // evolution, third seed, fifth query
    assertTrue(row.startsWith("evolution,9," + BenchmarkRunner.streamSeed("evolution", 9) + ",5,"), row);
    assertTrue(row.endsWith("," + r.runs().get(1).picks()[2][4]), row);
  }

  @Test
  void stdIsTheSampleStd() {
    double[][] a = {{1, 10}, {3, 10}, {8, 10}};
    double m = 4, ss = 9 + 1 + 16;
    assertEquals(Math.sqrt(ss / 2), BenchmarkResult.std(a)[0], 1e-12, "divisor n - 1");
    assertEquals(0, BenchmarkResult.std(a)[1], 0);
    assertEquals(m, BenchmarkResult.mean(a)[0], 1e-12);
    assertTrue(Double.isNaN(BenchmarkResult.std(new double[][] {{1, 2}})[0]), "one seed has no std");
  }

  @Test
  void reportTableJoinsByCellAndGivesTheCeiling(@TempDir Path dir) throws Exception {
    NasBench201Table main = NasBench201Table.load(fullTable(dir.resolve("main.csv")));
    // a hand-made report table: three cells, one the best-by-reward cell (all six edges conv3x3), columns in another order
    Path rep = dir.resolve("report.csv");
    String best = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|";
    String other = "|skip_connect~0|+|none~0|nor_conv_3x3~1|+|avg_pool_3x3~0|none~1|nor_conv_1x1~2|";
    Files.writeString(rep, "cifar10-test,cellstr,note\n93.5," + best + ",x\n70.25," + other + ",y\n"
        + "12," + other.replace("skip_connect~0", "none~0") + ",z\n");
    ReportTable t = ReportTable.load(rep, Nb201Dataset.CIFAR10);
    assertEquals(3, t.covered());
    assertEquals(93.5, t.test(best), 1e-6);
    assertEquals(70.25, t.test(other), 1e-6);
    assertTrue(Double.isNaN(t.test("|none~0|+|none~0|none~1|+|none~0|none~1|none~2|")), "a cell it lacks");
    assertEquals(93.5, t.bestTest(), 1e-6);
    BenchmarkReport.Ceilings c = BenchmarkReport.Ceilings.of(main, Nb201Dataset.CIFAR10, t);
    assertEquals(6.5, c.bestTest(), 1e-6);
    assertEquals(6.5, c.reachableTest(), 1e-6, "the best-validation cell's test accuracy");
    assertEquals(93.5, c.reportReachableTest(), 1e-6, "the report table's test accuracy of the best-by-reward cell");
    String md = BenchmarkReport.table(BenchmarkRunner.run(SYNTH, Nb201Dataset.CIFAR10, Strategies.registry(),
        new BenchmarkRunner.Config(List.of("random"), 5, 2, 0, StrategyParams.none(), 1), line -> {}).withReport(t), c);
    assertTrue(md.contains("reachable ceiling (test accuracy of the cell with the best validation accuracy): 6.50%"), md);
    assertTrue(md.contains("Report table report.csv (3 of 15,625 cells; used only to report the picks): best test accuracy 93.50%; "
        + "reachable ceiling (its test accuracy of the cell with the best validation accuracy in main.csv): 93.50%"), md);
    assertTrue(md.contains("final picks not in the report table"), md);
    assertTrue(md.contains("sample standard deviation"), md);

    // a full report table: each pick's report accuracy is its own, joined by cell
    StringBuilder sb = new StringBuilder("cellstr,cifar10-test\n");
    NasBench201Space space = new NasBench201Space();
    int[] d = new int[Nb201Cell.EDGES];
    for (int k = 0; k < NasBench201Table.SIZE; k++) {
      for (int e = d.length - 1, x = k; e >= 0; e--, x /= 5) d[e] = x % 5;
      sb.append(space.decode(d)).append(',').append(SYNTH.validation(d) * 10 + 20).append('\n');
    }
    Files.writeString(rep, sb.toString());
    ReportTable full = ReportTable.load(rep, Nb201Dataset.CIFAR10);
    BenchmarkResult r = BenchmarkRunner.run(SYNTH, Nb201Dataset.CIFAR10, Strategies.registry(),
        new BenchmarkRunner.Config(List.of("random", "evolution"), 20, 3, 0, StrategyParams.none(), 2), line -> {}).withReport(full);
    for (BenchmarkResult.StrategyRuns s : r.runs()) {
      for (int k = 0; k < 3; k++) for (int q = 0; q < 20; q++) assertEquals(s.validation()[k][q] * 10 + 20, s.reportTest()[k][q], 1e-4);
    }
    Path out = Files.createDirectories(dir.resolve("out"));
    BenchmarkReport.write(out, r, Map.of("command", "test"), BenchmarkReport.Ceilings.of(main, Nb201Dataset.CIFAR10, full));
    Map<String, Object> j = Json.parseObject(Files.readString(out.resolve("results.json")));
    @SuppressWarnings("unchecked")
    Map<String, Object> rnd = (Map<String, Object>) ((Map<String, Object>) j.get("strategies")).get("random");
    assertEquals(BenchmarkResult.mean(r.runs().get(0).reportTest())[19], ((Number) rnd.get("report_final_mean")).doubleValue(), 1e-9);
    assertEquals(80.0, ((Number) ((Map<?, ?>) j.get("ceilings")).get("report_reachable_test")).doubleValue(), 1e-6);
    assertTrue(Files.readAllLines(out.resolve("results.csv")).get(0).contains(",report_test_of_best_val,pick"));
    assertTrue(Files.readString(out.resolve("table.md")).contains("| report-table test acc at 20 |"));

    Files.writeString(rep, "cellstr,cifar100-test\n" + best + ",1\n");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ReportTable.load(rep, Nb201Dataset.CIFAR10));
    assertTrue(e.getMessage().contains(":1: no column 'cifar10-test'"), e.getMessage());
    Files.writeString(rep, "cellstr,cifar10-test\n" + best + ",1\n" + best + ",2\n");
    e = assertThrows(IllegalArgumentException.class, () -> ReportTable.load(rep, Nb201Dataset.CIFAR10));
    assertTrue(e.getMessage().startsWith(rep + ":3: ") && e.getMessage().contains("already on line 2"), e.getMessage());
  }

  @Test
  void thePlotCutsACurveFarBelowTheOthersAndSaysSo() {
    int k = 40;
    double[][] good = new double[3][k], bad = new double[3][k];
    String[][] picks = new String[3][k];
    for (int s = 0; s < 3; s++) {
      for (int q = 0; q < k; q++) {
        good[s][q] = 88 + s * 0.1 + q * 0.01;
        bad[s][q] = q < 25 ? 10 : 60;
        picks[s][q] = "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|";
      }
    }
    long[] seeds = {0, 1, 2};
    BenchmarkResult r = new BenchmarkResult(Nb201Dataset.CIFAR100, k, seeds, List.of(
        new BenchmarkResult.StrategyRuns("random", good, good, picks, seeds, 0, null),
        new BenchmarkResult.StrategyRuns("evolution", good, good, picks, seeds, 0, null),
        new BenchmarkResult.StrategyRuns("grid", bad, bad, picks, seeds, 0, null)));
    BenchmarkReport.Figure f = BenchmarkReport.plot(r, BenchmarkReport.Ceilings.best(90));
    assertNotNull(f.plot().render(900, 600));
    assertTrue(f.title().contains("CIFAR-100"), f.title());
    assertTrue(f.xLabel().contains("y axis cut at") && f.xLabel().contains("grid, ending at 60.00"), f.xLabel());
    double[] yr = {f.yMin(), f.yMax()};
    assertTrue(yr[0] > 80 && yr[1] < 90, "y range " + yr[0] + ".." + yr[1] + " shows the good curves, not grid's");
  }

  @Test
  void badRowsNameFileAndLine(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("t.csv");
    String good = "0,|none~0|+|none~0|none~1|+|none~0|none~1|none~2|,1,2,3,4,5,6";
    Files.writeString(f, HEADER + "\n" + good + "\n0,|none~0|+|none~0|nope~1|+|none~0|none~1|none~2|,1,2,3,4,5,6\n");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NasBench201Table.load(f));
    assertTrue(e.getMessage().startsWith(f + ":3: "), e.getMessage());
    Files.writeString(f, HEADER + "\n" + good + "\n" + good.replace(",6", ",x").replace("|none~0|+", "|skip_connect~0|+") + "\n");
    e = assertThrows(IllegalArgumentException.class, () -> NasBench201Table.load(f));
    assertTrue(e.getMessage().startsWith(f + ":3: column imagenet-val is 'x'"), e.getMessage());
    Files.writeString(f, HEADER + "\n" + good + "\n" + good + "\n");
    e = assertThrows(IllegalArgumentException.class, () -> NasBench201Table.load(f));
    assertTrue(e.getMessage().contains(":3: ") && e.getMessage().contains("line 2"), e.getMessage());
    Files.writeString(f, HEADER + "\n" + good + "\n");
    e = assertThrows(IllegalArgumentException.class, () -> NasBench201Table.load(f));
    assertTrue(e.getMessage().contains("15624 of 15625 cells are missing"), e.getMessage());
    Files.writeString(f, "arch,cellstr\n");
    e = assertThrows(IllegalArgumentException.class, () -> NasBench201Table.load(f));
    assertTrue(e.getMessage().contains(":1: no column 'cifar10-val'"), e.getMessage());
    assertThrows(java.nio.file.NoSuchFileException.class, () -> NasBench201Table.load(dir.resolve("absent.csv")));
  }

  @Test
  void realTable() throws Exception {
    Path f = Path.of(System.getProperty("jnas.data", "../shared/data"), "nas-bench-201", "nb201_minibench_hp12.csv");
    Assumptions.assumeTrue(Files.isRegularFile(f), "NAS-Bench-201 table absent: " + f.toAbsolutePath());
    NasBench201Table t = NasBench201Table.load(f);
    NasBench201Space s = new NasBench201Space();
    int[] d = s.encode(Nb201Cell.parse("|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|"));
    assertEquals(88.22, t.test(Nb201Dataset.CIFAR10, d), 1e-4);
    assertEquals(82.834, t.validation(Nb201Dataset.CIFAR10, d), 1e-3);
    assertEquals(89.16, t.bestTest(Nb201Dataset.CIFAR10), 1e-4);
  }
}
