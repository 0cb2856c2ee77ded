package io.jnas.util;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A progress bar for long loops, on standard error: done/total, rate, a free-form status
 * (loss, accuracy) and the time left. On a terminal it redraws one line; elsewhere (CI, a
 * pipe) it prints a line at most every {@code intervalSeconds}, and always at the end.
 */
public final class Progress {
  private final PrintStream out;
  private final String label;
  private final long total;
  private final String unit;
  private final boolean tty;
  private final long start = System.nanoTime();
  private final double intervalSeconds;
  private long lastPrint;
  private long unitsDone;

  /**
   * @param out where to draw (usually System.err)
   * @param label shown first, e.g. "epoch 3/150"
   * @param total number of steps
   * @param unit what the rate counts, e.g. "img"
   */
  public Progress(PrintStream out, String label, long total, String unit) {
    this(out, label, total, unit, System.console() != null, 10);
  }

  /** As above, with the terminal mode and the print interval for non-terminals given. */
  public Progress(PrintStream out, String label, long total, String unit, boolean tty, double intervalSeconds) {
    this.out = out;
    this.label = label;
    this.total = Math.max(1, total);
    this.unit = unit;
    this.tty = tty;
    this.intervalSeconds = intervalSeconds;
    this.lastPrint = start;
  }

  /** Reports that {@code done} of {@code total} steps are finished, having processed {@code units} units in all. */
  public void update(long done, long units, String status) {
    unitsDone = units;
    long now = System.nanoTime();
    boolean last = done >= total;
    if (!last && (now - lastPrint) < (tty ? 0.2 : intervalSeconds) * 1e9) return;
    lastPrint = now;
    double secs = (now - start) / 1e9;
    double rate = secs > 0 ? units / secs : 0;
    double left = done > 0 ? secs * (total - done) / done : Double.NaN;
    String line = String.format(Locale.ROOT, "%s %s %d/%d %.0f %s/s %s %s", label, bar(done), done, total, rate, unit,
        status == null ? "" : status, last ? "in " + time(secs) : "left " + time(left));
    if (tty) {
      out.print("\r" + line + "\u001b[K" + (last ? "\n" : ""));
    } else {
      out.println(line);
    }
    out.flush();
  }

  /** Seconds since this bar was created. */
  public double elapsedSeconds() {
    return (System.nanoTime() - start) / 1e9;
  }

  /** Units per second so far. */
  public double rate() {
    double s = elapsedSeconds();
    return s > 0 ? unitsDone / s : 0;
  }

  private String bar(long done) {
    int width = 20;
    int fill = (int) Math.min(width, done * width / total);
    return "[" + "#".repeat(fill) + ".".repeat(width - fill) + "]";
  }

  /** Formats seconds as h:mm:ss or m:ss. */
  public static String time(double seconds) {
    if (!Double.isFinite(seconds)) return "?";
    long s = Math.round(seconds);
    return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
        : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
  }
}
