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
        .value("genotype", "SPEC", "enas", "a published cell (" + String.join(", ", Genotype.names())
            + "), a genotype JSON file, a final_arch.txt, a search run folder, a multitrial trial RUNDIR#ID,"
            + " or an ENAS integer string")
        .value("data", "DIR|synthetic", d.data, "data set folder (CIFAR-10 binary, MNIST idx) or synthetic[:...];"
            + " with --resume: where the run's data set is now, if it moved")
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
        .value("train-subset", "N", "0", "training images used, a random subset chosen by --seed (0: all)")
        .value("test-subset", "N", "0", "test images used, a random subset chosen by --seed (0: all)")
        .value("seed", "S", String.valueOf(d.seed), "seed of weights, batches and masks")
        .value("workers", "N", String.valueOf(d.workers), "data loader threads")
        .value("stop-after", "N", "0", "stop once N epochs are done (0: run to the end); resume later with --resume")
        .value("out", "DIR", null, "new run folder")
        .value("resume", "DIR", null, "continue the run in DIR from its checkpoint (its settings are kept; --data may say"
            + " where its data set moved)")
        .renamed("train-fraction", "train-subset N (a number of images)")
        .renamed("test-fraction", "test-subset N (a number of images)");
  }

  @Override
  public String details() {
    return "Writes config.json (settings, the data path absolute), genotype.json, log.jsonl (one line per epoch),\n"
        + "checkpoint.bin (every epoch), curves.png; at the end weights.jnw and result.json (final test accuracy).\n"
        + "Progress (every batch's loss, the epoch's and the whole run's time left) goes to standard error.\n"
        + "A second run on the same folder is refused while the first holds it.";
  }

  @Override
  public int run(Options.Parsed a, PrintStream out) throws Exception {
    boolean resume = a.has("resume");
    if (resume == a.has("out")) throw new UsageException("train: give exactly one of --out DIR and --resume DIR");
    int stopAfter = a.integer("stop-after", 0);
    Trainer.Settings s;
    Genotype g;
    RunDir dir;
    DataSource src;
    if (resume) {
      for (String f : new String[] {"genotype", "layers", "channels", "epochs", "batch", "lr-max", "lr-min", "lr-t0",
          "lr-tmul", "weight-decay", "momentum", "grad-clip", "drop-path-keep", "dropout-keep", "cutout", "no-aux",
          "train-subset", "test-subset", "seed", "workers"}) {
        if (a.has(f)) throw new UsageException("train: --resume keeps the run's own settings (config.json); drop --" + f);
      }
      Path run = a.path("resume");
      Path cfg = run.resolve("config.json");
      if (!Files.isDirectory(run)) throw new UsageException("train: " + run + ": no such run folder");
      if (!Files.isRegularFile(cfg)) {
        throw new UsageException("train: " + run + " holds no config.json (no checkpoint either); not a jnas train run,"
            + " or one stopped before it began: start it anew with --out");
      }
      dir = RunDir.open(run, "train", System.err);
      try {
        Map<String, Object> m = Json.parseObject(Files.readString(cfg));
        @SuppressWarnings("unchecked")
        Map<String, Object> gm = (Map<String, Object>) m.get("genotype");
        @SuppressWarnings("unchecked")
        Map<String, Object> sm = (Map<String, Object>) m.get("settings");
        g = Genotype.fromMap(gm);
        s = Trainer.Settings.fromMap(sm);
        if (a.has("data")) {
          String now = RunDir.portableData(a.string("data"));
          src = Datasets.open(now);
          checkSameData(m, s, src, now);
          if (!now.equals(s.data)) {
            System.err.println("jnas: " + run + ": data set now at " + now + " (was " + s.data + ")");
            sm.put("data", now);
            dir.writeString("config.json", Json.pretty(m));
            s.data = now;
          }
        } else {
          src = Datasets.open(RunDir.requireData(run, s.data));
        }
      } catch (Exception e) {
        dir.close();
        throw e;
      }
    } else {
      g = Genotype.resolve(a.string("genotype"));
      s = new Trainer.Settings();
      s.data = RunDir.portableData(a.string("data"));
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
      s.trainSubset = a.integer("train-subset", 0);
      s.testSubset = a.integer("test-subset", 0);
      s.seed = a.longValue("seed");
      s.workers = a.integer("workers", 0);
      s.check();
      src = Datasets.open(s.data);  // fail on a bad --data before creating the folder
      int n = s.trainSubset > 0 ? s.trainSubset : src.train().size();
      if (s.trainSubset > src.train().size()) {
        throw new UsageException("train: --train-subset " + s.trainSubset + " exceeds the " + src.train().size() + " training images");
      }
      if (src.test() != null && s.testSubset > src.test().size()) {
        throw new UsageException("train: --test-subset " + s.testSubset + " exceeds the " + src.test().size() + " test images");
      }
      if (n < s.batch) throw new UsageException("train: --batch " + s.batch + " exceeds the " + n + " training images");
      new Trainer(s, null).checkFits(g, src.train());  // before the folder: a network too large for memory
      dir = RunDir.create(a.path("out"), "train", System.err);
    }
    try (RunDir d = dir) {
      Trainer t = new Trainer(s, System.err);
      Trainer.Outcome o = t.run(src, g, d, resume, stopAfter);
      out.println(String.format(Locale.ROOT, "%s: %d weights (no aux head), %.1f MFLOPs/image; test accuracy %.4f after %s; %.1f s",
          d.path(), o.numWeights(), o.flops() / 1e6, o.test().accuracy(),
          o.finished() ? "all " + s.epochs + " epochs" : "stopping (resume with --resume " + d.path() + ")", o.seconds()));
    }
    return 0;
  }

  /** Refuses a moved data set whose sizes differ from those the run's config.json recorded. */
  private static void checkSameData(Map<String, Object> cfg, Trainer.Settings s, DataSource src, String now) {
    if (cfg.get("train_images") instanceof Number t) {
      int n = s.trainSubset > 0 ? s.trainSubset : src.train().size();
      if (n != t.intValue()) {
        throw new UsageException("train: --data " + now + " has " + src.train().size() + " training images; the run"
            + " trained on " + t.intValue() + " of " + s.data + ": not the same data set");
      }
    }
  }
}
