package io.jnas.train;

/**
 * Cosine learning rate with warm restarts (SGDR, Loshchilov and Hutter), as ENAS uses it:
 * within a period of {@code T_i} epochs the rate falls from {@code max} to {@code min} along a
 * half cosine; then it restarts at {@code max} with the period multiplied by {@code tMul}.
 * The rate is constant within an epoch (ENAS computes it from the integer epoch).
 *
 * @param max rate at the start of each period
 * @param min rate at the end of each period
 * @param t0 first period, in epochs
 * @param tMul period growth factor
 */
public record CosineSchedule(double max, double min, int t0, int tMul) {
  /** Checks the arguments. */
  public CosineSchedule {
    if (!(max > 0 && Double.isFinite(max))) throw new IllegalArgumentException("lr max is " + max + ", expected a positive number");
    if (!(min >= 0 && min <= max)) throw new IllegalArgumentException("lr min is " + min + ", expected a number in [0, lr max]");
    if (t0 < 1) throw new IllegalArgumentException("lr T0 is " + t0 + ", expected at least 1");
    if (tMul < 1) throw new IllegalArgumentException("lr Tmul is " + tMul + ", expected at least 1");
  }

  /** The ENAS micro search schedule: 0.05 to 5e-4, T0 = 10, Tmul = 2. */
  public static CosineSchedule enasSearch() {
    return new CosineSchedule(0.05, 5e-4, 10, 2);
  }

  /** Learning rate of epoch {@code epoch} (from 0). */
  public double at(int epoch) {
    if (epoch < 0) throw new IllegalArgumentException("epoch is " + epoch + ", expected 0 or more");
    long start = 0, period = t0;
    while (epoch >= start + period) {
      start += period;
      period *= tMul;
    }
    double tCur = epoch - start;
    return min + 0.5 * (max - min) * (1 + Math.cos(Math.PI * tCur / period));
  }

  /**
   * One cosine period over a whole run, per step (no restarts): {@code max} at step 0 down to
   * {@code min} at step {@code total}.
   */
  public static double annealed(double max, double min, long step, long total) {
    return min + (max - min) * 0.5 * (1 + Math.cos(Math.PI * step / total));
  }
}
