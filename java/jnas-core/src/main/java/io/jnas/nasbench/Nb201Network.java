package io.jnas.nasbench;

import io.jnas.backend.Backend;
import io.jnas.backend.Backends;
import io.jnas.backend.NativeNetwork;
import io.jnas.backend.NetworkPlan;
import io.jnas.space.Nb201Cell;
import io.jnas.space.Nb201Op;
import io.jnas.tensor.IntTensor;
import io.jnas.tensor.Tensor;
import java.util.Objects;

/**
 * The NAS-Bench-201 network ({@code native/graph/nb201_net.cpp}; Dong &amp; Yang 2020): a 3x3
 * stem, three stages of {@code N} cells (C, 2C, 4C channels) joined by ResNet basic blocks,
 * BN-ReLU, global pooling and a linear classifier. Two forms:
 *
 * <ul>
 *   <li>{@link #of the network of one cell}: only the cell's ops exist; training normalizes
 *       with batch statistics and moves the running ones, evaluation uses the running ones;
 *   <li>{@link #searchNetwork the weight-shared search network}: every op of every edge exists
 *       once; a step runs a discrete cell (random sampling with weight sharing, ENAS, GDAS's
 *       forward) or, with {@code cell == null}, the relaxed cell of {@link #setArchWeights}
 *       (DARTS: each edge the weighted sum of its ops); batch statistics always.
 * </ul>
 *
 * <p>{@code batchNorm == false} builds the network without batch norm (every BN an identity):
 * the network synflow scores. Every argument is checked here before native code. Not
 * thread-safe.
 */
public final class Nb201Network extends NativeNetwork implements io.jnas.darts.RelaxedNetwork {
  /** Architecture weights of the relaxed cell: 6 edges x 5 ops. */
  public static final int ARCH_WEIGHTS = Nb201Cell.EDGES * Nb201Op.values().length;

  /**
   * What the network is built from.
   *
   * @param cell the cell, or null for the weight-shared search network
   * @param channels the first stage's channels C (NB201: 16)
   * @param cellsPerStage cells per stage N (NB201: 5)
   * @param numClasses classes
   * @param inChannels image channels
   * @param height image height
   * @param width image width
   * @param batchNorm false: no batch norm anywhere (synflow)
   * @param seed weight-initialization seed
   */
  public record Config(Nb201Cell cell, int channels, int cellsPerStage, int numClasses, int inChannels, int height,
      int width, boolean batchNorm, long seed) {
    /** Checks every field; the message names the bad one. */
    public Config {
      if (channels < 1) throw new IllegalArgumentException("nb201 network: channels is " + channels + ", expected at least 1");
      if (cellsPerStage < 1) {
        throw new IllegalArgumentException("nb201 network: cellsPerStage is " + cellsPerStage + ", expected at least 1");
      }
      if (numClasses < 2) throw new IllegalArgumentException("nb201 network: numClasses is " + numClasses + ", expected at least 2");
      if (inChannels < 1) throw new IllegalArgumentException("nb201 network: inChannels is " + inChannels + ", expected at least 1");
      if (height < 4 || width < 4) {
        throw new IllegalArgumentException("nb201 network: image " + height + "x" + width + ", expected at least 4x4");
      }
    }

    /** NAS-Bench-201's own size (C = 16, N = 5) for CIFAR-10 images, with batch norm. */
    public static Config benchmark(Nb201Cell cell, long seed) {
      return new Config(cell, 16, 5, 10, 3, 32, 32, true, seed);
    }

    /** The same configuration with another cell (null: the search network). */
    public Config withCell(Nb201Cell c) {
      return new Config(c, channels, cellsPerStage, numClasses, inChannels, height, width, batchNorm, seed);
    }

    /** The same configuration with or without batch norm. */
    public Config withBatchNorm(boolean on) {
      return new Config(cell, channels, cellsPerStage, numClasses, inChannels, height, width, on, seed);
    }

    /** The same configuration with another seed. */
    public Config withSeed(long s) {
      return new Config(cell, channels, cellsPerStage, numClasses, inChannels, height, width, batchNorm, s);
    }
  }

  /**
   * Optimizer settings of a training step (Nesterov SGD with L2 weight decay).
   *
   * @param lr learning rate
   * @param momentum momentum
   * @param weightDecay L2 weight decay
   * @param gradClip global-norm clip (0: none)
   */
  public record Hyper(float lr, float momentum, float weightDecay, float gradClip) {
    /** Checks every field. */
    public Hyper {
      if (!(lr >= 0 && Float.isFinite(lr))) throw new IllegalArgumentException("nb201 network: lr is " + lr + ", expected a finite value >= 0");
      if (!(momentum >= 0 && momentum < 1)) throw new IllegalArgumentException("nb201 network: momentum is " + momentum + ", expected [0, 1)");
      if (!(weightDecay >= 0)) throw new IllegalArgumentException("nb201 network: weightDecay is " + weightDecay + ", expected >= 0");
      if (!(gradClip >= 0 && Float.isFinite(gradClip))) throw new IllegalArgumentException("nb201 network: gradClip is " + gradClip + ", expected >= 0");
    }
  }

