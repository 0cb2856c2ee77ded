package io.jnas.util;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RanksTest {
  @Test
  void kendallAndSpearmanByHand() {
    // pairs of (1,2,3,4,5) with (3,4,1,2,5): 6 concordant, 4 discordant -> tau 0.2;
    // rank differences -2,-2,2,2,0 -> rho = 1 - 6*16/(5*24) = 0.2
    double[] a = {1, 2, 3, 4, 5}, b = {3, 4, 1, 2, 5};
    assertEquals(0.2, Ranks.kendallTau(a, b), 1e-12);
    assertEquals(0.2, Ranks.spearman(a, b), 1e-12);
    assertEquals(1.0, Ranks.kendallTau(a, a), 1e-12);
    assertEquals(-1.0, Ranks.kendallTau(a, new double[] {5, 4, 3, 2, 1}), 1e-12);
  }

  @Test
  void tiesAreTauB() {
    // 5 concordant pairs, one tied in a, none in b: 5 / sqrt(5 * 6) (scipy.stats.kendalltau: 0.9128709)
    assertEquals(0.9128709291752769, Ranks.kendallTau(new double[] {1, 2, 2, 3}, new double[] {1, 3, 2, 4}), 1e-12);
    assertArrayEquals(new double[] {1, 2.5, 2.5, 4}, Ranks.ranks(new double[] {1, 2, 2, 3}), 0);
    assertTrue(Double.isNaN(Ranks.kendallTau(new double[] {1, 1, 1}, new double[] {1, 2, 3})));
    assertTrue(Double.isNaN(Ranks.spearman(new double[] {1, 1, 1}, new double[] {1, 2, 3})));
  }

  @Test
  void standing() {
    double[] others = {0.1, 0.2, 0.3, 0.3};
    assertEquals(1, Ranks.rankAmong(0.4, others));
    assertEquals(3, Ranks.rankAmong(0.25, others));
    assertEquals(1, Ranks.rankAmong(0.3, others));  // ties do not rank above
    assertEquals((2 + 0.5 * 2) / 4.0, Ranks.fractionBeaten(0.3, others), 1e-12);
    assertThrows(IllegalArgumentException.class, () -> Ranks.kendallTau(new double[2], new double[3]));
  }
}
