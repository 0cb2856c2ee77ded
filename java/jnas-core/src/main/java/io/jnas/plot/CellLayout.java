package io.jnas.plot;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A layered (Sugiyama-style) left-to-right layout of a {@link CellGraph}, in the manner of
 * graphviz's {@code dot} with {@code rankdir=LR} as DARTS's {@code plot_genotype} uses it.
 *
 * <ol>
 *   <li><b>Ranks</b> by longest path: inputs rank 0, a node one more than its highest input,
 *       the output one more than every state. A rank {@code r} is column {@code 2r}; the odd
 *       columns between hold edges only.
 *   <li><b>Edges become chains</b> of one virtual item per column they cross. As in dot, an
 *       edge's op label is such an item, of the label's size, in the column just before the
 *       edge's target: labels are laid out like nodes, so they can overlap neither each other
 *       nor a node.
 *   <li><b>Order within columns</b>: barycenter sweeps, keeping the order with the fewest
 *       crossings, then swaps of neighbours while they remove crossings. The inputs keep their
 *       given order, top to bottom.
 *   <li><b>Vertical positions</b> minimize the sum of {@code w (y_a - y_b)^2} over the links
 *       (weights 2 at a box, 8 between virtual items, which straightens long edges) under the
 *       order and minimum gaps: block coordinate descent, each column solved exactly by
 *       weighted isotonic regression (pool adjacent violators). Edges leave and enter boxes at
 *       ports spread along the box's side, in the order of their other ends.
 *   <li><b>Routes</b>: within a column an edge runs horizontally (at its own height, which no
 *       box in that column covers); between columns it is a cubic S-curve with horizontal ends,
 *       inside the gap where there are no boxes. So an edge never passes through a box or a
 *       label other than its own.
 * </ol>
 *
 * <p>Units are pixels at scale 1; y grows downwards.
 */
final class CellLayout {
  /** Text width of {@code s} at font size {@code size}, in layout units. */
  interface Measure {
    /** Width of {@code s} drawn at {@code size} points. */
    double width(String s, float size);
  }

  /** A font-free width estimate (generous for DejaVu Sans / Helvetica): 0.62 em a character. */
  static final Measure ESTIMATE = (s, size) -> s.length() * size * 0.62;

  static final float FONT = 12f, SUB_FONT = 9f, TITLE_FONT = 15f;
  static final double MARGIN = 20, TITLE_H = 30, BOX_H = 30, BOX_PAD = 11, MIN_BOX_W = 36, LABEL_H = 16, LABEL_PAD = 4,
      PORT_GAP = 8, SUB_DROP = 4;
  private static final double GAP_BOX = 14, GAP_EDGE = 6, MIN_COL_GAP = 30, MAX_COL_GAP = 90, MIN_COL_W = 6;
  private static final double W_BOX = 2, W_VIRTUAL = 8;

  /** What a box stands for. */
  enum Kind { INPUT, NODE, OUTPUT }

  /** An axis-aligned rectangle, top-left corner and size. */
  record Rect(double x, double y, double w, double h) {
    double right() {
      return x + w;
    }

    double bottom() {
      return y + h;
    }

    double cx() {
      return x + w / 2;
    }

    double cy() {
      return y + h / 2;
    }

    /** Whether the interiors overlap (touching edges do not). */
    boolean overlaps(Rect o) {
      return x < o.right() && o.x < right() && y < o.bottom() && o.y < bottom();
    }

    /** Whether the open segment from (x0, y0) to (x1, y1) meets the interior. */
    boolean crossedBy(double x0, double y0, double x1, double y1) {
      // Liang-Barsky clipping against the open rectangle
      double t0 = 0, t1 = 1, dx = x1 - x0, dy = y1 - y0;
      double[] p = {-dx, dx, -dy, dy}, q = {x0 - x, right() - x0, y0 - y, bottom() - y0};
      for (int i = 0; i < 4; i++) {
        if (p[i] == 0) {
          if (q[i] <= 0) return false;
        } else {
          double r = q[i] / p[i];
          if (p[i] < 0) t0 = Math.max(t0, r);
          else t1 = Math.min(t1, r);
        }
      }
      return t1 - t0 > 1e-9;
    }
  }

