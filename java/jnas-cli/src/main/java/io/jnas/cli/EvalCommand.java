package io.jnas.cli;

import io.jnas.data.Augmentation;
import io.jnas.data.DataSource;
import io.jnas.data.Dataset;
import io.jnas.data.Datasets;
import io.jnas.plot.ConfusionPlot;
import io.jnas.search.RunDir;
import io.jnas.train.Trainer;
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
 * {@code jnas eval}: test accuracy, per-class accuracy and confusion matrix of a trained network
 * (a cell network, an ENAS macro network or a NAS-Bench-201 network, as its weights file says).
 */
final class EvalCommand implements Command {
  @Override
  public String name() {
    return "eval";
  }

  @Override
  public String summary() {
    return "test a trained network: accuracy, per-class accuracy, confusion matrix";
  }

  @Override
  public Options options() {
    return new Options(name())
        .value("run", "DIR", null, "a finished jnas train run (reads DIR/weights.jnw)")
        .value("weights", "FILE", null, "a weights.jnw file")
        .value("genotype", "SPEC", null, "optional: check the stored genotype is this one")
        .value("data", "DIR|synthetic", null, "data set whose test split to use (default: the run's, as its config.json"
            + " records it; give it where the data set moved)")
        .value("batch", "B", "256", "evaluation batch size")
        .value("out", "DIR", null, "where eval.json and confusion.png go (default: the run folder, else .)")
        .flag("force", "replace an existing eval.json / confusion.png");
  }

  @Override
  public String details() {
    return "Writing into a run folder holds its lock (refused while a train run holds it). Existing outputs are\n"
        + "never replaced without --force.";
  }

  @Override
  public int run(Options.Parsed a, PrintStream out) throws Exception {
    TrainedModel.Model w = TrainedModel.load(a, name());
    String spec;
    if (a.has("data")) {
      spec = RunDir.portableData(a.string("data"));
    } else {
      spec = TrainedModel.runData(a);
      if (spec == null) throw new UsageException("eval: --data is needed with --weights" + (a.has("run") ? " (the run's config.json is missing)" : ""));
      RunDir.requireData(a.path("run"), spec);
    }
    int batch = a.integer("batch", 1);
    Path dir = a.has("out") ? a.path("out") : a.has("run") ? a.path("run") : Path.of(".");
    if (Files.exists(dir) && !Files.isDirectory(dir)) throw new UsageException("eval: --out " + dir + " is a file, expected a folder");
    Path json = dir.resolve("eval.json"), png = dir.resolve("confusion.png");
    TrainedModel.refuseExisting(a, name(), json, png);
    DataSource src = Datasets.open(spec);
    Dataset test = src.test();
    if (test == null) throw new UsageException("eval: " + spec + " has no test split");
    int[] in = w.inputShape();
    if (test.channels() != in[0] || test.height() != in[1] || test.width() != in[2] || test.numClasses() != w.numClasses()) {
      throw new UsageException(String.format(Locale.ROOT, "eval: %s has %dx%dx%d images in %d classes, the network expects %dx%dx%d in %d",
          spec, test.channels(), test.height(), test.width(), test.numClasses(), in[0], in[1], in[2], w.numClasses()));
    }
    try (RunDir lock = TrainedModel.lockIfRun(a, dir, name())) {
      TrainedModel.refuseExisting(a, name(), json, png);  // again, under the lock
      Files.createDirectories(dir);
      Augmentation aug = w.normalization() == null ? Augmentation.none() : Augmentation.eval(w.normalization());
      Trainer.Evaluation e;
      try (TrainedModel.Net net = w.open()) {
        e = Trainer.evaluate(net::predict, w.numClasses(), test, aug, batch);
      }
      double[] pc = e.perClassAccuracy();
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("data", spec);
      m.put("test_images", e.count());
      m.put("test_accuracy", e.accuracy());
      m.put("test_loss", e.loss());
      Map<String, Object> per = new LinkedHashMap<>();
      for (int k = 0; k < pc.length; k++) per.put(w.classNames().get(k), pc[k]);
      m.put("per_class_accuracy", per);
      List<Object> rows = new ArrayList<>();
      for (int[] r : e.confusion()) {
        List<Object> row = new ArrayList<>();
        for (int v : r) row.add(v);
        rows.add(row);
      }
      m.put("confusion", rows);
      AtomicFiles.writeString(json, Json.pretty(m));
      ConfusionPlot.writePng(png, String.format(Locale.ROOT, "%s: confusion, test accuracy %.4f", src.name(), e.accuracy()),
          e.confusion(), w.classNames());
      out.println(String.format(Locale.ROOT, "test accuracy %.4f (%d images), loss %.4f", e.accuracy(), e.count(), e.loss()));
      for (int k = 0; k < pc.length; k++) out.println(String.format(Locale.ROOT, "  %-14s %.4f", w.classNames().get(k), pc[k]));
      out.println("wrote " + json + ", " + png);
    }
    return 0;
  }
}
