package io.jnas.cli;

import io.jnas.data.DataSource;
import io.jnas.data.Datasets;
import io.jnas.data.Dataset;
import io.jnas.genotype.Genotype;
import io.jnas.nasbench.NasBench201Table;
import io.jnas.nasbench.Nb201Dataset;
import io.jnas.nasbench.Nb201Trainer;
import io.jnas.space.NasBench201Space;
import io.jnas.space.Nb201Cell;
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
        .value("space", "NAME", "darts", "darts (the DARTS/ENAS cell network) or nb201 (a NAS-Bench-201 cell given as --genotype "
            + "'|nor_conv_3x3~0|+|...|', trained with NB201's recipe: 12 epochs, batch 256, lr 0.1 cosine to 0, weight decay 5e-4, "
            + "C 16, N 5, unless given)")
        .value("cells", "N", "5", "nb201: cells per stage")
        .value("table", "PATH", "../shared/data/nas-bench-201/nb201_minibench_hp12.csv", "nb201: the table whose 12-epoch "
            + "accuracy of the cell the result shows beside its own (skipped where absent)")
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
    String space = a.choice("space", "darts", "nb201");
    if (space.equals("nb201")) return runNb201(a, out);
    if (a.has("cells") || a.has("table")) throw new UsageException("train: --cells and --table are for --space nb201");
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
      if (Files.isRegularFile(cfg) && "nb201".equals(Json.parseObject(Files.readString(cfg)).get("space"))) {
        throw new UsageException("train: " + run + " is a --space nb201 run; those cannot be resumed yet (start it anew with --out)");
      }
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

  /** {@code --space nb201}: one NAS-Bench-201 cell trained with the benchmark's recipe. */
  private int runNb201(Options.Parsed a, PrintStream out) throws Exception {
    if (a.has("resume")) throw new UsageException("train: --space nb201 runs cannot be resumed yet; start anew with --out");
    if (!a.has("out")) throw new UsageException("train: --space nb201 needs --out DIR");
    for (String f : new String[] {"layers", "lr-t0", "lr-tmul", "grad-clip", "drop-path-keep", "dropout-keep", "cutout", "no-aux",
        "stop-after"}) {
      if (a.has(f)) throw new UsageException("train: --" + f + " is not a setting of --space nb201 (NB201's recipe has none)");
    }
    if (!a.has("genotype")) throw new UsageException("train: --space nb201 needs --genotype '|op~0|+|op~0|op~1|+|op~0|op~1|op~2|'");
    Nb201Cell cell;
    try {
      cell = Nb201Cell.parse(a.string("genotype"));
    } catch (IllegalArgumentException e) {
      throw new UsageException("train: --genotype: " + e.getMessage());
    }
    Nb201Trainer.Settings d = Nb201Trainer.Settings.hp12(1);
    Nb201Trainer.Settings s = new Nb201Trainer.Settings(a.has("epochs") ? a.integer("epochs", 1) : d.epochs(),
        a.has("batch") ? a.integer("batch", 2) : d.batch(), a.has("lr-max") ? a.number("lr-max", 1e-9, 10) : d.lr(),
        a.has("lr-min") ? a.number("lr-min", 0, 10) : d.lrMin(), a.has("weight-decay") ? a.number("weight-decay", 0, 1) : d.weightDecay(),
        a.has("momentum") ? a.number("momentum", 0, 0.999) : d.momentum(), a.has("channels") ? a.integer("channels", 1) : d.channels(),
        a.integer("cells", 1), a.longValue("seed"));
    if (s.lrMin() > s.lr()) throw new UsageException("train: --lr-min " + s.lrMin() + " exceeds --lr-max " + s.lr());
    String spec = RunDir.portableData(a.has("data") ? a.string("data") : "../shared/data/cifar-10-batches-bin");
    DataSource src = Datasets.open(spec);
    Dataset train = src.train();
    if (a.integer("train-subset", 0) > 0) {
      int n = a.integer("train-subset", 0);
      if (n > train.size()) throw new UsageException("train: --train-subset " + n + " exceeds the " + train.size() + " training images");
      train = train.subset(n / (double) train.size(), s.seed());
    }
    Dataset test = src.test() != null ? src.test() : src.splits().validation();
    if (a.integer("test-subset", 0) > 0) {
      int n = a.integer("test-subset", 0);
      if (n > test.size()) throw new UsageException("train: --test-subset " + n + " exceeds the " + test.size() + " test images");
      test = test.subset(n / (double) test.size(), s.seed());
    }
    if (train.size() < s.batch()) throw new UsageException("train: --batch " + s.batch() + " exceeds the " + train.size() + " training images");
    Path tablePath = a.path("table");
    Double tableTest = null;
    if (Files.isRegularFile(tablePath) && train.numClasses() == 10 && train.height() == 32) {
      NasBench201Table t = NasBench201Table.load(tablePath);
      tableTest = t.test(Nb201Dataset.CIFAR10, new NasBench201Space().encode(cell));
    }
    try (RunDir dir = RunDir.create(a.path("out"), "train", System.err)) {
      Map<String, Object> cfg = new java.util.LinkedHashMap<>();
      cfg.put("space", "nb201");
      cfg.put("genotype", cell.toString());
      cfg.put("data", spec);
      cfg.put("train_images", train.size());
      cfg.put("test_images", test.size());
      cfg.put("epochs", s.epochs());
      cfg.put("batch", s.batch());
      cfg.put("lr", s.lr());
      cfg.put("lr_min", s.lrMin());
      cfg.put("weight_decay", s.weightDecay());
      cfg.put("momentum", s.momentum());
      cfg.put("channels", s.channels());
      cfg.put("cells_per_stage", s.cellsPerStage());
      cfg.put("seed", s.seed());
      dir.writeString("config.json", Json.pretty(cfg));
      Nb201Trainer.Outcome o = Nb201Trainer.train(cell, s, train, test, src.trainAugmentation(), src.evalAugmentation(), System.err, e -> {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("epoch", e.epoch());
        m.put("lr", e.lr());
        m.put("train_loss", e.trainLoss());
        m.put("train_accuracy", e.trainAccuracy());
        m.put("seconds", e.seconds());
        try {
          dir.log(m);
        } catch (java.io.IOException x) {
          throw new java.io.UncheckedIOException(x);
        }
      });
      Map<String, Object> res = new java.util.LinkedHashMap<>();
      res.put("genotype", cell.toString());
      res.put("test_accuracy", o.testAccuracy());
      res.put("test_loss", o.testLoss());
      res.put("weights", o.numWeights());
      res.put("flops", o.flops());
      res.put("seconds", o.seconds());
      res.put("table_12_epoch_test", tableTest);
      dir.writeString("result.json", Json.pretty(res));
      out.println(String.format(Locale.ROOT, "%s: %s, %d weights, %.1f MFLOPs/image; test accuracy %.4f after %d epochs on %d images%s; %.1f s",
          dir.path(), cell, o.numWeights(), o.flops() / 1e6, o.testAccuracy(), s.epochs(), train.size(),
          tableTest == null ? "" : String.format(Locale.ROOT, " (the table, 12 epochs on 50,000 images: %.2f%%)", tableTest), o.seconds()));
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