  /**
   * One drawn box.
   *
   * @param state the state it stands for; the graph's state count for the output
   */
  record Box(int state, String name, Kind kind, Rect rect) {}

  /** An op label, on edge {@code edge}. */
  record Label(int edge, String text, Rect rect) {}

  /**
   * One edge's route.
   *
   * @param from source state
   * @param to target state (the state count for the output)
   * @param op the label, or null
   * @param path {@code x0, y0}, then cubic segments of six numbers each (two control points and
   *     the end point); it starts on the source box's right side and ends on the target's left
   *     side, heading right
   */
  record Edge(int from, int to, String op, double[] path) {
    /** Number of cubic segments. */
    int segments() {
      return (path.length - 2) / 6;
    }

    /** The route as a polyline, each cubic cut into {@code steps} pieces. */
    double[] polyline(int steps) {
      int n = segments();
      double[] out = new double[2 + 2 * n * steps];
      out[0] = path[0];
      out[1] = path[1];
      int k = 2;
      for (int s = 0; s < n; s++) {
        int b = 2 + 6 * s;
        double ax = path[b - 2], ay = path[b - 1];
        for (int i = 1; i <= steps; i++) {
          double t = i / (double) steps, u = 1 - t;
          double c0 = u * u * u, c1 = 3 * u * u * t, c2 = 3 * u * t * t, c3 = t * t * t;
          out[k++] = c0 * ax + c1 * path[b] + c2 * path[b + 2] + c3 * path[b + 4];
          out[k++] = c0 * ay + c1 * path[b + 1] + c2 * path[b + 3] + c3 * path[b + 5];
        }
      }
      return out;
    }
  }

  final CellGraph graph;
  final List<Box> boxes;   // by state; the output last
  final List<Label> labels;
  final List<Edge> edges;
  final double width, height;
  final int crossings;

  private CellLayout(CellGraph graph, List<Box> boxes, List<Label> labels, List<Edge> edges, double width,
      double height, int crossings) {
    this.graph = graph;
    this.boxes = boxes;
    this.labels = labels;
    this.edges = edges;
    this.width = width;
    this.height = height;
    this.crossings = crossings;
  }

  /** Width of a name, its subscript drawn smaller. */
  static double nameWidth(String name, Measure m) {
    String[] p = CellGraph.splitSubscript(name);
    return m.width(p[0], FONT) + (p[1] == null ? 0 : 1 + m.width(p[1], SUB_FONT));
  }

  // ------------------------------------------------------------------ the layered graph

  private static final int REAL = 0, VIRTUAL = 1, LABEL = 2;

  private static final class Item {
    final int kind, layer, id;  // id: the state (REAL) or the edge (VIRTUAL, LABEL)
    double w, h, y;
    int pos;
    final List<Link> up = new ArrayList<>(), down = new ArrayList<>();

    Item(int kind, int layer, int id, double w, double h) {
      this.kind = kind;
      this.layer = layer;
      this.id = id;
      this.w = w;
      this.h = h;
    }
  }

  /** A link between items of neighbouring columns; {@code da}/{@code db} are port offsets from the centres. */
  private static final class Link {
    final Item a, b;  // a in column l, b in column l + 1
    final double w;
    double da, db;

    Link(Item a, Item b) {
      this.a = a;
      this.b = b;
      this.w = a.kind == REAL || b.kind == REAL ? W_BOX : W_VIRTUAL;
    }
  }

