package io.jnas.strategy;

/**
 * A search strategy, ask/tell: {@link #ask()} proposes an architecture (a decision vector of
 * the strategy's {@link io.jnas.space.SearchSpace}); the caller evaluates it and reports the
 * reward with {@link #tell(int[], double)} (higher is better). Strategies are seeded at
 * construction: the same seed and the same rewards give the same proposals.
 *
 * <p>Callers may ask several times before telling (parallel trials); a strategy that needs
 * results first (a controller batch, a population not yet filled) still answers, from its
 * current state. A failed evaluation is reported with {@link #tellFailure(int[])}.
 */
public interface Strategy {
  /** Short name, e.g. {@code random}, {@code evolution}. */
  String name();

  /** The next architecture to evaluate. */
  int[] ask();

  /** Reports the reward of an architecture previously returned by {@link #ask()}. */
  void tell(int[] architecture, double reward);

  /** Reports that an evaluation failed; the default forgets it. */
  default void tellFailure(int[] architecture) {}
}
