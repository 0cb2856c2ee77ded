package io.jnas.enas;

import io.jnas.internal.NativeLib;
import io.jnas.tensor.IntTensor;
import io.jnas.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;

/**
 * The weight-shared supernet of the ENAS micro space, run natively: one call per minibatch
 * does forward, backward and the update of the sampled path ({@code native/supernet.cpp}
 * describes the structure). Every argument is checked here before it reaches native code.
 *
 * <p>An architecture is given as two arrays of {@code 4 * nodes} integers, the normal and the
 * reduction cell, in the ENAS order (input1, op1, input2, op2 per node); ops are ENAS ids
 * 0 sep3, 1 sep5, 2 avg3, 3 max3, 4 identity.
 *
 * <p>Not thread-safe: one search drives one supernet.
 */
public final class Supernet implements AutoCloseable {
  /** Number of candidate ops per edge. */
  public static final int NUM_OPS = 5;

  /**
   * Shape of the supernet.
   *
   * @param inChannels image channels (3 for CIFAR-10, 1 for MNIST)
   * @param height image height
   * @param width image width
   * @param numClasses classes
   * @param layers L, the number of normal layers (two reduction layers are added, as ENAS)
   * @param channels C, the first cells' channel count (doubled at each reduction)
   * @param nodes B, the nodes per cell
   * @param seed weight-initialization seed
   */
  public record Config(int inChannels, int height, int width, int numClasses, int layers, int channels, int nodes,
      long seed) {
    /** Checks every field; throws {@link IllegalArgumentException} naming the bad one. */
    public Config {
      positive("inChannels", inChannels);
      positive("height", height);
      positive("width", width);
      if (numClasses < 2) throw new IllegalArgumentException("supernet: numClasses is " + numClasses + ", expected at least 2");
      if (layers < 0) throw new IllegalArgumentException("supernet: layers is " + layers + ", expected 0 or more");
      if (channels < 2 || channels % 2 != 0) {
        throw new IllegalArgumentException("supernet: channels is " + channels + ", expected an even number >= 2 (factorized reduce splits it in halves)");
      }
      positive("nodes", nodes);
      if (height < 4 || width < 4) {
        throw new IllegalArgumentException("supernet: image " + height + "x" + width + " is too small for two reductions, expected at least 4x4");
      }
    }

    private static void positive(String name, int v) {
      if (v <= 0) throw new IllegalArgumentException("supernet: " + name + " is " + v + ", expected a positive value");
    }
  }

  /**
   * Result of one step or evaluation.
   *
   * @param loss mean cross-entropy over the batch
   * @param correct argmax hits
   * @param batch batch size
   * @param gradNorm global gradient norm before clipping (NaN where no gradient was computed)
   */
  public record Result(float loss, int correct, int batch, float gradNorm) {
    /** Fraction of the batch classified correctly. */
    public double accuracy() {
      return correct / (double) batch;
    }
  }

  /**
   * Optimizer settings of a training step.
   *
   * @param lr learning rate
   * @param momentum Nesterov momentum
   * @param weightDecay L2 weight decay
   * @param gradClip global-norm clip (0 or less: none)
   * @param keepProb dropout keep probability before the classifier
   */
  public record Hyper(float lr, float momentum, float weightDecay, float gradClip, float keepProb) {
    /** Checks every field. */
    public Hyper {
      if (!(lr >= 0 && Float.isFinite(lr))) throw new IllegalArgumentException("supernet: lr is " + lr + ", expected a finite value >= 0");
      if (!(momentum >= 0 && momentum < 1)) throw new IllegalArgumentException("supernet: momentum is " + momentum + ", expected [0, 1)");
      if (!(weightDecay >= 0 && Float.isFinite(weightDecay))) throw new IllegalArgumentException("supernet: weightDecay is " + weightDecay + ", expected >= 0");
      if (!Float.isFinite(gradClip)) throw new IllegalArgumentException("supernet: gradClip is " + gradClip + ", expected a finite value");
      if (!(keepProb > 0 && keepProb <= 1)) throw new IllegalArgumentException("supernet: keepProb is " + keepProb + ", expected (0, 1]");
    }
  }

  /** Which of the three parameter-sized buffers. */
  public enum Buffer {
    /** The shared weights. */
    WEIGHTS,
    /** Their gradients (after a forward/backward). */
    GRADIENTS,
    /** The SGD momentum. */
    MOMENTUM
  }