  /** Lays {@code g} out, measuring text with {@code m}. */
  static CellLayout of(CellGraph g, Measure m) {
    int nIn = g.inputs().size(), nStates = g.numStates(), out = nStates;
    int[] rank = new int[nStates + 1];
    int top = 0;
    for (int j = 0; j < g.nodes().size(); j++) {
      int r = 0;
      for (CellGraph.Input in : g.nodes().get(j).inputs()) r = Math.max(r, rank[in.from()] + 1);
      rank[nIn + j] = r;
      top = Math.max(top, r);
    }
    rank[out] = top + 1;
    int nLayers = 2 * rank[out] + 1;

    // edges: node inputs in order, then the output's concat edges
    List<int[]> ends = new ArrayList<>();
    List<String> ops = new ArrayList<>();
    for (int j = 0; j < g.nodes().size(); j++) {
      for (CellGraph.Input in : g.nodes().get(j).inputs()) {
        ends.add(new int[] {in.from(), nIn + j});
        ops.add(in.op());
      }
    }
    for (int o : g.outputs()) {
      ends.add(new int[] {o, out});
      ops.add(null);
    }
    int[] inDeg = new int[nStates + 1], outDeg = new int[nStates + 1];
    for (int[] e : ends) {
      outDeg[e[0]]++;
      inDeg[e[1]]++;
    }

    List<List<Item>> layers = new ArrayList<>();
    for (int l = 0; l < nLayers; l++) layers.add(new ArrayList<>());
    Item[] real = new Item[nStates + 1];
    for (int s = 0; s <= nStates; s++) {
      String name = s == out ? g.output() : g.stateName(s);
      int ports = Math.max(inDeg[s], outDeg[s]);
      double w = Math.max(MIN_BOX_W, nameWidth(name, m) + 2 * BOX_PAD);
      double h = Math.max(BOX_H, PORT_GAP * (ports - 1) + 16);
      real[s] = new Item(REAL, 2 * rank[s], s, w, h);
      layers.get(real[s].layer).add(real[s]);
    }
    List<List<Item>> chains = new ArrayList<>();
    List<Link> links = new ArrayList<>();
    for (int e = 0; e < ends.size(); e++) {
      int from = ends.get(e)[0], to = ends.get(e)[1];
      List<Item> chain = new ArrayList<>();
      Item prev = real[from];
      for (int l = 2 * rank[from] + 1; l < 2 * rank[to]; l++) {
        boolean label = l == 2 * rank[to] - 1 && ops.get(e) != null;
        Item it = label ? new Item(LABEL, l, e, m.width(ops.get(e), FONT) + 2 * LABEL_PAD, LABEL_H)
            : new Item(VIRTUAL, l, e, 0, 2);
        layers.get(l).add(it);
        chain.add(it);
        links.add(link(prev, it));
        prev = it;
      }
      links.add(link(prev, real[to]));
      chains.add(chain);
    }

    int crossings = order(layers);
    assignPorts(layers);
    placeVertically(layers);

    // columns: widths, then gaps sized by how far the edges in each gap climb
    double[] colW = new double[nLayers], colX = new double[nLayers];
    for (int l = 0; l < nLayers; l++) {
      colW[l] = MIN_COL_W;
      for (Item it : layers.get(l)) colW[l] = Math.max(colW[l], it.w);
    }
    double[] climb = new double[nLayers];
    for (Link k : links) climb[k.a.layer] = Math.max(climb[k.a.layer], Math.abs(k.a.y + k.da - k.b.y - k.db));
    double minY = Double.POSITIVE_INFINITY, maxY = Double.NEGATIVE_INFINITY;
    for (List<Item> layer : layers) {
      for (Item it : layer) {
        minY = Math.min(minY, it.y - it.h / 2);
        maxY = Math.max(maxY, it.y + it.h / 2);
      }
    }
    double shift = MARGIN + (g.title() == null ? 0 : TITLE_H) - minY;
    for (List<Item> layer : layers) for (Item it : layer) it.y += shift;
    colX[0] = MARGIN;
    for (int l = 1; l < nLayers; l++) {
      colX[l] = colX[l - 1] + colW[l - 1] + Math.min(MAX_COL_GAP, Math.max(MIN_COL_GAP, 0.3 * climb[l - 1]));
    }
    double width = colX[nLayers - 1] + colW[nLayers - 1] + MARGIN;
    if (g.title() != null) width = Math.max(width, 2 * MARGIN + m.width(g.title(), TITLE_FONT));
    width = Math.ceil(width);
    double height = Math.ceil(maxY + shift + MARGIN);

    List<Box> boxes = new ArrayList<>();
    for (int s = 0; s <= nStates; s++) {
      Item it = real[s];
      double cx = colX[it.layer] + colW[it.layer] / 2;
      Kind kind = s == out ? Kind.OUTPUT : s < nIn ? Kind.INPUT : Kind.NODE;
      boxes.add(new Box(s, s == out ? g.output() : g.stateName(s), kind, new Rect(cx - it.w / 2, it.y - it.h / 2, it.w, it.h)));
    }
    List<Label> labels = new ArrayList<>();
    List<Edge> edges = new ArrayList<>();
    for (int e = 0; e < ends.size(); e++) {
      List<Item> chain = chains.get(e);
      Item src = real[ends.get(e)[0]], dst = real[ends.get(e)[1]];
      Link first = src.down.stream().filter(k -> chain.contains(k.b)).findFirst().orElseThrow();
      Link last = dst.up.stream().filter(k -> chain.contains(k.a)).findFirst().orElseThrow();
      PathBuilder p = new PathBuilder(colX[src.layer] + colW[src.layer] / 2 + src.w / 2, src.y + first.da);
      p.line(colX[src.layer] + colW[src.layer]);
      for (Item it : chain) {
        p.curve(colX[it.layer], it.y);
        p.line(colX[it.layer] + colW[it.layer]);
        if (it.kind == LABEL) {
          double cx = colX[it.layer] + colW[it.layer] / 2;
          labels.add(new Label(e, ops.get(e), new Rect(cx - it.w / 2, it.y - it.h / 2, it.w, it.h)));
        }
      }
      p.curve(colX[dst.layer], dst.y + last.db);
      p.line(colX[dst.layer] + colW[dst.layer] / 2 - dst.w / 2);
      edges.add(new Edge(ends.get(e)[0], ends.get(e)[1], ops.get(e), p.build()));
    }
    return new CellLayout(g, List.copyOf(boxes), List.copyOf(labels), List.copyOf(edges), width, height, crossings);
  }

