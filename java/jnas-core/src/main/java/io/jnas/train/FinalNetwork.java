package io.jnas.train;

import io.jnas.backend.Backend;
import io.jnas.backend.Backends;
import io.jnas.backend.NativeNetwork;
import io.jnas.backend.NetworkPlan;
import io.jnas.genotype.Genotype;
import io.jnas.tensor.IntTensor;
import io.jnas.tensor.Tensor;
import java.util.Objects;

/**
 * A genotype built as a network to train from scratch, run natively (DARTS's NetworkCIFAR
 * structure: stem, {@code L} cells with reduction cells at {@code L/3} and {@code 2L/3}, an
 * auxiliary head, drop-path, dropout and a linear classifier; {@code native/graph/final_net.cpp}
 * states it exactly), on the backend in use ({@link Backends#current()}) or a given one. One
 * call per minibatch does forward, backward and the update.
 *
 * <p>Every argument is checked here before it reaches native code. Batch norm trains on batch
 * statistics and keeps running ones, which {@link #predict} uses. Not thread-safe.
 */
public final class FinalNetwork extends NativeNetwork {
  /** Weight of the auxiliary head's loss in the training loss (DARTS, ENAS). */
  public static final float AUX_WEIGHT = 0.4f;

  /**
   * Shape of a final network.
   *
   * @param genotype the cells
   * @param channels C, the first cells' channels per node (doubled at each reduction)
   * @param layers L, the number of cells, reduction cells included
   * @param numClasses classes
   * @param inChannels image channels
   * @param height image height
   * @param width image width
   * @param auxiliary whether the auxiliary head exists (it runs only in training)
   * @param seed weight-initialization seed
   */
  public record Config(Genotype genotype, int channels, int layers, int numClasses, int inChannels, int height,
      int width, boolean auxiliary, long seed) {
    /** Checks every field; the message names the bad one. */
    public Config {
      Objects.requireNonNull(genotype, "genotype");
      if (channels < 2 || channels > 4096) throw new IllegalArgumentException("final network: channels is " + channels + ", expected [2, 4096]");
      if (layers < 1 || layers > 1000) throw new IllegalArgumentException("final network: layers is " + layers + ", expected [1, 1000]");
      if (numClasses < 2) throw new IllegalArgumentException("final network: numClasses is " + numClasses + ", expected at least 2");
      if (inChannels < 1) throw new IllegalArgumentException("final network: inChannels is " + inChannels + ", expected at least 1");
      if (height < 2 || width < 2) throw new IllegalArgumentException("final network: image " + height + "x" + width + " is too small, expected at least 2x2");
    }
  }

  /**
   * Optimizer and regularization settings of a training step.
   *
   * @param lr learning rate
   * @param momentum Nesterov momentum, [0, 1)
   * @param weightDecay L2 weight decay
   * @param gradClip global-norm clip (0 or less: none)
   * @param dropPathKeep drop-path keep probability at the last cell and the end of training, (0, 1]
   * @param dropoutKeep dropout keep probability before the classifier, (0, 1]
   */
  public record Hyper(float lr, float momentum, float weightDecay, float gradClip, float dropPathKeep,
      float dropoutKeep) {
    /** Checks every field. */
    public Hyper {
      if (!(lr >= 0 && Float.isFinite(lr))) throw new IllegalArgumentException("final network: lr is " + lr + ", expected a finite value >= 0");
      if (!(momentum >= 0 && momentum < 1)) throw new IllegalArgumentException("final network: momentum is " + momentum + ", expected [0, 1)");
      if (!(weightDecay >= 0 && Float.isFinite(weightDecay))) throw new IllegalArgumentException("final network: weightDecay is " + weightDecay + ", expected >= 0");
      if (!Float.isFinite(gradClip)) throw new IllegalArgumentException("final network: gradClip is " + gradClip + ", expected a finite value");
      keep("dropPathKeep", dropPathKeep);
      keep("dropoutKeep", dropoutKeep);
    }
  }

  private static void keep(String name, float v) {
    if (!(v > 0 && v <= 1)) throw new IllegalArgumentException("final network: " + name + " is " + v + ", expected (0, 1]");
  }

  /**
   * Result of a step.
   *
   * @param loss mean cross-entropy of the main classifier
   * @param auxLoss mean cross-entropy of the auxiliary head (0 without it)
   * @param correct argmax hits of the main classifier
   * @param batch batch size
   * @param gradNorm global gradient norm before clipping (NaN where no update ran)
   */
  public record Result(float loss, float auxLoss, int correct, int batch, float gradNorm) {
    /** The loss that was differentiated: {@code loss + 0.4 auxLoss}. */
    public double totalLoss() {
      return loss + (double) AUX_WEIGHT * auxLoss;
    }
  }

  /** The four buffers. */
  public enum Buffer {
    /** Learned weights. */
    WEIGHTS,
    /** Their gradients after a step. */
    GRADIENTS,
    /** SGD momentum. */
    MOMENTUM,
    /** Batch-norm running statistics: per BN layer its mean (C) then its variance (C). */
    RUNNING_STATS
  }

  private final Config config;

  /** Builds the network on the backend in use and initializes its weights from {@code config.seed()}. */
  public FinalNetwork(Config config) {
    this(config, Backends.current());
  }

  /** Builds the network on {@code backend} and initializes its weights from {@code config.seed()}. */
  public FinalNetwork(Config config, Backend backend) {
    super("final network", backend, spec(Objects.requireNonNull(config, "config")));
    this.config = config;
  }

