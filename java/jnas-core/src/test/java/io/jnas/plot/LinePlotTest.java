package io.jnas.plot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Line plots: whole-number epoch ticks, reference lines, dots, and a legend that hides no curve. */
class LinePlotTest {
  @Test
  void integerTicksAreWholeNumbers() {
    assertEquals(List.of(1.0, 2.0), Frame.integerTicks(0.7, 2.3));
    assertEquals(List.of(1.0), Frame.integerTicks(0.5, 1.5), "one epoch: one tick, no 0.5 steps");
    assertEquals(List.of(2.0, 4.0, 6.0, 8.0, 10.0, 12.0), Frame.integerTicks(1, 12));
    assertEquals(List.of(20.0, 40.0, 60.0, 80.0, 100.0, 120.0, 140.0), Frame.integerTicks(0.5, 150.5));
    for (double t : Frame.integerTicks(0.7, 3.3)) assertEquals(Math.rint(t), t);
    // the usual ticks would step by 0.5 there
    assertTrue(Frame.ticks(0.7, 3.3).contains(1.5));
  }

  @Test
  void legendGoesWhereNoCurveIs() {
    double[] x = {1, 2, 3, 4, 5};
    LinePlot rising = new LinePlot("t", "epoch", "acc").series("a", x, new double[] {0.1, 0.3, 0.5, 0.7, 0.9}, null, null)
        .integerX().legendBest();
    rising.render(900, 560);
    assertEquals(Frame.Corner.LOWER_RIGHT, rising.lastCorner, "a rising curve leaves the lower right free");
    LinePlot falling = new LinePlot("t", "epoch", "loss").series("a", x, new double[] {0.9, 0.7, 0.5, 0.3, 0.1}, null, null)
        .legendBest();
    falling.render(900, 560);
    assertEquals(Frame.Corner.UPPER_RIGHT, falling.lastCorner);
    // curves in every corner: the y range grows to make room above them
    LinePlot full = new LinePlot("t", "epoch", "acc").series("up", x, new double[] {0, 0.25, 0.5, 0.75, 1}, null, null)
        .series("down", x, new double[] {1, 0.75, 0.5, 0.25, 0}, null, null).hline("chance", 0.1).legendBest();
    full.render(900, 560);
    assertTrue(full.lastYRange[1] > 1.2, "room above the curves: y up to " + full.lastYRange[1]);
    assertTrue(full.lastCorner == Frame.Corner.UPPER_LEFT || full.lastCorner == Frame.Corner.UPPER_RIGHT, full.lastCorner.toString());
    // a fixed corner stays fixed
    LinePlot fixed = new LinePlot("t", "x", "y").series("a", x, new double[] {0.1, 0.3, 0.5, 0.7, 0.9}, null, null)
        .legendLowerRight(false);
    fixed.render(900, 560);
    assertEquals(Frame.Corner.UPPER_RIGHT, fixed.lastCorner);
  }

  @Test
  void referenceLinesAndDataAreKept() {
    LinePlot p = new LinePlot("t", "epoch", "acc").hline("chance", 0.25).series("one point", new double[] {1}, new double[] {0.5}, null, null)
        .markers().dashed();
    assertEquals(List.of("chance", "one point"), p.legendNames());
    assertArrayEquals(new double[] {0.25}, p.data("chance")[1]);
    assertArrayEquals(new double[] {1}, p.data("one point")[0]);
    assertThrows(IllegalArgumentException.class, () -> p.data("nope"));
    assertThrows(IllegalStateException.class, () -> new LinePlot("t", "x", "y").markers());
    BufferedImage img = p.render(400, 300);
    // the y range spans the reference line and the point
    assertTrue(p.lastYRange[0] < 0.25 && p.lastYRange[1] > 0.5, java.util.Arrays.toString(p.lastYRange));
    assertEquals(400, img.getWidth());
  }
}
