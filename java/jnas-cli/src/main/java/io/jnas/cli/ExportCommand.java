package io.jnas.cli;

import io.jnas.onnx.OnnxGraph;
import io.jnas.search.RunDir;
import io.jnas.util.AtomicFiles;
import io.jnas.util.Json;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code jnas export}: a trained network as ONNX (opset 17, inference graph) and its genotype as
 * JSON: a cell network of {@code jnas train}, an ENAS macro network of {@code jnas train --space
 * enas-macro} (its {@code --genotype-json} is the macro architecture, {@code {"format": "enas-macro",
 * ...}}, which {@code jnas train --space enas-macro --genotype} reads back), or a NAS-Bench-201
 * network of {@code jnas train --space nb201} (its {@code --genotype-json} is the cell,
 * {@code {"format": "nb201", "cell": "|...|"}}, which {@code jnas train --space nb201 --genotype}
 * reads back). By default the model takes pixels in [0, 1] (the training normalization is the
 * graph's first node); {@code --no-normalize} leaves it out.
 */
final class ExportCommand implements Command {
  @Override
  public String name() {
    return "export";
  }

  @Override
  public String summary() {
    return "export a trained network as ONNX (and its genotype as JSON)";
  }

  @Override
  public Options options() {
    return new Options(name())
        .value("run", "DIR", null, "a finished jnas train run (reads DIR/weights.jnw)")
        .value("weights", "FILE", null, "a weights.jnw file")
        .value("onnx", "FILE", null, "the ONNX file to write (default: DIR/model.onnx with --run, else model.onnx)")
        .value("genotype-json", "FILE", null, "also write the genotype (a macro run: its architecture; an nb201 run: its cell) as JSON here")
        .flag("no-normalize", "the model takes normalized images instead of pixels in [0, 1]")
        .flag("force", "replace existing output files");
  }

  @Override
  public String details() {
    return "Existing files are never replaced without --force. Writing into a run folder holds its lock.";
  }

  @Override
  public int run(Options.Parsed a, PrintStream out) throws Exception {
    TrainedModel.Model w = TrainedModel.load(a, name());
    Path onnx = a.has("onnx") ? a.path("onnx") : a.has("run") ? a.path("run").resolve("model.onnx") : Path.of("model.onnx");
    if (Files.isDirectory(onnx)) throw new UsageException("export: --onnx " + onnx + " is a folder, expected a file name");
    Path gj = a.has("genotype-json") ? a.path("genotype-json") : null;
    if (gj != null && gj.toAbsolutePath().normalize().equals(onnx.toAbsolutePath().normalize())) {
      throw new UsageException("export: --genotype-json and --onnx are the same file " + onnx);
    }
    Path[] targets = gj == null ? new Path[] {onnx} : new Path[] {onnx, gj};
    TrainedModel.refuseExisting(a, name(), targets);
    Path parent = onnx.toAbsolutePath().getParent();
    boolean normalize = !a.flag("no-normalize") && w.normalization() != null;
    OnnxGraph g = w.onnx(normalize ? w.normalization() : null);
    try (RunDir lock = TrainedModel.lockIfRun(a, parent, name())) {
      TrainedModel.refuseExisting(a, name(), targets);  // again, under the lock
      Files.createDirectories(parent);
      g.write(onnx);
      if (gj != null) AtomicFiles.writeString(gj, w.genotypeJson() + "\n");
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("onnx", onnx.toString());
    m.put("opset", OnnxGraph.OPSET);
    m.put("nodes", g.nodeCount());
    m.put("bytes", Files.size(onnx));
    int[] in = w.inputShape();
    m.put("input", "images (batch, " + in[0] + ", " + in[1] + ", " + in[2] + ") float32, "
        + (normalize ? "pixels in [0, 1]" : "normalized as in training"));
    m.put("output", "logits (batch, " + w.numClasses() + ")");
    List<Object> names = new ArrayList<>(w.classNames());
    m.put("classes", names);
    out.println(String.format(Locale.ROOT, "jnas export: %s (%d nodes, %.1f MB); input %s; output %s", onnx, g.nodeCount(),
        Files.size(onnx) / 1e6, m.get("input"), m.get("output")));
    out.println(Json.write(m));
    return 0;
  }
}
