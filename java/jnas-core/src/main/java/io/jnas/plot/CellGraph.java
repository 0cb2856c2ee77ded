package io.jnas.plot;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A cell as a picture sees it, free of any search space's types: input states, nodes that sum
 * labelled edges from earlier states, and the states whose concat is the cell's output.
 *
 * <p>States are numbered in order: inputs {@code 0 .. I-1}, then node {@code j} is state
 * {@code I + j}. An input of node {@code j} reads a state below {@code I + j}. A name may carry
 * one subscript written {@code base_{sub}} (e.g. {@code c_{k-2}}); the renderer draws it as
 * smaller, lowered text, and {@link #plain(String)} writes it as {@code c[k-2]}.
 *
 * @param title a caption above the picture, or null for none
 * @param inputs names of the input states, drawn top to bottom on the left (at least one)
 * @param nodes the nodes in order; copied
 * @param outputs the states concatenated into the output (distinct, at least one); copied
 * @param output the output's name, e.g. {@code c_{k}}
 */
public record CellGraph(String title, List<String> inputs, List<Node> nodes, List<Integer> outputs, String output) {
  /** The output name DARTS and ENAS draw: {@code c_{k}}. */
  public static final String CELL_OUTPUT = "c_{k}";

  /** The usual two cell inputs, {@code c_{k-2}} and {@code c_{k-1}}. */
  public static final List<String> CELL_INPUTS = List.of("c_{k-2}", "c_{k-1}");

  /**
   * One incoming edge of a node.
   *
   * @param from the state it reads
   * @param op the op's label drawn on the edge, or null for a plain edge
   */
  public record Input(int from, String op) {
    /** Checks {@code from} is not negative. */
    public Input {
      if (from < 0) throw new IllegalArgumentException("cell graph: input state " + from + " is negative");
    }
  }

  /**
   * One node: the sum of its inputs.
   *
   * @param name the name drawn in its box, e.g. {@code "0"}
   * @param inputs its incoming edges (at least one); copied
   */
  public record Node(String name, List<Input> inputs) {
    /** Checks the name and inputs are present. */
    public Node {
      Objects.requireNonNull(name, "name");
      if (inputs == null || inputs.isEmpty()) throw new IllegalArgumentException("cell graph: node " + name + " has no inputs");
      inputs = List.copyOf(inputs);
    }
  }

  /** Checks every reference points to an existing, earlier state. */
  public CellGraph {
    Objects.requireNonNull(output, "output");
    if (inputs == null || inputs.isEmpty()) throw new IllegalArgumentException("cell graph: at least one input expected");
    inputs = List.copyOf(inputs);
    nodes = List.copyOf(nodes);
    for (int j = 0; j < nodes.size(); j++) {
      for (Input in : nodes.get(j).inputs()) {
        if (in.from() >= inputs.size() + j) {
          throw new IllegalArgumentException("cell graph: node " + nodes.get(j).name() + " reads state " + in.from()
              + ", expected an earlier state in [0, " + (inputs.size() + j - 1) + "]");
        }
      }
    }
    if (outputs == null || outputs.isEmpty()) throw new IllegalArgumentException("cell graph: no output states");
    outputs = List.copyOf(outputs);
    Set<Integer> seen = new HashSet<>();
    for (int o : outputs) {
      if (o < 0 || o >= inputs.size() + nodes.size()) {
        throw new IllegalArgumentException("cell graph: output state " + o + " out of range [0, "
            + (inputs.size() + nodes.size() - 1) + "]");
      }
      if (!seen.add(o)) throw new IllegalArgumentException("cell graph: output state " + o + " twice");
    }
  }

  /** A cell with the usual output name {@link #CELL_OUTPUT}. */
  public CellGraph(String title, List<String> inputs, List<Node> nodes, List<Integer> outputs) {
    this(title, inputs, nodes, outputs, CELL_OUTPUT);
  }

  /** Number of states: inputs and nodes. */
  public int numStates() {
    return inputs.size() + nodes.size();
  }

  /** The name of state {@code s}: an input's name or a node's. */
  public String stateName(int s) {
    return s < inputs.size() ? inputs.get(s) : nodes.get(s - inputs.size()).name();
  }

  /** The same cell with another title. */
  public CellGraph withTitle(String newTitle) {
    return new CellGraph(newTitle, inputs, nodes, outputs, output);
  }

  /** A name with its subscript written in brackets: {@code c_{k-2}} becomes {@code c[k-2]}. */
  public static String plain(String name) {
    String[] p = splitSubscript(name);
    return p[1] == null ? p[0] : p[0] + "[" + p[1] + "]";
  }

  /** {@code {base, subscript}} of {@code base_{sub}} (subscript null where there is none). */
  static String[] splitSubscript(String name) {
    int u = name.indexOf("_{");
    if (u > 0 && name.endsWith("}")) return new String[] {name.substring(0, u), name.substring(u + 2, name.length() - 1)};
    return new String[] {name, null};
  }
}
