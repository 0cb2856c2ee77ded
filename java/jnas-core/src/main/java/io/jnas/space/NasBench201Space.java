package io.jnas.space;

import java.util.ArrayList;
import java.util.List;

/**
 * The NAS-Bench-201 space: a 4-node cell with 6 edges, each one of 5 {@link Nb201Op}s, so
 * 5^6 = 15,625 architectures, all valid. Decision {@code e} is the op of edge {@code e} in
 * {@link Nb201Cell}'s order, as the op's ordinal.
 */
public final class NasBench201Space implements SearchSpace<Nb201Cell> {
  private static final Nb201Op[] OPS = Nb201Op.values();

  @Override
  public String name() {
    return "nb201";
  }

  @Override
  public int numDecisions() {
    return Nb201Cell.EDGES;
  }

  @Override
  public int numChoices(int i) {
    return OPS.length;
  }

  @Override
  public String decisionName(int i) {
    return "edge " + Nb201Cell.edgeTo(i) + "<-" + Nb201Cell.edgeFrom(i);
  }

  @Override
  public String choiceLabel(int i, int k) {
    return OPS[k].token();
  }

  @Override
  public Nb201Cell decode(int[] decisions) {
    if (!isValid(decisions)) throw new IllegalArgumentException("nb201: invalid decision vector " + java.util.Arrays.toString(decisions));
    List<Nb201Op> ops = new ArrayList<>(Nb201Cell.EDGES);
    for (int d : decisions) ops.add(OPS[d]);
    return new Nb201Cell(ops);
  }

  @Override
  public int[] encode(Nb201Cell cell) {
    int[] d = new int[Nb201Cell.EDGES];
    for (int e = 0; e < d.length; e++) d[e] = cell.ops().get(e).ordinal();
    return d;
  }

  /** The decision vector of a dense index in {@code [0, 15625)}: the inverse of {@link #index}. */
  public static int[] decisions(int index) {
    int[] d = new int[Nb201Cell.EDGES];
    for (int e = d.length - 1, x = index; e >= 0; e--, x /= OPS.length) d[e] = x % OPS.length;
    return d;
  }

  /** A dense index in {@code [0, 15625)} of a valid vector (base 5, edge 0 most significant). */
  public static int index(int[] decisions) {
    int k = 0;
    for (int d : decisions) k = k * OPS.length + d;
    return k;
  }
}
