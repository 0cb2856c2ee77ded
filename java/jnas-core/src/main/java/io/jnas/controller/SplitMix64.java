package io.jnas.controller;

import java.util.random.RandomGenerator;

/**
 * A seeded SplitMix64 generator whose whole state is one {@code long} ({@link #state()}), so a
 * checkpoint can store it and a resumed run draws the same numbers. Its algorithm is fixed
 * here, not left to the JDK. The derived draws ({@code nextDouble}, {@code nextInt(bound)})
 * are {@link RandomGenerator}'s defaults.
 */
public final class SplitMix64 implements RandomGenerator {
  private long state;

  /** A generator seeded with {@code seed}. */
  public SplitMix64(long seed) {
    this.state = seed;
  }

  @Override
  public long nextLong() {
    long z = (state += 0x9E3779B97F4A7C15L);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** The whole state. */
  public long state() {
    return state;
  }

  /** Restores a state from {@link #state()}. */
  public void setState(long s) {
    this.state = s;
  }
}
