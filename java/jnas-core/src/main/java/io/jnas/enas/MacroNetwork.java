package io.jnas.enas;

import io.jnas.backend.Backend;
import io.jnas.backend.Backends;
import io.jnas.backend.NativeNetwork;
import io.jnas.backend.NetworkPlan;
import io.jnas.genotype.Op;
import io.jnas.tensor.IntTensor;
import io.jnas.tensor.Tensor;
import java.util.Objects;

/**
 * One architecture of ENAS's macro space ({@link MacroArch}) as a network trained from scratch
 * ({@code native/graph/macro_net.cpp}, fixed form): stem, {@code L} layers with their skip
 * connections, channels doubled at the two reductions, global pooling, dropout, a linear
 * classifier. Training normalizes with batch statistics and moves the running ones; evaluation
 * and prediction use the running ones. Every argument is checked here before native code.
 */
public final class MacroNetwork extends NativeNetwork {
  /**
   * What the network is built from.
   *
   * @param arch the architecture
   * @param channels the first layers' channels (even: the reductions halve them)
   * @param numClasses classes
   * @param inChannels image channels
   * @param height image height
   * @param width image width
   * @param seed weight-initialization seed
   */
  public record Config(MacroArch arch, int channels, int numClasses, int inChannels, int height, int width, long seed) {
    /** Checks every field; the message names the bad one. */
    public Config {
      Objects.requireNonNull(arch, "arch");
      if (channels < 2 || channels % 2 != 0) {
        throw new IllegalArgumentException("macro network: channels is " + channels + ", expected an even number >= 2");
      }
      if (numClasses < 2) throw new IllegalArgumentException("macro network: numClasses is " + numClasses + ", expected at least 2");
      if (inChannels < 1) throw new IllegalArgumentException("macro network: inChannels is " + inChannels + ", expected at least 1");
      if (height < 2 || width < 2) throw new IllegalArgumentException("macro network: image " + height + "x" + width + ", expected at least 2x2");
    }
  }

