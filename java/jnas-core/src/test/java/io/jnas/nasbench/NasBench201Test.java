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

    BenchmarkReport.write(dir, r, Map.of("command", "test"), 6.5);
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
