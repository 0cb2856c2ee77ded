package io.jnas.train;

import io.jnas.genotype.Genotype;
import io.jnas.internal.NativeLib;
import io.jnas.tensor.IntTensor;
import io.jnas.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;

/**
 * A genotype built as a network to train from scratch, run natively (DARTS's NetworkCIFAR
 * structure: stem, {@code L} cells with reduction cells at {@code L/3} and {@code 2L/3}, an
 * auxiliary head, drop-path, dropout and a linear classifier; {@code native/final_net.cpp}
 * states it exactly). One call per minibatch does forward, backward and the update.
 *
 * <p>Every argument is checked here before it reaches native code. Batch norm trains on batch
 * statistics and keeps running ones, which {@link #predict} uses. Not thread-safe.
 */
public final class FinalNetwork implements AutoCloseable {
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

  /**
   * One named tensor of the weight buffer.
   *
   * @param name e.g. {@code cell3.edge2.sep3.0.pw}; the auxiliary head's start with {@code aux.}
   * @param offset first float
   * @param size floats
   */
  public record TensorInfo(String name, long offset, long size) {}

  private final Config config;
  private Pointer handle;
  private final long[] sizes = new long[4];
  private final FloatPointer loss = new FloatPointer(1);
  private final FloatPointer auxLoss = new FloatPointer(1);
  private final FloatPointer norm = new FloatPointer(1);
  private final IntPointer correct = new IntPointer(1);

  /** Builds the network and initializes its weights from {@code config.seed()}. */
  public FinalNetwork(Config config) {
    this.config = Objects.requireNonNull(config, "config");
    NativeLib.load();
    int[] n = config.genotype().normalInts();
    int[] r = config.genotype().reduceInts();
    try (IntPointer np = new IntPointer(n); IntPointer rp = new IntPointer(r)) {
      handle = NativeLib.jnas_cpu_final_create(np, n.length, rp, r.length, config.channels(), config.layers(),
          config.numClasses(), config.inChannels(), config.height(), config.width(), config.auxiliary() ? 1 : 0,
          config.seed());
    }
    if (handle == null || handle.isNull()) {
      handle = null;
      throw new IllegalStateException("final network: native construction failed (out of memory?)");
    }
    for (int i = 0; i < 4; i++) sizes[i] = NativeLib.jnas_cpu_final_buffer_size(handle, i);
  }

  /** The configuration. */
  public Config config() {
    return config;
  }

  /** Learned weights without the auxiliary head (what papers report as the parameter count). */
  public long numWeights() {
    ensureOpen();
    return NativeLib.jnas_cpu_final_num_weights(handle, 0);
  }

  /** Learned weights with the auxiliary head. */
  public long numWeightsWithAux() {
    ensureOpen();
    return NativeLib.jnas_cpu_final_num_weights(handle, 1);
  }

  /** Floats in a buffer (the first three include alignment padding). */
  public long bufferSize(Buffer which) {
    return sizes[which.ordinal()];
  }

  /** Forward FLOPs (2 x multiply-adds) for one image in evaluation mode. */
  public double forwardFlops() {
    ensureOpen();
    double f = NativeLib.jnas_cpu_final_flops(handle);
    if (f < 0) throw new IllegalStateException("final network: FLOP count failed");
    return f;
  }

  /** The named tensors of the weight buffer, in order. */
  public List<TensorInfo> tensors() {
    ensureOpen();
    int n = NativeLib.jnas_cpu_final_num_tensors(handle);
    List<TensorInfo> list = new ArrayList<>(n);
    try (BytePointer name = new BytePointer(256); LongPointer off = new LongPointer(1); LongPointer size = new LongPointer(1)) {
      for (int i = 0; i < n; i++) {
        NativeLib.jnas_cpu_final_tensor_info(handle, i, name, 256, off, size);
        String s = name.getString();
        int nul = s.indexOf('\0');
        list.add(new TensorInfo(nul >= 0 ? s.substring(0, nul) : s, off.get(), size.get()));
      }
    }
    return list;
  }

  /**
   * One training step: forward (batch statistics, drop-path, dropout, auxiliary loss), backward,
   * clipping, Nesterov SGD; moves the running statistics.
   *
   * @param progress fraction of training done, [0, 1]: drop-path grows with it
   * @param seed draws the drop-path and dropout masks
   */
  public Result trainStep(Tensor images, IntTensor labels, Hyper h, float progress, long seed) {
    int b = check("train_step", images, labels);
    Objects.requireNonNull(h, "hyper");
    checkProgress(progress);
    checkCode(NativeLib.jnas_cpu_final_train_step(handle, images.pointer(), labels.pointer(), b, h.lr(), h.momentum(),
        h.weightDecay(), h.gradClip(), h.dropPathKeep(), h.dropoutKeep(), progress, seed, loss, auxLoss, correct, norm),
        "train_step");
    return new Result(loss.get(), auxLoss.get(), correct.get(), b, norm.get());
  }

