package io.jnas.space;

import java.util.random.RandomGenerator;

/**
 * A search space written as a fixed-length vector of decisions: an architecture is an
 * {@code int[]} of length {@link #numDecisions()} whose entry {@code i} lies in
 * {@code [0, numChoices(i))}. Every strategy works on this encoding, so one strategy serves
 * every space (NAS-Bench-201, NAS-Bench-101, ENAS micro, ...).
 *
 * <p>Some vectors may be invalid (for example a NAS-Bench-101 graph with too many edges);
 * {@link #isValid(int[])} says so, and strategies only propose valid ones.
 *
 * @param <A> the space's own architecture type (a genotype, a cell)
 */
public interface SearchSpace<A> {
  /** Short name, e.g. {@code nb201}. */
  String name();

  /** Length of the decision vector. */
  int numDecisions();

  /** Number of choices of decision {@code i} (at least 1). */
  int numChoices(int i);

  /** A readable label of decision {@code i} (e.g. {@code "edge 1<-0"}), for logs and plots. */
  default String decisionName(int i) {
    return "d" + i;
  }

  /** A readable label of choice {@code k} of decision {@code i} (an op's name, an input state); {@code "k"} by default. */
  default String choiceLabel(int i, int k) {
    return String.valueOf(k);
  }

  /** Whether the vector has the right length, in-range entries, and satisfies the space's rules. */
  default boolean isValid(int[] decisions) {
    if (decisions == null || decisions.length != numDecisions()) return false;
    for (int i = 0; i < decisions.length; i++) {
      if (decisions[i] < 0 || decisions[i] >= numChoices(i)) return false;
    }
    return true;
  }

  /** The architecture a valid vector stands for. */
  A decode(int[] decisions);

  /** The vector of an architecture; {@code decode(encode(a))} equals {@code a}. */
  int[] encode(A architecture);

  /** A uniformly random valid vector (rejection sampling by default). */
  default int[] sample(RandomGenerator rng) {
    int[] d = new int[numDecisions()];
    for (int attempt = 0; attempt < 100_000; attempt++) {
      for (int i = 0; i < d.length; i++) d[i] = rng.nextInt(numChoices(i));
      if (isValid(d)) return d;
    }
    throw new IllegalStateException(name() + ": no valid architecture found in 100000 random draws");
  }

  /**
   * log10 of the number of distinct vectors (valid or not): the sum of log10 of every decision's
   * choices. Spaces where some vectors are invalid, or where two vectors stand for one
   * architecture, hold fewer architectures.
   */
  default double log10Vectors() {
    double s = 0;
    for (int i = 0; i < numDecisions(); i++) s += Math.log10(numChoices(i));
    return s;
  }

  /**
   * log10 of the number of distinct architectures: {@link #log10Vectors()} unless the space
   * knows better (a cell space counts a node's two inputs as unordered).
   */
  default double log10Architectures() {
    return log10Vectors();
  }

  /**
   * Number of distinct vectors (valid or not), or -1 where it exceeds {@code Long.MAX_VALUE}.
   */
  default long cardinality() {
    long n = 1;
    for (int i = 0; i < numDecisions(); i++) {
      try {
        n = Math.multiplyExact(n, numChoices(i));
      } catch (ArithmeticException e) {
        return -1;
      }
    }
    return n;
  }
}
