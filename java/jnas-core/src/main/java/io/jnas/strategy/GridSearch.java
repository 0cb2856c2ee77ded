package io.jnas.strategy;

import io.jnas.space.SearchSpace;
import java.util.NoSuchElementException;

/**
 * Grid search: enumerates every valid vector once, in lexicographic order (the last decision
 * varies fastest). Deterministic, so it takes no seed. Spaces with more than a size limit of
 * vectors are refused at construction.
 */
public final class GridSearch implements Strategy {
  /** The default limit on the number of vectors (valid or not) of a space. */
  public static final long DEFAULT_LIMIT = 10_000_000L;

  private final SearchSpace<?> space;
  private final int[] next;
  private boolean done;

  /** Grid search with {@link #DEFAULT_LIMIT}. */
  public GridSearch(SearchSpace<?> space) {
    this(space, DEFAULT_LIMIT);
  }

  /**
   * Grid search over {@code space}.
   *
   * @throws IllegalArgumentException where the space has more than {@code limit} vectors
   */
  public GridSearch(SearchSpace<?> space, long limit) {
    long n = space.cardinality();
    if (n < 0 || n > limit) {
      throw new IllegalArgumentException("grid: space " + space.name() + " has "
          + (n < 0 ? "more than 2^63" : String.valueOf(n)) + " vectors, over the grid limit of " + limit
          + "; use random, evolution or bo");
    }
    this.space = space;
    this.next = new int[space.numDecisions()];
    this.done = !advanceToValid();
  }

  @Override
  public String name() {
    return "grid";
  }

  /** Whether some valid vector has not been proposed yet. */
  public boolean hasNext() {
    return !done;
  }

  /**
   * The next valid vector in order.
   *
   * @throws NoSuchElementException once every valid vector has been proposed
   */
  @Override
  public int[] ask() {
    if (done) throw new NoSuchElementException("grid: all valid vectors of " + space.name() + " have been proposed");
    int[] out = next.clone();
    done = !increment() || !advanceToValid();
    return out;
  }

  @Override
  public void tell(int[] architecture, double reward) {}

  /** Odometer step; false after the last vector. */
  private boolean increment() {
    for (int i = next.length - 1; i >= 0; i--) {
      if (++next[i] < space.numChoices(i)) return true;
      next[i] = 0;
    }
    return false;
  }

  /** Moves to the first valid vector at or after the cursor; false where none is left. */
  private boolean advanceToValid() {
    while (!space.isValid(next)) {
      if (!increment()) return false;
    }
    return true;
  }
}
