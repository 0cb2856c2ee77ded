package io.jnas.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Tick placement of the log axis: a narrow range still gets several labelled ticks. */
class FrameTest {
  @Test
  void logTicksDependOnTheSpan() {
    // 11k .. 45k, under one decade: every digit
    assertEquals(List.of(20_000.0, 30_000.0, 40_000.0), round(Frame.logTicks(Math.log10(11_000), Math.log10(45_000))));
    // 5k .. 2M, between one and three decades: 1, 2, 5
    assertEquals(List.of(5e3, 1e4, 2e4, 5e4, 1e5, 2e5, 5e5, 1e6, 2e6), round(Frame.logTicks(Math.log10(5e3), Math.log10(2e6))));
    // 1 .. 1e6: decades only
    assertEquals(List.of(1.0, 10.0, 100.0, 1e3, 1e4, 1e5, 1e6), round(Frame.logTicks(0, 6)));
    assertEquals("20k", Frame.fmtLog(20_000));
  }

  private static List<Double> round(List<Double> v) {
    return v.stream().map(x -> (double) Math.round(x)).toList();
  }
}
