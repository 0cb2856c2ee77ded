package io.jnas.enas;

import io.jnas.backend.NetworkPlan;
import io.jnas.genotype.Combiner;
import io.jnas.genotype.Gene;
import io.jnas.genotype.Genotype;
import io.jnas.plot.CellGraph;
import io.jnas.plot.CellPicture;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Pictures of ENAS cells and genotype cells: adapters to the neutral {@link CellGraph} that
 * {@link CellPicture} draws. Inputs {@code c_{k-2}} and {@code c_{k-1}} on the left, nodes
 * {@code 0 .. B-1} each with its two op-labelled incoming edges, and {@code c_{k}} on the right
 * fed by the states the cell concatenates. A node that concatenates its two results (NASNet's
 * concat combiner) is named {@code "j cat"}.
 */
public final class CellDiagram {
  private CellDiagram() {}

  /**
   * The graph of an ENAS cell: node {@code j} reads ENAS indices {@code input1, input2} with
   * {@code op1, op2}; {@code c_{k}} concatenates {@link EnasCell#outputIndices()}.
   *
   * @param title a caption, or null for none
   */
  public static CellGraph graph(EnasCell cell, String title) {
    List<CellGraph.Node> nodes = new ArrayList<>();
    for (int j = 0; j < cell.numNodes(); j++) {
      EnasNode n = cell.nodes().get(j);
      nodes.add(new CellGraph.Node(String.valueOf(j), List.of(new CellGraph.Input(n.input1(), n.op1().label()),
          new CellGraph.Input(n.input2(), n.op2().label()))));
    }
    return new CellGraph(title, CellGraph.CELL_INPUTS, nodes, cell.outputIndices());
  }

  /**
   * The graph of one cell of a network's own plan ({@code Supernet.plan}, {@code FinalNetwork.plan}):
   * the structure as the native core builds it, edges labelled with the registry's op names;
   * {@code c_{k}} combines the plan's output states.
   *
   * @param title a caption, or null for none
   */
  public static CellGraph graph(NetworkPlan.Cell cell, String title) {
    List<CellGraph.Node> nodes = new ArrayList<>();
    for (int j = 0; j < cell.nodes(); j++) {
      List<CellGraph.Input> in = new ArrayList<>();
      for (NetworkPlan.Edge e : cell.edges()) if (e.to() == j + 2) in.add(new CellGraph.Input(e.from(), e.op()));
      nodes.add(new CellGraph.Node(nodeName(j, cell.concatNodes().contains(j)), in));
    }
    return new CellGraph(title, CellGraph.CELL_INPUTS, nodes, cell.outputs());
  }

  /**
   * The graph of one cell of a genotype: node {@code j} sums genes {@code 2j} and {@code 2j+1};
   * {@code c_{k}} concatenates the cell's concat list.
   *
   * @param reduce the reduction cell (true) or the normal cell (false)
   * @param title a caption, or null for none
   */
  public static CellGraph graph(Genotype genotype, boolean reduce, String title) {
    List<Gene> genes = reduce ? genotype.reduce() : genotype.normal();
    List<CellGraph.Node> nodes = new ArrayList<>();
    for (int j = 0; j < genes.size() / 2; j++) {
      Gene a = genes.get(2 * j), b = genes.get(2 * j + 1);
      boolean cat = (reduce ? genotype.reduceCombine() : genotype.normalCombine()).get(j) == Combiner.CONCAT;
      nodes.add(new CellGraph.Node(nodeName(j, cat), List.of(new CellGraph.Input(a.input(), a.op().label()),
          new CellGraph.Input(b.input(), b.op().label()))));
    }
    return new CellGraph(title, CellGraph.CELL_INPUTS, nodes, reduce ? genotype.reduceConcat() : genotype.normalConcat());
  }

  private static String nodeName(int j, boolean concat) {
    return concat ? j + " cat" : String.valueOf(j);
  }

  /** SVG text of an ENAS cell ({@link CellPicture#svg}); {@code title} may be null. */
  public static String svg(EnasCell cell, String title) {
    return CellPicture.svg(graph(cell, title));
  }

  /** Writes {@link #svg} to {@code target} atomically. */
  public static void writeSvg(EnasCell cell, String title, Path target) throws IOException {
    CellPicture.writeSvg(graph(cell, title), target);
  }

  /** Writes the ENAS cell as a PNG ({@link CellPicture#writePng}) to {@code target} atomically. */
  public static void writePng(EnasCell cell, String title, Path target) throws IOException {
    CellPicture.writePng(graph(cell, title), target);
  }
}
