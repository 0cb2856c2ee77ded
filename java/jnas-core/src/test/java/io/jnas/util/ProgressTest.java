package io.jnas.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The progress line's text, with a fake clock: first update shown, loop time left, whole-run ETA. */
class ProgressTest {
  private static final long S = 1_000_000_000L;

  @Test
  void durationsUseTheirTwoLargestUnits() {
    assertEquals("4 d 3 h", Progress.duration(4 * 86400 + 3 * 3600 + 59));
    assertEquals("3 h 12 min", Progress.duration(3 * 3600 + 12 * 60 + 5));
    assertEquals("12 min 5 s", Progress.duration(12 * 60 + 5));
    assertEquals("42 s", Progress.duration(42));
    assertEquals("?", Progress.duration(Double.NaN));
    assertEquals("1:02:03", Progress.time(3723));
  }

  @Test
  void firstUpdateIsShownAndTheRunEtaCoversEveryEpoch() {
    AtomicLong now = new AtomicLong(0);
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8);
    // 150 epochs of 100 steps; 10 s per step
    Progress.Run run = new Progress.Run(150 * 100, now::get);
    Progress p = new Progress(out, "epoch 1/150", 100, "img", false, 60, now::get).run(run);
    now.set(10 * S);
    run.add(1);
    p.update(1, 32, "loss 2.300");
    String first = buf.toString(StandardCharsets.UTF_8);
    // one step of 10 s: the epoch has 99 x 10 s left, the run 14999 x 10 s = 1 d 17 h 40 min
    assertEquals("epoch 1/150 [....................] 1/100 3 img/s loss 2.300, left 16:30, run ETA 1 d 17 h\n", first);
    // the next update within the interval is not printed (not a terminal)
    now.set(20 * S);
    run.add(1);
    p.update(2, 64, "loss 2.2");
    assertEquals(first, buf.toString(StandardCharsets.UTF_8));
    // the last one always is
    now.set(1000 * S);
    run.add(98);
    p.update(100, 3200, "loss 1.9");
    String last = buf.toString(StandardCharsets.UTF_8).substring(first.length());
    assertTrue(last.startsWith("epoch 1/150 [####################] 100/100 3 img/s loss 1.9, in 16:40, run ETA 1 d 17 h"), last);
  }

  @Test
  void slowUnitsReadAsSecondsEach() {
    java.util.concurrent.atomic.AtomicLong now = new java.util.concurrent.atomic.AtomicLong();
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    Progress p = new Progress(new PrintStream(buf, true, StandardCharsets.UTF_8), "verify", 9, "arch", false, 60, now::get);
    now.set(25_000_000_000L);  // 4 architectures in 25 s
    p.update(4, 4, "last 0.870");
    assertTrue(buf.toString(StandardCharsets.UTF_8).startsWith("verify [########............] 4/9 6.3 s/arch last 0.870, left 0:31"),
        buf.toString(StandardCharsets.UTF_8));
  }
}
