package io.jnas.onnx;

import io.jnas.backend.NativeNetwork;
import io.jnas.backend.NetworkPlan;
import io.jnas.data.Normalization;
import io.jnas.enas.MacroNetwork;
import io.jnas.nasbench.Nb201Network;
import io.jnas.onnx.OnnxGraph.Value;
import io.jnas.train.FinalNetwork;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * ONNX export of a trained {@link FinalNetwork} (or {@link MacroNetwork}, or {@link Nb201Network}):
 * its inference graph (batch-norm running statistics, no drop-path, no dropout, no auxiliary
 * head) translated step by step from the network's own {@link NetworkPlan}. This class knows no cell, op or naming rule of the network:
 * the structure is written once, in {@code native/graph/}, and the plan carries it here (each
 * step's op, inputs, attributes and weight-tensor names; each batch norm's offset in the
 * running-statistics buffer).
 *
 * <p>The model's input {@code images} is {@code (batch, C, H, W)} float32; with a
 * {@link Normalization} the graph starts with it (a depthwise {@code 1x1} {@code Conv}: weight
 * {@code 1/std}, bias {@code -mean/std}) and takes pixels in [0, 1], without one it takes what
 * the network was trained on. Its output {@code logits} is {@code (batch, classes)}.
 */
public final class FinalNetworkExport {
  private final Map<String, float[]> w = new HashMap<>();
  private final float[] running;
  private final NetworkPlan plan;
  private final OnnxGraph g;
  private final Normalization norm;

  private FinalNetworkExport(NetworkPlan plan, List<NativeNetwork.TensorInfo> tensors, float[] weights, float[] running,
      String graphName, Normalization norm) {
    this.norm = norm;
    this.plan = plan;
    for (NativeNetwork.TensorInfo t : tensors) {
      w.put(t.name(), Arrays.copyOfRange(weights, Math.toIntExact(t.offset()), Math.toIntExact(t.offset() + t.size())));
    }
    this.running = running;
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
    check(graphName, norm, net.config().inChannels());
    return new FinalNetworkExport(net.plan(), net.tensors(), net.get(FinalNetwork.Buffer.WEIGHTS),
        net.get(FinalNetwork.Buffer.RUNNING_STATS), graphName, norm).build();
  }

  /**
   * The inference graph of an ENAS macro network ({@link MacroNetwork}), from its plan in the
   * same way.
   *
   * @param graphName the ONNX graph's name
   * @param norm the input normalization to put in front, or {@code null} for none
   */
  public static OnnxGraph export(MacroNetwork net, String graphName, Normalization norm) {
    Objects.requireNonNull(net, "net");
    check(graphName, norm, net.config().inChannels());
    return new FinalNetworkExport(net.plan(), net.tensors(), net.get(MacroNetwork.Buffer.WEIGHTS),
        net.get(MacroNetwork.Buffer.RUNNING_STATS), graphName, norm).build();
  }

  /**
   * The inference graph of a NAS-Bench-201 network of one cell ({@link Nb201Network}), from its
   * plan in the same way.
   *
   * @param graphName the ONNX graph's name
   * @param norm the input normalization to put in front, or {@code null} for none
   * @throws IllegalArgumentException for the weight-shared search network (no cell, no running statistics)
   */
  public static OnnxGraph export(Nb201Network net, String graphName, Normalization norm) {
    Objects.requireNonNull(net, "net");
    if (net.isSearchNetwork()) {
      throw new IllegalArgumentException("onnx export: the nb201 search network has no one cell; expected the network of one cell");
    }
    check(graphName, norm, net.config().inChannels());
    return new FinalNetworkExport(net.plan(null), net.tensors(), net.weights(), net.runningStats(), graphName, norm).build();
  }

  private static void check(String graphName, Normalization norm, int inChannels) {
    if (graphName == null || graphName.isBlank()) throw new IllegalArgumentException("onnx export: graphName is empty");
    if (norm != null && norm.mean().length != inChannels) {
      throw new IllegalArgumentException("onnx export: the normalization has " + norm.mean().length + " channels, the network "
          + "takes " + inChannels);
    }
  }

