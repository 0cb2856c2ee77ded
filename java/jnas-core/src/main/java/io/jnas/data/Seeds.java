package io.jnas.data;

/**
 * Derives independent seeds from (seed, part, part, ...) with the SplitMix64 finalizer, and
 * draws the random permutations that every shuffle in jnas uses.
 */
public final class Seeds {
  private Seeds() {}

  /** A well-mixed 64-bit seed that depends on every argument and their order. */
  public static long mix(long seed, long... parts) {
    long h = fmix(seed ^ 0x9E3779B97F4A7C15L);
    for (long p : parts) h = fmix(h + 0x9E3779B97F4A7C15L + fmix(p + 0x632BE59BD9B4E019L));
    return h;
  }

  /** A uniformly random permutation of 0..n-1 (Fisher-Yates, drawing from {@code rng}). */
  public static int[] permutation(int n, java.util.SplittableRandom rng) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) p[i] = i;
    for (int i = n - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }

  private static long fmix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
