package io.jnas.onnx;

import io.jnas.data.Normalization;
import io.jnas.genotype.Genotype;
import io.jnas.genotype.Op;
import io.jnas.onnx.OnnxGraph.Value;
import io.jnas.train.FinalNetwork;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * ONNX export of a trained {@link FinalNetwork}: the inference graph (batch-norm running
 * statistics, no drop-path, no dropout, no auxiliary head) built op by op with
 * {@link OnnxGraph}, mirroring {@code native/final_net.cpp} structure for structure:
 *
 * <pre>
 *   stem conv3x3 + BN; s0 = s1 = stem
 *   cell l: pre0 = FR+BN (previous cell reduced) or ReLU-conv1x1-BN; pre1 = ReLU-conv1x1-BN
 *           node j = op(state[in_a]) + op(state[in_b]); concat of the genotype's states
 *   global average pool, linear
 * </pre>
 *
 * The weights are read by name from the network's weight buffer ({@link FinalNetwork#tensors()});
 * the running statistics are laid out per batch norm, in the order the batch norms were
 * created, which is the order of their {@code .gamma} tensors. The model's input
 * {@code images} is {@code (batch, C, H, W)} float32; with a {@link Normalization} the graph
 * starts with it (a depthwise {@code 1x1} {@code Conv}: weight {@code 1/std}, bias
 * {@code -mean/std}) and takes pixels in [0, 1], without one it takes what the network was
 * trained on. Its output {@code logits} is {@code (batch, classes)}.
 */
public final class FinalNetworkExport {
  private static final float BN_EPS = 1e-5f;

  private final FinalNetwork.Config cfg;
  private final Map<String, float[]> w = new HashMap<>();
  private final Map<String, float[][]> stats = new HashMap<>();
  private final OnnxGraph g;

  private final Normalization norm;

  private FinalNetworkExport(FinalNetwork net, String graphName, Normalization norm) {
    this.norm = norm;
    cfg = net.config();
    float[] weights = net.get(FinalNetwork.Buffer.WEIGHTS);
    float[] running = net.get(FinalNetwork.Buffer.RUNNING_STATS);
    int rs = 0;
    for (FinalNetwork.TensorInfo t : net.tensors()) {
      float[] v = Arrays.copyOfRange(weights, Math.toIntExact(t.offset()), Math.toIntExact(t.offset() + t.size()));
      w.put(t.name(), v);
      if (t.name().endsWith(".gamma")) {
        int c = Math.toIntExact(t.size());
        String bn = t.name().substring(0, t.name().length() - ".gamma".length());
        stats.put(bn, new float[][] {Arrays.copyOfRange(running, rs, rs + c), Arrays.copyOfRange(running, rs + c, rs + 2 * c)});
        rs += 2 * c;
      }
    }
    if (rs != running.length) {
      throw new IllegalStateException("onnx export: running statistics hold " + running.length + " floats, the batch norms "
          + "account for " + rs);
    }
    g = new OnnxGraph(graphName);
  }

  /**
   * The inference graph of {@code net} with its current weights and running statistics.
   *
   * @param graphName the ONNX graph's name, e.g. the genotype's
   * @param norm the input normalization to put in front, or {@code null} for none
   */
  public static OnnxGraph export(FinalNetwork net, String graphName, Normalization norm) {
    Objects.requireNonNull(net, "net");
    if (graphName == null || graphName.isBlank()) throw new IllegalArgumentException("onnx export: graphName is empty");
    if (norm != null && norm.mean().length != net.config().inChannels()) {
      throw new IllegalArgumentException("onnx export: the normalization has " + norm.mean().length + " channels, the network "
          + "takes " + net.config().inChannels());
    }
    return new FinalNetworkExport(net, graphName, norm).build();
  }

