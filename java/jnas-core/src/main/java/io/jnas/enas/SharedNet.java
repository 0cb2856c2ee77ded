package io.jnas.enas;

import io.jnas.backend.NetworkPlan;
import io.jnas.controller.ControllerSpec;
import io.jnas.data.Dataset;
import io.jnas.genotype.Combiner;
import io.jnas.genotype.Gene;
import io.jnas.genotype.Genotype;
import io.jnas.plot.CellGraph;
import io.jnas.plot.CellPicture;
import io.jnas.search.RunDir;
import io.jnas.space.CellSpace;
import io.jnas.space.NasNetSpace;
import io.jnas.space.Spaces;
import io.jnas.tensor.IntTensor;
import io.jnas.tensor.Tensor;
import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * What {@link EnasSearch} needs of the space it searches: the weight-shared network, the
 * controller's program, and the architecture's written forms and pictures. The architecture is
 * always the controller's action vector (the ENAS integer string of the space). Two kinds:
 * {@link Micro} (cells: ENAS's micro space, NASNet's, AmoebaNet's; {@link Supernet}) and
 * {@link Macro} (layers, {@link MacroSupernet}).
 */
abstract class SharedNet implements AutoCloseable {
  /**
   * A step's or an evaluation's numbers.
   *
   * @param loss mean cross-entropy
   * @param correct argmax hits
   * @param batch batch size
   * @param gradNorm gradient norm before clipping (NaN where none)
   */
  record Step(float loss, int correct, int batch, float gradNorm) {
    double accuracy() {
      return correct / (double) batch;
    }
  }

  /** The network of {@code s}'s space for images shaped like {@code d}, weights from {@code seed}. */
  static SharedNet create(SearchSettings s, Dataset d, long seed) {
    return s.net().macro() ? new Macro(macroConfig(s, d, seed)) : new Micro(microConfig(s, d, seed), cellSpace(s));
  }

  /** The cell space of a micro-style search: ENAS's, or NASNet's or AmoebaNet's. */
  private static CellSpace<?> cellSpace(SearchSettings s) {
    return Spaces.cell(s.net().space(), s.net().nodes());
  }

  /** The supernet's candidates for a cell space. */
  private static Supernet.Candidates candidates(CellSpace<?> space) {
    return space instanceof NasNetSpace n ? Supernet.Candidates.of(n) : Supernet.Candidates.ENAS;
  }

  /** Bytes a training step at {@code batch} takes (on the dry backend, exact). */
  static long requiredBytes(SearchSettings s, Dataset d, int batch) {
    return s.net().macro() ? MacroSupernet.requiredBytes(macroConfig(s, d, 0), batch)
        : Supernet.requiredBytes(microConfig(s, d, 0), batch);
  }

  /** The network in words, for messages. */
  static String describe(SearchSettings s) {
    SearchSettings.Net n = s.net();
    return n.macro() ? "the macro supernet (" + n.layers() + " layers, " + n.channels() + " channels)"
        : "the " + (n.space().equals(SearchSettings.MICRO) ? "" : n.space() + " ") + "supernet (" + n.layers() + " layers, "
        + n.channels() + " channels, " + n.nodes() + " nodes)";
  }

  /** The flags that change its size, for messages. */
  static String sizeFlags(SearchSettings s) {
    return s.net().macro() ? "--channels, --layers or --batch" : "--channels, --layers, --nodes or --batch";
  }

  private static Supernet.Config microConfig(SearchSettings s, Dataset d, long seed) {
    return new Supernet.Config(d.channels(), d.height(), d.width(), d.numClasses(), s.net().layers(), s.net().channels(),
        s.net().nodes(), seed, candidates(cellSpace(s)), s.net().stridedReduce());
  }

  private static MacroSupernet.Config macroConfig(SearchSettings s, Dataset d, long seed) {
    return new MacroSupernet.Config(d.channels(), d.height(), d.width(), d.numClasses(), s.net().layers(), s.net().channels(),
        seed);
  }

  /**
   * The controller's program.
   *
   * @param opBiases ENAS's initial op biases where the space is ENAS's micro space ({@link SearchSettings.Controller#opBiases()})
   */
  abstract ControllerSpec controllerSpec(boolean opBiases);

  /** One training step of architecture {@code arc}. */
  abstract Step trainStep(int[] arc, Tensor x, IntTensor y, float lr, float momentum, float l2, float clip, float keep,
      long seed);

  /** Loss and hits of {@code arc} on a batch with the shared weights. */
  abstract Step evaluate(int[] arc, Tensor x, IntTensor y);

  /** Number of shared weights. */
  abstract long numWeights();

  /** A copy of the weights (0) or the momentum (2). */
  abstract float[] get(int which);

  /** Overwrites the weights (0) or the momentum (2). */
  abstract void set(int which, float[] values);

  /** A uniformly random architecture (the yardstick of a derivation). */
  int[] sample(RandomGenerator rng) {
    return space().sample(rng);
  }

  /**
   * An architecture of the warm-up (micro: every node reads the two newest states, ops
   * uniform; {@link SearchSettings.Child#warmup()}).
   */
  abstract int[] sampleWarmup(RandomGenerator rng);

  /** The space whose decision vectors its architectures are (for from-scratch training by the proxy trainer). */
  abstract io.jnas.space.SearchSpace<?> space();

  /** The architecture's JSON form (a search's {@code final_arch.json} starts with it). */
  abstract Map<String, Object> toMap(int[] arc);

  /** The architecture as its ENAS integer string. */
  abstract String arcString(int[] arc);

  /** The first line of {@code final_arch.txt}, which {@code jnas train --genotype} reads: the integer string. */
  String textLine(int[] arc) {
    return arcString(arc);
  }

  /** The architecture in readable lines. */
  abstract String readable(int[] arc);

  /** The action vector of an ENAS integer string of this space. */
  abstract int[] parse(String arc);

  /** Writes the architecture's pictures into {@code dir}. */
  abstract void pictures(int[] arc, RunDir dir) throws IOException;

  /** What the architecture is called in messages: {@code cell} or {@code network}. */
  abstract String what();

  /** Whether {@code jnas train} trains a {@code final_arch.json} of this space. */
  abstract boolean trainable();

  @Override
  public abstract void close();

  /**
   * A cell space: ENAS's micro space, or NASNet's or AmoebaNet's (the same supernet over their
   * ops; a NASNet-style architecture is written as the space's genotype, which {@code jnas
   * train} trains as it is).
   */
  static final class Micro extends SharedNet {
    private final Supernet net;
    private final CellSpace<?> space;
    private final int nodes;
    private final int per;  // integers per node: 4, or 5 with the combiner

    Micro(Supernet.Config c, CellSpace<?> space) {
      this.net = new Supernet(c);
      this.space = space;
      this.nodes = c.nodes();
      this.per = c.candidates().perNode();
    }

    /** The supernet. */
    Supernet supernet() {
      return net;
    }

    private boolean enas() {
      return space instanceof EnasMicroSpace;
    }

    /** ENAS's op biases (favouring its two separable convs, ids 0 and 1) in ENAS's space only, where asked for. */
    @Override
    ControllerSpec controllerSpec(boolean opBiases) {
      return ControllerSpec.enasMicro(nodes, net.numOps(), enas() && opBiases, per == 5);
    }

    private int[] normal(int[] arc) {
      return Arrays.copyOfRange(arc, 0, per * nodes);
    }

    private int[] reduce(int[] arc) {
      return Arrays.copyOfRange(arc, per * nodes, 2 * per * nodes);
    }

    @Override
    Step trainStep(int[] arc, Tensor x, IntTensor y, float lr, float momentum, float l2, float clip, float keep, long seed) {
      Supernet.Result r = net.trainStep(normal(arc), reduce(arc), x, y, new Supernet.Hyper(lr, momentum, l2, clip, keep), seed);
      return new Step(r.loss(), r.correct(), r.batch(), r.gradNorm());
    }

    @Override
    Step evaluate(int[] arc, Tensor x, IntTensor y) {
      Supernet.Result r = net.evaluate(normal(arc), reduce(arc), x, y);
      return new Step(r.loss(), r.correct(), r.batch(), r.gradNorm());
    }

    @Override
    long numWeights() {
      return net.numWeights();
    }

    @Override
    float[] get(int which) {
      return net.get(which == 0 ? Supernet.Buffer.WEIGHTS : Supernet.Buffer.MOMENTUM);
    }

    @Override
    void set(int which, float[] values) {
      net.set(which == 0 ? Supernet.Buffer.WEIGHTS : Supernet.Buffer.MOMENTUM, values);
    }

    @Override
    io.jnas.space.SearchSpace<?> space() {
      return space;
    }

    @Override
    int[] sampleWarmup(RandomGenerator rng) {
      int[] a = new int[2 * per * nodes];
      for (int c = 0; c < 2; c++) {
        for (int j = 0; j < nodes; j++) {
          int o = per * (c * nodes + j);
          a[o] = j;
          a[o + 1] = rng.nextInt(net.numOps());
          a[o + 2] = j + 1;
          a[o + 3] = rng.nextInt(net.numOps());
          if (per == 5) a[o + 4] = rng.nextInt(2);
        }
      }
      return a;
    }

    /** ENAS: its arch map; NASNet-style: the genotype's map, with the space and the integer string. */
    @Override
    Map<String, Object> toMap(int[] arc) {
      if (enas()) return EnasArch.fromInts(arc, nodes).toMap();
      Map<String, Object> m = new LinkedHashMap<>(space.genotypeOf(arc).toMap());
      m.put("space", space.name());
      m.put("arc", arcString(arc));
      return m;
    }

    @Override
    String arcString(int[] arc) {
      if (enas()) return EnasArch.fromInts(arc, nodes).toArcString();
      StringBuilder sb = new StringBuilder();
      for (int v : arc) sb.append(sb.length() == 0 ? "" : " ").append(v);
      return sb.toString();
    }

    /** NASNet-style: the space's name before the vector, so it is never read as an ENAS string. */
    @Override
    String textLine(int[] arc) {
      return enas() ? arcString(arc) : space.name() + ": " + arcString(arc);
    }

    /**
     * One line per node, {@code n0 = op(input) + op(input)} (a concat node:
     * {@code relu_conv1x1_bn(concat(op(input), op(input)))}), and the concatenated states, per cell.
     */
    @Override
    String readable(int[] arc) {
      if (enas()) return EnasArch.fromInts(arc, nodes).toReadable();
      Genotype g = space.genotypeOf(arc);
      StringBuilder sb = new StringBuilder();
      for (boolean red : new boolean[] {false, true}) {
        List<Gene> genes = red ? g.reduce() : g.normal();
        sb.append(red ? "reduce:\n" : "normal:\n");
        List<Combiner> combine = red ? g.reduceCombine() : g.normalCombine();
        for (int j = 0; j < nodes; j++) {
          Gene p = genes.get(2 * j), q = genes.get(2 * j + 1);
          String a = p.op().label() + "(" + state(p.input()) + ")", b = q.op().label() + "(" + state(q.input()) + ")";
          sb.append("  n").append(j).append(" = ")
              .append(combine.get(j) == Combiner.CONCAT ? "relu_conv1x1_bn(concat(" + a + ", " + b + "))" : a + " + " + b).append('\n');
        }
        sb.append("  out = concat(").append(String.join(", ", (red ? g.reduceConcat() : g.normalConcat()).stream()
            .map(SharedNet.Micro::state).toList())).append(")\n");
      }
      return sb.toString();
    }

    private static String state(int s) {
      return s == 0 ? "c_{k-2}" : s == 1 ? "c_{k-1}" : "n" + (s - 2);
    }

    /**
     * The action vector of an integer string: ENAS's {@link EnasArch#parse}, or for a
     * NASNet-style space {@code 8 B} integers checked against the space.
     */
    @Override
    int[] parse(String arc) {
      if (enas()) return EnasArch.parse(arc, nodes).toInts();
      String[] parts = arc.strip().split("\\s+");
      int[] a = new int[parts.length];
      try {
        for (int i = 0; i < a.length; i++) a[i] = Integer.parseInt(parts[i]);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(space.name() + " arc '" + arc + "': not a list of integers");
      }
      if (!space.isValid(a)) {
        throw new IllegalArgumentException(space.name() + " arc '" + arc + "': expected " + space.numDecisions()
            + " integers, each in its decision's range");
      }
      return a;
    }

    /**
     * The cells from the supernet's own plan of this architecture (a supernet without normal
     * layers has no normal cell to plan: that one is drawn from the arc).
     */
    @Override
    void pictures(int[] arc, RunDir dir) throws IOException {
      NetworkPlan plan = net.plan(normal(arc), reduce(arc));
      for (boolean red : new boolean[] {false, true}) {
        String title = red ? "reduction cell" : "normal cell";
        CellGraph g = plan.cells().stream().filter(c -> c.reduction() == red).findFirst()
            .map(c -> CellDiagram.graph(c, title)).orElseGet(() -> fallback(arc, red, title));
        CellPicture.writeSvg(g, dir.file(red ? "reduce_cell.svg" : "normal_cell.svg"));
        CellPicture.writePng(g, dir.file(red ? "reduce_cell.png" : "normal_cell.png"));
      }
    }

    private CellGraph fallback(int[] arc, boolean red, String title) {
      if (!enas()) return CellDiagram.graph(space.genotypeOf(arc), red, title);
      EnasArch a = EnasArch.fromInts(arc, nodes);
      return CellDiagram.graph(red ? a.reduce() : a.normal(), title);
    }

    @Override
    String what() {
      return "cell";
    }

    @Override
    boolean trainable() {
      return true;
    }

    @Override
    public void close() {
      net.close();
    }
  }

  /** The ENAS macro space: a chain of layers with skip connections. */
  static final class Macro extends SharedNet {
    private final MacroSupernet net;
    private final int layers;

    Macro(MacroSupernet.Config c) {
      this.net = new MacroSupernet(c);
      this.layers = c.layers();
    }

    @Override
    ControllerSpec controllerSpec(boolean opBiases) {
      return ControllerSpec.enasMacro(layers, MacroArch.OPS.size(), 0.4);
    }

    @Override
    Step trainStep(int[] arc, Tensor x, IntTensor y, float lr, float momentum, float l2, float clip, float keep, long seed) {
      MacroNetwork.Result r = net.trainStep(MacroArch.fromInts(arc, layers), x, y, new MacroNetwork.Hyper(lr, momentum, l2, clip,
          keep), seed);
      return new Step(r.loss(), r.correct(), r.batch(), r.gradNorm());
    }

    @Override
    Step evaluate(int[] arc, Tensor x, IntTensor y) {
      MacroNetwork.Result r = net.evaluate(MacroArch.fromInts(arc, layers), x, y);
      return new Step(r.loss(), r.correct(), r.batch(), r.gradNorm());
    }

    @Override
    long numWeights() {
      return net.numWeights();
    }

    @Override
    float[] get(int which) {
      return net.get(which);
    }

    @Override
    void set(int which, float[] values) {
      net.set(which, values);
    }

    @Override
    io.jnas.space.SearchSpace<?> space() {
      return new EnasMacroSpace(layers);
    }

    @Override
    int[] sampleWarmup(RandomGenerator rng) {
      throw new IllegalStateException("the enas-macro space has no warm-up");
    }

    @Override
    Map<String, Object> toMap(int[] arc) {
      return MacroArch.fromInts(arc, layers).toMap();
    }

    @Override
    String arcString(int[] arc) {
      return MacroArch.fromInts(arc, layers).toArcString();
    }

    @Override
    String readable(int[] arc) {
      return MacroArch.fromInts(arc, layers).toReadable();
    }

    @Override
    int[] parse(String arc) {
      return MacroArch.parse(arc).toInts();
    }

    /** The layer graph, from the network's own plan of this architecture. */
    @Override
    void pictures(int[] arc, RunDir dir) throws IOException {
      NetworkPlan plan = net.plan(MacroArch.fromInts(arc, layers));
      CellGraph g = MacroDiagram.graph(plan.cells().get(0), "network (" + layers + " layers)");
      CellPicture.writeSvg(g, dir.file("network.svg"));
      CellPicture.writePng(g, dir.file("network.png"));
    }

    @Override
    String what() {
      return "network";
    }

    @Override
    boolean trainable() {
      return false;
    }

    @Override
    public void close() {
      net.close();
    }
  }
}
