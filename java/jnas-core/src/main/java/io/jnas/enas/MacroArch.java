package io.jnas.enas;

import io.jnas.genotype.Op;
import io.jnas.util.Json;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An architecture of ENAS's macro space (Pham et al. 2018): a chain of {@code L} layers, each
 * one of {@link #OPS} on the layer before, plus skip connections from any subset of the earlier
 * states ({@code native/graph/macro_net.cpp} builds it).
 *
 * <p>Its ENAS integer string ({@link #toArcString()}, {@link #parse(String)}), as the official
 * code reads {@code --child_fixed_arc} in {@code general_child.py}: for layer {@code l = 0 ..
 * L-1}, its op (an index into {@link #OPS}: 0 conv 3x3, 1 separable 3x3, 2 conv 5x5, 3 separable
 * 5x5, 4 average pool, 5 max pool), then {@code l} skip bits, bit {@code j} for state {@code j}:
 * the stem ({@code j = 0}) and layers {@code 0 .. l-2} (layer {@code l-1} is the op's input
 * already); {@code L + L(L-1)/2} integers.
 */
public final class MacroArch {
  /** ENAS's macro branches in its order: the registry ops of the ENAS macro space. */
  public static final List<Op> OPS = List.of(Op.MACRO_CONV_3X3, Op.MACRO_SEP_CONV_3X3, Op.MACRO_CONV_5X5,
      Op.MACRO_SEP_CONV_5X5, Op.MACRO_AVG_POOL_3X3, Op.MACRO_MAX_POOL_3X3);
  /** Layers of ENAS's macro search. */
  public static final int DEFAULT_LAYERS = 12;

  /**
   * The paper's final macro network (24 layers, searched with the 4 conv branches), as fixed in
   * the official repository's {@code scripts/cifar10_macro_final.sh} ({@code fixed_arc},
   * melodyguan/enas); trained there at 96 channels.
   */
  public static final MacroArch ENAS_MACRO_FINAL = parse(String.join(" ",
      "0",
      "3 0",
      "0 1 0",
      "2 0 0 1",
      "2 0 0 0 0",
      "3 1 1 0 1 0",
      "2 0 0 0 0 0 1",
      "2 0 1 1 0 1 1 1",
      "1 0 1 1 1 0 1 0 1",
      "0 0 0 0 0 0 0 0 0 0",
      "2 0 0 0 0 0 1 0 0 0 0",
      "0 1 0 0 1 1 0 0 0 0 1 1",
      "2 0 1 0 0 0 0 0 1 0 1 1 0",
      "1 0 0 1 0 0 0 1 1 1 0 1 0 1",
      "0 1 1 0 1 0 1 0 0 0 0 0 1 0 0",
      "2 0 0 1 0 0 0 0 0 0 0 1 0 1 0 1",
      "2 0 1 0 0 0 1 0 0 1 1 1 1 0 0 1 0",
      "2 0 0 0 0 1 0 1 0 1 0 0 1 0 1 0 0 1",
      "3 0 1 1 0 1 0 0 0 0 0 1 0 1 0 1 0 0 0",
      "3 0 1 1 0 0 0 0 0 0 0 0 0 1 1 0 0 0 0 1",
      "0 1 0 0 1 0 1 1 0 0 0 1 0 0 0 0 0 1 1 0 0",
      "3 0 1 0 1 1 0 0 1 0 1 1 0 1 1 0 1 0 0 1 0 0",
      "0 1 0 1 0 1 0 0 0 0 0 0 0 0 1 0 1 0 0 1 0 0 0",
      "0 1 1 0 0 0 1 1 1 0 1 0 0 0 1 0 1 0 0 1 1 0 0 0"));

  private final int layers;
  private final int[] ints;

  private MacroArch(int layers, int[] ints) {
    this.layers = layers;
    this.ints = ints;
  }

  /** Integers of an {@code L}-layer architecture: {@code L + L(L-1)/2}. */
  public static int length(int layers) {
    return layers + layers * (layers - 1) / 2;
  }

  /** Where layer {@code l}'s op is in the integer string (its skip bits follow). */
  public static int offset(int l) {
    return l + l * (l - 1) / 2;
  }

  /**
   * The architecture of {@code layers} layers from its integer string.
   *
   * @throws IllegalArgumentException naming the count, or the integer's index, layer and rule
   */
  public static MacroArch fromInts(int[] a, int layers) {
    if (layers < 1) throw new IllegalArgumentException("enas-macro: layers is " + layers + ", expected at least 1");
    if (a == null || a.length != length(layers)) {
      throw new IllegalArgumentException("enas-macro: " + (a == null ? "no" : a.length) + " integers; " + layers
          + " layers need " + length(layers) + " (per layer l: its op, then l skip bits)");
    }
    for (int l = 0; l < layers; l++) {
      int o = offset(l);
      if (a[o] < 0 || a[o] >= OPS.size()) {
        throw new IllegalArgumentException("enas-macro: integer " + o + " (layer " + l + "'s op) is " + a[o] + ", expected [0, "
            + OPS.size() + ")");
      }
      for (int j = 0; j < l; j++) {
        if (a[o + 1 + j] != 0 && a[o + 1 + j] != 1) {
          throw new IllegalArgumentException("enas-macro: integer " + (o + 1 + j) + " (layer " + l + "'s skip bit " + j + ") is "
              + a[o + 1 + j] + ", expected 0 or 1");
        }
      }
    }
    return new MacroArch(layers, a.clone());
  }

  /**
   * The architecture of an ENAS macro integer string (whitespace separated); the layer count
   * follows from the length.
   *
   * @throws IllegalArgumentException where the text is not integers or the count fits no layer count
   */
  public static MacroArch parse(String s) {
    String t = s == null ? "" : s.strip();
    if (t.isEmpty()) throw new IllegalArgumentException("enas-macro: empty architecture string");
    String[] parts = t.split("\\s+");
    int[] a = new int[parts.length];
    for (int i = 0; i < a.length; i++) {
      try {
        a[i] = Integer.parseInt(parts[i]);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("enas-macro: '" + parts[i] + "' (integer " + i + ") is not an integer");
      }
    }
    int L = 1;
    while (length(L) < a.length) L++;
    if (length(L) != a.length) {
      throw new IllegalArgumentException("enas-macro: " + a.length + " integers fit no layer count (L layers take L + L(L-1)/2: "
          + length(L - 1) + " or " + length(L) + ")");
    }
    return fromInts(a, L);
  }

  /** Layers {@code L}. */
  public int layers() {
    return layers;
  }

  /** Layer {@code l}'s op, an index into {@link #OPS}. */
  public int op(int l) {
    return ints[offset(l)];
  }

  /** Whether layer {@code l} adds state {@code j} ({@code j < l}: 0 the stem, {@code j} layer {@code j-1}). */
  public boolean skip(int l, int j) {
    if (j < 0 || j >= l) throw new IndexOutOfBoundsException("layer " + l + " has skip bits 0 .. " + (l - 1) + ", not " + j);
    return ints[offset(l) + 1 + j] == 1;
  }

  /** The states layer {@code l} adds, in increasing order. */
  public List<Integer> skips(int l) {
    List<Integer> s = new ArrayList<>();
    for (int j = 0; j < l; j++) if (skip(l, j)) s.add(j);
    return s;
  }

  /** The integer string (a copy). */
  public int[] toInts() {
    return ints.clone();
  }

  /** The integer string, space separated. */
  public String toArcString() {
    StringBuilder sb = new StringBuilder();
    for (int v : ints) sb.append(sb.length() > 0 ? " " : "").append(v);
    return sb.toString();
  }

  /** JSON-ready map: {@code {"format": "enas-macro", "layers": L, "arc": "0 3 0 ..."}}. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("format", "enas-macro");
    m.put("layers", layers);
    m.put("arc", toArcString());
    return m;
  }

  /** The architecture of a {@link #toMap()} map. */
  public static MacroArch fromMap(Map<String, Object> m) {
    if (!"enas-macro".equals(m.get("format"))) throw new IllegalArgumentException("enas-macro JSON: 'format' must be \"enas-macro\"");
    if (!(m.get("arc") instanceof String arc)) throw new IllegalArgumentException("enas-macro JSON: 'arc' must be a string of integers");
    MacroArch a = parse(arc);
    if (m.get("layers") instanceof Number n && n.intValue() != a.layers) {
      throw new IllegalArgumentException("enas-macro JSON: 'layers' is " + n + ", its arc has " + a.layers);
    }
    return a;
  }

  /** Indented JSON of {@link #toMap()}. */
  public String toJson() {
    return Json.pretty(toMap());
  }

  /** One line per layer: {@code layer 3: macro_sep_conv_5x5 + skips from stem, layer 1}. */
  public String toReadable() {
    StringBuilder sb = new StringBuilder();
    for (int l = 0; l < layers; l++) {
      sb.append("layer ").append(l).append(": ").append(OPS.get(op(l)).label());
      List<Integer> s = skips(l);
      if (!s.isEmpty()) {
        sb.append(" + skips from");
        for (int k = 0; k < s.size(); k++) sb.append(k > 0 ? "," : "").append(' ').append(s.get(k) == 0 ? "stem" : "layer " + (s.get(k) - 1));
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MacroArch m && m.layers == layers && Arrays.equals(m.ints, ints);
  }

  @Override
  public int hashCode() {
    return 31 * layers + Arrays.hashCode(ints);
  }

  @Override
  public String toString() {
    return "MacroArch(" + toArcString() + ")";
  }
}
