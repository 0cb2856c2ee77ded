package io.jnas.train;

import io.jnas.data.Normalization;
import io.jnas.genotype.Genotype;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A trained final network on disk ({@code weights.jnw}): everything {@code jnas eval} and
 * {@code jnas predict} need to rebuild it, and nothing of the optimizer.
 *
 * <p>Format: the {@link Checkpoint} container (all integers big-endian, floats little-endian):
 * <pre>
 *   magic "JNASCKP1" (8 bytes)
 *   int32 header length, header (UTF-8 JSON object):
 *     {"kind": "jnas-final-weights", "version": 1,
 *      "genotype": {...Genotype JSON...}, "channels": C, "layers": L, "classes": V,
 *      "in_channels": c, "height": H, "width": W, "auxiliary": true|false, "seed": s,
 *      "normalization": {"mean": [...], "std": [...]} or null,  // applied to pixels in [0, 1]
 *      "class_names": [...], "num_weights": n}                   // n excludes the auxiliary head
 *   int32 number of arrays (2), then per array:
 *     int32 name length, name (UTF-8), int64 count, count float32 (little-endian)
 *     "weights":       the native weight buffer (named tensors at their offsets, zero padding
 *                      between them; FinalNetwork.tensors() lists them)
 *     "running_stats": per batch-norm layer, in construction order, running mean (C) then
 *                      running variance (C)
 *   int64 CRC-32 of everything before it
 * </pre>
 * The buffer layout is a function of the header's network fields, so a file loads into a
 * network built from its own header; a mismatch is refused with the sizes named.
 *
 * @param config the network's shape (its seed is the initialization seed, informational)
 * @param normalization the input normalization used in training, or null
 * @param classNames the class names, one per class
 * @param weights the weight buffer
 * @param runningStats the batch-norm running statistics
 */
public record WeightsFile(FinalNetwork.Config config, Normalization normalization, List<String> classNames,
    float[] weights, float[] runningStats) {
  /** The header's {@code kind}. */
  public static final String KIND = "jnas-final-weights";

  /** Captures a network's weights and running statistics. */
  public static WeightsFile of(FinalNetwork net, Normalization normalization, List<String> classNames) {
    return new WeightsFile(net.config(), normalization, List.copyOf(classNames), net.get(FinalNetwork.Buffer.WEIGHTS),
        net.get(FinalNetwork.Buffer.RUNNING_STATS));
  }

  /** Writes the file atomically. */
  public void write(Path file) throws IOException {
    FinalNetwork.Config c = config;
    Map<String, Object> h = new LinkedHashMap<>();
    h.put("kind", KIND);
    h.put("version", 1);
    h.put("genotype", c.genotype().toMap());
    h.put("channels", c.channels());
    h.put("layers", c.layers());
    h.put("classes", c.numClasses());
    h.put("in_channels", c.inChannels());
    h.put("height", c.height());
    h.put("width", c.width());
    h.put("auxiliary", c.auxiliary());
    h.put("seed", c.seed());
    if (normalization != null) {
      Map<String, Object> n = new LinkedHashMap<>();
      n.put("mean", floats(normalization.mean()));
      n.put("std", floats(normalization.std()));
      h.put("normalization", n);
    } else {
      h.put("normalization", null);
    }
    h.put("class_names", new ArrayList<>(classNames));
    Map<String, float[]> arrays = new LinkedHashMap<>();
    arrays.put("weights", weights);
    arrays.put("running_stats", runningStats);
    new Checkpoint(h, arrays).write(file);
  }

  /**
   * Reads a weights file.
   *
   * @throws IOException naming the file when it is missing, corrupt or not a weights file
   */
  public static WeightsFile read(Path file) throws IOException {
    Checkpoint ck = Checkpoint.read(file);
    Map<String, Object> h = ck.header();
    if (!KIND.equals(h.get("kind"))) throw new IOException(file + ": not a jnas weights file (kind " + h.get("kind") + ", expected " + KIND + ")");
    try {
      @SuppressWarnings("unchecked")
      Genotype g = Genotype.fromMap((Map<String, Object>) h.get("genotype"));
      FinalNetwork.Config c = new FinalNetwork.Config(g, num(h, "channels"), num(h, "layers"), num(h, "classes"),
          num(h, "in_channels"), num(h, "height"), num(h, "width"), Boolean.TRUE.equals(h.get("auxiliary")),
          ((Number) h.get("seed")).longValue());
      Normalization norm = null;
      if (h.get("normalization") instanceof Map<?, ?> n) {
        norm = new Normalization(toFloats(n.get("mean")), toFloats(n.get("std")));
      }
      List<String> names = new ArrayList<>();
      if (h.get("class_names") instanceof List<?> l) for (Object o : l) names.add(String.valueOf(o));
      while (names.size() < c.numClasses()) names.add(String.valueOf(names.size()));
      return new WeightsFile(c, norm, names, ck.array("weights"), ck.array("running_stats"));
    } catch (RuntimeException e) {
      throw new IOException(file + ": bad weights header: " + e.getMessage(), e);
    }
  }

  /** Builds the network and loads the weights and running statistics into it. */
  public FinalNetwork open() {
    FinalNetwork net = new FinalNetwork(config);
    try {
      net.set(FinalNetwork.Buffer.WEIGHTS, weights);
      net.set(FinalNetwork.Buffer.RUNNING_STATS, runningStats);
      return net;
    } catch (RuntimeException e) {
      net.close();
      throw e;
    }
  }

  private static int num(Map<String, Object> h, String k) {
    if (!(h.get(k) instanceof Number n)) throw new IllegalArgumentException("'" + k + "' missing or not a number");
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
