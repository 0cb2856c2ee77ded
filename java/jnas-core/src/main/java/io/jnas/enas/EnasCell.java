package io.jnas.enas;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An ENAS micro cell: {@code B} nodes, node {@code j} reading two of the ENAS indices
 * {@code 0 .. j+1} (0 and 1 are the cell inputs c_{k-2} and c_{k-1}; {@code 2+i} is node
 * {@code i}). The cell's output c_k concatenates every index that no node reads, cell inputs
 * included, as the official code does ({@code micro_child.py}: {@code used == 0}).
 *
 * <p>As integers a cell is {@code 4 B} numbers, {@code index_1 op_1 index_2 op_2} per node.
 *
 * @param nodes the nodes in order (at least one); copied, unmodifiable
 */
public record EnasCell(List<EnasNode> nodes) {
  /** Checks every input refers to a cell input or an earlier node. */
  public EnasCell {
    if (nodes == null || nodes.isEmpty()) throw new IllegalArgumentException("a cell needs at least one node");
    nodes = List.copyOf(nodes);
    for (int j = 0; j < nodes.size(); j++) {
      EnasNode n = nodes.get(j);
      if (n.input1() > j + 1 || n.input2() > j + 1) {
        throw new IllegalArgumentException("node " + j + ": inputs " + n.input1() + ", " + n.input2()
            + " out of range [0, " + (j + 1) + "] (0, 1 = cell inputs, 2.. = earlier nodes)");
      }
    }
  }

  /** Number of nodes {@code B}. */
  public int numNodes() {
    return nodes.size();
  }

  /** How many nodes read each ENAS index {@code 0 .. B+1} (a node reading one index twice counts twice). */
  public int[] useCounts() {
    int[] used = new int[nodes.size() + 2];
    for (EnasNode n : nodes) {
      used[n.input1()]++;
      used[n.input2()]++;
    }
    return used;
  }

  /**
   * The ENAS indices that no node reads, ascending: what c_k concatenates. Includes a cell
   * input (0 or 1) that no node reads, as the official code does; never empty (the last node
   * is always unread).
   */
  public List<Integer> outputIndices() {
    int[] used = useCounts();
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < used.length; i++) if (used[i] == 0) out.add(i);
    return out;
  }

  /** The nodes ({@code 0 .. B-1}, not ENAS indices) that no other node reads, ascending. */
  public List<Integer> unusedNodes() {
    int[] used = useCounts();
    List<Integer> out = new ArrayList<>();
    for (int j = 0; j < nodes.size(); j++) if (used[j + 2] == 0) out.add(j);
    return out;
  }

  /** The cell's {@code 4 B} ENAS integers. */
  public int[] toInts() {
    int[] a = new int[4 * nodes.size()];
    for (int j = 0; j < nodes.size(); j++) {
      EnasNode n = nodes.get(j);
      a[4 * j] = n.input1();
      a[4 * j + 1] = n.op1().id();
      a[4 * j + 2] = n.input2();
      a[4 * j + 3] = n.op2().id();
    }
    return a;
  }

  /**
   * A cell of {@code numNodes} nodes from {@code a[offset .. offset + 4 numNodes)}.
   *
   * @throws IllegalArgumentException naming the integer's index in {@code a} and the reason
   */
  public static EnasCell fromInts(int[] a, int offset, int numNodes, String cellName) {
    if (offset + 4 * numNodes > a.length) {
      throw new IllegalArgumentException("wrong count: the " + cellName + " cell needs " + 4 * numNodes
          + " integers from index " + offset + ", only " + (a.length - offset) + " given");
    }
    List<EnasNode> nodes = new ArrayList<>(numNodes);
    for (int j = 0; j < numNodes; j++) {
      int p = offset + 4 * j;
      for (int k = 0; k < 4; k++) {
        int v = a[p + k];
        if (k % 2 == 0) {
          if (v < 0 || v > j + 1) {
            throw new IllegalArgumentException("integer " + (p + k) + ": input " + v + " out of range for node " + j
                + " of the " + cellName + " cell (allowed 0.." + (j + 1) + ")");
          }
        } else if (v < 0 || v >= EnasOp.count()) {
          throw new IllegalArgumentException("integer " + (p + k) + ": op id " + v + " out of range (allowed 0.."
              + (EnasOp.count() - 1) + ")");
        }
      }
      nodes.add(EnasNode.of(a[p], a[p + 1], a[p + 2], a[p + 3]));
    }
    return new EnasCell(nodes);
  }

  /** JSON-ready form: a list of {@code {"input1", "op1", "input2", "op2"}} objects, ops by label. */
  public List<Object> toJsonList() {
    List<Object> l = new ArrayList<>();
    for (EnasNode n : nodes) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("input1", n.input1());
      m.put("op1", n.op1().label());
      m.put("input2", n.input2());
      m.put("op2", n.op2().label());
      l.add(m);
    }
    return l;
  }

  /**
   * The cell of {@link #toJsonList()}'s form (as parsed by {@link io.jnas.util.Json}).
   *
   * @throws IllegalArgumentException naming the node and field that is missing or wrong
   */
  public static EnasCell fromJsonList(Object value, String cellName) {
    if (!(value instanceof List<?> l)) throw new IllegalArgumentException(cellName + ": expected a list of nodes");
    List<EnasNode> nodes = new ArrayList<>();
    for (int j = 0; j < l.size(); j++) {
      if (!(l.get(j) instanceof Map<?, ?> m)) {
        throw new IllegalArgumentException(cellName + " node " + j + ": expected an object");
      }
      nodes.add(new EnasNode(intField(m, "input1", cellName, j), opField(m, "op1", cellName, j),
          intField(m, "input2", cellName, j), opField(m, "op2", cellName, j)));
    }
    try {
      return new EnasCell(nodes);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(cellName + ": " + e.getMessage(), e);
    }
  }

  private static int intField(Map<?, ?> m, String key, String cell, int j) {
    Object v = m.get(key);
    if (!(v instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
      throw new IllegalArgumentException(cell + " node " + j + ": '" + key + "' must be an integer, got " + v);
    }
    return n.intValue();
  }

  private static EnasOp opField(Map<?, ?> m, String key, String cell, int j) {
    Object v = m.get(key);
    try {
      if (v instanceof String s) return EnasOp.fromLabel(s);
      if (v instanceof Number n) return EnasOp.fromId(n.intValue());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(cell + " node " + j + ": '" + key + "': " + e.getMessage(), e);
    }
    throw new IllegalArgumentException(cell + " node " + j + ": '" + key + "' must be an op label, got " + v);
  }

  /** Name of ENAS index {@code i} in readable forms: {@code c_{k-2}}, {@code c_{k-1}}, {@code n0}, ... */
  public static String indexName(int i) {
    return i == 0 ? "c_{k-2}" : i == 1 ? "c_{k-1}" : "n" + (i - 2);
  }
}
