package io.jnas.space;

import io.jnas.genotype.Genotype;

/**
 * A search space whose architectures are the two cells of a DARTS-style final network: every
 * valid decision vector stands for a {@link Genotype} that {@link io.jnas.train.FinalNetwork}
 * builds and {@code jnas train} trains. Multi-trial search ({@code jnas multitrial --space})
 * works on any such space.
 *
 * <p>The decision vector is laid out as the ENAS integer string: for the normal then the
 * reduction cell, per node {@code j}: {@code input1, op1, input2, op2}, inputs in
 * {@code [0, j + 2)}, ops in {@code [0, numOps())}.
 *
 * @param <A> the space's own architecture type
 */
public interface CellSpace<A> extends SearchSpace<A> {
  /** The genotype of an architecture of this space. */
  Genotype genotype(A architecture);

  /** The genotype of a valid decision vector: {@code genotype(decode(decisions))}. */
  default Genotype genotypeOf(int[] decisions) {
    return genotype(decode(decisions));
  }

  /** Nodes (blocks) per cell. */
  int numNodes();

  /** Candidate ops per edge. */
  int numOps();

  /**
   * log10 of the number of distinct pairs of cells, counting a node's two (input, op) pairs as
   * unordered (a node adds them): per node of {@code n = (j + 2) numOps()} pairs,
   * {@code n (n + 1) / 2} choices, per cell, two cells.
   */
  @Override
  default double log10Architectures() {
    double s = 0;
    for (int j = 0; j < numNodes(); j++) {
      double n = (double) (j + 2) * numOps();
      s += Math.log10(n * (n + 1) / 2);
    }
    return 2 * s;
  }
}