  /**
   * Result of a step or an evaluation.
   *
   * @param loss mean cross-entropy
   * @param correct argmax hits
   * @param batch batch size
   * @param gradNorm global gradient norm before clipping (NaN where none was computed)
   */
  public record Result(float loss, int correct, int batch, float gradNorm) {
    /** Fraction of the batch classified correctly. */
    public double accuracy() {
      return correct / (double) batch;
    }
  }

  private final Config config;
  private boolean archWeightsSet;

  /** The network of {@code config} (its cell, or the search network where the cell is null) on the backend in use. */
  public Nb201Network(Config config) {
    this(config, Backends.current());
  }

  /** The network of {@code config} on {@code backend}. */
  public Nb201Network(Config config, Backend backend) {
    super(config.cell() == null ? "nb201 search network" : "nb201 network", backend,
        new Nb201Spec(config.inChannels(), config.height(), config.width(), config.numClasses(), config.channels(),
            config.cellsPerStage(), config.cell() == null ? null : ints(config.cell()), config.batchNorm(), config.seed()));
    this.config = config;
  }

  /** The network of one cell. */
  public static Nb201Network of(Config config) {
    if (config.cell() == null) throw new IllegalArgumentException("nb201 network: no cell (use searchNetwork)");
    return new Nb201Network(config);
  }

  /** The weight-shared search network of {@code config} (its cell ignored). */
  public static Nb201Network searchNetwork(Config config) {
    return new Nb201Network(config.withCell(null));
  }

  /** A cell's six op indices in NB201's order (edge order of the cell string). */
  public static int[] ints(Nb201Cell cell) {
    Objects.requireNonNull(cell, "cell");
    int[] a = new int[Nb201Cell.EDGES];
    for (int e = 0; e < a.length; e++) a[e] = cell.ops().get(e).ordinal();
    return a;
  }

  /** The configuration. */
  public Config config() {
    return config;
  }

  /** Whether this is the weight-shared search network. */
  public boolean isSearchNetwork() {
    return config.cell() == null;
  }

  /** Learned weights (the sum of the named tensors). */
  public long numWeights() {
    long n = 0;
    for (TensorInfo t : tensors()) n += t.size();
    return n;
  }

  /** Forward FLOPs of one image (the search network: of {@code cell}). */
  public double forwardFlops(Nb201Cell cell) {
    return flops(arch(cell, "flops"), null);
  }

  /** The plan of the inference forward for one image (the search network: of {@code cell}). */
  public NetworkPlan plan(Nb201Cell cell) {
    return plan(arch(cell, "plan"), null);
  }

  /**
   * Sets the relaxed cell's weights (the search network): {@link #ARCH_WEIGHTS} floats, edge
   * after edge, in {@link Nb201Op} order; an op of weight 0 is not computed.
   */
  @Override
  public void setArchWeights(float[] w) {
    if (!isSearchNetwork()) throw new IllegalStateException("nb201 network: only the search network has architecture weights");
    Objects.requireNonNull(w, "w");
    if (w.length != ARCH_WEIGHTS) {
      throw new IllegalArgumentException("nb201 network: " + w.length + " architecture weights, expected " + ARCH_WEIGHTS);
    }
    for (int i = 0; i < w.length; i++) {
      if (!Float.isFinite(w[i])) throw new IllegalArgumentException("nb201 network: architecture weight " + i + " is " + w[i]);
    }
    setRelaxedWeights(w);
    archWeightsSet = true;
  }

  /**
   * After a {@link #forwardBackward} or {@link #trainStep} of the relaxed cell: d loss / d
   * weights, summed over the cells ({@link #ARCH_WEIGHTS} floats). An op not computed (weight
   * 0) gets the sum of its edge's output gradient, as GDAS's straight-through code has it.
   */
  @Override
  public float[] archGradient() {
    if (!isSearchNetwork()) throw new IllegalStateException("nb201 network: only the search network has architecture weights");
    return relaxedGradient(ARCH_WEIGHTS);
  }

  /**
   * One training step: forward, backward, clip, Nesterov SGD. {@code cell}: the search
   * network's discrete cell, or null for its relaxed cell; null for the network of one cell.
   */
  public Result trainStep(Nb201Cell cell, Tensor images, IntTensor labels, Hyper h, long seed) {
    int b = checkBatch("train_step", images, labels, true, minBatch(true));
    Objects.requireNonNull(h, "hyper");
    float[] o = run("train_step", MODE_TRAIN_STEP, arch(cell, "train_step"), null, images, labels,
        hyper(h.lr(), h.momentum(), h.weightDecay(), h.gradClip(), 1f, 1f, 0f, true), seed, null);
    return new Result(o[OUT_LOSS], (int) o[OUT_CORRECT], b, o[OUT_GRAD_NORM]);
  }