  private static Link link(Item a, Item b) {
    Link k = new Link(a, b);
    a.down.add(k);
    b.up.add(k);
    return k;
  }

  // ------------------------------------------------------------------ order within columns

  private static final int SWEEPS = 24, RESTARTS = 40;

  /**
   * Orders every column (column 0 stays as given); returns the crossings left. Barycenter
   * sweeps from the given order and from {@value #RESTARTS} shuffled ones (a fixed seed, so the
   * picture is the same every time), the best kept, then neighbours swapped while that removes
   * crossings.
   */
  private static int order(List<List<Item>> layers) {
    renumber(layers);
    int best = crossings(layers);
    List<List<Item>> bestOrder = copy(layers);
    SplittableRandom rng = new SplittableRandom(0x5EED);
    for (int start = 0; start <= RESTARTS && best > 0; start++) {
      if (start > 0) {
        for (int l = 1; l < layers.size(); l++) {
          List<Item> layer = layers.get(l);
          for (int i = layer.size() - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            Item t = layer.get(i);
            layer.set(i, layer.get(j));
            layer.set(j, t);
          }
        }
        renumber(layers);
      }
      for (int it = 0; it < SWEEPS && best > 0; it++) {
        for (int l = 1; l < layers.size(); l++) sortBy(layers.get(l), true);
        for (int l = layers.size() - 2; l >= 1; l--) sortBy(layers.get(l), false);
        int c = crossings(layers);
        if (c < best) {
          best = c;
          bestOrder = copy(layers);
        }
      }
    }
    for (int l = 0; l < layers.size(); l++) {
      layers.get(l).clear();
      layers.get(l).addAll(bestOrder.get(l));
    }
    renumber(layers);
    // transpose: swap neighbours while that removes crossings
    boolean improved = true;
    for (int round = 0; round < 20 && improved && best > 0; round++) {
      improved = false;
      for (int l = 1; l < layers.size(); l++) {
        List<Item> layer = layers.get(l);
        for (int i = 0; i + 1 < layer.size(); i++) {
          int before = crossingsAround(layers, l);
          swap(layer, i);
          int after = crossingsAround(layers, l);
          if (after < before) {
            best -= before - after;
            improved = true;
          } else {
            swap(layer, i);
          }
        }
      }
    }
    return best;
  }

