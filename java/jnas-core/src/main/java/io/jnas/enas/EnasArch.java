package io.jnas.enas;

import io.jnas.util.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An ENAS micro architecture: a normal cell and a reduction cell with the same node count.
 *
 * <p>Three interchangeable forms, each round-tripping:
 * <ul>
 *   <li>the ENAS integer string ({@link #toArcString()}, {@link #parse(String)}): {@code 4 B}
 *       integers for the normal cell then {@code 4 B} for the reduction cell, space separated,
 *       {@code index_1 op_1 index_2 op_2} per node, as the official code reads
 *       {@code --child_fixed_arc};
 *   <li>JSON ({@link #toJson()}, {@link #fromJson(String)}), ops by label;
 *   <li>a readable multi-line form ({@link #toReadable()}, {@link #parseReadable(String)}).
 * </ul>
 *
 * @param normal the normal cell
 * @param reduce the reduction cell (same node count)
 */
public record EnasArch(EnasCell normal, EnasCell reduce) {
  /** Default node count {@code B} of the ENAS micro space. */
  public static final int DEFAULT_NODES = 5;

  /**
   * The ENAS paper's final CIFAR-10 micro architecture, as fixed in the official repository's
   * {@code scripts/cifar10_micro_final.sh} ({@code fixed_arc}, melodyguan/enas).
   */
  public static final EnasArch ENAS_FINAL = parse(
      "0 2 0 0 0 4 0 1 0 4 1 1 1 0 0 1 0 2 1 1 "
          + "1 0 1 0 0 3 0 2 1 1 3 1 1 0 0 4 0 3 1 1");

  /** Checks both cells are present with the same node count. */
  public EnasArch {
    Objects.requireNonNull(normal, "normal");
    Objects.requireNonNull(reduce, "reduce");
    if (normal.numNodes() != reduce.numNodes()) {
      throw new IllegalArgumentException("normal cell has " + normal.numNodes() + " nodes, reduction cell "
          + reduce.numNodes());
    }
  }

  /** Node count {@code B} of each cell. */
  public int numNodes() {
    return normal.numNodes();
  }

  /** The {@code 8 B} ENAS integers, normal cell first. */
  public int[] toInts() {
    int[] n = normal.toInts();
    int[] r = reduce.toInts();
    int[] a = new int[n.length + r.length];
    System.arraycopy(n, 0, a, 0, n.length);
    System.arraycopy(r, 0, a, n.length, r.length);
    return a;
  }

  /**
   * The architecture of {@code 8 B} ENAS integers ({@code B = a.length / 8}).
   *
   * @throws IllegalArgumentException naming the integer's index and the reason
   */
  public static EnasArch fromInts(int[] a) {
    if (a.length == 0 || a.length % 8 != 0) {
      throw new IllegalArgumentException("wrong count: " + a.length
          + " integers; expected a positive multiple of 8 (4 per node, two cells)");
    }
    return fromInts(a, a.length / 8);
  }

  /**
   * The architecture of exactly {@code 8 numNodes} ENAS integers.
   *
   * @throws IllegalArgumentException naming the integer's index and the reason
   */
  public static EnasArch fromInts(int[] a, int numNodes) {
    if (numNodes < 1) throw new IllegalArgumentException("numNodes must be >= 1, got " + numNodes);
    if (a.length != 8 * numNodes) {
      throw new IllegalArgumentException("wrong count: " + a.length + " integers; expected " + 8 * numNodes
          + " (4 per node x " + numNodes + " nodes x 2 cells)");
    }
    return new EnasArch(EnasCell.fromInts(a, 0, numNodes, "normal"),
        EnasCell.fromInts(a, 4 * numNodes, numNodes, "reduction"));
  }

  /** The ENAS integer string, e.g. {@code "0 2 0 0 0 4 0 1 ..."}. */
  public String toArcString() {
    StringBuilder sb = new StringBuilder();
    for (int v : toInts()) {
      if (sb.length() > 0) sb.append(' ');
      sb.append(v);
    }
    return sb.toString();
  }

  /**
   * Parses an ENAS integer string (whitespace separated); {@code B} is the count over 8.
   *
   * @throws IllegalArgumentException naming the integer's index (0-based) and the reason: not
   *     an integer, input out of range for node j, op id out of range, or wrong count
   */
  public static EnasArch parse(String s) {
    return fromInts(tokens(s));
  }

  /**
   * Parses an ENAS integer string of exactly {@code numNodes} nodes per cell.
   *
   * @throws IllegalArgumentException as {@link #parse(String)}
   */
  public static EnasArch parse(String s, int numNodes) {
    return fromInts(tokens(s), numNodes);
  }

  private static int[] tokens(String s) {
    String t = s == null ? "" : s.strip();
    if (t.isEmpty()) throw new IllegalArgumentException("wrong count: empty architecture string");
    String[] parts = t.split("\\s+");
    int[] a = new int[parts.length];
    for (int i = 0; i < parts.length; i++) {
      try {
        a[i] = Integer.parseInt(parts[i]);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("integer " + i + ": '" + parts[i] + "' is not an integer");
      }
    }
    return a;
  }

  /** JSON-ready map: {@code {"format": "enas-micro", "nodes": B, "normal": [...], "reduce": [...], "arc": "..."}}. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("format", "enas-micro");
    m.put("nodes", numNodes());
    m.put("arc", toArcString());
    m.put("normal", normal.toJsonList());
    m.put("reduce", reduce.toJsonList());
    return m;
  }

  /** Indented JSON of {@link #toMap()}. */
  public String toJson() {
    return Json.pretty(toMap());
  }

  /**
   * The architecture of a {@link #toMap()} map; the {@code normal} and {@code reduce} lists are
   * authoritative ({@code arc} and {@code nodes} are informational).
   *
   * @throws IllegalArgumentException naming what is missing or wrong
   */
  public static EnasArch fromMap(Map<String, Object> m) {
    if (!m.containsKey("normal") || !m.containsKey("reduce")) {
      throw new IllegalArgumentException("ENAS arch JSON needs 'normal' and 'reduce'");
    }
    return new EnasArch(EnasCell.fromJsonList(m.get("normal"), "normal"),
        EnasCell.fromJsonList(m.get("reduce"), "reduce"));
  }

  /** The architecture of {@link #toJson()}'s text. */
  public static EnasArch fromJson(String json) {
    return fromMap(Json.parseObject(json));
  }

  /**
   * A readable multi-line form, one node a line, e.g.
   *
   * <pre>
   * normal:
   *   n0 = avg_pool_3x3(c_{k-2}) + sep_conv_3x3(c_{k-2})
   *   ...
   *   out = concat(n2, n3, n4)
   * reduce:
   *   ...
   * </pre>
   *
   * The {@code out} lines are derived and ignored when parsing.
   */
  public String toReadable() {
    StringBuilder sb = new StringBuilder();
    readable(sb, "normal", normal);
    readable(sb, "reduce", reduce);
    return sb.toString();
  }

  private static void readable(StringBuilder sb, String name, EnasCell c) {
    sb.append(name).append(":\n");
    for (int j = 0; j < c.numNodes(); j++) {
      EnasNode n = c.nodes().get(j);
      sb.append("  n").append(j).append(" = ").append(n.op1().label()).append('(')
          .append(EnasCell.indexName(n.input1())).append(") + ").append(n.op2().label()).append('(')
          .append(EnasCell.indexName(n.input2())).append(")\n");
    }
    List<String> outs = new ArrayList<>();
    for (int i : c.outputIndices()) outs.add(EnasCell.indexName(i));
    sb.append("  out = concat(").append(String.join(", ", outs)).append(")\n");
  }

  private static final Pattern NODE = Pattern.compile(
      "n(\\d+)\\s*=\\s*(\\w+)\\(\\s*([^)\\s]+)\\s*\\)\\s*\\+\\s*(\\w+)\\(\\s*([^)\\s]+)\\s*\\)");

  /**
   * Parses {@link #toReadable()}'s form.
   *
   * @throws IllegalArgumentException naming the line (1-based) and what was expected
   */
  public static EnasArch parseReadable(String text) {
    List<EnasNode> normal = new ArrayList<>();
    List<EnasNode> reduce = new ArrayList<>();
    List<EnasNode> cur = null;
    String[] lines = text.split("\\R");
    for (int ln = 0; ln < lines.length; ln++) {
      String line = lines[ln].strip();
      if (line.isEmpty() || line.startsWith("out")) continue;
      if (line.equals("normal:")) {
        cur = normal;
        continue;
      }
      if (line.equals("reduce:")) {
        cur = reduce;
        continue;
      }
      String where = "line " + (ln + 1) + ": ";
      if (cur == null) throw new IllegalArgumentException(where + "expected 'normal:' before the nodes");
      Matcher m = NODE.matcher(line);
      if (!m.matches()) {
        throw new IllegalArgumentException(where + "expected 'nJ = op(input) + op(input)', got '" + line + "'");
      }
      if (Integer.parseInt(m.group(1)) != cur.size()) {
        throw new IllegalArgumentException(where + "expected node n" + cur.size() + ", got n" + m.group(1));
      }
      try {
        cur.add(new EnasNode(index(m.group(3)), EnasOp.fromLabel(m.group(2)), index(m.group(5)),
            EnasOp.fromLabel(m.group(4))));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(where + e.getMessage(), e);
      }
    }
    if (normal.isEmpty() || reduce.isEmpty()) {
      throw new IllegalArgumentException("expected a 'normal:' and a 'reduce:' section with nodes");
    }
    return new EnasArch(new EnasCell(normal), new EnasCell(reduce));
  }

  private static int index(String name) {
    if (name.equals("c_{k-2}")) return 0;
    if (name.equals("c_{k-1}")) return 1;
    if (name.matches("n\\d+")) return 2 + Integer.parseInt(name.substring(1));
    throw new IllegalArgumentException("unknown input '" + name + "' (c_{k-2}, c_{k-1}, n0, n1, ...)");
  }

  @Override
  public String toString() {
    return toArcString();
  }
}