  /**
   * Training-mode forward and backward without an update: the gradients of
   * {@link Result#totalLoss()} are then readable with {@link #get}.
   *
   * @param updateStats whether the running statistics move
   */
  public Result forwardBackward(Tensor images, IntTensor labels, float dropPathKeep, float dropoutKeep, float progress,
      long seed, boolean updateStats) {
    int b = check("forward_backward", images, labels);
    keep("dropPathKeep", dropPathKeep);
    keep("dropoutKeep", dropoutKeep);
    checkProgress(progress);
    checkCode(NativeLib.jnas_cpu_final_forward_backward(handle, images.pointer(), labels.pointer(), b, dropPathKeep,
        dropoutKeep, progress, seed, updateStats ? 1 : 0, loss, auxLoss, correct), "forward_backward");
    return new Result(loss.get(), auxLoss.get(), correct.get(), b, Float.NaN);
  }

  /**
   * Evaluation-mode logits (running statistics; no drop-path, dropout or auxiliary head).
   *
   * @param images (B, inChannels, height, width), B at least 1
   * @return (B, numClasses) row-major
   */
  public float[] predict(Tensor images) {
    ensureOpen();
    int b = checkImages("predict", images, 1);
    float[] out = new float[b * config.numClasses()];
    try (FloatPointer p = new FloatPointer(out.length)) {
      checkCode(NativeLib.jnas_cpu_final_predict(handle, images.pointer(), b, p), "predict");
      p.get(out);
    }
    return out;
  }

  /** A copy of one buffer. */
  public float[] get(Buffer which) {
    ensureOpen();
    long n = sizes[which.ordinal()];
    float[] out = new float[Math.toIntExact(n)];
    if (n == 0) return out;
    try (FloatPointer p = new FloatPointer(n)) {
      checkCode(NativeLib.jnas_cpu_final_get(handle, which.ordinal(), p), "get");
      p.get(out);
    }
    return out;
  }

  /** Overwrites one buffer; {@code values} must hold {@link #bufferSize} floats. */
  public void set(Buffer which, float[] values) {
    ensureOpen();
    long n = sizes[which.ordinal()];
    if (values == null || values.length != n) {
      throw new IllegalArgumentException("final network: set " + which + " got " + (values == null ? "null" : values.length + " floats")
          + ", expected " + n + " (a different genotype or size?)");
    }
    if (n == 0) return;
    try (FloatPointer p = new FloatPointer(values)) {
      checkCode(NativeLib.jnas_cpu_final_set(handle, which.ordinal(), p), "set");
    }
  }

  private int check(String op, Tensor images, IntTensor labels) {
    ensureOpen();
    int b = checkImages(op, images, 2);
    if (labels == null) throw new IllegalArgumentException("final network " + op + ": labels is null");
    if (!labels.hasShape(b)) {
      throw new IllegalArgumentException("final network " + op + ": labels has shape " + Arrays.toString(labels.shape()) + ", expected [" + b + "]");
    }
    int[] lab = labels.toArray();
    for (int i = 0; i < lab.length; i++) {
      if (lab[i] < 0 || lab[i] >= config.numClasses()) {
        throw new IllegalArgumentException("final network " + op + ": labels[" + i + "] = " + lab[i] + ", expected [0, " + config.numClasses() + ")");
      }
    }
    return b;
  }

  private int checkImages(String op, Tensor images, int minBatch) {
    if (images == null) throw new IllegalArgumentException("final network " + op + ": images is null");
    if (images.rank() != 4) {
      throw new IllegalArgumentException("final network " + op + ": images has shape " + Arrays.toString(images.shape())
          + ", expected [B, " + config.inChannels() + ", " + config.height() + ", " + config.width() + "]");
    }
    int b = images.dim(0);
    if (!images.hasShape(b, config.inChannels(), config.height(), config.width())) {
      throw new IllegalArgumentException("final network " + op + ": images has shape " + Arrays.toString(images.shape())
          + ", expected [B, " + config.inChannels() + ", " + config.height() + ", " + config.width() + "]");
    }
    if (b < minBatch) {
      throw new IllegalArgumentException("final network " + op + ": batch is " + b + ", expected at least " + minBatch
          + (minBatch > 1 ? " (batch statistics)" : ""));
    }
    return b;
  }

  private static void checkProgress(float p) {
    if (!(p >= 0 && p <= 1)) throw new IllegalArgumentException("final network: progress is " + p + ", expected [0, 1]");
  }

  private static void checkCode(int code, String op) {
    if (code != 0) throw new IllegalStateException("final network " + op + ": native call failed with code " + code);
  }

  private void ensureOpen() {
    if (handle == null) throw new IllegalStateException("final network is closed");
  }

  /** Frees the native network; further calls throw. */
  @Override
  public void close() {
    if (handle != null) {
      NativeLib.jnas_cpu_final_destroy(handle);
      handle = null;
      loss.close();
      auxLoss.close();
      norm.close();
      correct.close();
    }
  }
}
