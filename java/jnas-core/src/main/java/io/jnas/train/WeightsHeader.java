package io.jnas.train;

import io.jnas.data.Normalization;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What every trained-weights file ({@code weights.jnw}) shares, whatever network it holds: the
 * {@link Checkpoint} container, a header {@code kind} that says which network it is and a
 * {@code version}, and the header fields a trained classifier needs besides its network
 * ({@code "normalization"}, {@code "class_names"}).
 *
 * <p>Kinds: {@value #FINAL} ({@link WeightsFile}, a cell network of {@code jnas train}) and
 * {@value #MACRO} ({@code io.jnas.enas.MacroWeightsFile}, an ENAS macro network of
 * {@code jnas train --space enas-macro}) and {@value #NB201} ({@code io.jnas.nasbench.Nb201WeightsFile},
 * a NAS-Bench-201 cell's network of {@code jnas train --space nb201}). A reader opens a file with {@link #read(Path, String...)}
 * naming the kinds it takes; any other file is refused with a message that names the file, what it
 * holds and what was expected.
 */
public final class WeightsHeader {
  private WeightsHeader() {}

  /** The kind of a cell network's weights ({@link WeightsFile}). */
  public static final String FINAL = "jnas-final-weights";
  /** The kind of an ENAS macro network's weights ({@code io.jnas.enas.MacroWeightsFile}). */
  public static final String MACRO = "jnas-macro-weights";
  /** The kind of a NAS-Bench-201 cell's network's weights ({@code io.jnas.nasbench.Nb201WeightsFile}). */
  public static final String NB201 = "jnas-nb201-weights";

  /** What a kind holds, in words, for messages. */
  public static String describe(Object kind) {
    if (FINAL.equals(kind)) return "a cell network's weights (kind " + FINAL + ", from jnas train)";
    if (MACRO.equals(kind)) return "an ENAS macro network's weights (kind " + MACRO + ", from jnas train --space enas-macro)";
    if (NB201.equals(kind)) return "a NAS-Bench-201 network's weights (kind " + NB201 + ", from jnas train --space nb201)";
    if (kind == null) return "no weights (no kind in its header: a training checkpoint?)";
    return "kind " + kind + ", not a jnas weights file";
  }

  /**
   * Reads a weights file whose kind is one of {@code kinds}.
   *
   * @return the container, its header's {@code kind} among {@code kinds}
   * @throws IOException naming the file and what was expected: missing, truncated or corrupt,
   *     another kind, or a version newer than {@code 1}
   */
  public static Checkpoint read(Path file, String... kinds) throws IOException {
    String expected = expected(kinds);
    Checkpoint ck;
    try {
      ck = Checkpoint.read(file);
    } catch (IOException e) {
      throw new IOException(e.getMessage() + "; expected " + expected, e);
    }
    Object kind = ck.header().get("kind");
    if (kind == null || !List.of(kinds).contains(kind)) throw new IOException(file + ": holds " + describe(kind) + "; expected " + expected);
    if (ck.header().get("version") instanceof Number v && v.intValue() > 1) {
      throw new IOException(file + ": " + kind + " version " + v + ", this jnas reads version 1 (written by a newer jnas?)");
    }
    return ck;
  }

  /**
   * The header of a container already read, refused unless its kind is {@code kind}.
   *
   * @param file the file it was read from, for messages
   * @throws IOException naming the file, what it holds and what was expected
   */
  public static Map<String, Object> requireKind(Path file, Checkpoint ck, String kind) throws IOException {
    Map<String, Object> h = ck.header();
    if (!kind.equals(h.get("kind"))) throw new IOException(file + ": holds " + describe(h.get("kind")) + "; expected " + describe(kind));
    return h;
  }

  private static String expected(String... kinds) {
    List<String> s = new ArrayList<>();
    for (String k : kinds) s.add(describe(k));
    return String.join(" or ", s);
  }

  /**
   * Writes a weights file atomically: a header of {@code kind}, {@code version} 1, the network's
   * own fields in their order, the normalization and the class names; the arrays
   * {@code "weights"} and {@code "running_stats"}.
   */
  public static void write(Path file, String kind, Map<String, Object> network, Normalization normalization, List<String> classNames,
      float[] weights, float[] runningStats) throws IOException {
    Map<String, Object> h = new LinkedHashMap<>();
    h.put("kind", kind);
    h.put("version", 1);
    h.putAll(network);
    putNormalization(h, normalization);
    h.put("class_names", new ArrayList<>(classNames));
    Map<String, float[]> arrays = new LinkedHashMap<>();
    arrays.put("weights", weights);
    arrays.put("running_stats", runningStats);
    new Checkpoint(h, arrays).write(file);
  }

  /** Puts {@code "normalization": {"mean": [...], "std": [...]}} (or null) into a header. */
  public static void putNormalization(Map<String, Object> header, Normalization n) {
    if (n == null) {
      header.put("normalization", null);
      return;
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("mean", floats(n.mean()));
    m.put("std", floats(n.std()));
    header.put("normalization", m);
  }

  /** The header's normalization, or null. */
  public static Normalization normalization(Map<String, Object> header) {
    if (!(header.get("normalization") instanceof Map<?, ?> n)) return null;
    return new Normalization(toFloats(n.get("mean")), toFloats(n.get("std")));
  }

  /** The header's class names, numbered from {@code "0"} where fewer than {@code classes} are stored. */
  public static List<String> classNames(Map<String, Object> header, int classes) {
    List<String> names = new ArrayList<>();
    if (header.get("class_names") instanceof List<?> l) for (Object o : l) names.add(String.valueOf(o));
    while (names.size() < classes) names.add(String.valueOf(names.size()));
    return names;
  }

  /** An integer field; throws naming it where it is missing or not a number. */
  public static int integer(Map<String, Object> header, String key) {
    if (!(header.get(key) instanceof Number n)) throw new IllegalArgumentException("'" + key + "' missing or not a number");
    return n.intValue();
  }

  private static List<Object> floats(float[] a) {
    List<Object> l = new ArrayList<>();
    for (float f : a) l.add((double) f);
    return l;
  }

  private static float[] toFloats(Object o) {
    if (!(o instanceof List<?> l)) throw new IllegalArgumentException("normalization: expected a list of numbers");
    float[] a = new float[l.size()];
    for (int i = 0; i < a.length; i++) a[i] = ((Number) l.get(i)).floatValue();
    return a;
  }
}
