package io.jnas.objective;

import static org.junit.jupiter.api.Assertions.*;

import io.jnas.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ParetoFrontTest {
  static List<String> ids(List<ParetoFront.Point> ps) {
    return ps.stream().map(ParetoFront.Point::id).toList();
  }

  @Test
  void frontOfAccuracyAndParams() {
    ParetoFront f = new ParetoFront(List.of(Objective.ACCURACY, Objective.PARAMS), List.of());
    f.add("a", 90, 100).add("b", 92, 200).add("c", 91, 300).add("d", 89, 50).add("e", 92, 200).add("f", 88, 60);
    // c is dominated by b (better acc, fewer params); f by d; b and e tie and both stay
    assertEquals(List.of("a", "b", "d", "e"), ids(f.front()));
    assertTrue(f.dominates(f.all().get(1), f.all().get(2)));
    assertFalse(f.dominates(f.all().get(1), f.all().get(4)), "equal points do not dominate");
  }

  @Test
  void constraintsRemoveCandidates() {
    ParetoFront f = new ParetoFront(List.of(Objective.ACCURACY, Objective.PARAMS), List.of(Constraint.parse("params <= 150")));
    f.add("a", 90, 100).add("b", 95, 200).add("d", 89, 50);
    assertEquals(List.of("a", "d"), ids(f.front()), "b is infeasible and must not dominate a");
    Constraint c = Constraint.parse("accuracy>=90");
    assertFalse(c.atMost());
    assertTrue(c.test(90) && !c.test(89.9));
    assertThrows(IllegalArgumentException.class, () -> Constraint.parse("params < 3"));
    assertThrows(IllegalArgumentException.class, () -> Constraint.parse("size<=3"));
    assertThrows(IllegalArgumentException.class,
        () -> new ParetoFront(List.of(Objective.ACCURACY), List.of(Constraint.parse("latency<=1"))));
  }

  @Test
  void threeObjectivesAgainstBruteForce() {
    SplittableRandom r = new SplittableRandom(4);
    ParetoFront f = new ParetoFront(List.of(Objective.ACCURACY, Objective.FLOPS, Objective.LATENCY), List.of());
    double[][] v = new double[200][];
    for (int k = 0; k < v.length; k++) {
      v[k] = new double[] {r.nextInt(20), r.nextInt(20), r.nextInt(20)};
      f.add("p" + k, v[k]);
    }
    List<String> front = ids(f.front());
    for (int k = 0; k < v.length; k++) {
      boolean dominated = false;
      for (int j = 0; j < v.length; j++) {
        boolean geq = v[j][0] >= v[k][0] && v[j][1] <= v[k][1] && v[j][2] <= v[k][2];
        boolean gt = v[j][0] > v[k][0] || v[j][1] < v[k][1] || v[j][2] < v[k][2];
        dominated |= geq && gt;
      }
      assertEquals(!dominated, front.contains("p" + k), "p" + k);
    }
  }

  @Test
  void jsonAndPlot(@TempDir Path dir) throws Exception {
    ParetoFront f = new ParetoFront(List.of(Objective.ACCURACY, Objective.PARAMS), List.of(Constraint.parse("params<=1e6")));
    SplittableRandom r = new SplittableRandom(1);
    for (int k = 0; k < 100; k++) {
      double p = Math.pow(10, 4 + 2.5 * r.nextDouble());
      f.add("n" + k, 60 + 5 * Math.log10(p) + 5 * r.nextDouble(), p);
    }
    f.writeJson(dir.resolve("pareto.json"));
    Map<String, Object> j = Json.parseObject(Files.readString(dir.resolve("pareto.json")));
    assertEquals(List.of("params<=1000000.0"), j.get("constraints"));
    assertEquals(100.0, j.get("candidates"));
    List<?> front = (List<?>) j.get("front");
    assertEquals(f.front().size(), front.size());
    assertTrue(((Map<?, ?>) front.get(0)).keySet().containsAll(List.of("id", "accuracy", "params")));
    f.plot(Objective.PARAMS, Objective.ACCURACY, "test front").writePng(dir.resolve("front.png"), 800, 500);
    assertNotNull(javax.imageio.ImageIO.read(dir.resolve("front.png").toFile()));
  }
}
