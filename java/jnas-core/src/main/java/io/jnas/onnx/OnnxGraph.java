package io.jnas.onnx;

import io.jnas.onnx.OnnxProto.Attribute;
import io.jnas.onnx.OnnxProto.Initializer;
import io.jnas.onnx.OnnxProto.Node;
import io.jnas.onnx.OnnxProto.ValueInfo;
import io.jnas.ops.Conv2dSpec;
import io.jnas.util.AtomicFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds an ONNX model (opset {@value #OPSET}, IR version {@value #IR_VERSION}) for inference
 * from jnas ops and jnas weights, and writes it without any protobuf library.
 *
 * <p>Each method mirrors one op of {@code io.jnas.ops} in inference mode, takes its weights as
 * flat {@code float[]} arrays in jnas's own layouts (the layouts of {@code io.jnas.ops}, e.g.
 * a convolution weight {@code (C_out, C_in/groups, KH, KW)} row-major), adds the ONNX nodes
 * that compute the same thing and returns the result as a {@link Value}. The batch dimension
 * is symbolic ({@value #BATCH_PARAM}); every other size is fixed and checked as the graph is
 * built, so a weight or an input of the wrong size is an {@link IllegalArgumentException}
 * that names the op, the argument, what it got and what was expected. Weights are copied when
 * passed in; later changes to the arrays do not reach the model. Dropout and drop-path are
 * identities at inference and have no method. See {@code docs/onnx.md} for the op mapping.
 *
 * <p>Names: every op gets a unique name, by default its kind and a counter ({@code conv_3});
 * {@link #named(String)} names the next op instead. Its weights are the initializers
 * {@code NAME.weight}, {@code NAME.bias}, ...; its result is the value {@code NAME}.
 *
 * <p>Example (a tiny classifier on 3x32x32 images):
 *
 * <pre>{@code
 * OnnxGraph g = new OnnxGraph("tiny");
 * OnnxGraph.Value x = g.input("images", 3, 32, 32);                  // (batch, 3, 32, 32)
 * x = g.conv(x, stemW, new int[] {16, 3, 3, 3}, null, 1, 1, 1, 1, 1); // (batch, 16, 32, 32)
 * x = g.batchNormInference(x, gamma, beta, runningMean, runningVar, 1e-5f);
 * x = g.relu(x);
 * x = g.globalAvgPool(x);                                             // (batch, 16)
 * x = g.linear(x, fcW, new int[] {10, 16}, fcB);                      // (batch, 10)
 * g.output(x, "logits");
 * g.write(Path.of("tiny.onnx"));                                     // atomic
 * }</pre>
 *
 * <p>Not thread-safe; build a graph from one thread.
 */
public final class OnnxGraph {
  /** The ONNX operator set the nodes are written for (default domain). */
  public static final int OPSET = 17;
  /** The IR version that goes with {@link #OPSET} (ONNX 1.12: IR 8, opset 17). */
  public static final int IR_VERSION = 8;
  /** The name of the symbolic batch dimension of every value. */
  public static final String BATCH_PARAM = "batch";
  /** The producer name written into the model. */
  public static final String PRODUCER = "jnas";

  /**
   * A tensor of the graph: its name and its per-sample shape (the batch dimension, symbolic,
   * is left out: {@code (C, H, W)} for images, {@code (F)} for features).
   */
  public static final class Value {
    private final OnnxGraph graph;
    private final String name;
    private final int[] shape;

    private Value(OnnxGraph graph, String name, int[] shape) {
      this.graph = graph;
      this.name = name;
      this.shape = shape.clone();
    }

    /** The ONNX value name. */
    public String name() {
      return name;
    }

    /** The per-sample shape (a copy), without the batch dimension. */
    public int[] shape() {
      return shape.clone();
    }

    /** The full shape as text, e.g. {@code [batch, 16, 32, 32]}. */
    @Override
    public String toString() {
      StringBuilder sb = new StringBuilder(name).append(" [").append(BATCH_PARAM);
      for (int d : shape) sb.append(", ").append(d);
      return sb.append(']').toString();
    }
  }

  private final String graphName;
  private final List<Node> nodes = new ArrayList<>();
  private final List<Initializer> initializers = new ArrayList<>();
  private final List<Value> inputs = new ArrayList<>();
  private final Map<String, Value> outputs = new LinkedHashMap<>();
  private final List<Value> values = new ArrayList<>();
  private final Set<String> names = new HashSet<>();
  private final Map<String, Integer> counters = new LinkedHashMap<>();
  private String pendingName;

  /** An empty graph called {@code graphName}. */
  public OnnxGraph(String graphName) {
    if (graphName == null || graphName.isEmpty()) {
      throw new IllegalArgumentException("OnnxGraph: graphName is " + (graphName == null ? "null" : "empty")
          + ", expected a non-empty name");
    }
    this.graphName = graphName;
  }

  // ------------------------------------------------------------ inputs, outputs

  /**
   * A graph input of shape {@code (batch, sampleShape...)}, float32, the batch symbolic;
   * for images {@code input("images", C, H, W)}.
   */
  public Value input(String name, int... sampleShape) {
    String op = "input";
    checkName(op, name);
    if (sampleShape == null || sampleShape.length == 0) {
      throw new IllegalArgumentException(op + " '" + name + "': sampleShape is empty, expected the sizes after the batch, "
          + "e.g. (C, H, W)");
    }
    for (int i = 0; i < sampleShape.length; i++) {
      positive(op, "sampleShape[" + i + "]", sampleShape[i]);
    }
    names.add(name);
    Value v = new Value(this, name, sampleShape);
    inputs.add(v);
    return v;
  }

  /** Marks {@code v} as a graph output called {@code name} (an Identity node when the names differ). */
  public void output(Value v, String name) {
    String op = "output";
    own(op, "v", v);
    if (outputs.containsKey(name)) {
      throw new IllegalArgumentException(op + " '" + name + "': already an output, expected a new name");
    }
    if (!name.equals(v.name)) {
      named(name);
      v = single("Identity", "identity", List.of(v.name), List.of(), v.shape);
    } else if (inputs.contains(v)) {
      throw new IllegalArgumentException(op + " '" + name + "': v is the graph input of that name, expected another "
          + "output name (an Identity node is added then)");
    }
    outputs.put(name, v);
  }

  /** Names the next op (its node, its result and the prefix of its weights); unique in the graph. */
  public OnnxGraph named(String name) {
    checkName("named", name);
    pendingName = name;
    return this;
  }

  // ------------------------------------------------------------------- convolutions

  /**
   * Convolution, the mirror of {@code ConvOps.conv2dForward}: one {@code Conv} node.
   *
   * @param x {@code (C_in, H, W)} per sample
   * @param w weight, {@code wShape = (C_out, C_in/groups, KH, KW)} row-major
   * @param bias {@code (C_out)} or {@code null}
   * @return {@code (C_out, OH, OW)}, {@code OH = (H + 2*padH - dilation*(KH-1) - 1)/stride + 1}
   */
  public Value conv(Value x, float[] w, int[] wShape, float[] bias, int stride, int padH, int padW, int dilation,
      int groups) {
    String base = takeName("conv");
    String op = "conv '" + base + "'";
    int[] s = image(op, "x", x);
    int cIn = s[0];
    weight(op, "w", w, wShape, 4);
    positive(op, "stride", stride);
    nonNegative(op, "padH", padH);
    nonNegative(op, "padW", padW);
    positive(op, "dilation", dilation);
    positive(op, "groups", groups);
    int cOut = wShape[0], kh = wShape[2], kw = wShape[3];
    check(cIn % groups == 0, op + ": groups is " + groups + ", expected a divisor of x's channels " + cIn + " (x " + x + ")");
    check(cOut % groups == 0, op + ": groups is " + groups + ", expected a divisor of w's output channels " + cOut
        + " (wShape " + Arrays.toString(wShape) + ")");
    check(wShape[1] == cIn / groups, op + ": wShape is " + Arrays.toString(wShape) + ", expected dimension 1 = C_in/groups = "
        + cIn + "/" + groups + " = " + cIn / groups + " (x " + x + ")");
    if (bias != null) vector(op, "bias", bias, cOut);
    int oh = outSize(op, "H", s[1], kh, stride, padH, dilation);
    int ow = outSize(op, "W", s[2], kw, stride, padW, dilation);
    List<String> in = new ArrayList<>(List.of(x.name, floats(base + ".weight", w, wShape)));
    if (bias != null) in.add(floats(base + ".bias", bias, cOut));
    return emit(base, "Conv", in, List.of(
        Attribute.ofInts("dilations", dilation, dilation),
        Attribute.ofInt("group", groups),
        Attribute.ofInts("kernel_shape", kh, kw),
        Attribute.ofInts("pads", padH, padW, padH, padW),
        Attribute.ofInts("strides", stride, stride)), cOut, oh, ow);
  }

  /** {@link #conv(Value, float[], int[], float[], int, int, int, int, int)} with a {@link Conv2dSpec}. */
  public Value conv(Value x, float[] w, int[] wShape, float[] bias, Conv2dSpec spec) {
    if (spec == null) throw new IllegalArgumentException("conv: spec is null, expected a Conv2dSpec");
    return conv(x, w, wShape, bias, spec.stride(), spec.padH(), spec.padW(), spec.dilation(), spec.groups());
  }

  /**
   * Separable convolution, the mirror of {@code ConvOps.sepconvForward}: a depthwise
   * {@code Conv} (group = C_in, the stride, pad and dilation) then a pointwise {@code 1x1}
   * {@code Conv}; no bias.
   *
   * @param x {@code (C_in, H, W)}
   * @param wDw {@code wDwShape = (C_in, 1, K, K)}
   * @param wPw {@code wPwShape = (C_out, C_in, 1, 1)}
   * @return {@code (C_out, OH, OW)}
   */
  public Value sepconv(Value x, float[] wDw, int[] wDwShape, float[] wPw, int[] wPwShape, int stride, int pad,
      int dilation) {
    String base = takeName("sepconv");
    String op = "sepconv '" + base + "'";
    int[] s = image(op, "x", x);
    weight(op, "wDw", wDw, wDwShape, 4);
    weight(op, "wPw", wPw, wPwShape, 4);
    int cIn = s[0], k = wDwShape[2];
    check(Arrays.equals(wDwShape, new int[] {cIn, 1, k, k}), op + ": wDwShape is " + Arrays.toString(wDwShape)
        + ", expected [" + cIn + ", 1, K, K] (C_in from x " + x + ")");
    int cOut = wPwShape[0];
    check(Arrays.equals(wPwShape, new int[] {cOut, cIn, 1, 1}), op + ": wPwShape is " + Arrays.toString(wPwShape)
        + ", expected [C_out, " + cIn + ", 1, 1] (C_in from x " + x + ")");
    named(base + ".dw");
    Value mid = conv(x, wDw, wDwShape, null, stride, pad, pad, dilation, cIn);
    named(base);
    return conv(mid, wPw, wPwShape, null, 1, 0, 0, 1, 1);
  }

  /**
   * Factorized reduce without its batch norm, the mirror of
   * {@code ConvOps.factorizedReduceForward}: {@code r = Relu(x)}; path 1 a {@code 1x1}
   * stride-2 {@code Conv} of {@code r} with {@code w1}; path 2 the same with {@code w2} on
   * {@code r} shifted one pixel down-right, zero past the edge ({@code Pad} one zero row and
   * column at the bottom and right, then {@code Slice} from (1, 1)); the two {@code Concat}ed
   * on channels.
   *
   * @param x {@code (C_in, H, W)}
   * @param w1 {@code w1Shape = (C_out/2, C_in, 1, 1)}
   * @param w2 {@code w2Shape = (C_out - C_out/2, C_in, 1, 1)}
   * @return {@code (C_out, (H+1)/2, (W+1)/2)} with {@code C_out = w1Shape[0] + w2Shape[0]}
   */
  public Value factorizedReduce(Value x, float[] w1, int[] w1Shape, float[] w2, int[] w2Shape) {
    String base = takeName("factorized_reduce");
    String op = "factorized_reduce '" + base + "'";
    int[] s = image(op, "x", x);
    weight(op, "w1", w1, w1Shape, 4);
    weight(op, "w2", w2, w2Shape, 4);
    int cIn = s[0], h = s[1], w = s[2];
    int cOut = w1Shape[0] + w2Shape[0];
    check(Arrays.equals(w1Shape, new int[] {cOut / 2, cIn, 1, 1}) && Arrays.equals(w2Shape,
        new int[] {cOut - cOut / 2, cIn, 1, 1}), op + ": w1Shape is " + Arrays.toString(w1Shape) + " and w2Shape "
        + Arrays.toString(w2Shape) + ", expected [C_out/2, " + cIn + ", 1, 1] and [C_out - C_out/2, " + cIn
        + ", 1, 1] (C_in from x " + x + ")");
    named(base + ".relu");
    Value r = relu(x);
    named(base + ".path1");
    Value p1 = conv(r, w1, w1Shape, null, 2, 0, 0, 1, 1);
    String pads = ints(base + ".pads", new long[] {0, 0, 0, 0, 0, 0, 1, 1});
    named(base + ".pad");
    Value padded = single("Pad", "pad", List.of(r.name, pads), List.of(), cIn, h + 1, w + 1);
    String starts = ints(base + ".starts", new long[] {1, 1});
    String ends = ints(base + ".ends", new long[] {h + 1, w + 1});
    String axes = ints(base + ".axes", new long[] {2, 3});
    named(base + ".shift");
    Value shifted = single("Slice", "slice", List.of(padded.name, starts, ends, axes), List.of(), cIn, h, w);
    named(base + ".path2");
    Value p2 = conv(shifted, w2, w2Shape, null, 2, 0, 0, 1, 1);
    named(base);
    return concat(p1, p2);
  }

  // ------------------------------------------------------------------- pools

  /**
   * Max pooling, the mirror of {@code PoolOps.maxPoolForward}: {@code MaxPool} with a square
   * window; padding never wins.
   *
   * @param x {@code (C, H, W)}; {@code 0 <= pad < k}
   * @return {@code (C, OH, OW)}, {@code OH = (H + 2*pad - k)/stride + 1}
   */
  public Value maxPool(Value x, int k, int stride, int pad) {
    return pool("MaxPool", "maxpool", x, k, stride, pad);
  }

  /**
   * Average pooling over the in-bounds elements only, the mirror of
   * {@code PoolOps.avgPoolForward}: {@code AveragePool} with {@code count_include_pad=0}.
   *
   * @param x {@code (C, H, W)}; {@code 0 <= pad < k}
   * @return {@code (C, OH, OW)}
   */
  public Value avgPool(Value x, int k, int stride, int pad) {
    return pool("AveragePool", "avgpool", x, k, stride, pad);
  }

  private Value pool(String opType, String kind, Value x, int k, int stride, int pad) {
    String base = takeName(kind);
    String op = kind + " '" + base + "'";
    int[] s = image(op, "x", x);
    positive(op, "k", k);
    positive(op, "stride", stride);
    nonNegative(op, "pad", pad);
    check(pad < k, op + ": pad is " + pad + ", expected less than k = " + k + " (a window of padding only has no element)");
    int oh = outSize(op, "H", s[1], k, stride, pad, 1);
    int ow = outSize(op, "W", s[2], k, stride, pad, 1);
    List<Attribute> attrs = new ArrayList<>();
    if (opType.equals("AveragePool")) attrs.add(Attribute.ofInt("count_include_pad", 0));
    attrs.add(Attribute.ofInts("kernel_shape", k, k));
    attrs.add(Attribute.ofInts("pads", pad, pad, pad, pad));
    attrs.add(Attribute.ofInts("strides", stride, stride));
    return emit(base, opType, List.of(x.name), attrs, s[0], oh, ow);
  }

  /**
   * Global average pooling, the mirror of {@code PoolOps.globalAvgPoolForward}:
   * {@code GlobalAveragePool} then {@code Flatten}, so the result is {@code (C)} per sample
   * as in jnas.
   */
  public Value globalAvgPool(Value x) {
    String base = takeName("global_avgpool");
    int[] s = image("global_avgpool '" + base + "'", "x", x);
    named(base + ".pool");
    Value p = single("GlobalAveragePool", "global_avgpool", List.of(x.name), List.of(), s[0], 1, 1);
    named(base);
    return flatten(p);
  }

  /** {@code Flatten} (axis 1): {@code (d1, d2, ...)} per sample to {@code (d1*d2*...)}. */
  public Value flatten(Value x) {
    String base = takeName("flatten");
    own("flatten '" + base + "'", "x", x);
    long n = 1;
    for (int d : x.shape) n *= d;
    check(n <= Integer.MAX_VALUE, "flatten '" + base + "': x " + x + " has " + n + " values per sample, expected at most "
        + Integer.MAX_VALUE);
    return emit(base, "Flatten", List.of(x.name), List.of(Attribute.ofInt("axis", 1)), (int) n);
  }

  // ------------------------------------------------------------ normalization

  /**
   * Batch normalization in inference mode, the mirror of {@code BatchNormOps.forward} with
   * {@code training=false}: {@code BatchNormalization} with {@code epsilon};
   * {@code out = gamma * (x - runningMean) / sqrt(runningVar + eps) + beta}. With
   * {@code gamma} and {@code beta} both {@code null} (affine=False) ones and zeros are written.
   *
   * @param x {@code (C, ...)}
   * @param gamma {@code (C)} or {@code null}; {@code beta} likewise
   * @param runningMean {@code (C)}; {@code runningVar} likewise, non-negative
   * @param eps finite and positive
   */
  public Value batchNormInference(Value x, float[] gamma, float[] beta, float[] runningMean, float[] runningVar,
      float eps) {
    String base = takeName("batchnorm");
    String op = "batchnorm '" + base + "'";
    own(op, "x", x);
    int c = x.shape[0];
    check((gamma == null) == (beta == null), op + ": gamma is " + (gamma == null ? "null" : "given") + " and beta is "
        + (beta == null ? "null" : "given") + ", expected both (affine) or neither");
    if (gamma == null) {
      gamma = new float[c];
      Arrays.fill(gamma, 1f);
      beta = new float[c];
    }
    vector(op, "gamma", gamma, c);
    vector(op, "beta", beta, c);
    vector(op, "runningMean", runningMean, c);
    vector(op, "runningVar", runningVar, c);
    check(eps > 0 && Float.isFinite(eps), op + ": eps is " + eps + ", expected a finite positive value");
    List<String> in = List.of(x.name, floats(base + ".weight", gamma, c), floats(base + ".bias", beta, c),
        floats(base + ".running_mean", runningMean, c), floats(base + ".running_var", runningVar, c));
    return emit(base, "BatchNormalization", in, List.of(Attribute.ofFloat("epsilon", eps)), x.shape);
  }

  // -------------------------------------------------------------- elementwise

  /** {@code Relu}, any shape. */
  public Value relu(Value x) {
    String base = takeName("relu");
    own("relu '" + base + "'", "x", x);
    return emit(base, "Relu", List.of(x.name), List.of(), x.shape);
  }

  /** {@code Sum} of one or more values of one shape: a node's incoming edges. */
  public Value sum(Value... xs) {
    String base = takeName("sum");
    String op = "sum '" + base + "'";
    nonEmpty(op, xs);
    List<String> in = new ArrayList<>();
    for (int i = 0; i < xs.length; i++) {
      own(op, "xs[" + i + "]", xs[i]);
      check(Arrays.equals(xs[i].shape, xs[0].shape), op + ": xs[" + i + "] is " + xs[i] + ", expected the per-sample "
          + "shape of xs[0] " + xs[0]);
      in.add(xs[i].name);
    }
    return emit(base, "Sum", in, List.of(), xs[0].shape);
  }

  /** {@code a + b}: {@link #sum} of two. */
  public Value add(Value a, Value b) {
    return sum(a, b);
  }

  /** {@code x * s} for a constant scalar {@code s}: {@code Mul} with a scalar initializer. */
  public Value mul(Value x, float s) {
    String base = takeName("mul");
    own("mul '" + base + "'", "x", x);
    String scale = floats(base + ".scale", new float[] {s}); // no dims: a rank-0 scalar, broadcast
    return emit(base, "Mul", List.of(x.name, scale), List.of(), x.shape);
  }

  /** {@code Concat} on the channels (axis 1) of values that agree on every other dimension. */
  public Value concat(Value... xs) {
    String base = takeName("concat");
    String op = "concat '" + base + "'";
    nonEmpty(op, xs);
    List<String> in = new ArrayList<>();
    long channels = 0;
    for (int i = 0; i < xs.length; i++) {
      own(op, "xs[" + i + "]", xs[i]);
      int[] a = xs[i].shape.clone(), b = xs[0].shape.clone();
      a[0] = b[0] = 0;
      check(Arrays.equals(a, b), op + ": xs[" + i + "] is " + xs[i] + ", expected the shape of xs[0] " + xs[0]
          + " but for the channels");
      channels += xs[i].shape[0];
      in.add(xs[i].name);
    }
    check(channels <= Integer.MAX_VALUE, op + ": " + channels + " channels in all, expected at most " + Integer.MAX_VALUE);
    int[] shape = xs[0].shape.clone();
    shape[0] = (int) channels;
    return emit(base, "Concat", in, List.of(Attribute.ofInt("axis", 1)), shape);
  }

  // ---------------------------------------------------------------- classifier

  /**
   * Fully connected layer, the mirror of {@code LinearOps.linearForward}: {@code Gemm} with
   * {@code transB=1}, {@code out = x * w^T + b}.
   *
   * @param x {@code (IC)} per sample
   * @param w {@code wShape = (OC, IC)}, jnas's (and PyTorch's) layout
   * @param b {@code (OC)} or {@code null}
   * @return {@code (OC)}
   */
  public Value linear(Value x, float[] w, int[] wShape, float[] b) {
    String base = takeName("linear");
    String op = "linear '" + base + "'";
    own(op, "x", x);
    check(x.shape.length == 1, op + ": x is " + x + ", expected (batch, IC) features (use globalAvgPool or flatten first)");
    weight(op, "w", w, wShape, 2);
    check(wShape[1] == x.shape[0], op + ": wShape is " + Arrays.toString(wShape) + ", expected [OC, " + x.shape[0]
        + "] (IC from x " + x + ")");
    int oc = wShape[0];
    List<String> in = new ArrayList<>(List.of(x.name, floats(base + ".weight", w, wShape)));
    if (b != null) {
      vector(op, "b", b, oc);
      in.add(floats(base + ".bias", b, oc));
    }
    return emit(base, "Gemm", in, List.of(Attribute.ofInt("transB", 1)), oc);
  }

  // ------------------------------------------------------------------ writing

  /**
   * The serialized {@code ModelProto}. The same calls give the same bytes.
   *
   * @throws IllegalStateException if the graph has no input or no output
   */
  public byte[] toBytes() {
    if (inputs.isEmpty()) throw new IllegalStateException("OnnxGraph '" + graphName + "': no input, call input(...) first");
    if (outputs.isEmpty()) throw new IllegalStateException("OnnxGraph '" + graphName + "': no output, call output(...)");
    List<ValueInfo> in = new ArrayList<>(), out = new ArrayList<>(), info = new ArrayList<>();
    for (Value v : inputs) in.add(info(v));
    for (Value v : outputs.values()) out.add(info(v));
    for (Value v : values) {
      if (!outputs.containsKey(v.name)) info.add(info(v));
    }
    return OnnxProto.model(IR_VERSION, OPSET, PRODUCER, null, graphName, nodes, initializers, in, out, info);
  }

  /** Writes {@link #toBytes()} to {@code target} atomically (a temporary file, then a rename). */
  public void write(Path target) throws IOException {
    AtomicFiles.writeBytes(target, toBytes());
  }

  /** The number of nodes so far (for tests and logs). */
  public int nodeCount() {
    return nodes.size();
  }

  // ------------------------------------------------------------------ internals

  private static ValueInfo info(Value v) {
    long[] dims = new long[v.shape.length + 1];
    String[] params = new String[dims.length];
    params[0] = BATCH_PARAM;
    for (int i = 0; i < v.shape.length; i++) dims[i + 1] = v.shape[i];
    return new ValueInfo(v.name, OnnxProto.DATA_TYPE_FLOAT, dims, params);
  }

  /** The name of the next op: the pending one from {@link #named}, else {@code kind_N}. */
  private String takeName(String kind) {
    String n = pendingName;
    pendingName = null;
    if (n == null) {
      do {
        int i = counters.merge(kind, 1, Integer::sum) - 1;
        n = kind + "_" + i;
      } while (names.contains(n));
    }
    return n;
  }

  /** One node with one output, named after {@code base}, and its result value. */
  private Value emit(String base, String opType, List<String> in, List<Attribute> attrs, int... shape) {
    if (names.contains(base)) {
      throw new IllegalArgumentException(opType + " '" + base + "': the name is taken, expected a unique name");
    }
    names.add(base);
    nodes.add(new Node(base, opType, List.copyOf(in), List.of(base), List.copyOf(attrs)));
    Value v = new Value(this, base, shape);
    values.add(v);
    return v;
  }

  private Value single(String opType, String kind, List<String> in, List<Attribute> attrs, int... shape) {
    return emit(takeName(kind), opType, in, attrs, shape);
  }

  /** A float32 initializer; returns its name. */
  private String floats(String name, float[] v, int... dims) {
    if (names.contains(name)) throw new IllegalArgumentException("initializer '" + name + "': the name is taken");
    names.add(name);
    ByteBuffer b = ByteBuffer.allocate(v.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(v);
    long[] d = new long[dims.length];
    for (int i = 0; i < dims.length; i++) d[i] = dims[i];
    initializers.add(new Initializer(name, OnnxProto.DATA_TYPE_FLOAT, d, b.array()));
    return name;
  }

  /** A 1-D int64 initializer (shape arguments of Pad and Slice); returns its name. */
  private String ints(String name, long[] v) {
    if (names.contains(name)) throw new IllegalArgumentException("initializer '" + name + "': the name is taken");
    names.add(name);
    ByteBuffer b = ByteBuffer.allocate(v.length * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    b.asLongBuffer().put(v);
    initializers.add(new Initializer(name, OnnxProto.DATA_TYPE_INT64, new long[] {v.length}, b.array()));
    return name;
  }

  private void checkName(String op, String name) {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException(op + ": name is " + (name == null ? "null" : "empty") + ", expected a non-empty name");
    }
    if (names.contains(name)) {
      throw new IllegalArgumentException(op + " '" + name + "': the name is taken, expected a unique name");
    }
  }

  private void own(String op, String arg, Value v) {
    if (v == null) throw new IllegalArgumentException(op + ": " + arg + " is null, expected a value of this graph");
    if (v.graph != this) {
      throw new IllegalArgumentException(op + ": " + arg + " (" + v + ") belongs to another OnnxGraph, expected a value of "
          + "graph '" + graphName + "'");
    }
  }

  /** Checks that x is an image (C, H, W) of this graph; returns its shape. */
  private int[] image(String op, String arg, Value x) {
    own(op, arg, x);
    if (x.shape.length != 3) {
      throw new IllegalArgumentException(op + ": " + arg + " is " + x + ", expected (batch, C, H, W)");
    }
    return x.shape.clone();
  }

  private static void weight(String op, String arg, float[] w, int[] shape, int rank) {
    if (w == null) throw new IllegalArgumentException(op + ": " + arg + " is null, expected a float array");
    if (shape == null || shape.length != rank) {
      throw new IllegalArgumentException(op + ": " + arg + "Shape is " + (shape == null ? "null" : Arrays.toString(shape))
          + ", expected " + rank + " dimensions");
    }
    long n = 1;
    for (int i = 0; i < rank; i++) {
      positive(op, arg + "Shape[" + i + "]", shape[i]);
      n *= shape[i];
    }
    if (n != w.length) {
      throw new IllegalArgumentException(op + ": " + arg + " has " + w.length + " values, expected " + n + " for "
          + arg + "Shape " + Arrays.toString(shape));
    }
  }

  private static void vector(String op, String arg, float[] v, int n) {
    if (v == null) throw new IllegalArgumentException(op + ": " + arg + " is null, expected " + n + " values");
    if (v.length != n) {
      throw new IllegalArgumentException(op + ": " + arg + " has " + v.length + " values, expected " + n
          + " (one per channel)");
    }
  }

  private static void nonEmpty(String op, Value[] xs) {
    if (xs == null || xs.length == 0) throw new IllegalArgumentException(op + ": no values given, expected at least one");
  }

  private static void positive(String op, String arg, int v) {
    if (v <= 0) throw new IllegalArgumentException(op + ": " + arg + " is " + v + ", expected a positive value");
  }

  private static void nonNegative(String op, String arg, int v) {
    if (v < 0) throw new IllegalArgumentException(op + ": " + arg + " is " + v + ", expected 0 or more");
  }

  private static void check(boolean ok, String message) {
    if (!ok) throw new IllegalArgumentException(message);
  }

  /** One axis's output size, at least 1 (the formula of {@code jnas_out_size}). */
  private static int outSize(String op, String axis, int in, int k, int stride, int pad, int dilation) {
    long padded = (long) in + 2L * pad;
    long span = (long) dilation * (k - 1) + 1;
    if (padded < span) {
      throw new IllegalArgumentException(op + ": output " + axis + " size is below 1: input " + axis + " " + in
          + " + 2*pad " + pad + " is " + padded + ", expected at least the (dilated) kernel extent " + span);
    }
    return Math.toIntExact((padded - span) / stride + 1);
  }
}
