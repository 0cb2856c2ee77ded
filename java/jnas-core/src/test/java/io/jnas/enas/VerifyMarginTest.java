package io.jnas.enas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@link EnasSearch.VerifyMargin}: the from-scratch margin of {@code --verify} and its standard error, against a hand computation. */
class VerifyMarginTest {
  @Test
  void marginAndStandardErrorByHand() {
    // pick 0.80 / 0.82; random cells (0.78, 0.80), (0.79, 0.79), (0.81, 0.77)
    double[][] runs = {{0.80, 0.82}, {0.78, 0.80}, {0.79, 0.79}, {0.81, 0.77}};
    EnasSearch.VerifyMargin m = EnasSearch.VerifyMargin.of(runs);
    // means 0.81 | 0.79, 0.79, 0.79: margin 0.02, random cells' sd 0
    assertEquals(0.02, m.margin(), 1e-12);
    // sample variances 0.0002, 0.0002, 0, 0.0008: pooled 0.0003
    assertEquals(Math.sqrt(0.0003), m.runSd(), 1e-12);
    // se = sqrt(0.0003 / 2 + 0 / 3)
    assertEquals(Math.sqrt(0.00015), m.se(), 1e-12);
    // 0.02 < 2 * 0.01225: within the noise
    assertEquals("within_noise", m.verdict());
  }

  @Test
  void verdicts() {
    double[][] better = {{0.90, 0.90}, {0.80, 0.81}, {0.81, 0.80}, {0.80, 0.80}};
    assertEquals("better", EnasSearch.VerifyMargin.of(better).verdict());
    double[][] worse = {{0.70, 0.70}, {0.80, 0.81}, {0.81, 0.80}, {0.80, 0.80}};
    assertEquals("worse", EnasSearch.VerifyMargin.of(worse).verdict());
    assertTrue(EnasSearch.VerifyMargin.of(worse).margin() < 0);
  }

  @Test
  void oneTrainingEachHasNoNoiseEstimate() {
    EnasSearch.VerifyMargin m = EnasSearch.VerifyMargin.of(new double[][] {{0.9}, {0.8}, {0.7}});
    assertEquals(0.15, m.margin(), 1e-12);
    assertFalse(m.known());
    assertNull(m.verdict());
  }

  @Test
  void oneRandomCellUsesTheTrainingsNoiseOnly() {
    // no spread among random cells to measure: the random side carries one cell's training noise
    EnasSearch.VerifyMargin m = EnasSearch.VerifyMargin.of(new double[][] {{0.80, 0.82}, {0.78, 0.80}});
    assertEquals(Math.sqrt(0.0002), m.runSd(), 1e-12);
    assertEquals(Math.sqrt(0.0002 / 2 + 0.0002 / 2), m.se(), 1e-12);
    assertNull(m.verdict(), "one random cell says nothing of the random cells' spread: no verdict");
  }

  @Test
  void needsAPickAndARandomCell() {
    assertThrows(IllegalArgumentException.class, () -> EnasSearch.VerifyMargin.of(new double[][] {{0.8, 0.8}}));
  }
}