  /**
   * One named tensor carved from the parameter buffers.
   *
   * @param name e.g. {@code layer0.node1.in2.sep3.0.pw}
   * @param offset first float in the buffer
   * @param size number of floats
   */
  public record TensorInfo(String name, long offset, long size) {}

  private final Config config;
  private Pointer handle;
  private final long numParams;
  private final IntPointer normal;
  private final IntPointer reduce;
  private final FloatPointer loss = new FloatPointer(1);
  private final FloatPointer norm = new FloatPointer(1);
  private final IntPointer correct = new IntPointer(1);

  /** Builds the supernet and initializes its weights from {@code config.seed()}. */
  public Supernet(Config config) {
    this.config = config;
    NativeLib.load();
    this.handle = NativeLib.jnas_cpu_supernet_create(config.inChannels(), config.height(), config.width(),
        config.numClasses(), config.layers(), config.channels(), config.nodes(), config.seed());
    if (handle == null || handle.isNull()) throw new IllegalStateException("supernet: native construction failed (out of memory?)");
    this.numParams = NativeLib.jnas_cpu_supernet_num_params(handle);
    this.normal = new IntPointer(4L * config.nodes());
    this.reduce = new IntPointer(4L * config.nodes());
  }

  /** The configuration. */
  public Config config() {
    return config;
  }

  /** Floats in each parameter-sized buffer (weights, gradients, momentum); includes alignment padding. */
  public long numParams() {
    return numParams;
  }

  /** Number of shared weights (the sum of the named tensors' sizes). */
  public long numWeights() {
    long n = 0;
    for (TensorInfo t : tensors()) n += t.size();
    return n;
  }

  /** The named tensors, in buffer order. */
  public List<TensorInfo> tensors() {
    ensureOpen();
    int n = NativeLib.jnas_cpu_supernet_num_tensors(handle);
    List<TensorInfo> list = new ArrayList<>(n);
    try (BytePointer name = new BytePointer(256); LongPointer off = new LongPointer(1); LongPointer size = new LongPointer(1)) {
      for (int i = 0; i < n; i++) {
        NativeLib.jnas_cpu_supernet_tensor_info(handle, i, name, 256, off, size);
        String s = name.getString();
        int nul = s.indexOf('\0');
        list.add(new TensorInfo(nul >= 0 ? s.substring(0, nul) : s, off.get(), size.get()));
      }
    }
    return list;
  }

  /** One training step: forward, backward, clip, Nesterov SGD. {@code seed} draws the dropout mask. */
  public Result trainStep(int[] normalArc, int[] reduceArc, Tensor images, IntTensor labels, Hyper h, long seed) {
    int b = check("train_step", normalArc, reduceArc, images, labels);
    checkCode(NativeLib.jnas_cpu_supernet_train_step(handle, normal, reduce, images.pointer(), labels.pointer(), b, h.lr(),
        h.momentum(), h.weightDecay(), h.gradClip(), h.keepProb(), seed, loss, correct, norm), "train_step");
    return new Result(loss.get(), correct.get(), b, norm.get());
  }

  /** Forward and backward without an update; the gradients are then readable with {@link #get}. */
  public Result forwardBackward(int[] normalArc, int[] reduceArc, Tensor images, IntTensor labels, float keepProb,
      long seed) {
    int b = check("forward_backward", normalArc, reduceArc, images, labels);
    if (!(keepProb > 0 && keepProb <= 1)) throw new IllegalArgumentException("supernet: keepProb is " + keepProb + ", expected (0, 1]");
    checkCode(NativeLib.jnas_cpu_supernet_forward_backward(handle, normal, reduce, images.pointer(), labels.pointer(), b,
        keepProb, seed, loss, correct), "forward_backward");
    return new Result(loss.get(), correct.get(), b, Float.NaN);
  }

  /** Loss and accuracy of an architecture on a batch, with the shared weights; updates nothing. */
  public Result evaluate(int[] normalArc, int[] reduceArc, Tensor images, IntTensor labels) {
    int b = check("evaluate", normalArc, reduceArc, images, labels);
    checkCode(NativeLib.jnas_cpu_supernet_evaluate(handle, normal, reduce, images.pointer(), labels.pointer(), b, loss,
        correct), "evaluate");
    return new Result(loss.get(), correct.get(), b, Float.NaN);
  }