  private OnnxGraph build() {
    int c0 = cfg.channels(), layers = cfg.layers();
    Genotype geno = cfg.genotype();
    Value x = g.input("images", cfg.inChannels(), cfg.height(), cfg.width());
    if (norm != null) {
      int c = cfg.inChannels();
      float[] scale = new float[c], shift = new float[c];
      for (int i = 0; i < c; i++) {
        scale[i] = 1f / norm.std()[i];
        shift[i] = -norm.mean()[i] / norm.std()[i];
      }
      x = g.named("normalize").conv(x, scale, new int[] {c, 1, 1, 1}, shift, 1, 0, 0, 1, c);
    }
    x = conv(x, "stem.w", 3 * c0, cfg.inChannels(), 3, 3, 1, 1, 1, 1, 1);
    x = bn(x, "stem.bn");
    Value s0 = x, s1 = x;
    boolean redPrev = false;
    int cc = c0;
    for (int l = 0; l < layers; l++) {
      boolean red = l == layers / 3 || l == 2 * layers / 3;
      if (red) cc *= 2;
      String p = "cell" + l + ".";
      var genes = red ? geno.reduce() : geno.normal();
      var concat = red ? geno.reduceConcat() : geno.normalConcat();
      List<Value> states = new ArrayList<>();
      states.add(redPrev ? fr(s0, p + "pre0.", cc) : rcb(s0, p + "pre0.", cc));
      states.add(rcb(s1, p + "pre1.", cc));
      for (int j = 0; j < genes.size() / 2; j++) {
        Value[] h = new Value[2];
        for (int k = 0; k < 2; k++) {
          int e = 2 * j + k;
          int in = genes.get(e).input();
          h[k] = edge(states.get(in), p + "edge" + e + ".", genes.get(e).op(), cc, red && in < 2 ? 2 : 1);
        }
        states.add(g.sum(h[0], h[1]));
      }
      List<Value> parts = new ArrayList<>();
      for (int k = 0; k < concat.size(); k++) {
        Value sk = states.get(concat.get(k));
        parts.add(red && concat.get(k) < 2 ? fr(sk, p + "concat" + k + ".", cc) : sk);
      }
      Value out = parts.size() == 1 ? parts.get(0) : g.concat(parts.toArray(new Value[0]));
      s0 = s1;
      s1 = out;
      redPrev = red;
    }
    Value pooled = g.globalAvgPool(s1);
    float[] fc = tensor("classifier.w");
    int classes = cfg.numClasses();
    Value logits = g.linear(pooled, fc, new int[] {classes, fc.length / classes}, tensor("classifier.b"));
    g.output(logits, "logits");
    return g;
  }

  private float[] tensor(String name) {
    float[] v = w.get(name);
    if (v == null) throw new IllegalStateException("onnx export: the network has no tensor '" + name + "'");
    return v;
  }

  private Value conv(Value x, String name, int cOut, int cInPerGroup, int kh, int kw, int stride, int padH, int padW,
      int dilation, int groups) {
    return g.conv(x, tensor(name), new int[] {cOut, cInPerGroup, kh, kw}, null, stride, padH, padW, dilation, groups);
  }

  private Value bn(Value x, String name) {
    float[][] s = stats.get(name);
    if (s == null) throw new IllegalStateException("onnx export: no running statistics for '" + name + "'");
    return g.batchNormInference(x, tensor(name + ".gamma"), tensor(name + ".beta"), s[0], s[1], BN_EPS);
  }

  /** ReLU-conv1x1-BN. */
  private Value rcb(Value x, String p, int cOut) {
    Value r = g.relu(x);
    return bn(conv(r, p + "conv.w", cOut, x.shape()[0], 1, 1, 1, 0, 0, 1, 1), p + "bn");
  }

  /** FactorizedReduce + BN. */
  private Value fr(Value x, String p, int cOut) {
    int cIn = x.shape()[0];
    Value y = g.factorizedReduce(x, tensor(p + "fr.w1"), new int[] {cOut / 2, cIn, 1, 1}, tensor(p + "fr.w2"),
        new int[] {cOut - cOut / 2, cIn, 1, 1});
    return bn(y, p + "fr.bn");
  }

  private Value sep(Value x, String p, int c, int k, int stride, int pad, int dilation) {
    return g.sepconv(g.relu(x), tensor(p + "dw"), new int[] {c, 1, k, k}, tensor(p + "pw"), new int[] {c, c, 1, 1},
        stride, pad, dilation);
  }

  private Value edge(Value x, String p, Op op, int c, int s) {
    switch (op) {
      case NONE: {
        Value y = s == 1 ? x : g.maxPool(x, 1, 2, 0);  // the strided shape; the values are zeroed
        return g.mul(y, 0f);
      }
      case SKIP_CONNECT:
        return s == 1 ? x : fr(x, p, c);
      case AVG_POOL_3X3:
        return g.avgPool(x, 3, s, 1);
      case MAX_POOL_3X3:
        return g.maxPool(x, 3, s, 1);
      case SEP_CONV_3X3:
      case SEP_CONV_5X5:
      case SEP_CONV_7X7: {
        int k = op == Op.SEP_CONV_3X3 ? 3 : op == Op.SEP_CONV_5X5 ? 5 : 7;
        String n = p + "sep" + k + ".";
        Value y = bn(sep(x, n + "0.", c, k, s, k / 2, 1), n + "0.bn");
        return bn(sep(y, n + "1.", c, k, 1, k / 2, 1), n + "1.bn");
      }
      case DIL_CONV_3X3:
      case DIL_CONV_5X5: {
        int k = op == Op.DIL_CONV_3X3 ? 3 : 5;
        String n = p + "dil" + k + ".";
        return bn(sep(x, n, c, k, s, k - 1, 2), n + "bn");
      }
      case CONV_7X1_1X7: {
        Value y = conv(g.relu(x), p + "conv1x7.w", c, c, 1, 7, 1, 0, 3, 1, 1);
        y = conv(y, p + "conv7x1.w", c, c, 7, 1, s, 3, 0, 1, 1);
        return bn(y, p + "conv7.bn");
      }
      default:
        throw new IllegalStateException("onnx export: op " + op + " has no ONNX form");
    }
  }
}
