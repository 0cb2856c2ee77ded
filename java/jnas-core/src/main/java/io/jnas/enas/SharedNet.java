package io.jnas.enas;

import io.jnas.backend.NetworkPlan;
import io.jnas.controller.ControllerSpec;
import io.jnas.data.Dataset;
import io.jnas.plot.CellGraph;
import io.jnas.plot.CellPicture;
import io.jnas.search.RunDir;
import io.jnas.tensor.IntTensor;
import io.jnas.tensor.Tensor;
import java.io.IOException;
import java.util.Arrays;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * What {@link EnasSearch} needs of the space it searches: the weight-shared network, the
 * controller's program, and the architecture's written forms and pictures. The architecture is
 * always the controller's action vector (the ENAS integer string of the space). Two spaces:
 * {@link Micro} (cells, {@link Supernet}) and {@link Macro} (layers, {@link MacroSupernet}).
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
    return s.net().macro() ? new Macro(macroConfig(s, d, seed)) : new Micro(microConfig(s, d, seed));
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
        : "the supernet (" + n.layers() + " layers, " + n.channels() + " channels, " + n.nodes() + " nodes)";
  }

  /** The flags that change its size, for messages. */
  static String sizeFlags(SearchSettings s) {
    return s.net().macro() ? "--channels, --layers or --batch" : "--channels, --layers, --nodes or --batch";
  }

  private static Supernet.Config microConfig(SearchSettings s, Dataset d, long seed) {
    return new Supernet.Config(d.channels(), d.height(), d.width(), d.numClasses(), s.net().layers(), s.net().channels(),
        s.net().nodes(), seed);
  }

  private static MacroSupernet.Config macroConfig(SearchSettings s, Dataset d, long seed) {
    return new MacroSupernet.Config(d.channels(), d.height(), d.width(), d.numClasses(), s.net().layers(), s.net().channels(),
        seed);
  }

  /** The controller's program. */
  abstract ControllerSpec controllerSpec();

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

  /** The ENAS micro space: two cells. */
  static final class Micro extends SharedNet {
    private final Supernet net;
    private final int nodes;

    Micro(Supernet.Config c) {
      this.net = new Supernet(c);
      this.nodes = c.nodes();
    }

    /** The supernet. */
    Supernet supernet() {
      return net;
    }

    @Override
    ControllerSpec controllerSpec() {
      return ControllerSpec.enasMicro(nodes, Supernet.NUM_OPS, true);
    }

    private int[] normal(int[] arc) {
      return Arrays.copyOfRange(arc, 0, 4 * nodes);
    }

    private int[] reduce(int[] arc) {
      return Arrays.copyOfRange(arc, 4 * nodes, 8 * nodes);
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
      return new EnasMicroSpace(nodes);
    }

    @Override
    int[] sampleWarmup(RandomGenerator rng) {
      int[] a = new int[8 * nodes];
      for (int c = 0; c < 2; c++) {
        for (int j = 0; j < nodes; j++) {
          int o = 4 * (c * nodes + j);
          a[o] = j;
          a[o + 1] = rng.nextInt(Supernet.NUM_OPS);
          a[o + 2] = j + 1;
          a[o + 3] = rng.nextInt(Supernet.NUM_OPS);
        }
      }
      return a;
    }

    @Override
    Map<String, Object> toMap(int[] arc) {
      return EnasArch.fromInts(arc, nodes).toMap();
    }

    @Override
    String arcString(int[] arc) {
      return EnasArch.fromInts(arc, nodes).toArcString();
    }

    @Override
    String readable(int[] arc) {
      return EnasArch.fromInts(arc, nodes).toReadable();
    }

    @Override
    int[] parse(String arc) {
      return EnasArch.parse(arc, nodes).toInts();
    }

    /**
     * The cells from the supernet's own plan of this architecture (a supernet without normal
     * layers has no normal cell to plan: that one is drawn from the arc).
     */
    @Override
    void pictures(int[] arc, RunDir dir) throws IOException {
      EnasArch a = EnasArch.fromInts(arc, nodes);
      NetworkPlan plan = net.plan(a.normal().toInts(), a.reduce().toInts());
      for (boolean red : new boolean[] {false, true}) {
        String title = red ? "reduction cell" : "normal cell";
        CellGraph g = plan.cells().stream().filter(c -> c.reduction() == red).findFirst()
            .map(c -> CellDiagram.graph(c, title)).orElseGet(() -> CellDiagram.graph(red ? a.reduce() : a.normal(), title));
        CellPicture.writeSvg(g, dir.file(red ? "reduce_cell.svg" : "normal_cell.svg"));
        CellPicture.writePng(g, dir.file(red ? "reduce_cell.png" : "normal_cell.png"));
      }
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
    ControllerSpec controllerSpec() {
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
