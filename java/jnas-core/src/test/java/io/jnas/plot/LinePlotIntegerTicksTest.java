package io.jnas.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import org.junit.jupiter.api.Test;

/** {@link LinePlot#integerX()}: the x ticks of a query or epoch axis are whole numbers at every length. */
class LinePlotIntegerTicksTest {
  @Test
  void xTicksAreWholeNumbers() {
    for (int k = 1; k <= 400; k++) {
      double[] xr = LinePlot.integerRange(new double[] {1, k});
      for (double t : Frame.ticks(xr[0], xr[1])) assertEquals(Math.rint(t), t, 1e-9, k + " points: tick " + t);
    }
    double[] x = {1, 2, 3};
    assertNotNull(new LinePlot("t", "queries", "y").series("s", x, x, null, null).integerX().render(300, 200));
  }
}
