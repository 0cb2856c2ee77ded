package io.jnas.cli;

import io.jnas.backend.NativeNetwork;
import io.jnas.data.Normalization;
import io.jnas.enas.MacroArch;
import io.jnas.enas.MacroNetwork;
import io.jnas.enas.MacroWeightsFile;
import io.jnas.genotype.Genotype;
import io.jnas.nasbench.Nb201Network;
import io.jnas.nasbench.Nb201WeightsFile;
import io.jnas.onnx.FinalNetworkExport;
import io.jnas.onnx.OnnxGraph;
import io.jnas.search.RunDir;
import io.jnas.space.Nb201Cell;
import io.jnas.tensor.Tensor;
import io.jnas.train.Checkpoint;
import io.jnas.train.FinalNetwork;
import io.jnas.train.TrainedWeights;
import io.jnas.train.WeightsFile;
import io.jnas.train.WeightsHeader;
import io.jnas.util.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Shared by {@code eval}, {@code predict} and {@code export}: a weights file from
 * {@code --run DIR} or {@code --weights FILE} (a cell network's, an ENAS macro network's or a
 * NAS-Bench-201 network's), the run's data set, the {@code --force} rule for outputs, and the run
 * folder's lock where a command writes into it.
 */
final class TrainedModel {
  private TrainedModel() {}

  /**
   * A trained network read from a weights file: a cell network ({@link WeightsFile}), an ENAS
   * macro network ({@link MacroWeightsFile}) or a NAS-Bench-201 network of one cell
   * ({@link Nb201WeightsFile}); what eval, predict and export need of each.
   */
  sealed interface Model permits Cell, Macro, Nb201 {
    /** The weights file it was read from. */
    Path file();

    /** The command reading it, for messages. */
    String cmd();

    /** The weights file's contents: input shape, classes, normalization, class names. */
    TrainedWeights weights();

    /** Image channels, height and width the network takes. */
    default int[] inputShape() {
      return weights().inputShape();
    }

    /** Classes. */
    default int numClasses() {
      return weights().numClasses();
    }

    /** The training normalization of pixels in [0, 1], or null. */
    default Normalization normalization() {
      return weights().normalization();
    }

    /** One name per class. */
    default List<String> classNames() {
      return weights().classNames();
    }

    /** The network with its weights loaded; the caller closes it. */
    Net open();

    /** The ONNX inference graph, with {@code norm} (or none) in front. */
    OnnxGraph onnx(Normalization norm);

    /**
     * The genotype (cell network), architecture (macro network) or cell (NAS-Bench-201 network)
     * as JSON, what {@code jnas train --genotype} (with the run's {@code --space}) reads back.
     */
    String genotypeJson();

    /** Refuses a {@code --genotype} other than the stored one. */
    void checkGenotype(String spec);
  }

  /** A network opened from a {@link Model}: evaluation-mode logits {@code (B, V)} of images {@code (B, C, H, W)}. */
  record Net(NativeNetwork owner, Function<Tensor, float[]> predict) implements AutoCloseable {
    float[] predict(Tensor images) {
      return predict.apply(images);
    }

    @Override
    public void close() {
      owner.close();
    }
  }

  /** A cell network's weights ({@code jnas train}). */
  record Cell(Path file, String cmd, WeightsFile weights) implements Model {
    @Override
    public Net open() {
      FinalNetwork net = opened(this, weights::open);
      return new Net(net, net::predict);
    }

    @Override
    public OnnxGraph onnx(Normalization norm) {
      FinalNetwork.Config c = weights.config();
      try (FinalNetwork net = opened(this, weights::open)) {
        return FinalNetworkExport.export(net, "jnas_final_" + c.layers() + "x" + c.channels(), norm);
      }
    }

    @Override
    public String genotypeJson() {
      return weights.config().genotype().toJson();
    }

    @Override
    public void checkGenotype(String spec) {
      Genotype g = Genotype.resolve(spec);
      if (!g.equals(weights.config().genotype())) {
        throw new UsageException(cmd + ": --genotype " + spec + " differs from the genotype stored in " + file);
      }
    }
  }

  /** An ENAS macro network's weights ({@code jnas train --space enas-macro}). */
  record Macro(Path file, String cmd, MacroWeightsFile weights) implements Model {
    @Override
    public Net open() {
      MacroNetwork net = opened(this, weights::open);
      return new Net(net, net::predict);
    }

    @Override
    public OnnxGraph onnx(Normalization norm) {
      MacroNetwork.Config c = weights.config();
      try (MacroNetwork net = opened(this, weights::open)) {
        return FinalNetworkExport.export(net, "jnas_macro_" + c.arch().layers() + "x" + c.channels(), norm);
      }
    }

    @Override
    public String genotypeJson() {
      return weights.config().arch().toJson();
    }

    @Override
    public void checkGenotype(String spec) {
      MacroArch a = TrainCommand.macroArch(spec, cmd);
      if (!a.equals(weights.config().arch())) {
        throw new UsageException(cmd + ": --genotype " + spec + " differs from the macro architecture stored in " + file);
      }
    }
  }

  /** A NAS-Bench-201 network's weights ({@code jnas train --space nb201}). */
  record Nb201(Path file, String cmd, Nb201WeightsFile weights) implements Model {
    @Override
    public Net open() {
      Nb201Network net = opened(this, weights::open);
      return new Net(net, x -> net.predict(null, x));
    }

    @Override
    public OnnxGraph onnx(Normalization norm) {
      Nb201Network.Config c = weights.config();
      try (Nb201Network net = opened(this, weights::open)) {
        return FinalNetworkExport.export(net, "jnas_nb201_" + c.cellsPerStage() + "x" + c.channels(), norm);
      }
    }

    @Override
    public String genotypeJson() {
      return TrainCommand.nb201Json(weights.config().cell());
    }

    @Override
    public void checkGenotype(String spec) {
      Nb201Cell c = TrainCommand.nb201Cell(spec, cmd);
      if (!c.equals(weights.config().cell())) {
        throw new UsageException(cmd + ": --genotype " + spec + " differs from the NAS-Bench-201 cell " + weights.config().cell()
            + " stored in " + file);
      }
    }
  }

  /** Builds a network from a weights file; a buffer that does not fit its header is bad input naming the file. */
  private static <T> T opened(Model m, java.util.function.Supplier<T> open) {
    try {
      return open.get();
    } catch (IllegalArgumentException e) {
      throw new UsageException(m.cmd() + ": " + m.file() + ": " + e.getMessage());
    }
  }

  /**
   * The weights file the flags name, of any of the three kinds; checks {@code --genotype} against
   * it where given (a cell genotype, a macro architecture for a macro network's weights, a
   * NAS-Bench-201 cell for a NAS-Bench-201 network's).
   */
  static Model load(Options.Parsed a, String cmd) throws IOException {
    if (a.has("run") == a.has("weights")) throw new UsageException(cmd + ": give exactly one of --run DIR and --weights FILE");
    Path f = a.has("run") ? a.path("run").resolve("weights.jnw") : a.path("weights");
    if (!Files.isRegularFile(f)) {
      throw new UsageException(cmd + ": " + f + " not found" + (a.has("run") ? " (has the run finished? jnas train writes it at the end)" : ""));
    }
    Model m;
    try {
      Checkpoint ck = WeightsHeader.read(f, WeightsFile.KIND, MacroWeightsFile.KIND, Nb201WeightsFile.KIND);
      Object kind = ck.header().get("kind");
      m = MacroWeightsFile.KIND.equals(kind) ? new Macro(f, cmd, MacroWeightsFile.of(f, ck))
          : Nb201WeightsFile.KIND.equals(kind) ? new Nb201(f, cmd, Nb201WeightsFile.of(f, ck))
          : new Cell(f, cmd, WeightsFile.of(f, ck));
    } catch (IOException e) {
      throw new UsageException(cmd + ": " + e.getMessage());
    }
    if (a.has("genotype")) m.checkGenotype(a.string("genotype"));
    return m;
  }

  /** The data spec of a run folder's config.json, or null. */
  static String runData(Options.Parsed a) throws IOException {
    if (!a.has("run")) return null;
    Path cfg = a.path("run").resolve("config.json");
    if (!Files.isRegularFile(cfg)) return null;
    Map<String, Object> c = Json.parseObject(Files.readString(cfg));
    if (c.get("settings") instanceof Map<?, ?> m && m.get("data") instanceof String d) return d;
    return c.get("data") instanceof String d ? d : null;  // --space enas-macro and nb201 runs keep it at the top
  }

  /**
   * Refuses to replace existing output files unless {@code --force} is given.
   *
   * @throws UsageException naming the first file that exists, and {@code --force}
   */
  static void refuseExisting(Options.Parsed a, String cmd, Path... files) {
    if (a.flag("force")) return;
    for (Path f : files) {
      if (Files.isDirectory(f)) throw new UsageException(cmd + ": " + f + " is a folder, expected a file name");
      if (Files.exists(f, LinkOption.NOFOLLOW_LINKS)) {
        throw new UsageException(cmd + ": " + f + " exists; give --force to replace it, or choose another name");
      }
    }
  }

  /**
   * The lock of the run folder {@code --run} names, where {@code target} (a folder written into)
   * is that run folder; else null. Held while the command writes there.
   */
  static RunDir lockIfRun(Options.Parsed a, Path target, String cmd) throws IOException {
    if (!a.has("run")) return null;
    Path run = a.path("run").toAbsolutePath().normalize();
    if (!run.equals(target.toAbsolutePath().normalize())) return null;
    return RunDir.open(run, cmd, System.err);
  }
}