  private static FinalSpec spec(Config c) {
    return new FinalSpec(c.genotype().normalInts(), c.genotype().reduceInts(), c.channels(), c.layers(), c.numClasses(),
        c.inChannels(), c.height(), c.width(), c.auxiliary(), c.seed());
  }

  /**
   * The bytes of backend memory this network takes while training at batch {@code batch}
   * (weights, gradients, momentum, running statistics and the activation arena), measured by
   * building and stepping it on the {@code dry} backend: exact, and nothing is allocated.
   */
  public static long requiredBytes(Config config, int batch) {
    if (batch < 2) throw new IllegalArgumentException("final network: batch is " + batch + ", expected at least 2");
    try (Backend dry = Backends.dry(); FinalNetwork n = new FinalNetwork(config, dry)) {
      n.dryRun(MODE_TRAIN_STEP, null, null, batch, hyper(0.1f, 0.9f, 0f, 5f, 0.8f, 0.6f, 0.5f, true));
      return dry.peakBytes();
    }
  }

  /** The configuration. */
  public Config config() {
    return config;
  }

  /** Learned weights without the auxiliary head (what papers report as the parameter count). */
  public long numWeights() {
    long n = 0;
    for (TensorInfo t : tensors()) if (!t.name().startsWith("aux.")) n += t.size();
    return n;
  }

  /** Learned weights with the auxiliary head. */
  public long numWeightsWithAux() {
    long n = 0;
    for (TensorInfo t : tensors()) n += t.size();
    return n;
  }

  /** Floats in a buffer (the first three include alignment padding). */
  public long bufferSize(Buffer which) {
    return bufferSize(which.ordinal());
  }

  /** Forward FLOPs (2 x multiply-adds) for one image in evaluation mode. */
  public double forwardFlops() {
    return flops(null, null);
  }

  /**
   * The network's plan: every primitive step of the inference forward for one image (batch
   * norm with running statistics, no drop-path, dropout or auxiliary head) and every cell (see
   * {@link NetworkPlan}). The ONNX export is built from it.
   */
  public NetworkPlan plan() {
    return plan(null, null);
  }

  /**
   * One training step: forward (batch statistics, drop-path, dropout, auxiliary loss), backward,
   * clipping, Nesterov SGD; moves the running statistics.
   *
   * @param progress fraction of training done, [0, 1]: drop-path grows with it
   * @param seed draws the drop-path and dropout masks
   */
  public Result trainStep(Tensor images, IntTensor labels, Hyper h, float progress, long seed) {
    int b = checkBatch("train_step", images, labels, true, 2);
    Objects.requireNonNull(h, "hyper");
    checkProgress(progress);
    float[] o = run("train_step", MODE_TRAIN_STEP, null, null, images, labels, hyper(h.lr(), h.momentum(),
        h.weightDecay(), h.gradClip(), h.dropoutKeep(), h.dropPathKeep(), progress, true), seed, null);
    return new Result(o[OUT_LOSS], o[OUT_AUX_LOSS], (int) o[OUT_CORRECT], b, o[OUT_GRAD_NORM]);
  }

  /**
   * Training-mode forward and backward without an update: the gradients of
   * {@link Result#totalLoss()} are then readable with {@link #get}.
   *
   * @param updateStats whether the running statistics move
   */
  public Result forwardBackward(Tensor images, IntTensor labels, float dropPathKeep, float dropoutKeep, float progress,
      long seed, boolean updateStats) {
    int b = checkBatch("forward_backward", images, labels, true, 2);
    keep("dropPathKeep", dropPathKeep);
    keep("dropoutKeep", dropoutKeep);
    checkProgress(progress);
    float[] o = run("forward_backward", MODE_FORWARD_BACKWARD, null, null, images, labels,
        hyper(0f, 0f, 0f, 0f, dropoutKeep, dropPathKeep, progress, updateStats), seed, null);
    return new Result(o[OUT_LOSS], o[OUT_AUX_LOSS], (int) o[OUT_CORRECT], b, Float.NaN);
  }

  /**
   * Evaluation-mode logits (running statistics; no drop-path, dropout or auxiliary head).
   *
   * @param images (B, inChannels, height, width), B at least 1
   * @return (B, numClasses) row-major
   */
  public float[] predict(Tensor images) {
    int b = checkBatch("predict", images, null, false, 1);
    float[] logits = new float[b * config.numClasses()];
    run("predict", MODE_PREDICT, null, null, images, null, null, 0, logits);
    return logits;
  }

  /**
   * Evaluation-mode loss and hits on a labelled batch (running statistics), counted where the
   * network lives: only two numbers cross to the host.
   */
  public Result evaluate(Tensor images, IntTensor labels) {
    int b = checkBatch("evaluate", images, labels, true, 1);
    float[] o = run("evaluate", MODE_EVALUATE, null, null, images, labels, null, 0, null);
    return new Result(o[OUT_LOSS], 0f, (int) o[OUT_CORRECT], b, Float.NaN);
  }

  /** A copy of one buffer. */
  public float[] get(Buffer which) {
    return getBuffer(which.ordinal());
  }

  /** Overwrites one buffer; {@code values} must hold {@link #bufferSize} floats. */
  public void set(Buffer which, float[] values) {
    setBuffer(which.ordinal(), which.toString(), values);
  }

  private static void checkProgress(float p) {
    if (!(p >= 0 && p <= 1)) throw new IllegalArgumentException("final network: progress is " + p + ", expected [0, 1]");
  }
}