  /** A copy of one buffer. */
  public float[] get(Buffer which) {
    ensureOpen();
    float[] out = new float[Math.toIntExact(numParams)];
    try (FloatPointer p = new FloatPointer(numParams)) {
      checkCode(NativeLib.jnas_cpu_supernet_get(handle, which.ordinal(), p), "get");
      p.get(out);
    }
    return out;
  }

  /** Overwrites one buffer; {@code values} must hold {@link #numParams()} floats. */
  public void set(Buffer which, float[] values) {
    ensureOpen();
    if (values.length != numParams) {
      throw new IllegalArgumentException("supernet: set " + which + " got " + values.length + " floats, expected " + numParams);
    }
    try (FloatPointer p = new FloatPointer(values)) {
      checkCode(NativeLib.jnas_cpu_supernet_set(handle, which.ordinal(), p), "set");
    }
  }

  /** Forward FLOPs (2 x multiply-adds) of the last call's whole batch; a training step costs about 3x. */
  public double lastForwardFlops() {
    ensureOpen();
    return NativeLib.jnas_cpu_supernet_last_flops(handle);
  }

  /** Bytes held by the activation arena (its high-water mark so far). */
  public long arenaBytes() {
    ensureOpen();
    return NativeLib.jnas_cpu_supernet_arena_bytes(handle);
  }

  /**
   * Checks an architecture against this supernet's node count.
   *
   * @throws IllegalArgumentException naming the array, the position and the reason
   */
  public static void checkArc(String name, int[] arc, int nodes) {
    if (arc == null) throw new IllegalArgumentException("supernet: " + name + " is null");
    if (arc.length != 4 * nodes) {
      throw new IllegalArgumentException("supernet: " + name + " has " + arc.length + " integers, expected " + (4 * nodes) + " (4 per node, " + nodes + " nodes)");
    }
    for (int j = 0; j < nodes; j++) {
      for (int k = 0; k < 2; k++) {
        int in = arc[4 * j + 2 * k], op = arc[4 * j + 2 * k + 1];
        if (in < 0 || in >= j + 2) {
          throw new IllegalArgumentException("supernet: " + name + "[" + (4 * j + 2 * k) + "] = " + in + ": input of node " + j + " must be in [0, " + (j + 2) + ")");
        }
        if (op < 0 || op >= NUM_OPS) {
          throw new IllegalArgumentException("supernet: " + name + "[" + (4 * j + 2 * k + 1) + "] = " + op + ": op must be in [0, " + NUM_OPS + ")");
        }
      }
    }
  }

  private int check(String op, int[] normalArc, int[] reduceArc, Tensor images, IntTensor labels) {
    ensureOpen();
    checkArc("normal_arc", normalArc, config.nodes());
    checkArc("reduce_arc", reduceArc, config.nodes());
    if (images == null) throw new IllegalArgumentException("supernet " + op + ": images is null");
    if (labels == null) throw new IllegalArgumentException("supernet " + op + ": labels is null");
    int b = images.dim(0);
    if (!images.hasShape(b, config.inChannels(), config.height(), config.width())) {
      throw new IllegalArgumentException("supernet " + op + ": images has shape " + java.util.Arrays.toString(images.shape())
          + ", expected [B, " + config.inChannels() + ", " + config.height() + ", " + config.width() + "]");
    }
    if (b < 2) throw new IllegalArgumentException("supernet " + op + ": batch is " + b + ", expected at least 2 (batch statistics)");
    if (!labels.hasShape(b)) {
      throw new IllegalArgumentException("supernet " + op + ": labels has shape " + java.util.Arrays.toString(labels.shape()) + ", expected [" + b + "]");
    }
    int[] lab = labels.toArray();
    for (int i = 0; i < lab.length; i++) {
      if (lab[i] < 0 || lab[i] >= config.numClasses()) {
        throw new IllegalArgumentException("supernet " + op + ": labels[" + i + "] = " + lab[i] + ", expected [0, " + config.numClasses() + ")");
      }
    }
    normal.put(normalArc);
    reduce.put(reduceArc);
    return b;
  }

  private static void checkCode(int code, String op) {
    if (code != 0) throw new IllegalStateException("supernet " + op + ": native call failed with code " + code);
  }

  private void ensureOpen() {
    if (handle == null) throw new IllegalStateException("supernet is closed");
  }

  /** Frees the native supernet. */
  @Override
  public void close() {
    if (handle != null) {
      NativeLib.jnas_cpu_supernet_destroy(handle);
      handle = null;
      normal.close();
      reduce.close();
      loss.close();
      norm.close();
      correct.close();
    }
  }
}
