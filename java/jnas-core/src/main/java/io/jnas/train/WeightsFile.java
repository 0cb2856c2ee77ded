package io.jnas.train;

import io.jnas.data.Normalization;
import io.jnas.genotype.Genotype;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A trained final network on disk ({@code weights.jnw}): everything {@code jnas eval} and
 * {@code jnas predict} need to rebuild it, and nothing of the optimizer. An ENAS macro network's
 * weights share the container and the header's common fields ({@link WeightsHeader}) under
 * another kind ({@code io.jnas.enas.MacroWeightsFile}).
 *
 * <p>Format: the {@link Checkpoint} container (all integers big-endian, floats little-endian):
 * <pre>
 *   magic "JNASCKP1" (8 bytes)
 *   int32 header length, header (UTF-8 JSON object):
 *     {"kind": "jnas-final-weights", "version": 1,
 *      "genotype": {...Genotype JSON...}, "channels": C, "layers": L, "classes": V,
 *      "in_channels": c, "height": H, "width": W, "auxiliary": true|false, "seed": s,
 *      "normalization": {"mean": [...], "std": [...]} or null,  // applied to pixels in [0, 1]
 *      "class_names": [...]}
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
    float[] weights, float[] runningStats) implements TrainedWeights {
  /** The header's {@code kind}. */
  public static final String KIND = WeightsHeader.FINAL;

  @Override
  public int[] inputShape() {
    return new int[] {config.inChannels(), config.height(), config.width()};
  }

  @Override
  public int numClasses() {
    return config.numClasses();
  }

  /** Captures a network's weights and running statistics. */
  public static WeightsFile of(FinalNetwork net, Normalization normalization, List<String> classNames) {
    return new WeightsFile(net.config(), normalization, List.copyOf(classNames), net.get(FinalNetwork.Buffer.WEIGHTS),
        net.get(FinalNetwork.Buffer.RUNNING_STATS));
  }

  /** Writes the file atomically. */
  public void write(Path file) throws IOException {
    FinalNetwork.Config c = config;
    Map<String, Object> h = new LinkedHashMap<>();
    h.put("genotype", c.genotype().toMap());
    h.put("channels", c.channels());
    h.put("layers", c.layers());
    h.put("classes", c.numClasses());
    h.put("in_channels", c.inChannels());
    h.put("height", c.height());
    h.put("width", c.width());
    h.put("auxiliary", c.auxiliary());
    h.put("seed", c.seed());
    WeightsHeader.write(file, KIND, h, normalization, classNames, weights, runningStats);
  }

  /**
   * Reads a weights file.
   *
   * @throws IOException naming the file when it is missing, corrupt or not a weights file
   */
  public static WeightsFile read(Path file) throws IOException {
    return of(file, WeightsHeader.read(file, KIND));
  }

  /**
   * The weights file of a container already read (by {@link WeightsHeader#read}, its kind
   * {@link #KIND}).
   *
   * @param file the file it was read from, for messages
   * @throws IOException naming the file when the header is not that of a cell network's weights
   */
  public static WeightsFile of(Path file, Checkpoint ck) throws IOException {
    Map<String, Object> h = WeightsHeader.requireKind(file, ck, KIND);
    try {
      @SuppressWarnings("unchecked")
      Genotype g = Genotype.fromMap((Map<String, Object>) h.get("genotype"));
      FinalNetwork.Config c = new FinalNetwork.Config(g, num(h, "channels"), num(h, "layers"), num(h, "classes"),
          num(h, "in_channels"), num(h, "height"), num(h, "width"), Boolean.TRUE.equals(h.get("auxiliary")),
          ((Number) h.get("seed")).longValue());
      return new WeightsFile(c, WeightsHeader.normalization(h), WeightsHeader.classNames(h, c.numClasses()),
          ck.array("weights"), ck.array("running_stats"));
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
    return WeightsHeader.integer(h, k);
  }
}
