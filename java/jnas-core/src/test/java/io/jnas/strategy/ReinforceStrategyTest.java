package io.jnas.strategy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnas.enas.EnasArch;
import io.jnas.enas.EnasMicroSpace;
import io.jnas.space.SearchSpace;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The REINFORCE strategy improves on a synthetic reward, is seeded, and resumes exactly. */
class ReinforceStrategyTest {
  /** A NAS-Bench-201-shaped space: 6 edges x 5 ops, every vector valid. */
  static class Cell201 implements SearchSpace<int[]> {
    @Override public String name() { return "toy201"; }
    @Override public int numDecisions() { return 6; }
    @Override public int numChoices(int i) { return 5; }
    @Override public int[] decode(int[] d) { return d.clone(); }
    @Override public int[] encode(int[] a) { return a.clone(); }
  }

  private static final int[] TARGET = {1, 2, 3, 4, 0, 2};

  /** Fraction of edges matching the target, in [0, 1]; uniform sampling averages 0.2. */
  private static double reward(int[] a) {
    int hit = 0;
    for (int i = 0; i < a.length; i++) if (a[i] == TARGET[i]) hit++;
    return hit / 6.0;
  }

  @Test
  void improvesOverItsFirstAsks() {
    ReinforceStrategy s = new ReinforceStrategy(new Cell201(), 42);
    double first = 0, last = 0;
    int n = 600, window = 100;
    for (int t = 0; t < n; t++) {
      int[] a = s.ask();
      double r = reward(a);
      if (t < window) first += r / window;
      if (t >= n - window) last += r / window;
      s.tell(a, r);
    }
    assertTrue(last > first + 0.15, "mean reward of the first " + window + " asks " + first + ", last " + last);
  }

  @Test
  void sameSeedSameAsksDifferentSeedDifferent() {
    int[][] a = run(7, 40), b = run(7, 40), c = run(8, 40);
    for (int i = 0; i < a.length; i++) assertArrayEquals(a[i], b[i], "ask " + i);
    assertFalse(Arrays.deepEquals(a, c));
  }

  private static int[][] run(long seed, int n) {
    ReinforceStrategy s = new ReinforceStrategy(new Cell201(), seed);
    int[][] out = new int[n][];
    for (int t = 0; t < n; t++) {
      out[t] = s.ask();
      s.tell(out[t], reward(out[t]));
    }
    return out;
  }

  @Test
  void resumesIdentically() {
    ReinforceStrategy a = new ReinforceStrategy(new Cell201(), 3);
    for (int t = 0; t < 12; t++) {
      int[] x = a.ask();
      a.tell(x, reward(x));
    }
    ReinforceStrategy b = new ReinforceStrategy(new Cell201(), 99);
    b.restoreState(a.saveState());
    for (int t = 0; t < 12; t++) {
      int[] x = a.ask(), y = b.ask();
      assertArrayEquals(x, y, "ask " + t);
      a.tell(x, reward(x));
      b.tell(y, reward(y));
    }
  }

  @Test
  void drivesTheEnasMicroSpaceWithAttention() {
    EnasMicroSpace space = new EnasMicroSpace(3);
    ReinforceStrategy s = new ReinforceStrategy(space, 5);
    assertTrue(ReinforceStrategy.specFor(space).usesAttention());
    for (int t = 0; t < 12; t++) {
      int[] a = s.ask();
      assertTrue(space.isValid(a));
      EnasArch arch = space.decode(a);
      s.tell(a, arch.normal().outputIndices().size() / 5.0);
    }
    assertTrue(s.reinforce().steps() == 2);
  }

  @Test
  void asksOnlyValidVectors() {
    SearchSpace<int[]> even = new Cell201() {
      @Override public boolean isValid(int[] d) { return super.isValid(d) && d[0] % 2 == 0; }
    };
    ReinforceStrategy s = new ReinforceStrategy(even, 1);
    for (int t = 0; t < 30; t++) assertTrue(s.ask()[0] % 2 == 0);
  }
}
