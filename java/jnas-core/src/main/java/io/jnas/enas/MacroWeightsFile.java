package io.jnas.enas;

import io.jnas.data.Normalization;
import io.jnas.train.Checkpoint;
import io.jnas.train.TrainedWeights;
import io.jnas.train.WeightsHeader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A trained ENAS macro network on disk ({@code weights.jnw} of {@code jnas train --space
 * enas-macro}): everything {@code jnas eval}, {@code predict} and {@code export} need to rebuild
 * the {@link MacroNetwork}, and nothing of the optimizer.
 *
 * <p>Format: the container of {@link io.jnas.train.WeightsFile} (a {@link Checkpoint}, written
 * atomically, with a CRC-32), another kind ({@link WeightsHeader}):
 * <pre>
 *   header: {"kind": "jnas-macro-weights", "version": 1, "space": "enas-macro",
 *            "arch": {"format": "enas-macro", "layers": L, "arc": "0 3 0 ..."},  // MacroArch.toMap()
 *            "channels": C, "classes": V, "in_channels": c, "height": H, "width": W, "seed": s,
 *            "normalization": {"mean": [...], "std": [...]} or null,  // applied to pixels in [0, 1]
 *            "class_names": [...]}
 *   arrays: "weights"       the native weight buffer (MacroNetwork.tensors() at their offsets)
 *           "running_stats" per batch-norm layer, in construction order, mean (C) then variance (C)
 * </pre>
 * The buffer sizes are a function of the header's network fields; {@link #open()} refuses
 * arrays of other sizes, naming the buffer and both sizes.
 *
 * @param config the network (its seed is the initialization seed, informational)
 * @param normalization the input normalization used in training, or null
 * @param classNames the class names, one per class
 * @param weights the weight buffer
 * @param runningStats the batch-norm running statistics
 */
public record MacroWeightsFile(MacroNetwork.Config config, Normalization normalization, List<String> classNames,
    float[] weights, float[] runningStats) implements TrainedWeights {
  /** The header's {@code kind}. */
  public static final String KIND = WeightsHeader.MACRO;

  @Override
  public int[] inputShape() {
    return new int[] {config.inChannels(), config.height(), config.width()};
  }

  @Override
  public int numClasses() {
    return config.numClasses();
  }

  /** Checks that every part is present and that there is one class name per class. */
  public MacroWeightsFile {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(weights, "weights");
    Objects.requireNonNull(runningStats, "runningStats");
    classNames = List.copyOf(classNames);
    if (classNames.size() != config.numClasses()) {
      throw new IllegalArgumentException("macro weights: " + classNames.size() + " class names for " + config.numClasses() + " classes");
    }
  }

  /** Captures a network's weights and running statistics. */
  public static MacroWeightsFile of(MacroNetwork net, Normalization normalization, List<String> classNames) {
    return new MacroWeightsFile(net.config(), normalization, classNames, net.get(MacroNetwork.Buffer.WEIGHTS),
        net.get(MacroNetwork.Buffer.RUNNING_STATS));
  }

  /** Writes the file atomically (temporary file, fsync, rename). */
  public void write(Path file) throws IOException {
    MacroNetwork.Config c = config;
    Map<String, Object> h = new LinkedHashMap<>();
    h.put("space", "enas-macro");
    h.put("arch", c.arch().toMap());
    h.put("channels", c.channels());
    h.put("classes", c.numClasses());
    h.put("in_channels", c.inChannels());
    h.put("height", c.height());
    h.put("width", c.width());
    h.put("seed", c.seed());
    WeightsHeader.write(file, KIND, h, normalization, classNames, weights, runningStats);
  }

  /**
   * Reads a macro weights file.
   *
   * @throws IOException naming the file when it is missing, truncated, corrupt, of another kind
   *     (a cell network's weights, a checkpoint) or its header is bad
   */
  public static MacroWeightsFile read(Path file) throws IOException {
    return of(file, WeightsHeader.read(file, KIND));
  }

  /**
   * The macro weights of a container already read (by {@link WeightsHeader#read}, its kind
   * {@link #KIND}).
   *
   * @param file the file it was read from, for messages
   * @throws IOException naming the file when the header is not that of a macro network's weights
   */
  public static MacroWeightsFile of(Path file, Checkpoint ck) throws IOException {
    Map<String, Object> h = WeightsHeader.requireKind(file, ck, KIND);
    try {
      if (!(h.get("arch") instanceof Map<?, ?> am)) throw new IllegalArgumentException("'arch' missing or not an object");
      @SuppressWarnings("unchecked")
      MacroArch arch = MacroArch.fromMap((Map<String, Object>) am);
      if (!(h.get("seed") instanceof Number seed)) throw new IllegalArgumentException("'seed' missing or not a number");
      MacroNetwork.Config c = new MacroNetwork.Config(arch, WeightsHeader.integer(h, "channels"), WeightsHeader.integer(h, "classes"),
          WeightsHeader.integer(h, "in_channels"), WeightsHeader.integer(h, "height"), WeightsHeader.integer(h, "width"), seed.longValue());
      Normalization norm = WeightsHeader.normalization(h);
      if (norm != null && (norm.mean().length != c.inChannels() || norm.std().length != c.inChannels())) {
        throw new IllegalArgumentException("normalization has " + norm.mean().length + " means and " + norm.std().length
            + " deviations for " + c.inChannels() + " image channels");
      }
      return new MacroWeightsFile(c, norm, WeightsHeader.classNames(h, c.numClasses()).subList(0, c.numClasses()),
          ck.array("weights"), ck.array("running_stats"));
    } catch (RuntimeException e) {
      throw new IOException(file + ": bad macro weights header: " + e.getMessage(), e);
    }
  }

  /**
   * Builds the network on the backend in use and loads the weights and running statistics.
   *
   * @throws IllegalArgumentException naming the buffer when an array's size does not fit the
   *     network the header describes
   */
  public MacroNetwork open() {
    MacroNetwork net = new MacroNetwork(config);
    try {
      net.set(MacroNetwork.Buffer.WEIGHTS, weights);
      net.set(MacroNetwork.Buffer.RUNNING_STATS, runningStats);
      return net;
    } catch (RuntimeException e) {
      net.close();
      throw e;
    }
  }
}