  /** Crossings between column {@code l} and its two neighbours. */
  private static int crossingsAround(List<List<Item>> layers, int l) {
    return crossingsBelow(layers.get(l - 1)) + (l + 1 < layers.size() ? crossingsBelow(layers.get(l)) : 0);
  }

  private static void swap(List<Item> layer, int i) {
    Item a = layer.get(i), b = layer.get(i + 1);
    layer.set(i, b);
    layer.set(i + 1, a);
    a.pos = i + 1;
    b.pos = i;
  }

  private static void sortBy(List<Item> layer, boolean fromAbove) {
    double[] key = new double[layer.size()];
    for (Item it : layer) {
      List<Link> ls = fromAbove ? it.up : it.down;
      double sum = 0;
      for (Link k : ls) sum += fromAbove ? k.a.pos : k.b.pos;
      key[it.pos] = ls.isEmpty() ? it.pos : sum / ls.size();
    }
    List<Item> sorted = new ArrayList<>(layer);
    sorted.sort(Comparator.comparingDouble(it -> key[it.pos]));  // stable: ties keep their order
    layer.clear();
    layer.addAll(sorted);
    for (int i = 0; i < layer.size(); i++) layer.get(i).pos = i;
  }

  private static void renumber(List<List<Item>> layers) {
    for (List<Item> layer : layers) for (int i = 0; i < layer.size(); i++) layer.get(i).pos = i;
  }

  private static List<List<Item>> copy(List<List<Item>> layers) {
    List<List<Item>> c = new ArrayList<>();
    for (List<Item> l : layers) c.add(new ArrayList<>(l));
    return c;
  }

  /** Pairs of links between the same two columns that cross (links sharing an end do not). */
  static int crossings(List<List<Item>> layers) {
    int c = 0;
    for (List<Item> layer : layers) c += crossingsBelow(layer);
    return c;
  }

  /** Crossing pairs among the links from {@code layer} to the next column. */
  private static int crossingsBelow(List<Item> layer) {
    List<Link> ls = new ArrayList<>();
    for (Item it : layer) ls.addAll(it.down);
    int c = 0;
    for (int i = 0; i < ls.size(); i++) {
      for (int j = i + 1; j < ls.size(); j++) {
        Link p = ls.get(i), q = ls.get(j);
        if ((long) (p.a.pos - q.a.pos) * (p.b.pos - q.b.pos) < 0) c++;
      }
    }
    return c;
  }

  // ------------------------------------------------------------------ ports and heights

  /** Spreads each box's outgoing and incoming links along its sides, in the order of their other ends. */
  private static void assignPorts(List<List<Item>> layers) {
    for (List<Item> layer : layers) {
      for (Item it : layer) {
        if (it.kind != REAL) continue;
        List<Link> down = new ArrayList<>(it.down), up = new ArrayList<>(it.up);
        down.sort(Comparator.comparingInt(k -> k.b.pos));
        up.sort(Comparator.comparingInt(k -> k.a.pos));
        for (int i = 0; i < down.size(); i++) down.get(i).da = (i - (down.size() - 1) / 2.0) * PORT_GAP;
        for (int i = 0; i < up.size(); i++) up.get(i).db = (i - (up.size() - 1) / 2.0) * PORT_GAP;
      }
    }
  }

  // ------------------------------------------------------------------ vertical positions

  private static final int PLACEMENT_SWEEPS = 80;

