package io.jnas.space;

import java.util.ArrayList;
import java.util.List;

/**
 * A NAS-Bench-201 cell: a 4-node DAG whose 6 edges {@code j -> i} ({@code j < i}) each carry one
 * {@link Nb201Op}. Edges are listed in the benchmark's order: {@code 1<-0, 2<-0, 2<-1, 3<-0,
 * 3<-1, 3<-2}. Round-trips to the benchmark's cell string with {@link #toString()} and
 * {@link #parse(String)}, e.g.
 * {@code |nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|}.
 *
 * @param ops the op of each of the 6 edges, in the order above
 */
public record Nb201Cell(List<Nb201Op> ops) {
  /** Number of edges of the cell. */
  public static final int EDGES = 6;

  /** Number of nodes of the cell (node 0 is the input, node 3 the output). */
  public static final int NODES = 4;

  /** Checks the edge count and copies the list. */
  public Nb201Cell {
    if (ops == null || ops.size() != EDGES) {
      throw new IllegalArgumentException("an NB201 cell has " + EDGES + " edges, got " + (ops == null ? "null" : ops.size()));
    }
    for (Nb201Op o : ops) if (o == null) throw new IllegalArgumentException("an NB201 cell's op is null");
    ops = List.copyOf(ops);
  }

  /** Target node of edge {@code e} (1, 2, 2, 3, 3, 3). */
  public static int edgeTo(int e) {
    return e < 1 ? 1 : e < 3 ? 2 : 3;
  }

  /** Source node of edge {@code e} (0, 0, 1, 0, 1, 2). */
  public static int edgeFrom(int e) {
    return e < 1 ? e : e < 3 ? e - 1 : e - 3;
  }

  /** The cell string of the benchmark. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    for (int e = 0; e < EDGES; e++) {
      if (e > 0 && edgeFrom(e) == 0) sb.append('+');
      sb.append('|').append(ops.get(e).token()).append('~').append(edgeFrom(e));
      if (edgeFrom(e) == edgeTo(e) - 1) sb.append('|');
    }
    return sb.toString();
  }

  /**
   * Parses a cell string.
   *
   * @throws IllegalArgumentException naming the character position (0-based) and what was expected
   */
  public static Nb201Cell parse(String s) {
    if (s == null) throw new IllegalArgumentException("NB201 cell string: null");
    List<Nb201Op> ops = new ArrayList<>();
    int pos = 0;
    for (int node = 1; node < NODES; node++) {
      if (node > 1) pos = expect(s, pos, '+');
      pos = expect(s, pos, '|');
      for (int j = 0; j < node; j++) {
        int tilde = s.indexOf('~', pos);
        int bar = s.indexOf('|', pos);
        if (tilde < 0 || (bar >= 0 && bar < tilde)) {
          throw error(s, pos, "an op followed by '~" + j + "'");
        }
        String tok = s.substring(pos, tilde);
        Nb201Op op = Nb201Op.ofToken(tok);
        if (op == null) throw error(s, pos, "one of none, skip_connect, nor_conv_1x1, nor_conv_3x3, avg_pool_3x3, got '" + tok + "'");
        pos = tilde + 1;
        int end = pos;
        while (end < s.length() && Character.isDigit(s.charAt(end))) end++;
        if (end == pos) throw error(s, pos, "the source node " + j);
        int from;
        try {
          from = Integer.parseInt(s.substring(pos, end));
        } catch (NumberFormatException e) {
          throw error(s, pos, "the source node " + j);
        }
        if (from != j) throw error(s, pos, "the source node " + j + " of node " + node + ", got " + from);
        pos = expect(s, end, '|');
        ops.add(op);
      }
    }
    if (pos != s.length()) throw error(s, pos, "the end of the string");
    return new Nb201Cell(ops);
  }

  private static int expect(String s, int pos, char c) {
    if (pos >= s.length() || s.charAt(pos) != c) throw error(s, pos, "'" + c + "'");
    return pos + 1;
  }

  private static IllegalArgumentException error(String s, int pos, String expected) {
    String got = pos >= s.length() ? "the end" : "'" + s.charAt(pos) + "'";
    return new IllegalArgumentException(
        "NB201 cell string '" + s + "': at position " + pos + " (" + got + "): expected " + expected);
  }
}
