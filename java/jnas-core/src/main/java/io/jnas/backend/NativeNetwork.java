package io.jnas.backend;

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
 * A network of the native core on a {@link Backend}: what {@code io.jnas.enas.Supernet} and
 * {@code io.jnas.train.FinalNetwork} share. It owns the native handle ({@code void*} of
 * {@code jnas_supernet_create} / {@code jnas_final_create} / {@code jnas_macro_create}), runs steps through the one entry
 * point {@code jnas_net_run}, reads and writes the parameter buffers, lists the named tensors,
 * and returns the network's {@link NetworkPlan}. Every native failure becomes an
 * {@link IllegalStateException} carrying the native message.
 *
 * <p>Subclasses check every argument before calling in (shapes, label ranges, architectures);
 * the shared checks of images and labels are here ({@link #checkBatch}).
 *
 * <p>A network holds its backend, which must not be closed while the network lives. Close a
 * network when done; one that is never closed is freed once unreachable (a {@link java.lang.ref.Cleaner}).
 * Not thread-safe.
 */
public abstract class NativeNetwork implements AutoCloseable {
  /** {@code jnas_net_run}'s modes (jnas.h). */
  protected static final int MODE_TRAIN_STEP = 0, MODE_FORWARD_BACKWARD = 1, MODE_EVALUATE = 2, MODE_PREDICT = 3;
  /** Buffers of {@code jnas_net_get/set} (jnas.h). */
  protected static final int BUF_WEIGHTS = 0, BUF_GRADIENTS = 1, BUF_MOMENTUM = 2, BUF_RUNNING_STATS = 3;
  /** Indices of {@code jnas_net_run}'s output scalars (jnas.h). */
  protected static final int OUT_LOSS = 0, OUT_AUX_LOSS = 1, OUT_CORRECT = 2, OUT_GRAD_NORM = 3;
  private static final int OUT_COUNT = 4, HYPER_COUNT = 8;

  /**
   * One named tensor of the weight buffer.
   *
   * @param name e.g. {@code cell3.edge2.sep3.0.pw}
   * @param offset first float in the buffer
   * @param size number of floats
   */
  public record TensorInfo(String name, long offset, long size) {}

  /** What a network is built from: the arguments of one of jnas.h's create functions. */
  protected sealed interface Spec permits SupernetSpec, FinalSpec, MacroSpec, Nb201Spec, DartsSpec {
    /** Image channels. */
    int inChannels();

    /** Image height. */
    int height();

    /** Image width. */
    int width();

    /** Classes. */
    int numClasses();
  }

  /**
   * {@code jnas_supernet_create}'s arguments.
   *
   * @param inChannels image channels
   * @param height image height
   * @param width image width
   * @param numClasses classes
   * @param layers normal layers L
   * @param channels first cells' channels
   * @param nodes nodes per cell
   * @param ops candidate ops, registry ids ({@code io.jnas.genotype.Op#id()})
   * @param inputsOut whether a cell input no node reads joins the cell's output (ENAS) or only
   *     unread nodes do (NASNet)
   * @param combiner whether each node also chooses add or concat (5 ints per node)
   * @param stridedReduce whether a reduction layer runs its cell's input ops at stride 2 (as the
   *     final network) instead of ENAS's factorized reduce followed by the cell at stride 1
   * @param seed weight-initialization seed
   */
  protected record SupernetSpec(int inChannels, int height, int width, int numClasses, int layers, int channels,
      int nodes, int[] ops, boolean inputsOut, boolean combiner, boolean stridedReduce, long seed) implements Spec {
    /** The arguments as given (checked by the native create function). */
    public SupernetSpec {}
  }

  /**
   * {@code jnas_final_create}'s arguments.
   *
   * @param normal the normal cell's genotype ints
   * @param reduce the reduction cell's genotype ints
   * @param channels first cells' channels
   * @param layers cells
   * @param numClasses classes
   * @param inChannels image channels
   * @param height image height
   * @param width image width
   * @param auxiliary whether the auxiliary head exists
   * @param seed weight-initialization seed
   */
  protected record FinalSpec(int[] normal, int[] reduce, int channels, int layers, int numClasses, int inChannels,
      int height, int width, boolean auxiliary, long seed) implements Spec {
    /** The arguments as given (checked by the native create function). */
    public FinalSpec {}
  }

  /**
   * {@code jnas_macro_create}'s arguments.
   *
   * @param inChannels image channels
   * @param height image height
   * @param width image width
   * @param numClasses classes
   * @param layers layers L
   * @param channels first layers' channels
   * @param ops candidate ops, registry ids
   * @param arc the fixed network's ENAS macro string, or null for the weight-shared search network
   * @param seed weight-initialization seed
   */
  protected record MacroSpec(int inChannels, int height, int width, int numClasses, int layers, int channels, int[] ops,
      int[] arc, long seed) implements Spec {
    /** The arguments as given (checked by the native create function). */
    public MacroSpec {}
  }

  /**
   * {@code jnas_nb201_create}'s arguments.
   *
   * @param inChannels image channels
   * @param height image height
   * @param width image width
   * @param numClasses classes
   * @param channels the first stage's channels
   * @param cellsPerStage cells per stage N
   * @param arch the network of one cell (6 op indices), or null for the weight-shared search network
   * @param batchNorm false: every batch norm is an identity (synflow's network)
   * @param seed weight-initialization seed
   */
  protected record Nb201Spec(int inChannels, int height, int width, int numClasses, int channels, int cellsPerStage,
      int[] arch, boolean batchNorm, long seed) implements Spec {
    /** The arguments as given (checked by the native create function). */
    public Nb201Spec {}
  }

  /**
   * {@code jnas_darts_create}'s arguments.
   *
   * @param inChannels image channels
   * @param height image height
   * @param width image width
   * @param numClasses classes
   * @param channels the first cells' channels
   * @param layers cells
   * @param steps nodes per cell
   * @param ops candidate ops, registry ids
   * @param seed weight-initialization seed
   */
  protected record DartsSpec(int inChannels, int height, int width, int numClasses, int channels, int layers, int steps,
      int[] ops, long seed) implements Spec {
    /** The arguments as given (checked by the native create function). */
    public DartsSpec {}
  }

  private final String what;
  private final NativeBackend backend;
  private final Spec spec;
  private final NativeHandle handle;
  private final long[] sizes = new long[4];
  private final FloatPointer out = new FloatPointer(OUT_COUNT);
  private final FloatPointer hyper = new FloatPointer(HYPER_COUNT);
  private IntPointer normalP = new IntPointer(1), reduceP = new IntPointer(1);

  /**
   * Builds the network on {@code backend} (weights initialized from the spec's seed).
   *
   * @param what the network's name in messages, e.g. {@code supernet}
   * @throws IllegalStateException with the native reason (a bad shape the Java checks missed,
   *     or memory running out)
   */
  protected NativeNetwork(String what, Backend backend, Spec spec) {
    this.what = what;
    this.spec = Objects.requireNonNull(spec, "spec");
    this.backend = (NativeBackend) Objects.requireNonNull(backend, "backend");
    Pointer be = this.backend.handle();
    Pointer h;
    if (spec instanceof SupernetSpec s) {
      try (IntPointer ops = new IntPointer(s.ops())) {
        h = NativeLib.jnas_supernet_create(be, s.inChannels(), s.height(), s.width(), s.numClasses(), s.layers(),
            s.channels(), s.nodes(), ops, s.ops().length, (s.inputsOut() ? 1 : 0) | (s.combiner() ? 2 : 0) | (s.stridedReduce() ? 4 : 0), s.seed());
      }
    } else if (spec instanceof MacroSpec m) {
      try (IntPointer ops = new IntPointer(m.ops()); IntPointer arc = m.arc() == null ? null : new IntPointer(m.arc())) {
        h = NativeLib.jnas_macro_create(be, m.inChannels(), m.height(), m.width(), m.numClasses(), m.layers(), m.channels(),
            ops, m.ops().length, arc, m.arc() == null ? 0 : m.arc().length, m.seed());
      }
    } else if (spec instanceof DartsSpec d) {
      try (IntPointer ops = new IntPointer(d.ops())) {
        h = NativeLib.jnas_darts_create(be, d.inChannels(), d.height(), d.width(), d.numClasses(), d.channels(), d.layers(),
            d.steps(), ops, d.ops().length, d.seed());
      }
    } else if (spec instanceof Nb201Spec b) {
      try (IntPointer arch = b.arch() == null ? null : new IntPointer(b.arch())) {
        h = NativeLib.jnas_nb201_create(be, b.inChannels(), b.height(), b.width(), b.numClasses(), b.channels(),
            b.cellsPerStage(), arch, b.batchNorm() ? 0 : 1, b.seed());
      }
    } else {
      FinalSpec f = (FinalSpec) spec;
      try (IntPointer n = new IntPointer(f.normal()); IntPointer r = new IntPointer(f.reduce())) {
        h = NativeLib.jnas_final_create(be, n, f.normal().length, r, f.reduce().length, f.channels(), f.layers(),
            f.numClasses(), f.inChannels(), f.height(), f.width(), f.auxiliary() ? 1 : 0, f.seed());
      }
    }
    if (h == null || h.isNull()) {
      throw new IllegalStateException(what + ": native construction failed: " + NativeBackend.lastError());
    }
    // the handle keeps the backend alive until the network is freed
    this.handle = new NativeHandle(this, h, NativeLib::jnas_net_destroy, backend);
    for (int i = 0; i < 4; i++) sizes[i] = NativeLib.jnas_net_buffer_size(h, i);
  }

  /** The backend the network lives on. */
  public Backend backend() {
    return backend;
  }

  /** The named tensors of the weight buffer, in buffer order. */
  public List<TensorInfo> tensors() {
    Pointer h = handle();
    int n = NativeLib.jnas_net_num_tensors(h);
    List<TensorInfo> list = new ArrayList<>(n);
    try (BytePointer name = new BytePointer(256); LongPointer off = new LongPointer(1); LongPointer size = new LongPointer(1)) {
      for (int i = 0; i < n; i++) {
        if (NativeLib.jnas_net_tensor_info(h, i, name, 256, off, size) != 0) throw failure("tensor_info", 2);
        String s = name.getString();
        int nul = s.indexOf('\0');
        list.add(new TensorInfo(nul >= 0 ? s.substring(0, nul) : s, off.get(), size.get()));
      }
    }
    return list;
  }

  /** Bytes held by the activation arena (its high-water mark so far). */
  public long arenaBytes() {
    return NativeLib.jnas_net_arena_bytes(handle());
  }

  /** Forward FLOPs (2 x multiply-adds) of the last step's whole batch; a training step costs about 3x. */
  public double lastForwardFlops() {
    return NativeLib.jnas_net_last_flops(handle());
  }

  /** Floats in buffer {@code which} ({@code BUF_*}); the first three include alignment padding. */
  protected long bufferSize(int which) {
    return sizes[which];
  }

  /** A copy of buffer {@code which}. */
  protected float[] getBuffer(int which) {
    long n = sizes[which];
    float[] values = new float[Math.toIntExact(n)];
    if (n == 0) return values;
    try (FloatPointer p = new FloatPointer(n)) {
      int code = NativeLib.jnas_net_get(handle(), which, p);
      if (code != 0) throw failure("get", code);
      p.get(values);
    }
    return values;
  }

  /** Overwrites buffer {@code which}; {@code values} must hold {@link #bufferSize} floats. */
  protected void setBuffer(int which, String name, float[] values) {
    long n = sizes[which];
    if (values == null || values.length != n) {
      throw new IllegalArgumentException(what + ": set " + name + " got " + (values == null ? "null" : values.length + " floats")
          + ", expected " + n + " (a different architecture or size?)");
    }
    if (n == 0) return;
    try (FloatPointer p = new FloatPointer(values)) {
      int code = NativeLib.jnas_net_set(handle(), which, p);
      if (code != 0) throw failure("set", code);
    }
  }

  /**
   * Hyper-parameters of a step, in {@code jnas_net_run}'s order.
   *
   * @param dropPathKeep the final network's drop-path keep probability (1 for the supernet)
   * @param progress the final network's training progress in [0, 1] (0 for the supernet)
   * @param updateStats whether training moves the batch-norm running statistics
   */
  protected static float[] hyper(float lr, float momentum, float weightDecay, float gradClip, float dropoutKeep,
      float dropPathKeep, float progress, boolean updateStats) {
    return new float[] {lr, momentum, weightDecay, gradClip, dropoutKeep, dropPathKeep, progress, updateStats ? 1 : 0};
  }

  /**
   * One step through {@code jnas_net_run}; arguments are checked by the caller.
   *
   * @param op the step's name in messages
   * @param normal the supernet's normal cell (null for the final network)
   * @param reduce the supernet's reduction cell (null for the final network)
   * @param labels null for {@link #MODE_PREDICT}
   * @param hyperValues from {@link #hyper}, or null where the mode trains nothing
   * @param logits receives {@code (B, classes)} logits, or null
   * @return the output scalars, indexed by {@code OUT_*}
   */
  protected float[] run(String op, int mode, int[] normal, int[] reduce, Tensor images, IntTensor labels,
      float[] hyperValues, long seed, float[] logits) {
    Pointer h = handle();
    int b = images.dim(0);
    IntPointer n = arc(normal, true), r = arc(reduce, false);
    if (hyperValues != null) hyper.put(hyperValues);
    FloatPointer lp = logits == null ? null : new FloatPointer((long) b * spec.numClasses());
    try {
      int code = NativeLib.jnas_net_run(h, mode, n, r, images.pointer(), labels == null ? null : labels.pointer(), b,
          hyperValues == null ? null : hyper, seed, out, lp);
      if (code != 0) throw failure(op, code);
      if (lp != null) lp.get(logits);
    } finally {
      if (lp != null) lp.close();
    }
    float[] o = new float[OUT_COUNT];
    out.get(o);
    return o;
  }

  /**
   * A step at batch {@code batch} with no data, on the {@code dry} backend only: it computes
   * nothing and allocates nothing, but the backend counts every byte a real step would take.
   */
  protected void dryRun(int mode, int[] normal, int[] reduce, int batch, float[] hyperValues) {
    if (!backend.id().equals("dry")) throw new IllegalStateException(what + ": dryRun needs the dry backend");
    IntPointer n = arc(normal, true), r = arc(reduce, false);
    if (hyperValues != null) hyper.put(hyperValues);
    int code = NativeLib.jnas_net_run(handle(), mode, n, r, null, null, batch, hyperValues == null ? null : hyper, 0,
        out, null);
    if (code != 0) throw failure("dry run", code);
  }

  /** The network's plan (for the supernet: of the architecture {@code normal}/{@code reduce}). */
  protected NetworkPlan plan(int[] normal, int[] reduce) {
    Pointer h = handle();
    IntPointer n = arc(normal, true), r = arc(reduce, false);
    long len = NativeLib.jnas_net_plan(h, n, r, null, 0);
    if (len < 0) throw failure("plan", 2);
    try (BytePointer buf = new BytePointer(len + 1)) {
      if (NativeLib.jnas_net_plan(h, n, r, buf, len + 1) != len) throw failure("plan", 2);
      byte[] json = new byte[Math.toIntExact(len)];
      buf.get(json);
      return NetworkPlan.parse(new String(json, java.nio.charset.StandardCharsets.UTF_8));
    }
  }

  /** Forward FLOPs of one image in evaluation mode (for the supernet: of that architecture). */
  protected double flops(int[] normal, int[] reduce) {
    double f = NativeLib.jnas_net_flops(handle(), arc(normal, true), arc(reduce, false));
    if (f < 0) throw failure("flops", 2);
    return f;
  }

  /** Floats of the relaxed architecture's weights ({@code jnas_net_arch_size}; 0: none). */
  protected int archSize() {
    return NativeLib.jnas_net_arch_size(handle());
  }

  /** The relaxed architecture's weights ({@code jnas_net_set_arch_weights}); empty clears them. */
  protected void setRelaxedWeights(float[] w) {
    try (FloatPointer p = new FloatPointer(Math.max(1, w.length))) {
      p.put(w);
      int code = NativeLib.jnas_net_set_arch_weights(handle(), p, w.length);
      if (code != 0) throw failure("set_weights", code);
    }
  }

  /** {@code jnas_net_arch_grad}: the relaxed architecture weights' gradient after a training-mode run. */
  protected float[] relaxedGradient(int n) {
    try (FloatPointer p = new FloatPointer(n)) {
      int code = NativeLib.jnas_net_arch_grad(handle(), p, n);
      if (code != 0) throw failure("arch_grad", code);
      float[] g = new float[n];
      p.get(g);
      return g;
    }
  }

  /** {@code jnas_net_relu_codes}: NASWOT's (B x B) activation-pattern matrix, row-major. */
  protected float[] reluCodes(int[] normal, int[] reduce, Tensor images) {
    int b = images.dim(0);
    try (FloatPointer k = new FloatPointer((long) b * b)) {
      int code = NativeLib.jnas_net_relu_codes(handle(), arc(normal, true), arc(reduce, false), images.pointer(), b, k);
      if (code != 0) throw failure("relu_codes", code);
      float[] out = new float[b * b];
      k.get(out);
      return out;
    }
  }

  /** {@code jnas_net_sum_backward}: the gradients buffer gets d(seed * sum of the logits)/d(weights). */
  protected void sumBackward(int[] normal, int[] reduce, Tensor images, float seed) {
    int code = NativeLib.jnas_net_sum_backward(handle(), arc(normal, true), arc(reduce, false), images.pointer(),
        images.dim(0), seed);
    if (code != 0) throw failure("sum_backward", code);
  }

  /**
   * Checks a batch against the network's input shape and classes: images
   * {@code (B, inChannels, height, width)} with {@code B >= minBatch}, labels {@code (B)} in
   * {@code [0, numClasses)} (or null where {@code labels} are not needed).
   *
   * @return B
   * @throws IllegalArgumentException naming the argument, what it got and what was expected
   */
  protected int checkBatch(String op, Tensor images, IntTensor labels, boolean needLabels, int minBatch) {
    handle();
    String p = what + " " + op + ": ";
    String expected = "[B, " + spec.inChannels() + ", " + spec.height() + ", " + spec.width() + "]";
    if (images == null) throw new IllegalArgumentException(p + "images is null");
    if (images.rank() != 4 || !images.hasShape(images.dim(0), spec.inChannels(), spec.height(), spec.width())) {
      throw new IllegalArgumentException(p + "images has shape " + Arrays.toString(images.shape()) + ", expected " + expected);
    }
    int b = images.dim(0);
    if (b < minBatch) {
      throw new IllegalArgumentException(p + "batch is " + b + ", expected at least " + minBatch + (minBatch > 1 ? " (batch statistics)" : ""));
    }
    if (!needLabels) return b;
    if (labels == null) throw new IllegalArgumentException(p + "labels is null");
    if (!labels.hasShape(b)) {
      throw new IllegalArgumentException(p + "labels has shape " + Arrays.toString(labels.shape()) + ", expected [" + b + "]");
    }
    int[] lab = labels.toArray();
    for (int i = 0; i < lab.length; i++) {
      if (lab[i] < 0 || lab[i] >= spec.numClasses()) {
        throw new IllegalArgumentException(p + "labels[" + i + "] = " + lab[i] + ", expected [0, " + spec.numClasses() + ")");
      }
    }
    return b;
  }

  /**
   * For tests only: reads weight {@code index} with a plain host load of backend memory
   * ({@code jnas_debug_host_read_weight}). It answers on the {@code cpu} backend and faults
   * (the JVM dies with SIGSEGV) on {@code hostblind}: the negative control of the host-blind
   * test. Package-private.
   */
  float debugHostReadWeight(long index) {
    try (FloatPointer v = new FloatPointer(1)) {
      int code = NativeLib.jnas_debug_host_read_weight(handle(), index, v);
      if (code != 0) throw failure("debug read", code);
      return v.get();
    }
  }

  /** The failure of a native call, with the native message. */
  protected IllegalStateException failure(String op, int code) {
    return new IllegalStateException(what + " " + op + ": " + NativeBackend.lastError() + " (code " + code + ")");
  }

  private IntPointer arc(int[] a, boolean first) {
    if (a == null) return null;
    IntPointer p = first ? normalP : reduceP;
    if (p.capacity() < a.length) {
      p.close();
      p = new IntPointer(a.length);
      if (first) normalP = p;
      else reduceP = p;
    }
    p.put(a);
    return p;
  }

  private Pointer handle() {
    Pointer h = handle.get();
    if (h == null) throw new IllegalStateException(what + " is closed");
    return h;
  }

  /** Frees the native network; further calls throw. */
  @Override
  public void close() {
    handle.close();
    out.close();
    hyper.close();
    normalP.close();
    reduceP.close();
  }
}
