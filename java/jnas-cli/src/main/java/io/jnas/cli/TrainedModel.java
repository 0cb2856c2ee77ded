package io.jnas.cli;

import io.jnas.genotype.Genotype;
import io.jnas.search.RunDir;
import io.jnas.train.WeightsFile;
import io.jnas.util.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;

/**
 * Shared by {@code eval}, {@code predict} and {@code export}: a weights file from
 * {@code --run DIR} or {@code --weights FILE}, the run's data set, the {@code --force} rule
 * for outputs, and the run folder's lock where a command writes into it.
 */
final class TrainedModel {
  private TrainedModel() {}

  /** The weights file the flags name; checks {@code --genotype} against it where given. */
  static WeightsFile load(Options.Parsed a, String cmd) throws IOException {
    if (a.has("run") == a.has("weights")) throw new UsageException(cmd + ": give exactly one of --run DIR and --weights FILE");
    Path f = a.has("run") ? a.path("run").resolve("weights.jnw") : a.path("weights");
    if (!Files.isRegularFile(f)) {
      throw new UsageException(cmd + ": " + f + " not found" + (a.has("run") ? " (has the run finished? jnas train writes it at the end)" : ""));
    }
    WeightsFile w;
    try {
      w = WeightsFile.read(f);
    } catch (IOException e) {
      throw new UsageException(cmd + ": " + e.getMessage());
    }
    if (a.has("genotype")) {
      Genotype g = Genotype.resolve(a.string("genotype"));
      if (!g.equals(w.config().genotype())) {
        throw new UsageException(cmd + ": --genotype " + a.string("genotype") + " differs from the genotype stored in " + f);
      }
    }
    return w;
  }

  /** The data spec of a run folder's config.json, or null. */
  static String runData(Options.Parsed a) throws IOException {
    if (!a.has("run")) return null;
    Path cfg = a.path("run").resolve("config.json");
    if (!Files.isRegularFile(cfg)) return null;
    Object s = Json.parseObject(Files.readString(cfg)).get("settings");
    return s instanceof Map<?, ?> m && m.get("data") instanceof String d ? d : null;
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
