package io.jnas.util;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * A progress bar for long loops, on standard error: done/total, rate, a free-form status
 * (loss, accuracy), the time left of this loop and, where a {@link Run} is attached, the time
 * left of the whole run ({@code run ETA 4 d 3 h}). The first update is always printed, so a
 * slow first step is never silence. After that, on a terminal it redraws one line; elsewhere
 * (CI, a pipe) it prints a line at most every {@code intervalSeconds}, and always at the end.
 *
 * <p>The clock is injectable ({@link LongSupplier} of nanoseconds) so that the text can be
 * tested without waiting.
 */
public final class Progress {
  private final PrintStream out;
  private final String label;
  private final long total;
  private final String unit;
  private final boolean tty;
  private final LongSupplier clock;
  private final long start;
  private final double intervalSeconds;
  private Run run;
  private boolean printed;
  private long lastPrint;
  private long unitsDone;

  /**
   * The remaining time of a whole run made of many loops (epochs): the work left, in any unit
   * (steps, weighted steps), divided by the rate measured since this object was made.
   */
  public static final class Run {
    private final long total;
    private final LongSupplier clock;
    private final long start;
    private long done;

    /** A run with {@code totalWork} units of work left, timed by the system clock. */
    public Run(long totalWork) {
      this(totalWork, System::nanoTime);
    }

    /** As above, with a clock in nanoseconds. */
    public Run(long totalWork, LongSupplier clock) {
      this.total = Math.max(1, totalWork);
      this.clock = clock;
      this.start = clock.getAsLong();
    }

    /** Reports {@code units} more units of work done. */
    public void add(long units) {
      done += units;
    }

    /** Units done so far. */
    public long done() {
      return done;
    }

    /** Seconds left at the rate so far (NaN before any work is done). */
    public double secondsLeft() {
      if (done <= 0) return Double.NaN;
      double secs = (clock.getAsLong() - start) / 1e9;
      return secs * Math.max(0, total - done) / done;
    }
  }

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
    this(out, label, total, unit, tty, intervalSeconds, System::nanoTime);
  }

  /** As above, with a clock in nanoseconds (for tests). */
  public Progress(PrintStream out, String label, long total, String unit, boolean tty, double intervalSeconds,
      LongSupplier clock) {
    this.out = out;
    this.label = label;
    this.total = Math.max(1, total);
    this.unit = unit;
    this.tty = tty;
    this.intervalSeconds = intervalSeconds;
    this.clock = clock;
    this.start = clock.getAsLong();
    this.lastPrint = start;
  }

  /** Attaches the whole run's clock: each line then ends with {@code run ETA ...}. Returns this. */
  public Progress run(Run r) {
    this.run = r;
    return this;
  }

  /** Reports that {@code done} of {@code total} steps are finished, having processed {@code units} units in all. */
  public void update(long done, long units, String status) {
    unitsDone = units;
    long now = clock.getAsLong();
    boolean last = done >= total;
    if (printed && !last && (now - lastPrint) < (tty ? 0.2 : intervalSeconds) * 1e9) return;
    printed = true;
    lastPrint = now;
    String line = line(done, status, now);
    out.print(tty ? "\r" + line + "\u001b[K" + (last ? "\n" : "") : line + "\n");
    out.flush();
  }

  /**
   * The text of one update: label, bar, done/total, rate, status, this loop's time left (or
   * taken, at the end) and, with a {@link Run}, the run's time left.
   */
  String line(long done, String status, long now) {
    double secs = (now - start) / 1e9;
    double rate = secs > 0 ? unitsDone / secs : 0;
    boolean last = done >= total;
    double left = done > 0 ? secs * (total - done) / done : Double.NaN;
    // below one unit a second the rate reads as seconds per unit ("6.2 s/arch", not "0 arch/s")
    String speed = rate > 0 && rate < 0.95 ? String.format(Locale.ROOT, "%.1f s/%s", 1 / rate, unit)
        : String.format(Locale.ROOT, "%.0f %s/s", rate, unit);
    StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%s %s %d/%d %s", label, bar(done), done, total, speed));
    if (status != null && !status.isBlank()) sb.append(' ').append(status.strip());
    sb.append(last ? ", in " + time(secs) : ", left " + time(left));
    if (run != null) sb.append(", run ETA ").append(duration(run.secondsLeft()));
    return sb.toString();
  }

  /** Seconds since this bar was created. */
  public double elapsedSeconds() {
    return (clock.getAsLong() - start) / 1e9;
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

  /**
   * Formats a long duration by its two largest units: {@code 4 d 3 h}, {@code 3 h 12 min},
   * {@code 12 min 5 s}, {@code 42 s}; {@code ?} where unknown.
   */
  public static String duration(double seconds) {
    if (!Double.isFinite(seconds) || seconds < 0) return "?";
    long s = Math.round(seconds);
    if (s >= 86400) return String.format(Locale.ROOT, "%d d %d h", s / 86400, s / 3600 % 24);
    if (s >= 3600) return String.format(Locale.ROOT, "%d h %d min", s / 3600, s / 60 % 60);
    if (s >= 60) return String.format(Locale.ROOT, "%d min %d s", s / 60, s % 60);
    return s + " s";
  }
}
