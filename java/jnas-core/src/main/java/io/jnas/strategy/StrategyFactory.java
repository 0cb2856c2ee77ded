package io.jnas.strategy;

import io.jnas.space.SearchSpace;

/** Makes a fresh, seeded strategy over a space; an entry of {@link Strategies#registry()}. */
@FunctionalInterface
public interface StrategyFactory {
  /**
   * A new strategy.
   *
   * @throws IllegalArgumentException for a bad parameter, naming it
   */
  Strategy create(SearchSpace<?> space, long seed, StrategyParams params);
}