  private OnnxGraph build() {
    Map<Integer, Value> values = new HashMap<>();
    int[] in = plan.inputShape();
    Value x = g.input("images", in);
    if (norm != null) {
      int c = in[0];
      float[] scale = new float[c], shift = new float[c];
      for (int i = 0; i < c; i++) {
        scale[i] = 1f / norm.std()[i];
        shift[i] = -norm.mean()[i] / norm.std()[i];
      }
      x = g.named("normalize").conv(x, scale, new int[] {c, 1, 1, 1}, shift, 1, 0, 0, 1, c);
    }
    values.put(plan.input(), x);
    for (NetworkPlan.Step s : plan.steps()) values.put(s.output(), step(s, values));
    g.output(values.get(plan.output()), "logits");
    return g;
  }

  /** The ONNX nodes of one plan step. */
  private Value step(NetworkPlan.Step s, Map<Integer, Value> values) {
    Value[] in = s.inputs().stream().map(values::get).toArray(Value[]::new);
    Value x = in[0];
    return switch (s.op()) {
      case "conv2d" -> {
        int groups = s.attr("groups");
        yield g.conv(x, tensor(s.param("weight")), new int[] {s.shape()[0], x.shape()[0] / groups, s.attr("kh"),
            s.attr("kw")}, null, s.attr("stride"), s.attr("pad_h"), s.attr("pad_w"), s.attr("dilation"), groups);
      }
      case "sepconv" -> {
        int c = x.shape()[0], k = s.attr("k");
        yield g.sepconv(x, tensor(s.param("dw")), new int[] {c, 1, k, k}, tensor(s.param("pw")),
            new int[] {s.shape()[0], c, 1, 1}, s.attr("stride"), s.attr("pad"), s.attr("dilation"));
      }
      case "batchnorm" -> {
        if (s.running() < 0) throw new IllegalStateException("onnx export: batch norm " + s.param("gamma") + " keeps no running statistics");
        int c = s.shape()[0], off = Math.toIntExact(s.running());
        yield g.batchNormInference(x, tensor(s.param("gamma")), tensor(s.param("beta")),
            Arrays.copyOfRange(running, off, off + c), Arrays.copyOfRange(running, off + c, off + 2 * c),
            s.attrs().get("eps").floatValue());
      }
      case "relu" -> g.relu(x);
      case "avgpool" -> g.avgPool(x, s.attr("k"), s.attr("stride"), s.attr("pad"));
      case "maxpool" -> g.maxPool(x, s.attr("k"), s.attr("stride"), s.attr("pad"));
      case "sum" -> in.length == 1 ? x : g.sum(in);
      case "concat" -> g.concat(in);
      case "factorized_reduce" -> {
        int c = x.shape()[0];
        float[] w1 = tensor(s.param("w1")), w2 = tensor(s.param("w2"));
        yield g.factorizedReduce(x, w1, new int[] {w1.length / c, c, 1, 1}, w2, new int[] {w2.length / c, c, 1, 1});
      }
      case "zeros" -> g.mul(s.attr("stride") == 1 ? x : g.maxPool(x, 1, 2, 0), 0f);  // the strided shape, zeroed
      case "global_avgpool" -> g.globalAvgPool(x);
      case "linear" -> {
        float[] wt = tensor(s.param("weight"));
        int oc = s.shape()[0];
        yield g.linear(x, wt, new int[] {oc, wt.length / oc}, s.params().containsKey("bias") ? tensor(s.param("bias")) : null);
      }
      default -> throw new IllegalStateException("onnx export: plan step '" + s.op() + "' (" + s.scope()
          + ") has no ONNX form; expected one of " + List.of("conv2d", "sepconv", "batchnorm", "relu", "avgpool",
          "maxpool", "sum", "concat", "factorized_reduce", "zeros", "global_avgpool", "linear"));
    };
  }

  private float[] tensor(String name) {
    float[] v = w.get(name);
    if (v == null) throw new IllegalStateException("onnx export: the network has no tensor '" + name + "'");
    return v;
  }
}
