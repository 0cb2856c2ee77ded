package io.jnas.backend;

import io.jnas.util.Json;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A network described by the native core itself ({@code jnas_net_plan}): every primitive step
 * of its inference forward for one image, and every cell with its edges and ops. The ONNX
 * export and the cell diagrams are built from this, so the structure of a network is written
 * once, in {@code native/graph/}.
 *
 * <p>Values are numbered; the input image is value {@link #input()}, each step makes value
 * {@link Step#output()} from its {@link Step#inputs()}. Shapes are {@code (C, H, W)} (batch 1).
 *
 * @param network {@code supernet} or {@code final}
 * @param input the input value's id
 * @param inputShape the input's {@code (C, H, W)}
 * @param output the logits' value id
 * @param steps the steps in execution order
 * @param cells the cells in order
 */
public record NetworkPlan(String network, int input, int[] inputShape, int output, List<Step> steps, List<Cell> cells) {
  /**
   * One primitive step.
   *
   * @param op {@code conv2d}, {@code sepconv}, {@code batchnorm}, {@code relu}, {@code avgpool},
   *     {@code maxpool}, {@code sum}, {@code concat}, {@code factorized_reduce},
   *     {@code global_avgpool}, {@code linear}, {@code zeros} (training adds {@code dropout} and
   *     {@code drop_path}, which an inference plan does not hold)
   * @param scope what the network was building, e.g. {@code cell3.edge2.sep_conv_3x3}
   * @param inputs value ids read
   * @param output value id written
   * @param shape the output's {@code (C, H, W)}
   * @param params role to weight-tensor name, e.g. {@code weight -> stem.w}; the names are
   *     those of {@link NativeNetwork#tensors()}
   * @param attrs kernel sizes, strides, paddings, dilation, groups, eps, ...
   * @param running batch norm: the offset of its running mean in the statistics buffer (its
   *     running variance follows); -1 otherwise
   */
  public record Step(String op, String scope, List<Integer> inputs, int output, int[] shape, Map<String, String> params,
      Map<String, Double> attrs, long running) {
    /** An integer attribute. */
    public int attr(String name) {
      Double v = attrs.get(name);
      if (v == null) throw new IllegalStateException("plan step " + op + " has no attribute " + name);
      return v.intValue();
    }

    /** A weight tensor's name by role. */
    public String param(String role) {
      String v = params.get(role);
      if (v == null) throw new IllegalStateException("plan step " + op + " has no parameter " + role);
      return v;
    }
  }

  /**
   * One cell: states 0 and 1 are its two inputs (c_{k-2}, c_{k-1}), state {@code 2 + j} is node j.
   *
   * @param name e.g. {@code cell3}
   * @param reduction whether it halves the resolution
   * @param channels channels per node
   * @param height output height
   * @param width output width
   * @param nodes number of nodes
   * @param edges the op edges
   * @param outputs the states the cell output combines
   * @param combine {@code concat} (DARTS) or {@code sum_relu_conv1x1_bn} (ENAS's search cell)
   * @param concatNodes the nodes (0-based) that concatenate their two results and map them back
   *     with ReLU-conv1x1-BN (NASNet's concat combiner); the others add them
   */
  public record Cell(String name, boolean reduction, int channels, int height, int width, int nodes, List<Edge> edges,
      List<Integer> outputs, String combine, List<Integer> concatNodes) {}

  /**
   * An edge: op applied to state {@code from}, summed into state {@code to}.
   *
   * @param from source state
   * @param to target state (2 + node)
   * @param op the op's registry name, e.g. {@code sep_conv_3x3}
   * @param stride 2 where a reduction cell's op reads a cell input
   */
  public record Edge(int from, int to, String op, int stride) {}

  /** Parses the native JSON. */
  static NetworkPlan parse(String json) {
    Map<String, Object> m = Json.parseObject(json);
    @SuppressWarnings("unchecked") Map<String, Object> in = (Map<String, Object>) m.get("input");
    List<Step> steps = new ArrayList<>();
    for (Object o : (List<?>) m.get("steps")) {
      Map<?, ?> s = (Map<?, ?>) o;
      Map<String, String> params = new LinkedHashMap<>();
      ((Map<?, ?>) s.get("params")).forEach((k, v) -> params.put((String) k, (String) v));
      Map<String, Double> attrs = new LinkedHashMap<>();
      ((Map<?, ?>) s.get("attrs")).forEach((k, v) -> attrs.put((String) k, ((Number) v).doubleValue()));
      Object running = s.get("running");
      steps.add(new Step((String) s.get("op"), (String) s.get("scope"), ints(s.get("in")), num(s.get("out")),
          intArray(s.get("shape")), Collections.unmodifiableMap(params), Collections.unmodifiableMap(attrs),
          running == null ? -1 : ((Number) running).longValue()));
    }
    List<Cell> cells = new ArrayList<>();
    for (Object o : (List<?>) m.get("cells")) {
      Map<?, ?> c = (Map<?, ?>) o;
      List<Edge> edges = new ArrayList<>();
      for (Object e : (List<?>) c.get("edges")) {
        Map<?, ?> em = (Map<?, ?>) e;
        edges.add(new Edge(num(em.get("from")), num(em.get("to")), (String) em.get("op"), num(em.get("stride"))));
      }
      cells.add(new Cell((String) c.get("name"), (Boolean) c.get("reduction"), num(c.get("channels")),
          num(c.get("height")), num(c.get("width")), num(c.get("nodes")), List.copyOf(edges), ints(c.get("outputs")),
          (String) c.get("combine"), c.get("concat_nodes") == null ? List.of() : ints(c.get("concat_nodes"))));
    }
    return new NetworkPlan((String) m.get("network"), num(in.get("id")), intArray(in.get("shape")), num(m.get("output")),
        List.copyOf(steps), List.copyOf(cells));
  }

  private static int num(Object o) {
    return ((Number) o).intValue();
  }

  private static List<Integer> ints(Object o) {
    List<Integer> out = new ArrayList<>();
    for (Object v : (List<?>) o) out.add(((Number) v).intValue());
    return List.copyOf(out);
  }

  private static int[] intArray(Object o) {
    return ints(o).stream().mapToInt(Integer::intValue).toArray();
  }
}
