package io.jnas.enas;

import io.jnas.backend.NetworkPlan;
import io.jnas.plot.CellGraph;
import io.jnas.plot.CellPicture;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Pictures of ENAS macro networks as a layer graph ({@link CellGraph}, drawn by
 * {@link CellPicture}): the stem on the left, layer {@code l} a node fed by layer {@code l-1}
 * through its op (the edge's label) and by its skip connections (unlabelled edges), the last
 * layer feeding the classifier head. The two reductions are not drawn.
 */
public final class MacroDiagram {
  private MacroDiagram() {}

  /** The layer graph of an architecture. {@code title} may be null. */
  public static CellGraph graph(MacroArch arch, String title) {
    List<CellGraph.Node> nodes = new ArrayList<>();
    for (int l = 0; l < arch.layers(); l++) {
      List<CellGraph.Input> in = new ArrayList<>();
      in.add(new CellGraph.Input(l, MacroArch.OPS.get(arch.op(l)).label()));
      for (int j : arch.skips(l)) in.add(new CellGraph.Input(j, null));
      nodes.add(new CellGraph.Node(name(l), in));
    }
    return new CellGraph(title, List.of("stem"), nodes, List.of(arch.layers()), "head");
  }

  /**
   * The layer graph of a macro network's own plan ({@link MacroNetwork#plan()},
   * {@link MacroSupernet#plan(MacroArch)}): its one cell's edges, ops as the registry names them.
   */
  public static CellGraph graph(NetworkPlan.Cell cell, String title) {
    List<CellGraph.Node> nodes = new ArrayList<>();
    for (int l = 0; l < cell.nodes(); l++) {
      List<CellGraph.Input> in = new ArrayList<>();
      for (NetworkPlan.Edge e : cell.edges()) {
        if (e.to() == l + 1) in.add(new CellGraph.Input(e.from(), e.op().equals("skip") ? null : e.op()));
      }
      nodes.add(new CellGraph.Node(name(l), in));
    }
    return new CellGraph(title, List.of("stem"), nodes, cell.outputs(), "head");
  }

  private static String name(int l) {
    return "L_{" + l + "}";
  }

  /** Writes the layer graph of {@code arch} as SVG to {@code target} atomically. */
  public static void writeSvg(MacroArch arch, String title, Path target) throws IOException {
    CellPicture.writeSvg(graph(arch, title), target);
  }

  /** Writes the layer graph of {@code arch} as PNG to {@code target} atomically. */
  public static void writePng(MacroArch arch, String title, Path target) throws IOException {
    CellPicture.writePng(graph(arch, title), target);
  }
}
