package io.jnas.data;

/** Derives independent seeds from (seed, part, part, ...) with the SplitMix64 finalizer. */
public final class Seeds {
  private Seeds() {}

  /** A well-mixed 64-bit seed that depends on every argument and their order. */
  public static long mix(long seed, long... parts) {
    long h = fmix(seed ^ 0x9E3779B97F4A7C15L);
    for (long p : parts) h = fmix(h + 0x9E3779B97F4A7C15L + fmix(p + 0x632BE59BD9B4E019L));
    return h;
  }

  private static long fmix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
