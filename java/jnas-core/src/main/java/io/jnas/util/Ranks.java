package io.jnas.util;

import java.util.Arrays;

/**
 * Rank statistics for judging how well one score orders architectures the way another does
 * (shared-weight accuracy against from-scratch accuracy; a proxy against a benchmark table).
 */
public final class Ranks {
  private Ranks() {}

  /**
   * Kendall's τ-b between {@code a} and {@code b} (paired, same length): concordant minus
   * discordant pairs over the square root of the product of the pairs not tied in each
   * ({@code (nc - nd) / sqrt((n0 - t_a) (n0 - t_b))}), so ties do not count as agreement.
   * O(n²), fine for the hundreds of architectures it is used on.
   *
   * @return τ-b in [-1, 1]; NaN where either side is constant or fewer than two pairs are given
   */
  public static double kendallTau(double[] a, double[] b) {
    check(a, b);
    long concordant = 0, discordant = 0, tiesA = 0, tiesB = 0, pairs = 0;
    for (int i = 0; i < a.length; i++) {
      for (int j = i + 1; j < a.length; j++) {
        double da = Math.signum(a[i] - a[j]), db = Math.signum(b[i] - b[j]);
        pairs++;
        if (da == 0) tiesA++;
        if (db == 0) tiesB++;
        if (da == 0 || db == 0) continue;
        if (da == db) concordant++;
        else discordant++;
      }
    }
    double den = Math.sqrt((double) (pairs - tiesA) * (pairs - tiesB));
    return den == 0 ? Double.NaN : (concordant - discordant) / den;
  }

  /**
   * Spearman's ρ between {@code a} and {@code b}: Pearson's correlation of their ranks (ties get
   * the mean of the ranks they span).
   *
   * @return ρ in [-1, 1]; NaN where either side is constant
   */
  public static double spearman(double[] a, double[] b) {
    check(a, b);
    return pearson(ranks(a), ranks(b));
  }

  /** Ranks 1..n of {@code v} in ascending order, ties sharing the mean of their ranks. */
  public static double[] ranks(double[] v) {
    Integer[] idx = new Integer[v.length];
    for (int i = 0; i < idx.length; i++) idx[i] = i;
    Arrays.sort(idx, (p, q) -> Double.compare(v[p], v[q]));
    double[] r = new double[v.length];
    for (int i = 0; i < idx.length;) {
      int j = i;
      while (j + 1 < idx.length && v[idx[j + 1]] == v[idx[i]]) j++;
      double mean = (i + j) / 2.0 + 1;
      for (int k = i; k <= j; k++) r[idx[k]] = mean;
      i = j + 1;
    }
    return r;
  }

  /** Pearson's correlation; NaN where either side is constant. */
  public static double pearson(double[] a, double[] b) {
    check(a, b);
    double ma = Arrays.stream(a).average().orElse(0), mb = Arrays.stream(b).average().orElse(0);
    double sab = 0, saa = 0, sbb = 0;
    for (int i = 0; i < a.length; i++) {
      sab += (a[i] - ma) * (b[i] - mb);
      saa += (a[i] - ma) * (a[i] - ma);
      sbb += (b[i] - mb) * (b[i] - mb);
    }
    return saa == 0 || sbb == 0 ? Double.NaN : sab / Math.sqrt(saa * sbb);
  }

  /**
   * Where {@code x} stands among {@code others}: the fraction of them it beats, ties counting
   * half (1: better than all, 0: worse than all, 0.5: the median).
   */
  public static double fractionBeaten(double x, double[] others) {
    if (others.length == 0) return Double.NaN;
    double s = 0;
    for (double o : others) s += x > o ? 1 : x == o ? 0.5 : 0;
    return s / others.length;
  }

  /** The rank of {@code x} among {@code others} and itself: 1 + how many of them are strictly better. */
  public static int rankAmong(double x, double[] others) {
    int r = 1;
    for (double o : others) if (o > x) r++;
    return r;
  }

  private static void check(double[] a, double[] b) {
    if (a.length != b.length) throw new IllegalArgumentException("paired scores of different lengths: " + a.length + " and " + b.length);
  }
}
