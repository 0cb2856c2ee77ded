package io.jnas.darts;

import io.jnas.backend.Backend;
import io.jnas.backend.Backends;
import io.jnas.backend.NativeNetwork;
import io.jnas.genotype.Op;
import io.jnas.tensor.IntTensor;
import io.jnas.tensor.Tensor;
import java.util.List;
import java.util.Objects;

/**
 * DARTS's search network ({@code native/graph/darts_net.cpp}; Liu et al. 2019, quark0/darts
 * {@code cnn/model_search.py}): a stem, {@code layers} cells with reductions at L/3 and 2L/3,
 * each node the sum over all earlier states of the mixed op sum_k w_k op_k; the weights of the
 * normal cells' edges and of the reduction cells' edges are set from outside. Batch statistics
 * always. Every argument is checked here before native code. Not thread-safe.
 */
public final class DartsSearchNetwork extends NativeNetwork implements RelaxedNetwork {
  /** DARTS's eight candidate ops, in DARTS's PRIMITIVES order. */
  public static final List<Op> DARTS_OPS = List.of(Op.NONE, Op.MAX_POOL_3X3, Op.AVG_POOL_3X3, Op.SKIP_CONNECT, Op.SEP_CONV_3X3,
      Op.SEP_CONV_5X5, Op.DIL_CONV_3X3, Op.DIL_CONV_5X5);

  /**
   * What the network is built from.
   *
   * @param channels the first cells' channels C (DARTS: 16), even
   * @param layers cells L (DARTS: 8)
   * @param steps nodes per cell (DARTS: 4)
   * @param ops candidate ops (DARTS's: {@link #DARTS_OPS})
   * @param numClasses classes
   * @param inChannels image channels
   * @param height image height
   * @param width image width
   * @param seed weight-initialization seed
   */
  public record Config(int channels, int layers, int steps, List<Op> ops, int numClasses, int inChannels, int height, int width,
      long seed) {
    /** Checks every field. */
    public Config {
      if (channels < 2 || channels % 2 != 0) throw new IllegalArgumentException("darts network: channels is " + channels + ", expected an even number >= 2");
      if (layers < 1) throw new IllegalArgumentException("darts network: layers is " + layers + ", expected at least 1");
      if (steps < 1 || steps > 8) throw new IllegalArgumentException("darts network: steps is " + steps + ", expected 1..8");
      ops = List.copyOf(Objects.requireNonNull(ops, "ops"));
      if (ops.isEmpty() || ops.size() > 16) throw new IllegalArgumentException("darts network: " + ops.size() + " ops, expected 1..16");
      if (ops.stream().distinct().count() != ops.size()) throw new IllegalArgumentException("darts network: an op is listed twice: " + ops);
      if (numClasses < 2) throw new IllegalArgumentException("darts network: numClasses is " + numClasses + ", expected at least 2");
      if (inChannels < 1) throw new IllegalArgumentException("darts network: inChannels is " + inChannels);
      if (height < 4 || width < 4) throw new IllegalArgumentException("darts network: image " + height + "x" + width + ", expected at least 4x4");
    }

    /** Edges per cell: steps (steps + 3) / 2 (14 for 4 nodes). */
    public int edges() {
      return steps * (steps + 3) / 2;
    }
  }

  private final Config config;
  private boolean archSet;

  /** The network on the backend in use. */
  public DartsSearchNetwork(Config config) {
    this(config, Backends.current());
  }

  /** The network on {@code backend}. */
  public DartsSearchNetwork(Config config, Backend backend) {
    super("darts search network", backend, new DartsSpec(config.inChannels(), config.height(), config.width(), config.numClasses(),
        config.channels(), config.layers(), config.steps(), config.ops().stream().mapToInt(Op::id).toArray(), config.seed()));
    this.config = config;
  }

  /** The configuration. */
  public Config config() {
    return config;
  }

  @Override
  public int opsPerEdge() {
    return config.ops().size();
  }

  @Override
  public int archSize() {
    return 2 * config.edges() * config.ops().size();
  }

  @Override
  public void setArchWeights(float[] w) {
    Objects.requireNonNull(w, "w");
    if (w.length != archSize()) throw new IllegalArgumentException("darts network: " + w.length + " architecture weights, expected " + archSize());
    for (int i = 0; i < w.length; i++) {
      if (!Float.isFinite(w[i])) throw new IllegalArgumentException("darts network: architecture weight " + i + " is " + w[i]);
    }
    setRelaxedWeights(w);
    archSet = true;
  }

  @Override
  public float[] archGradient() {
    return relaxedGradient(archSize());
  }

  @Override
  public float lossAndGradients(Tensor images, IntTensor labels) {
    checkBatch("forward_backward", images, labels, true, 2);
    requireArch("forward_backward");
    return run("forward_backward", MODE_FORWARD_BACKWARD, null, null, images, labels, hyper(0f, 0f, 0f, 0f, 1f, 1f, 0f, false), 0,
        null)[OUT_LOSS];
  }

  @Override
  public float[] trainStep(Tensor images, IntTensor labels, float lr, float momentum, float weightDecay, float gradClip, long seed) {
    checkBatch("train_step", images, labels, true, 2);
    requireArch("train_step");
    if (!(lr >= 0 && Float.isFinite(lr))) throw new IllegalArgumentException("darts network: lr is " + lr);
    float[] o = run("train_step", MODE_TRAIN_STEP, null, null, images, labels,
        hyper(lr, momentum, weightDecay, gradClip, 1f, 1f, 0f, false), seed, null);
    return new float[] {o[OUT_LOSS], o[OUT_CORRECT]};
  }

  /** Loss and hits of the relaxed network on a batch (batch statistics): {loss, hits}. */
  public float[] evaluate(Tensor images, IntTensor labels) {
    checkBatch("evaluate", images, labels, true, 2);
    requireArch("evaluate");
    float[] o = run("evaluate", MODE_EVALUATE, null, null, images, labels, null, 0, null);
    return new float[] {o[OUT_LOSS], o[OUT_CORRECT]};
  }

  @Override
  public float[] weights() {
    return getBuffer(BUF_WEIGHTS);
  }

  @Override
  public void setWeights(float[] w) {
    setBuffer(BUF_WEIGHTS, "weights", w);
  }

  @Override
  public float[] gradients() {
    return getBuffer(BUF_GRADIENTS);
  }

  /** Learned weights (the sum of the named tensors). */
  public long numWeights() {
    long n = 0;
    for (TensorInfo t : tensors()) n += t.size();
    return n;
  }

  private void requireArch(String op) {
    if (!archSet) throw new IllegalStateException("darts network " + op + ": no architecture weights yet (setArchWeights)");
  }
}
