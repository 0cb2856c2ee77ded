package io.jnas.cli;

import io.jnas.data.DataSource;
import io.jnas.data.Datasets;
import io.jnas.genotype.Genotype;
import io.jnas.search.RunDir;
import io.jnas.train.Trainer;
import io.jnas.util.Json;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/** {@code jnas train}: trains a genotype from scratch (ENAS's final-training defaults). */
final class TrainCommand implements Command {
  @Override
  public String name() {
    return "train";
  }

  @Override
  public String summary() {
    return "train a found architecture from scratch and test it";
  }

  @Override
  public Options options() {
    Trainer.Settings d = new Trainer.Settings();
    return new Options(name())
        .value("genotype", "NAME|FILE", "enas", "a published cell (" + String.join(", ", Genotype.names())
            + "), a genotype JSON file or an ENAS integer string")
        .value("data", "DIR|synthetic", d.data, "data set folder (CIFAR-10 binary, MNIST idx) or synthetic[:...]")
        .value("layers", "L", String.valueOf(d.layers), "cells, the two reduction cells included")
        .value("channels", "C", String.valueOf(d.channels), "channels of the first cells")
        .value("epochs", "N", String.valueOf(d.epochs), "epochs")
        .value("batch", "B", String.valueOf(d.batch), "minibatch size")
        .value("lr-max", "X", String.valueOf(d.lrMax), "learning rate at each cosine period's start")
        .value("lr-min", "X", String.valueOf(d.lrMin), "learning rate at each period's end")
        .value("lr-t0", "N", "auto", "first cosine period in epochs (auto: 10 with 630 epochs as ENAS, else the epoch count)")
        .value("lr-tmul", "N", "auto", "period growth (auto: 2 with 630 epochs, else 1)")
        .value("weight-decay", "X", String.valueOf(d.weightDecay), "L2 weight decay")
        .value("momentum", "X", String.valueOf(d.momentum), "Nesterov momentum")
        .value("grad-clip", "X", String.valueOf(d.gradClip), "global-norm gradient clip (0: none)")
        .value("drop-path-keep", "P", String.valueOf(d.dropPathKeep), "drop-path keep probability (last cell, end of training)")
        .value("dropout-keep", "P", String.valueOf(d.dropoutKeep), "dropout keep probability before the classifier")
        .value("cutout", "PX", "auto", "cutout length (auto: 16 on CIFAR-10, else 0)")
        .flag("no-aux", "train without the auxiliary head")
        .value("train-fraction", "F", "1", "fraction of the training images used")
        .value("test-fraction", "F", "1", "fraction of the test images used")
        .value("seed", "S", String.valueOf(d.seed), "seed of weights, batches and masks")
        .value("workers", "N", String.valueOf(d.workers), "data loader threads")
        .value("stop-after", "N", "0", "stop once N epochs are done (0: run to the end); resume later with --resume")
        .value("out", "DIR", null, "new run folder")
        .value("resume", "DIR", null, "continue the run in DIR from its checkpoint (its settings are kept)");
  }

  @Override
  public String details() {
    return "Writes config.json, genotype.json, log.jsonl (one line per epoch), checkpoint.bin (every epoch),\n"
        + "curves.png; at the end weights.jnw and result.json (final test accuracy).";
  }

  @Override
  public int run(Options.Parsed a, PrintStream out) throws Exception {
    boolean resume = a.has("resume");
    if (resume == a.has("out")) throw new UsageException("train: give exactly one of --out DIR and --resume DIR");
    int stopAfter = a.integer("stop-after", 0);
    Trainer.Settings s;
    Genotype g;
    RunDir dir;
    if (resume) {
      for (String f : new String[] {"genotype", "data", "layers", "channels", "epochs", "batch", "lr-max", "lr-min", "lr-t0",
          "lr-tmul", "weight-decay", "momentum", "grad-clip", "drop-path-keep", "dropout-keep", "cutout", "no-aux",
          "train-fraction", "test-fraction", "seed", "workers"}) {
        if (a.has(f)) throw new UsageException("train: --resume keeps the run's own settings (config.json); drop --" + f);
      }
      dir = RunDir.resume(a.path("resume"));
      Path cfg = dir.file("config.json");
      if (!Files.isRegularFile(cfg)) throw new UsageException("train: " + cfg + " is missing; not a jnas train run");
      Map<String, Object> m = Json.parseObject(Files.readString(cfg));
      @SuppressWarnings("unchecked")
      Map<String, Object> gm = (Map<String, Object>) m.get("genotype");
      @SuppressWarnings("unchecked")
      Map<String, Object> sm = (Map<String, Object>) m.get("settings");
      g = Genotype.fromMap(gm);
      s = Trainer.Settings.fromMap(sm);
    } else {
      g = Genotype.resolve(a.string("genotype"));
      s = new Trainer.Settings();
      s.data = a.string("data");
      s.layers = a.integer("layers", 1);
      s.channels = a.integer("channels", 2);
      s.epochs = a.integer("epochs", 1);
      s.batch = a.integer("batch", 2);
      s.lrMax = a.number("lr-max", 1e-9, 10);
      s.lrMin = a.number("lr-min", 0, s.lrMax);
      s.lrT0 = a.string("lr-t0").equals("auto") ? 0 : a.integer("lr-t0", 1);
      s.lrTMul = a.string("lr-tmul").equals("auto") ? 0 : a.integer("lr-tmul", 1);
      s.weightDecay = a.number("weight-decay", 0, 1);
      s.momentum = a.number("momentum", 0, 0.999);
      s.gradClip = a.number("grad-clip", 0, 1e9);
      s.dropPathKeep = a.number("drop-path-keep", 1e-6, 1);
      s.dropoutKeep = a.number("dropout-keep", 1e-6, 1);
      s.cutout = a.string("cutout").equals("auto") ? -1 : a.integer("cutout", 0);
      s.auxiliary = !a.flag("no-aux");
      s.trainFraction = a.number("train-fraction", 1e-9, 1);
      s.testFraction = a.number("test-fraction", 1e-9, 1);
      s.seed = a.longValue("seed");
      s.workers = a.integer("workers", 0);
      s.check();
      DataSource probe = Datasets.open(s.data);  // fail on a bad --data before creating the folder
      if (probe.train().size() < s.batch) throw new UsageException("train: --batch " + s.batch + " exceeds the " + probe.train().size() + " training images");
      dir = RunDir.create(a.path("out"));
    }
    DataSource src = Datasets.open(s.data);
    Trainer t = new Trainer(s, System.err);
    Trainer.Outcome o = t.run(src, g, dir, resume, stopAfter);
    out.println(String.format(Locale.ROOT, "%s: %d weights (no aux head), %.1f MFLOPs/image; test accuracy %.4f after %s; %.1f s",
        dir.path(), o.numWeights(), o.flops() / 1e6, o.test().accuracy(),
        o.finished() ? "all " + s.epochs + " epochs" : "stopping (resume with --resume " + dir.path() + ")", o.seconds()));
    return 0;
  }
}
