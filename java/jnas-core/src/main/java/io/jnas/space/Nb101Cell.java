package io.jnas.space;

import java.util.ArrayList;
import java.util.List;

/**
 * A NAS-Bench-101 cell on {@value #VERTICES} vertices: vertex 0 is the input, vertex 6 the
 * output, vertices 1..5 carry an {@link Nb101Op}. The edges form an upper-triangular adjacency
 * matrix, stored as bits: bit {@code k} is the {@code k}-th pair {@code (i, j)}, {@code i < j},
 * in row-major order ({@code (0,1), (0,2), ..., (0,6), (1,2), ..., (5,6)}).
 *
 * <p>Vertices that lie on no input-to-output path are unused (NAS-Bench-101 prunes them), so
 * cells with fewer than 7 effective vertices are written with the same record.
 *
 * @param edges the adjacency bits ({@value #PAIRS} of them)
 * @param ops the ops of the interior vertices 1..5, in order
 */
public record Nb101Cell(int edges, List<Nb101Op> ops) {
  /** Number of vertices, input and output included. */
  public static final int VERTICES = 7;
  /** Number of interior vertices (those with an op). */
  public static final int INTERIOR = VERTICES - 2;
  /** Number of upper-triangular pairs: 21. */
  public static final int PAIRS = VERTICES * (VERTICES - 1) / 2;
  /** The benchmark's limit on the number of edges. */
  public static final int MAX_EDGES = 9;

  /** Checks the sizes and copies the list. */
  public Nb101Cell {
    if ((edges >>> PAIRS) != 0) throw new IllegalArgumentException("NB101 cell: edge bits beyond " + PAIRS);
    if (ops == null || ops.size() != INTERIOR) throw new IllegalArgumentException("NB101 cell: needs " + INTERIOR + " ops");
    for (Nb101Op o : ops) if (o == null) throw new IllegalArgumentException("NB101 cell: null op");
    ops = List.copyOf(ops);
  }

  /** The bit index of the pair {@code (i, j)}, {@code i < j}. */
  public static int pair(int i, int j) {
    if (!(0 <= i && i < j && j < VERTICES)) throw new IllegalArgumentException("NB101: no pair (" + i + ", " + j + ")");
    return i * (2 * VERTICES - i - 1) / 2 + (j - i - 1);
  }

  /** Whether the edge {@code i -> j} is present ({@code i < j}). */
  public boolean edge(int i, int j) {
    return (edges >>> pair(i, j) & 1) != 0;
  }

  /** Number of edges. */
  public int numEdges() {
    return Integer.bitCount(edges);
  }

  /** Whether the output is reachable from the input. */
  public boolean connected() {
    boolean[] reach = new boolean[VERTICES];
    reach[0] = true;
    for (int j = 1; j < VERTICES; j++) {
      for (int i = 0; i < j && !reach[j]; i++) reach[j] = reach[i] && edge(i, j);
    }
    return reach[VERTICES - 1];
  }

  /** The vertices on some input-to-output path (the cell NAS-Bench-101 actually builds). */
  public boolean[] usedVertices() {
    boolean[] fwd = new boolean[VERTICES];
    boolean[] bwd = new boolean[VERTICES];
    fwd[0] = true;
    for (int j = 1; j < VERTICES; j++) for (int i = 0; i < j; i++) fwd[j] |= fwd[i] && edge(i, j);
    bwd[VERTICES - 1] = true;
    for (int i = VERTICES - 2; i >= 0; i--) for (int j = i + 1; j < VERTICES; j++) bwd[i] |= bwd[j] && edge(i, j);
    boolean[] used = new boolean[VERTICES];
    for (int v = 0; v < VERTICES; v++) used[v] = fwd[v] && bwd[v];
    return used;
  }

  /** Whether the cell is legal in NAS-Bench-101: at most 9 edges and input connected to output. */
  public boolean isValid() {
    return numEdges() <= MAX_EDGES && connected();
  }

  /** The adjacency matrix, {@code VERTICES x VERTICES}, 1 where an edge is. */
  public int[][] matrix() {
    int[][] m = new int[VERTICES][VERTICES];
    for (int i = 0; i < VERTICES; i++) for (int j = i + 1; j < VERTICES; j++) m[i][j] = edge(i, j) ? 1 : 0;
    return m;
  }

  /** The vertex labels in NAS-Bench-101's spelling: {@code input, ops..., output}. */
  public List<String> labels() {
    List<String> l = new ArrayList<>();
    l.add("input");
    for (Nb101Op o : ops) l.add(o.token());
    l.add("output");
    return l;
  }
}
