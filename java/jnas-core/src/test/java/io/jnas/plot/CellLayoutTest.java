package io.jnas.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.jnas.controller.SplitMix64;
import io.jnas.enas.CellDiagram;
import io.jnas.enas.EnasArch;
import io.jnas.enas.EnasMicroSpace;
import io.jnas.genotype.Genotype;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Geometry of the cell layout, computed on the layout (not the pixels), for every published
 * cell and for random 5- and 7-node ENAS cells, with both text measures (the SVG's estimate and
 * Java2D's font): no two label boxes overlap, no label overlaps a node box, no edge passes
 * through a node box or another edge's label, every edge runs from its source's right side to
 * its target's left side and through its own label.
 */
class CellLayoutTest {
  static Map<String, CellGraph> cells() {
    Map<String, CellGraph> m = new LinkedHashMap<>();
    for (String n : Genotype.names()) {
      m.put(n + " normal", CellDiagram.graph(Genotype.named(n), false, n + " normal cell"));
      m.put(n + " reduce", CellDiagram.graph(Genotype.named(n), true, null));
    }
    for (int nodes : new int[] {5, 7}) {
      EnasMicroSpace space = new EnasMicroSpace(nodes);
      for (int seed = 0; seed < 25; seed++) {
        EnasArch a = EnasArch.fromInts(space.sample(new SplitMix64(1000L * nodes + seed)), nodes);
        m.put("random " + nodes + "-node seed " + seed + " normal", CellDiagram.graph(a.normal(), "normal"));
        m.put("random " + nodes + "-node seed " + seed + " reduce", CellDiagram.graph(a.reduce(), "reduce"));
      }
    }
    // an input in the concat, a dead-end node, three inputs, a node with three edges, unlabelled edges
    m.put("odd", new CellGraph("odd", List.of("a", "b_{1}", "c"), List.of(
        new CellGraph.Node("x", List.of(new CellGraph.Input(0, "op"), new CellGraph.Input(2, null))),
        new CellGraph.Node("y", List.of(new CellGraph.Input(3, "long_operation_name"), new CellGraph.Input(1, "op"),
            new CellGraph.Input(1, "op"))),
        new CellGraph.Node("dead", List.of(new CellGraph.Input(0, "z")))), List.of(1, 4), "out"));
    return m;
  }

  @Test
  void noOverlapsNoEdgeThroughABox() {
    int checked = 0;
    for (var e : cells().entrySet()) {
      for (CellLayout.Measure m : List.of(CellLayout.ESTIMATE, CellPicture.java2d())) {
        check(e.getKey(), CellLayout.of(e.getValue(), m));
        checked++;
      }
    }
    assertEquals(2 * (2 * Genotype.names().size() + 100 + 1), checked);
  }

  private static void check(String name, CellLayout l) {
    CellGraph g = l.graph;
    int labelled = 0;
    for (CellGraph.Node n : g.nodes()) for (CellGraph.Input in : n.inputs()) if (in.op() != null) labelled++;
    assertEquals(g.numStates() + 1, l.boxes.size(), name + ": boxes");
    assertEquals(labelled, l.labels.size(), name + ": labels");
    List<CellLayout.Rect> all = new ArrayList<>();
    for (CellLayout.Box b : l.boxes) all.add(b.rect());
    for (CellLayout.Label lb : l.labels) all.add(lb.rect());
    for (CellLayout.Rect r : all) {
      if (r.x() < 0 || r.y() < 0 || r.right() > l.width || r.bottom() > l.height) fail(name + ": " + r + " outside the picture");
    }
    for (int i = 0; i < l.boxes.size(); i++) {
      for (int j = i + 1; j < l.boxes.size(); j++) {
        if (l.boxes.get(i).rect().overlaps(l.boxes.get(j).rect())) fail(name + ": boxes " + l.boxes.get(i) + " and " + l.boxes.get(j) + " overlap");
      }
    }
    for (int i = 0; i < l.labels.size(); i++) {
      CellLayout.Label a = l.labels.get(i);
      for (int j = i + 1; j < l.labels.size(); j++) {
        if (a.rect().overlaps(l.labels.get(j).rect())) fail(name + ": labels " + a + " and " + l.labels.get(j) + " overlap");
      }
      for (CellLayout.Box b : l.boxes) {
        if (a.rect().overlaps(b.rect())) fail(name + ": label " + a + " overlaps box " + b);
      }
    }
    for (int k = 0; k < l.edges.size(); k++) {
      CellLayout.Edge e = l.edges.get(k);
      double[] p = e.polyline(24);
      CellLayout.Rect src = l.boxes.get(e.from()).rect(), dst = l.boxes.get(e.to()).rect();
      assertEquals(src.right(), p[0], 1e-6, name + " edge " + k + " starts on its source's right side");
      assertTrue(p[1] > src.y() && p[1] < src.bottom(), name + " edge " + k + " starts within its source's height");
      assertEquals(dst.x(), p[p.length - 2], 1e-6, name + " edge " + k + " ends on its target's left side");
      assertTrue(p[p.length - 1] > dst.y() && p[p.length - 1] < dst.bottom(), name + " edge " + k + " ends within its target's height");
      for (int i = 0; i + 3 < p.length; i += 2) {
        assertTrue(p[i + 2] >= p[i] - 1e-9, name + " edge " + k + " goes right only");
        for (CellLayout.Box b : l.boxes) {
          if (b.rect().crossedBy(p[i], p[i + 1], p[i + 2], p[i + 3])) {
            fail(name + ": edge " + k + " (" + e.from() + " -> " + e.to() + ") passes through box " + b.name()
                + " between (" + p[i] + ", " + p[i + 1] + ") and (" + p[i + 2] + ", " + p[i + 3] + ")");
          }
        }
        for (CellLayout.Label lb : l.labels) {
          if (lb.edge() != k && lb.rect().crossedBy(p[i], p[i + 1], p[i + 2], p[i + 3])) {
            fail(name + ": edge " + k + " passes through the label of edge " + lb.edge() + " (" + lb.text() + ")");
          }
        }
      }
      if (e.op() != null) {
        int edge = k;
        CellLayout.Label own = l.labels.stream().filter(lb -> lb.edge() == edge).findFirst().orElseThrow();
        assertEquals(e.op(), own.text());
        assertTrue(runsThrough(p, own.rect()), name + ": edge " + k + " does not run through its label");
      }
    }
  }

  /** Whether the polyline runs horizontally across the whole label at its middle height. */
  private static boolean runsThrough(double[] p, CellLayout.Rect r) {
    for (int i = 0; i + 3 < p.length; i += 2) {
      if (Math.abs(p[i + 1] - r.cy()) < 1e-6 && Math.abs(p[i + 3] - r.cy()) < 1e-6 && p[i] <= r.x() + 1e-6) {
        double x = p[i];
        int j = i;
        while (j + 3 < p.length && Math.abs(p[j + 3] - r.cy()) < 1e-6) j += 2;
        return x <= r.x() + 1e-6 && p[j] >= r.right() - 1e-6;
      }
    }
    return false;
  }

  @Test
  void layoutIsDeterministicAndSmallCellsDoNotCross() {
    CellGraph g = CellDiagram.graph(Genotype.DARTS_V2, true, "t");
    CellLayout a = CellLayout.of(g, CellLayout.ESTIMATE), b = CellLayout.of(g, CellLayout.ESTIMATE);
    assertEquals(a.width, b.width);
    for (int k = 0; k < a.edges.size(); k++) assertTrue(java.util.Arrays.equals(a.edges.get(k).path(), b.edges.get(k).path()));
    // a chain: nothing needs to cross
    CellGraph chain = new CellGraph(null, List.of("in"), List.of(new CellGraph.Node("0", List.of(new CellGraph.Input(0, "a"))),
        new CellGraph.Node("1", List.of(new CellGraph.Input(1, "b")))), List.of(2));
    assertEquals(0, CellLayout.of(chain, CellLayout.ESTIMATE).crossings);
  }

  @Test
  void columnsGoLeftToRightByDepth() {
    CellLayout l = CellLayout.of(CellDiagram.graph(EnasArch.ENAS_FINAL.reduce(), null), CellLayout.ESTIMATE);
    // reduction cell: node 2 reads node 1, which reads the inputs only
    double in = l.boxes.get(0).rect().cx(), n1 = l.boxes.get(3).rect().cx(), n2 = l.boxes.get(4).rect().cx();
    double out = l.boxes.get(l.boxes.size() - 1).rect().cx();
    assertEquals(in, l.boxes.get(1).rect().cx(), 1e-9, "both inputs in the first column");
    assertTrue(in < n1 && n1 < n2 && n2 < out, in + " " + n1 + " " + n2 + " " + out);
    assertTrue(l.boxes.get(0).rect().cy() < l.boxes.get(1).rect().cy(), "c_{k-2} above c_{k-1}");
  }

  @Test
  void graphChecksItsReferences() {
    var bad = assertThrows(IllegalArgumentException.class, () -> new CellGraph(null, CellGraph.CELL_INPUTS,
        List.of(new CellGraph.Node("0", List.of(new CellGraph.Input(2, "x")))), List.of(2)));
    assertTrue(bad.getMessage().contains("node 0 reads state 2"), bad.getMessage());
    bad = assertThrows(IllegalArgumentException.class, () -> new CellGraph(null, CellGraph.CELL_INPUTS,
        List.of(new CellGraph.Node("0", List.of(new CellGraph.Input(1, "x")))), List.of(3)));
    assertTrue(bad.getMessage().contains("output state 3 out of range [0, 2]"), bad.getMessage());
    assertEquals("c[k-2]", CellGraph.plain("c_{k-2}"));
    assertEquals("x", CellGraph.plain("x"));
  }
}