  /**
   * Optimizer settings of a training step.
   *
   * @param lr learning rate
   * @param momentum Nesterov momentum
   * @param weightDecay L2 weight decay
   * @param gradClip global-norm clip (0: none)
   * @param dropoutKeep dropout keep probability before the classifier
   */
  public record Hyper(float lr, float momentum, float weightDecay, float gradClip, float dropoutKeep) {
    /** Checks every field. */
    public Hyper {
      if (!(lr >= 0 && Float.isFinite(lr))) throw new IllegalArgumentException("macro network: lr is " + lr + ", expected a finite value >= 0");
      if (!(momentum >= 0 && momentum < 1)) throw new IllegalArgumentException("macro network: momentum is " + momentum + ", expected [0, 1)");
      if (!(weightDecay >= 0)) throw new IllegalArgumentException("macro network: weightDecay is " + weightDecay + ", expected >= 0");
      if (!(gradClip >= 0 && Float.isFinite(gradClip))) throw new IllegalArgumentException("macro network: gradClip is " + gradClip + ", expected >= 0");
      if (!(dropoutKeep > 0 && dropoutKeep <= 1)) throw new IllegalArgumentException("macro network: dropoutKeep is " + dropoutKeep + ", expected (0, 1]");
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

  /** Which buffer. */
  public enum Buffer {
    /** The weights. */
    WEIGHTS,
    /** Their gradients (after a forward/backward). */
    GRADIENTS,
    /** The SGD momentum. */
    MOMENTUM,
    /** Batch-norm running statistics: per BN layer its mean (C) then its variance (C). */
    RUNNING_STATS
  }

  private final Config config;

  /** Builds the network on the backend in use. */
  public MacroNetwork(Config config) {
    this(config, Backends.current());
  }

  /** Builds the network on {@code backend}. */
  public MacroNetwork(Config config, Backend backend) {
    super("macro network", backend, new MacroSpec(config.inChannels(), config.height(), config.width(), config.numClasses(),
        config.arch().layers(), config.channels(), registryIds(), config.arch().toInts(), config.seed()));
    this.config = config;
  }

  /** The registry ids of {@link MacroArch#OPS}, the native candidate list. */
  static int[] registryIds() {
    return MacroArch.OPS.stream().mapToInt(Op::id).toArray();
  }

  /**
   * Bytes of backend memory the network takes while training at batch {@code batch}, from a
   * step on the {@code dry} backend: exact, nothing allocated.
   */
  public static long requiredBytes(Config config, int batch) {
    if (batch < 2) throw new IllegalArgumentException("macro network: batch is " + batch + ", expected at least 2");
    try (Backend dry = Backends.dry(); MacroNetwork n = new MacroNetwork(config, dry)) {
      n.dryRun(MODE_TRAIN_STEP, null, null, batch, hyper(0.1f, 0.9f, 0f, 5f, 0.9f, 1f, 0f, true));
      return dry.peakBytes();
    }
  }

  /** The configuration. */
  public Config config() {
    return config;
  }

  /** Learned weights (the sum of the named tensors). */
  public long numWeights() {
    long n = 0;
    for (TensorInfo t : tensors()) n += t.size();
    return n;
  }

  /** Forward FLOPs (2 x multiply-adds) of one image in evaluation mode. */
  public double forwardFlops() {
    return flops(null, null);
  }

  /** The plan: every primitive step of the inference forward for one image, and the layer graph as one cell. */
  public NetworkPlan plan() {
    return plan(null, null);
  }

  /** One training step: forward (batch statistics, dropout), backward, clip, Nesterov SGD; moves the running statistics. */
  public Result trainStep(Tensor images, IntTensor labels, Hyper h, long seed) {
    int b = checkBatch("train_step", images, labels, true, 2);
    Objects.requireNonNull(h, "hyper");
    float[] o = run("train_step", MODE_TRAIN_STEP, null, null, images, labels,
        hyper(h.lr(), h.momentum(), h.weightDecay(), h.gradClip(), h.dropoutKeep(), 1f, 0f, true), seed, null);
    return new Result(o[OUT_LOSS], (int) o[OUT_CORRECT], b, o[OUT_GRAD_NORM]);
  }

  /** Training-mode forward and backward without an update (the gradients are then readable); running statistics stay. */
  public Result forwardBackward(Tensor images, IntTensor labels, float dropoutKeep, long seed) {
    int b = checkBatch("forward_backward", images, labels, true, 2);
    if (!(dropoutKeep > 0 && dropoutKeep <= 1)) throw new IllegalArgumentException("macro network: dropoutKeep is " + dropoutKeep + ", expected (0, 1]");
    float[] o = run("forward_backward", MODE_FORWARD_BACKWARD, null, null, images, labels,
        hyper(0f, 0f, 0f, 0f, dropoutKeep, 1f, 0f, false), seed, null);
    return new Result(o[OUT_LOSS], (int) o[OUT_CORRECT], b, Float.NaN);
  }

  /** Evaluation-mode logits (running statistics), {@code (B, numClasses)} row-major. */
  public float[] predict(Tensor images) {
    int b = checkBatch("predict", images, null, false, 1);
    float[] logits = new float[b * config.numClasses()];
    run("predict", MODE_PREDICT, null, null, images, null, null, 0, logits);
    return logits;
  }

  /** Evaluation-mode loss and hits on a labelled batch. */
  public Result evaluate(Tensor images, IntTensor labels) {
    int b = checkBatch("evaluate", images, labels, true, 1);
    float[] o = run("evaluate", MODE_EVALUATE, null, null, images, labels, null, 0, null);
    return new Result(o[OUT_LOSS], (int) o[OUT_CORRECT], b, Float.NaN);
  }

  /** A copy of one buffer. */
  public float[] get(Buffer which) {
    return getBuffer(which.ordinal());
  }

  /** Overwrites one buffer. */
  public void set(Buffer which, float[] values) {
    setBuffer(which.ordinal(), which.toString(), values);
  }
}