  private static double gap(Item a, Item b) {
    return (a.h + b.h) / 2 + (a.kind == REAL || b.kind == REAL ? GAP_BOX : GAP_EDGE);
  }

  private static void placeVertically(List<List<Item>> layers) {
    for (List<Item> layer : layers) {
      double y = 0;
      for (int i = 0; i < layer.size(); i++) {
        if (i > 0) y += gap(layer.get(i - 1), layer.get(i));
        layer.get(i).y = y;
      }
      for (Item it : layer) it.y -= y / 2;
    }
    int n = layers.size();
    for (int s = 0; s < PLACEMENT_SWEEPS; s++) {
      for (int l = 0; l < n; l++) solveLayer(layers.get(l));
      for (int l = n - 1; l >= 0; l--) solveLayer(layers.get(l));
    }
  }

  /**
   * Puts one column's items where the weighted squares of their links' slopes are least, given
   * the neighbouring columns, keeping the order and the gaps: weighted isotonic regression of
   * the targets less the cumulative gaps, by pool adjacent violators.
   */
  private static void solveLayer(List<Item> layer) {
    int k = layer.size();
    double[] target = new double[k], weight = new double[k], offset = new double[k];
    for (int i = 0; i < k; i++) {
      Item it = layer.get(i);
      double sw = 0, sy = 0;
      for (Link l : it.up) {
        sw += l.w;
        sy += l.w * (l.a.y + l.da - l.db);
      }
      for (Link l : it.down) {
        sw += l.w;
        sy += l.w * (l.b.y + l.db - l.da);
      }
      if (sw == 0) {
        sw = 1e-3;
        sy = sw * it.y;
      }
      if (i > 0) offset[i] = offset[i - 1] + gap(layer.get(i - 1), it);
      target[i] = sy / sw - offset[i];
      weight[i] = sw;
    }
    // pool adjacent violators: blocks of (weighted mean, weight, size)
    double[] mean = new double[k], wsum = new double[k];
    int[] size = new int[k];
    int b = 0;
    for (int i = 0; i < k; i++) {
      mean[b] = target[i];
      wsum[b] = weight[i];
      size[b] = 1;
      while (b > 0 && mean[b - 1] > mean[b]) {
        double w = wsum[b - 1] + wsum[b];
        mean[b - 1] = (mean[b - 1] * wsum[b - 1] + mean[b] * wsum[b]) / w;
        wsum[b - 1] = w;
        size[b - 1] += size[b];
        b--;
      }
      b++;
    }
    int i = 0;
    for (int q = 0; q < b; q++) {
      for (int r = 0; r < size[q]; r++, i++) layer.get(i).y = mean[q] + offset[i];
    }
  }

  // ------------------------------------------------------------------ paths

  /** Builds a path of horizontal lines and S-curves, all as cubic segments. */
  private static final class PathBuilder {
    private final List<Double> v = new ArrayList<>();
    private double x, y;

    PathBuilder(double x, double y) {
      this.x = x;
      this.y = y;
      v.add(x);
      v.add(y);
    }

    /** A horizontal line to {@code x1}, if it goes right. */
    void line(double x1) {
      if (x1 <= x + 1e-9) return;
      cubic(x + (x1 - x) / 3, y, x + 2 * (x1 - x) / 3, y, x1, y);
    }

    /** An S-curve to (x1, y1) leaving and arriving horizontally. */
    void curve(double x1, double y1) {
      double mx = (x1 - x) / 2;
      cubic(x + mx, y, x1 - mx, y1, x1, y1);
    }

    private void cubic(double... c) {
      for (double d : c) v.add(d);
      x = c[4];
      y = c[5];
    }

    double[] build() {
      double[] a = new double[v.size()];
      for (int i = 0; i < a.length; i++) a[i] = v.get(i);
      return a;
    }
  }

  @Override
  public String toString() {
    return "CellLayout[" + boxes.size() + " boxes, " + labels.size() + " labels, " + edges.size() + " edges, "
        + Arrays.toString(new double[] {width, height}) + ", crossings " + crossings + "]";
  }
}
