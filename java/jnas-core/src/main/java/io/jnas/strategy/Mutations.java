package io.jnas.strategy;

import io.jnas.space.SearchSpace;
import java.util.random.RandomGenerator;

/** Mutation of decision vectors, shared by evolution and Bayesian optimization. */
public final class Mutations {
  private Mutations() {}

  /**
   * A copy of {@code parent} with one decision changed to a different value, valid in
   * {@code space}. Draws (decision, value) pairs until the child is valid; after 1,000 failed
   * draws it falls back to a fresh sample. Decisions with a single choice are never picked.
   */
  public static int[] mutate(SearchSpace<?> space, int[] parent, RandomGenerator rng) {
    int n = space.numDecisions();
    for (int attempt = 0; attempt < 1000; attempt++) {
      int i = rng.nextInt(n);
      int k = space.numChoices(i);
      if (k < 2) continue;
      int v = rng.nextInt(k - 1);
      if (v >= parent[i]) v++;
      int[] child = parent.clone();
      child[i] = v;
      if (space.isValid(child)) return child;
    }
    return space.sample(rng);
  }
}
