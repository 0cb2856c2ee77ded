package io.jnas.nasbench;

import io.jnas.data.Normalization;
import io.jnas.space.Nb201Cell;
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
 * A trained NAS-Bench-201 network of one cell on disk ({@code weights.jnw} of {@code jnas train
 * --space nb201}): everything {@code jnas eval}, {@code predict} and {@code export} need to
 * rebuild the {@link Nb201Network}, and nothing of the optimizer.
 *
 * <p>Format: the container of {@link io.jnas.train.WeightsFile} (a {@link Checkpoint}, written
 * atomically, with a CRC-32), another kind ({@link WeightsHeader}):
 * <pre>
 *   header: {"kind": "jnas-nb201-weights", "version": 1, "space": "nb201",
 *            "cell": "|nor_conv_3x3~0|+|...|",  // Nb201Cell.toString()
 *            "channels": C, "cells_per_stage": N, "classes": V, "in_channels": c, "height": H, "width": W,
 *            "batch_norm": true, "seed": s,
 *            "normalization": {"mean": [...], "std": [...]} or null,  // applied to pixels in [0, 1]
 *            "class_names": [...]}
 *   arrays: "weights"       the native weight buffer (Nb201Network.tensors() at their offsets)
 *           "running_stats" per batch-norm layer, in construction order, mean (C) then variance (C)
 * </pre>
 * The buffer sizes are a function of the header's network fields; {@link #open()} refuses
 * arrays of other sizes, naming the buffer and both sizes.
 *
 * @param config the network of one cell (its seed is the initialization seed, informational)
 * @param normalization the input normalization used in training, or null
 * @param classNames the class names, one per class
 * @param weights the weight buffer
 * @param runningStats the batch-norm running statistics
 */
public record Nb201WeightsFile(Nb201Network.Config config, Normalization normalization, List<String> classNames,
    float[] weights, float[] runningStats) implements TrainedWeights {
  /** The header's {@code kind}. */
  public static final String KIND = WeightsHeader.NB201;

  @Override
  public int[] inputShape() {
    return new int[] {config.inChannels(), config.height(), config.width()};
  }

  @Override
  public int numClasses() {
    return config.numClasses();
  }

  /** Checks that every part is present, that the network is of one cell and that there is one class name per class. */
  public Nb201WeightsFile {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(weights, "weights");
    Objects.requireNonNull(runningStats, "runningStats");
    if (config.cell() == null) throw new IllegalArgumentException("nb201 weights: no cell (the search network's weights are not kept here)");
    classNames = List.copyOf(classNames);
    if (classNames.size() != config.numClasses()) {
      throw new IllegalArgumentException("nb201 weights: " + classNames.size() + " class names for " + config.numClasses() + " classes");
    }
  }

  /** Captures the weights and running statistics of a network of one cell (not the search network). */
  public static Nb201WeightsFile of(Nb201Network net, Normalization normalization, List<String> classNames) {
    if (net.isSearchNetwork()) throw new IllegalArgumentException("nb201 weights: the search network has no cell to keep; expected the network of one cell");
    return new Nb201WeightsFile(net.config(), normalization, classNames, net.weights(), net.runningStats());
  }

  /** Writes the file atomically (temporary file, fsync, rename). */
  public void write(Path file) throws IOException {
    Nb201Network.Config c = config;
    Map<String, Object> h = new LinkedHashMap<>();
    h.put("space", "nb201");
    h.put("cell", c.cell().toString());
    h.put("channels", c.channels());
    h.put("cells_per_stage", c.cellsPerStage());
    h.put("classes", c.numClasses());
    h.put("in_channels", c.inChannels());
    h.put("height", c.height());
    h.put("width", c.width());
    h.put("batch_norm", c.batchNorm());
    h.put("seed", c.seed());
    WeightsHeader.write(file, KIND, h, normalization, classNames, weights, runningStats);
  }

  /**
   * Reads a NAS-Bench-201 weights file.
   *
   * @throws IOException naming the file when it is missing, truncated, corrupt, of another kind
   *     (a cell or macro network's weights, a checkpoint) or its header is bad
   */
  public static Nb201WeightsFile read(Path file) throws IOException {
    return of(file, WeightsHeader.read(file, KIND));
  }

  /**
   * The NAS-Bench-201 weights of a container already read (by {@link WeightsHeader#read}, its
   * kind {@link #KIND}).
   *
   * @param file the file it was read from, for messages
   * @throws IOException naming the file when the header is not that of a NAS-Bench-201 network's weights
   */
  public static Nb201WeightsFile of(Path file, Checkpoint ck) throws IOException {
    Map<String, Object> h = WeightsHeader.requireKind(file, ck, KIND);
    try {
      if (!(h.get("cell") instanceof String cs)) throw new IllegalArgumentException("'cell' missing or not a string");
      Nb201Cell cell = Nb201Cell.parse(cs);
      if (!(h.get("seed") instanceof Number seed)) throw new IllegalArgumentException("'seed' missing or not a number");
      if (!(h.get("batch_norm") instanceof Boolean bn)) throw new IllegalArgumentException("'batch_norm' missing or not true/false");
      Nb201Network.Config c = new Nb201Network.Config(cell, WeightsHeader.integer(h, "channels"), WeightsHeader.integer(h, "cells_per_stage"),
          WeightsHeader.integer(h, "classes"), WeightsHeader.integer(h, "in_channels"), WeightsHeader.integer(h, "height"),
          WeightsHeader.integer(h, "width"), bn, seed.longValue());
      Normalization norm = WeightsHeader.normalization(h);
      if (norm != null && (norm.mean().length != c.inChannels() || norm.std().length != c.inChannels())) {
        throw new IllegalArgumentException("normalization has " + norm.mean().length + " means and " + norm.std().length
            + " deviations for " + c.inChannels() + " image channels");
      }
      return new Nb201WeightsFile(c, norm, WeightsHeader.classNames(h, c.numClasses()).subList(0, c.numClasses()),
          ck.array("weights"), ck.array("running_stats"));
    } catch (RuntimeException e) {
      throw new IOException(file + ": bad nb201 weights header: " + e.getMessage(), e);
    }
  }

  /**
   * Builds the network on the backend in use and loads the weights and running statistics.
   *
   * @throws IllegalArgumentException naming the buffer when an array's size does not fit the
   *     network the header describes
   */
  public Nb201Network open() {
    Nb201Network net = Nb201Network.of(config);
    try {
      net.setWeights(weights);
      net.setRunningStats(runningStats);
      return net;
    } catch (RuntimeException e) {
      net.close();
      throw e;
    }
  }
}
