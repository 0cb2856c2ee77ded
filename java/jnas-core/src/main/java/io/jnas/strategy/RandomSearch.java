package io.jnas.strategy;

import io.jnas.space.SearchSpace;
import java.util.SplittableRandom;

/** Random search: every ask is an independent {@link SearchSpace#sample} draw. */
public final class RandomSearch implements Strategy {
  private final SearchSpace<?> space;
  private final SplittableRandom rng;

  /** Random search over {@code space}, seeded. */
  public RandomSearch(SearchSpace<?> space, long seed) {
    this.space = space;
    this.rng = new SplittableRandom(seed);
  }

  @Override
  public String name() {
    return "random";
  }

  @Override
  public int[] ask() {
    return space.sample(rng);
  }

  @Override
  public void tell(int[] architecture, double reward) {}
}