  /** Forward and backward (batch statistics), no update: the gradients buffer gets d loss / d weights. */
  public Result forwardBackward(Nb201Cell cell, Tensor images, IntTensor labels) {
    int b = checkBatch("forward_backward", images, labels, true, minBatch(true));
    float[] o = run("forward_backward", MODE_FORWARD_BACKWARD, arch(cell, "forward_backward"), null, images, labels,
        hyper(0f, 0f, 0f, 0f, 1f, 1f, 0f, false), 0, null);
    return new Result(o[OUT_LOSS], (int) o[OUT_CORRECT], b, Float.NaN);
  }

  /** Loss and hits; the network of one cell uses its running statistics, the search network batch statistics. */
  public Result evaluate(Nb201Cell cell, Tensor images, IntTensor labels) {
    int b = checkBatch("evaluate", images, labels, true, minBatch(false));
    float[] o = run("evaluate", MODE_EVALUATE, arch(cell, "evaluate"), null, images, labels, null, 0, null);
    return new Result(o[OUT_LOSS], (int) o[OUT_CORRECT], b, Float.NaN);
  }

  /** Logits {@code (B, classes)}, row-major. */
  public float[] predict(Nb201Cell cell, Tensor images) {
    int b = checkBatch("predict", images, null, false, minBatch(false));
    float[] logits = new float[b * config.numClasses()];
    run("predict", MODE_PREDICT, arch(cell, "predict"), null, images, null, null, 0, logits);
    return logits;
  }

  /**
   * NASWOT's matrix (Mellor et al. 2021): for a batch of B images, the (B x B) sum over every
   * ReLU of the number of units where two images' ReLU inputs agree in sign (both > 0 or both
   * <= 0). Batch statistics; nothing is updated.
   */
  public double[][] activationPatternKernel(Nb201Cell cell, Tensor images) {
    int b = checkBatch("relu_codes", images, null, false, Math.max(2, minBatch(true)));
    float[] k = reluCodes(arch(cell, "relu_codes"), null, images);
    double[][] m = new double[b][b];
    for (int i = 0; i < b; i++) for (int j = 0; j < b; j++) m[i][j] = k[i * b + j];
    return m;
  }

  /** The gradients buffer gets d(seed x the sum of all logits)/d(weights) (synflow's backward). */
  public void sumOfLogitsBackward(Nb201Cell cell, Tensor images, float seed) {
    checkBatch("sum_backward", images, null, false, minBatch(true));
    if (!Float.isFinite(seed)) throw new IllegalArgumentException("nb201 network: seed is " + seed);
    sumBackward(arch(cell, "sum_backward"), null, images, seed);
  }

  @Override
  public int opsPerEdge() {
    return Nb201Op.values().length;
  }

  @Override
  public int archSize() {
    return isSearchNetwork() ? ARCH_WEIGHTS : 0;
  }

  /** The relaxed cell's loss and gradients ({@link #forwardBackward} with no cell). */
  @Override
  public float lossAndGradients(Tensor images, IntTensor labels) {
    return forwardBackward(null, images, labels).loss();
  }

  /** A training step of the relaxed cell: {loss, hits}. */
  @Override
  public float[] trainStep(Tensor images, IntTensor labels, float lr, float momentum, float weightDecay, float gradClip, long seed) {
    Result r = trainStep(null, images, labels, new Hyper(lr, momentum, weightDecay, gradClip), seed);
    return new float[] {r.loss(), r.correct()};
  }

  /** A copy of the weights. */
  @Override
  public float[] weights() {
    return getBuffer(BUF_WEIGHTS);
  }

  /** Overwrites the weights (as many floats as {@link #weights()} returns). */
  @Override
  public void setWeights(float[] w) {
    setBuffer(BUF_WEIGHTS, "weights", w);
  }

  /** A copy of the gradients (after a forward/backward). */
  @Override
  public float[] gradients() {
    return getBuffer(BUF_GRADIENTS);
  }

  /** A copy of the SGD momentum (as many floats as the weights). */
  public float[] momentum() {
    return getBuffer(BUF_MOMENTUM);
  }

  /** Overwrites the SGD momentum. */
  public void setMomentum(float[] v) {
    setBuffer(BUF_MOMENTUM, "momentum", v);
  }

  /** A copy of the batch-norm running statistics (empty for the search network and without batch norm). */
  public float[] runningStats() {
    return getBuffer(BUF_RUNNING_STATS);
  }

  /** Overwrites the running statistics. */
  public void setRunningStats(float[] v) {
    setBuffer(BUF_RUNNING_STATS, "running statistics", v);
  }

  /** The smallest batch: 2 where batch statistics are taken (training, or the search network), else 1. */
  private int minBatch(boolean training) {
    return config.batchNorm() && (training || isSearchNetwork()) ? 2 : 1;
  }

  private int[] arch(Nb201Cell cell, String op) {
    if (!isSearchNetwork()) {
      if (cell != null && !cell.equals(config.cell())) {
        throw new IllegalArgumentException("nb201 network " + op + ": this network is of cell " + config.cell() + ", not " + cell);
      }
      return null;
    }
    if (cell == null && !archWeightsSet) {
      throw new IllegalStateException("nb201 search network " + op + ": no cell and no architecture weights (setArchWeights)");
    }
    return cell == null ? null : ints(cell);
  }
}
