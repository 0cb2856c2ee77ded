package io.jnas.space;

import java.util.ArrayList;
import java.util.List;

/**
 * The NAS-Bench-101 space: up to 7 vertices, at most 9 edges, interior ops from
 * {@link Nb101Op}. Decisions 0..20 are the upper-triangular adjacency bits (2 choices each, in
 * {@link Nb101Cell#pair}'s order); decisions 21..25 are the ops of vertices 1..5 (3 choices each,
 * the op's ordinal). A vector is valid when it has at most 9 edges and the output is reachable
 * from the input; vertices off every input-to-output path are pruned, as in the benchmark.
 */
public final class NasBench101Space implements SearchSpace<Nb101Cell> {
  private static final Nb101Op[] OPS = Nb101Op.values();

  @Override
  public String name() {
    return "nb101";
  }

  @Override
  public int numDecisions() {
    return Nb101Cell.PAIRS + Nb101Cell.INTERIOR;
  }

  @Override
  public int numChoices(int i) {
    return i < Nb101Cell.PAIRS ? 2 : OPS.length;
  }

  @Override
  public String decisionName(int i) {
    if (i >= Nb101Cell.PAIRS) return "op " + (i - Nb101Cell.PAIRS + 1);
    for (int a = 0; a < Nb101Cell.VERTICES; a++) {
      for (int b = a + 1; b < Nb101Cell.VERTICES; b++) if (Nb101Cell.pair(a, b) == i) return "edge " + a + "->" + b;
    }
    throw new IllegalArgumentException("nb101: no decision " + i);
  }

  @Override
  public String choiceLabel(int i, int k) {
    return i < Nb101Cell.PAIRS ? (k == 0 ? "no" : "yes") : OPS[k].token();
  }

  /** The 423,624 unique graphs of the benchmark (Ying et al. 2019), fewer than its valid vectors. */
  @Override
  public double log10Architectures() {
    return Math.log10(423_624);
  }

  @Override
  public boolean isValid(int[] decisions) {
    return SearchSpace.super.isValid(decisions) && raw(decisions).isValid();
  }

  @Override
  public Nb101Cell decode(int[] decisions) {
    if (!isValid(decisions)) throw new IllegalArgumentException("nb101: invalid decision vector " + java.util.Arrays.toString(decisions));
    return raw(decisions);
  }

  private static Nb101Cell raw(int[] d) {
    int bits = 0;
    for (int k = 0; k < Nb101Cell.PAIRS; k++) if (d[k] != 0) bits |= 1 << k;
    List<Nb101Op> ops = new ArrayList<>(Nb101Cell.INTERIOR);
    for (int k = 0; k < Nb101Cell.INTERIOR; k++) ops.add(OPS[d[Nb101Cell.PAIRS + k]]);
    return new Nb101Cell(bits, ops);
  }

  @Override
  public int[] encode(Nb101Cell cell) {
    int[] d = new int[numDecisions()];
    for (int k = 0; k < Nb101Cell.PAIRS; k++) d[k] = cell.edges() >>> k & 1;
    for (int k = 0; k < Nb101Cell.INTERIOR; k++) d[Nb101Cell.PAIRS + k] = cell.ops().get(k).ordinal();
    return d;
  }

  /**
   * A random valid vector. Fair coin flips per edge average 10.5 edges and are mostly
   * rejected by the 9-edge limit, so each edge is drawn with probability 9/21 and the draw is
   * rejected until valid. Every valid cell can come out, but not uniformly: cells with about
   * 9 edges are favoured over sparse ones.
   */
  @Override
  public int[] sample(java.util.random.RandomGenerator rng) {
    int[] d = new int[numDecisions()];
    for (int attempt = 0; attempt < 100_000; attempt++) {
      for (int k = 0; k < Nb101Cell.PAIRS; k++) d[k] = rng.nextDouble() < 9.0 / 21 ? 1 : 0;
      for (int k = Nb101Cell.PAIRS; k < d.length; k++) d[k] = rng.nextInt(OPS.length);
      if (isValid(d)) return d;
    }
    throw new IllegalStateException("nb101: no valid architecture found in 100000 random draws");
  }
}
