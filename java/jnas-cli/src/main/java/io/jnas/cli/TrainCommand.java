package io.jnas.cli;

import io.jnas.data.DataSource;
import io.jnas.data.Datasets;
import io.jnas.data.Dataset;
import io.jnas.enas.MacroArch;
import io.jnas.enas.MacroTrainer;
import io.jnas.enas.MacroWeightsFile;
import io.jnas.genotype.Genotype;
import io.jnas.nasbench.NasBench201Table;
import io.jnas.nasbench.Nb201Dataset;
import io.jnas.nasbench.Nb201Trainer;
import io.jnas.nasbench.Nb201WeightsFile;
import io.jnas.space.NasBench201Space;
import io.jnas.space.Nb201Cell;
import io.jnas.search.RunDir;
import io.jnas.train.PlainTraining;
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
        .value("space", "NAME", "darts", "darts (the DARTS/ENAS cell network), nb201 (a NAS-Bench-201 cell given as --genotype "
            + "'|nor_conv_3x3~0|+|...|' or the cell JSON of jnas export --genotype-json, trained with NB201's recipe: 12 epochs, batch 256, lr 0.1 cosine to 0, weight decay 5e-4, "
            + "C 16, N 5, unless given) or enas-macro (an ENAS macro network: --genotype enas-macro-final, a macro search's "
            + "final_arch.json or run folder, or an arc string; unless given 10 epochs, batch 128, lr 0.05 cosine to 0.001, "
            + "weight decay 1e-4, clip 5, dropout keep 0.9, 24 channels)")
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
        + "--space enas-macro and --space nb201 write config.json, log.jsonl, checkpoint.bin (every epoch), curves.png (train\n"
        + "loss and accuracy per epoch), and at the\n"
        + "end weights.jnw (the macro network, or the NAS-Bench-201 network of the cell; jnas eval, predict and export\n"
        + "read it) and result.json.\n"
        + "--stop-after N stops once N epochs are done; --resume DIR continues any of them bit-exactly from its last\n"
        + "checkpoint with the settings of its config.json (only --data may be given again, where the data set moved).\n"
        + "Progress (every batch's loss, the epoch's and the whole run's time left) goes to standard error.\n"
        + "A second run on the same folder is refused while the first holds it.";
  }

  @Override
  public int run(Options.Parsed a, PrintStream out) throws Exception {
    String space = a.choice("space", "darts", "nb201", "enas-macro");
    if (a.has("resume")) {
      String was = runSpace(a.path("resume"));
      if (was != null) {
        if (a.has("space") && !space.equals(was)) {
          throw new UsageException("train: " + a.path("resume") + " is a --space " + was + " run; drop --space " + space);
        }
        space = was;
      }
    }
    if (space.equals("nb201")) return runNb201(a, out);
    if (space.equals("enas-macro")) return runMacro(a, out);
    if (a.has("cells") || a.has("table")) throw new UsageException("train: --cells and --table are for --space nb201");
    boolean resume = a.has("resume");
    if (resume == a.has("out")) throw new UsageException("train: give exactly one of --out DIR and --resume DIR");
    int stopAfter = a.integer("stop-after", 0);
    Trainer.Settings s;
    Genotype g;
    RunDir dir;
    DataSource src;
    if (resume) {
      Path run = resumeChecks(a);
      Path cfg = run.resolve("config.json");
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
          o.finished() ? "all " + epochs(s.epochs) : "stopping (resume with --resume " + d.path() + ")", o.seconds()));
    }
    return 0;
  }

  /** {@code --space nb201}: one NAS-Bench-201 cell trained with the benchmark's recipe; or such a run resumed. */
  private int runNb201(Options.Parsed a, PrintStream out) throws Exception {
    Resumed r = a.has("resume") ? Resumed.open(a) : null;
    Nb201Cell cell;
    Nb201Trainer.Settings s;
    PlainData data;
    Map<String, Object> cfg;
    Double tableTest = null;
    try {
      Path tablePath;
      if (r == null) {
        plainChecks(a, "nb201", "NB201's recipe has none", "layers", "lr-t0", "lr-tmul", "grad-clip", "drop-path-keep",
            "dropout-keep", "cutout", "no-aux");
        if (!a.has("genotype")) throw new UsageException("train: --space nb201 needs --genotype '|op~0|+|op~0|op~1|+|op~0|op~1|op~2|'");
        cell = nb201Cell(a.string("genotype"), "train");
        Nb201Trainer.Settings d = Nb201Trainer.Settings.hp12(1);
        s = new Nb201Trainer.Settings(a.has("epochs") ? a.integer("epochs", 1) : d.epochs(),
            a.has("batch") ? a.integer("batch", 2) : d.batch(), a.has("lr-max") ? a.number("lr-max", 1e-9, 10) : d.lr(),
            a.has("lr-min") ? a.number("lr-min", 0, 10) : d.lrMin(), a.has("weight-decay") ? a.number("weight-decay", 0, 1) : d.weightDecay(),
            a.has("momentum") ? a.number("momentum", 0, 0.999) : d.momentum(), a.has("channels") ? a.integer("channels", 1) : d.channels(),
            a.integer("cells", 1), a.longValue("seed"));
        if (s.lrMin() > s.lr()) throw new UsageException("train: --lr-min " + s.lrMin() + " exceeds --lr-max " + s.lr());
        data = plainData(a, s.batch(), s.seed());
        tablePath = a.path("table");
        cfg = data.config("nb201", cell.toString(), s.epochs(), s.batch(), s.lr(), s.lrMin(), s.weightDecay(),
            s.momentum(), s.channels(), s.seed());
        cfg.put("cells_per_stage", s.cellsPerStage());
        cfg.put("table", tablePath.toAbsolutePath().normalize().toString());
      } else {
        cell = r.genotype(Nb201Cell::parse);
        s = r.settings(() -> new Nb201Trainer.Settings(r.integer("epochs"), r.integer("batch"), r.number("lr"),
            r.number("lr_min"), r.number("weight_decay"), r.number("momentum"), r.integer("channels"), r.integer("cells_per_stage"),
            r.seed()));
        data = r.data(a, s.batch(), s.seed());
        tablePath = r.config().get("table") instanceof String t ? Path.of(t) : a.path("table");
        cfg = r.config();
      }
      if (Files.isRegularFile(tablePath) && data.train.numClasses() == 10 && data.train.height() == 32) {
        NasBench201Table t = NasBench201Table.load(tablePath);
        tableTest = t.test(Nb201Dataset.CIFAR10, new NasBench201Space().encode(cell));
      }
    } catch (Exception e) {
      if (r != null) r.dir().close();
      throw e;
    }
    final Double table = tableTest;
    return plainRun(a, out, r, cfg, Nb201Trainer.CHECKPOINT_KIND, (dir, log, ck) -> {
      PlainTraining.Outcome o = Nb201Trainer.train(cell, s, data.train, data.test, data.src.trainAugmentation(),
          data.src.evalAugmentation(), System.err, log, net -> {
            try {
              Nb201WeightsFile.of(net, data.src.normalization(), data.train.classNames()).write(dir.file("weights.jnw"));
            } catch (java.io.IOException e) {
              throw new java.io.UncheckedIOException(e);
            }
          }, ck);
      Map<String, Object> res = plainResult(cell.toString(), o.testAccuracy(), o.testLoss(), o.numWeights(), o.flops(), o.seconds());
      res.put("table_12_epoch_test", table);
      return new PlainOutcome(res, o.finished(), String.format(Locale.ROOT,
          "%s, %d weights, %.1f MFLOPs/image; test accuracy %.4f after %s on %d images%s; %.1f s",
          cell, o.numWeights(), o.flops() / 1e6, o.testAccuracy(), after(o, s.epochs(), dir), data.train.size(),
          table == null ? "" : String.format(Locale.ROOT, " (the table, 12 epochs on 50,000 images: %.2f%%)", table), o.seconds()));
    });
  }

  /** {@code --space enas-macro}: one architecture of ENAS's macro space trained from scratch; or such a run resumed. */
  private int runMacro(Options.Parsed a, PrintStream out) throws Exception {
    Resumed r = a.has("resume") ? Resumed.open(a) : null;
    MacroArch arch;
    MacroTrainer.Settings s;
    PlainData data;
    Map<String, Object> cfg;
    try {
      if (r == null) {
        plainChecks(a, "enas-macro", "the architecture fixes the layers; no auxiliary head, drop-path or cutout", "layers",
            "lr-t0", "lr-tmul", "drop-path-keep", "cutout", "no-aux", "cells", "table");
        if (!a.has("genotype")) {
          throw new UsageException("train: --space enas-macro needs --genotype: enas-macro-final (the paper's network), a macro"
              + " search's final_arch.json or run folder, or an arc string ('0 3 0 0 1 0 ...')");
        }
        arch = macroArch(a.string("genotype"));
        MacroTrainer.Settings d = MacroTrainer.Settings.firstLook(1);
        try {
          s = new MacroTrainer.Settings(a.has("epochs") ? a.integer("epochs", 1) : d.epochs(), a.has("batch") ? a.integer("batch", 2) : d.batch(),
              a.has("lr-max") ? a.number("lr-max", 1e-9, 10) : d.lr(), a.has("lr-min") ? a.number("lr-min", 0, 10) : d.lrMin(),
              a.has("weight-decay") ? a.number("weight-decay", 0, 1) : d.weightDecay(),
              a.has("momentum") ? a.number("momentum", 0, 0.999) : d.momentum(), a.has("grad-clip") ? a.number("grad-clip", 0, 1e6) : d.gradClip(),
              a.has("dropout-keep") ? a.number("dropout-keep", 1e-6, 1) : d.dropoutKeep(),
              a.has("channels") ? a.integer("channels", 2) : d.channels(), a.longValue("seed"));
        } catch (IllegalArgumentException e) {
          throw new UsageException("train: " + e.getMessage() + " (--epochs, --batch, --lr-max, --lr-min, --weight-decay, --momentum,"
              + " --grad-clip, --dropout-keep, --channels)");
        }
        data = plainData(a, s.batch(), s.seed());
        cfg = data.config("enas-macro", arch.toArcString(), s.epochs(), s.batch(), s.lr(), s.lrMin(),
            s.weightDecay(), s.momentum(), s.channels(), s.seed());
        cfg.put("layers", arch.layers());
        cfg.put("grad_clip", s.gradClip());
        cfg.put("dropout_keep", s.dropoutKeep());
      } else {
        arch = r.genotype(MacroArch::parse);
        s = r.settings(() -> new MacroTrainer.Settings(r.integer("epochs"), r.integer("batch"), r.number("lr"),
            r.number("lr_min"), r.number("weight_decay"), r.number("momentum"), r.number("grad_clip"), r.number("dropout_keep"),
            r.integer("channels"), r.seed()));
        data = r.data(a, s.batch(), s.seed());
        cfg = r.config();
      }
    } catch (Exception e) {
      if (r != null) r.dir().close();
      throw e;
    }
    return plainRun(a, out, r, cfg, MacroTrainer.CHECKPOINT_KIND, (dir, log, ck) -> {
      PlainTraining.Outcome o = MacroTrainer.train(arch, s, data.train, data.test, data.src.trainAugmentation(),
          data.src.evalAugmentation(), System.err, log, net -> {
            try {
              MacroWeightsFile.of(net, data.src.normalization(), data.train.classNames()).write(dir.file("weights.jnw"));
            } catch (java.io.IOException e) {
              throw new java.io.UncheckedIOException(e);
            }
          }, ck);
      Map<String, Object> res = plainResult(arch.toArcString(), o.testAccuracy(), o.testLoss(), o.numWeights(), o.flops(), o.seconds());
      res.put("layers", arch.layers());
      return new PlainOutcome(res, o.finished(), String.format(Locale.ROOT,
          "enas-macro network, %d layers x %d channels, %d weights, %.1f MFLOPs/image; test accuracy %.4f after %s on %d images; %.1f s",
          arch.layers(), s.channels(), o.numWeights(), o.flops() / 1e6, o.testAccuracy(), after(o, s.epochs(), dir), data.train.size(),
          o.seconds()));
    });
  }

  /** "all 3 epochs", or, for a run that stopped early, how to resume it. */
  private static String after(PlainTraining.Outcome o, int epochs, RunDir dir) {
    return o.finished() ? epochs(epochs) : "stopping (resume with --resume " + dir.path() + ")";
  }

  /**
   * --genotype of an nb201 run: a cell string {@code |nor_conv_3x3~0|+|...|}, or a JSON file
   * {@code {"format": "nb201", "cell": "|...|"}} (what {@code jnas export --genotype-json} writes
   * of an nb201 run).
   *
   * @param cmd the command, heading messages
   * @throws UsageException naming --genotype and what was expected
   */
  static Nb201Cell nb201Cell(String spec, String cmd) {
    try {
      Path p = spec.startsWith("|") ? null : Path.of(spec);
      if (p != null && Files.isRegularFile(p)) {
        Map<String, Object> m = Json.parseObject(Files.readString(p));
        if (!"nb201".equals(m.get("format")) || !(m.get("cell") instanceof String c)) {
          throw new UsageException(cmd + ": --genotype " + spec + ": expected {\"format\": \"nb201\", \"cell\": \"|...|\"}"
              + " (jnas export --genotype-json of an nb201 run)");
        }
        return Nb201Cell.parse(c);
      }
      if (p != null && (spec.contains("/") || spec.endsWith(".json"))) {
        throw new UsageException(cmd + ": --genotype " + spec + ": no such file (expected a cell string"
            + " '|op~0|+|op~0|op~1|+|op~0|op~1|op~2|' or an nb201 cell's JSON file)");
      }
      return Nb201Cell.parse(spec);
    } catch (IllegalArgumentException e) {
      throw new UsageException(cmd + ": --genotype: " + e.getMessage());
    } catch (java.io.IOException e) {
      throw new UsageException(cmd + ": --genotype " + spec + ": cannot read it: " + e.getMessage());
    }
  }

  /** The JSON of an nb201 cell, {@code {"format": "nb201", "cell": "|...|"}}, which {@link #nb201Cell} reads back. */
  static String nb201Json(Nb201Cell cell) {
    Map<String, Object> m = new java.util.LinkedHashMap<>();
    m.put("format", "nb201");
    m.put("cell", cell.toString());
    return Json.pretty(m);
  }

  /** --genotype of a macro run: the published network's name, a final_arch.json, a run folder, or an arc string. */
  static MacroArch macroArch(String spec) {
    return macroArch(spec, "train");
  }

  /** As {@link #macroArch(String)}, messages headed by {@code cmd}. */
  static MacroArch macroArch(String spec, String cmd) {
    try {
      if (spec.equals("enas-macro-final") || spec.equals("enas-macro")) return MacroArch.ENAS_MACRO_FINAL;
      Path p = Path.of(spec);
      if (Files.isDirectory(p)) p = p.resolve("final_arch.json");
      if (Files.isRegularFile(p)) return MacroArch.fromMap(Json.parseObject(Files.readString(p)));
      if (spec.contains("/") || spec.endsWith(".json")) {
        throw new UsageException(cmd + ": --genotype " + spec + ": no such file (expected enas-macro-final, a macro search's"
            + " final_arch.json or run folder, or an arc string)");
      }
      return MacroArch.parse(spec);
    } catch (IllegalArgumentException e) {
      throw new UsageException(cmd + ": --genotype " + spec + ": " + e.getMessage());
    } catch (java.io.IOException e) {
      throw new UsageException(cmd + ": --genotype " + spec + ": cannot read it: " + e.getMessage());
    }
  }

  /** Refuses, for a --space that trains one fixed network, a missing --out and the flags it has no use for. */
  private static void plainChecks(Options.Parsed a, String space, String why, String... unused) {
    if (!a.has("out")) throw new UsageException("train: --space " + space + " needs --out DIR");
    for (String f : unused) {
      if (a.has(f)) throw new UsageException("train: --" + f + " is not a setting of --space " + space + " (" + why + ")");
    }
  }

  /** The settings a resumed run keeps from its config.json: given again, each is refused. */
  private static final String[] KEPT_ON_RESUME = {"genotype", "layers", "channels", "epochs", "batch", "lr-max", "lr-min",
      "lr-t0", "lr-tmul", "weight-decay", "momentum", "grad-clip", "drop-path-keep", "dropout-keep", "cutout", "no-aux",
      "train-subset", "test-subset", "seed", "workers", "cells", "table"};

  /**
   * Checks {@code --resume DIR} of any space: no --out, none of the run's own settings (only
   * --data, --stop-after and a matching --space may be given), a folder with a config.json.
   *
   * @return the run folder
   */
  private static Path resumeChecks(Options.Parsed a) {
    if (a.has("out")) throw new UsageException("train: give exactly one of --out DIR and --resume DIR");
    for (String f : KEPT_ON_RESUME) {
      if (a.has(f)) throw new UsageException("train: --resume keeps the run's own settings (config.json); drop --" + f);
    }
    Path run = a.path("resume");
    if (!Files.isDirectory(run)) throw new UsageException("train: " + run + ": no such run folder");
    if (!Files.isRegularFile(run.resolve("config.json"))) {
      throw new UsageException("train: " + run + " holds no config.json (no checkpoint either); not a jnas train run,"
          + " or one stopped before it began: start it anew with --out");
    }
    return run;
  }

  /**
   * The --space of the train run in {@code run}, from its config.json ({@code "space"}; a cell
   * network's config has none: darts), or null where there is no config.json to read.
   */
  private static String runSpace(Path run) throws java.io.IOException {
    Path cfg = run.resolve("config.json");
    if (!Files.isRegularFile(cfg)) return null;
    Object sp = Json.parseObject(Files.readString(cfg)).get("space");
    return sp instanceof String str ? str : "darts";
  }

  /** A plain run (--space nb201 or enas-macro) being resumed: its folder, locked, and its config.json. */
  private record Resumed(RunDir dir, Map<String, Object> config) {
    /** Checks the flags, locks the folder and reads its config.json. */
    static Resumed open(Options.Parsed a) throws Exception {
      Path run = resumeChecks(a);
      RunDir dir = RunDir.open(run, "train", System.err);
      try {
        return new Resumed(dir, Json.parseObject(Files.readString(run.resolve("config.json"))));
      } catch (Exception e) {
        dir.close();
        throw e;
      }
    }

    private Path file() {
      return dir.file("config.json");
    }

    /** A number of config.json; a missing or non-numeric one names the file and key. */
    double number(String key) {
      if (config.get(key) instanceof Number n) return n.doubleValue();
      throw new UsageException("train: " + file() + ": '" + key + "' is " + config.get(key) + ", expected a number");
    }

    /** An integer of config.json. */
    int integer(String key) {
      double v = number(key);
      if (v != Math.rint(v) || Math.abs(v) > Integer.MAX_VALUE) {
        throw new UsageException("train: " + file() + ": '" + key + "' is " + v + ", expected an integer");
      }
      return (int) v;
    }

    /** The seed: a number, or a string where it is beyond a double's exact integers. */
    long seed() {
      if (config.get("seed") instanceof String str) {
        try {
          return Long.parseLong(str.strip());
        } catch (NumberFormatException e) {
          throw new UsageException("train: " + file() + ": 'seed' is " + str + ", expected an integer");
        }
      }
      return (long) number("seed");
    }

    /** The network: what {@code parse} makes of config.json's {@code "genotype"}; its complaint names the file. */
    <T> T genotype(java.util.function.Function<String, T> parse) {
      if (!(config.get("genotype") instanceof String g)) {
        throw new UsageException("train: " + file() + ": 'genotype' is " + config.get("genotype") + ", expected the network's string");
      }
      return settings(() -> parse.apply(g));
    }

    /** What {@code f} builds of config.json's values; its complaint, an IllegalArgumentException, names the file. */
    <T> T settings(java.util.function.Supplier<T> f) {
      try {
        return f.get();
      } catch (UsageException e) {
        throw e;
      } catch (IllegalArgumentException e) {
        throw new UsageException("train: " + file() + ": " + e.getMessage());
      }
    }

    /**
     * The run's data: where config.json says, or where {@code --data} says it is now (then
     * config.json is updated); the same subsets, checked against the image counts recorded.
     */
    PlainData data(Options.Parsed a, int batch, long seed) throws Exception {
      String was = config.get("data") instanceof String d ? d : null;
      String spec = a.has("data") ? RunDir.portableData(a.string("data")) : RunDir.requireData(dir.path(), was);
      DataSource src = Datasets.open(spec);
      Dataset test0 = src.test() != null ? src.test() : src.splits().validation();
      int trainImages = integer("train_images"), testImages = integer("test_images");
      // runs record their subsets; else the image counts say (a subset of n keeps exactly n)
      int trainSubset = config.containsKey("train_subset") ? integer("train_subset")
          : trainImages < src.train().size() ? trainImages : 0;
      int testSubset = config.containsKey("test_subset") ? integer("test_subset") : testImages < test0.size() ? testImages : 0;
      PlainData d;
      try {
        d = plainData(spec, src, trainSubset, testSubset, batch, seed);
      } catch (UsageException e) {
        d = null;
      }
      if (d == null || d.train.size() != trainImages || d.test.size() != testImages) {
        throw new UsageException("train: " + (a.has("data") ? "--data " : "the data set ") + spec + " has " + src.train().size()
            + " training and " + test0.size() + " test images; the run trained on " + trainImages + " and tested on " + testImages
            + " of " + was + ": not the same data set");
      }
      if (!spec.equals(was)) {
        System.err.println("jnas: " + dir.path() + ": data set now at " + spec + " (was " + was + ")");
        config.put("data", spec);
        dir.writeString("config.json", Json.pretty(config));
      }
      return d;
    }
  }

  /** The data of a plain run: the source, its training images (subset) and test images (subset). */
  private record PlainData(String spec, DataSource src, Dataset train, Dataset test, int trainSubset, int testSubset) {
    /** config.json's common part: the space, the network, the data and the optimizer's settings. */
    Map<String, Object> config(String space, String genotype, int epochs, int batch, double lr, double lrMin, double weightDecay,
        double momentum, int channels, long seed) {
      Map<String, Object> cfg = new java.util.LinkedHashMap<>();
      cfg.put("space", space);
      cfg.put("genotype", genotype);
      cfg.put("data", spec);
      cfg.put("train_images", train.size());
      cfg.put("test_images", test.size());
      cfg.put("train_subset", trainSubset);
      cfg.put("test_subset", testSubset);
      cfg.put("epochs", epochs);
      cfg.put("batch", batch);
      cfg.put("lr", lr);
      cfg.put("lr_min", lrMin);
      cfg.put("weight_decay", weightDecay);
      cfg.put("momentum", momentum);
      cfg.put("channels", channels);
      cfg.put("seed", Math.abs(seed) <= 1L << 53 ? (Object) seed : Long.toString(seed));  // exact as a JSON number
      return cfg;
    }
  }

  /** The data of a new plain run: --data, --train-subset and --test-subset. */
  private static PlainData plainData(Options.Parsed a, int batch, long seed) throws Exception {
    String spec = RunDir.portableData(a.has("data") ? a.string("data") : "../shared/data/cifar-10-batches-bin");
    return plainData(spec, Datasets.open(spec), a.integer("train-subset", 0), a.integer("test-subset", 0), batch, seed);
  }

  /** The data of a plain run: {@code trainSubset} training and {@code testSubset} test images chosen by {@code seed} (0: all). */
  private static PlainData plainData(String spec, DataSource src, int trainSubset, int testSubset, int batch, long seed) {
    Dataset train = src.train();
    if (trainSubset > 0) {
      int n = trainSubset;
      if (n > train.size()) throw new UsageException("train: --train-subset " + n + " exceeds the " + train.size() + " training images");
      train = train.subset(n / (double) train.size(), seed);
    }
    Dataset test = src.test() != null ? src.test() : src.splits().validation();
    if (testSubset > 0) {
      int n = testSubset;
      if (n > test.size()) throw new UsageException("train: --test-subset " + n + " exceeds the " + test.size() + " test images");
      test = test.subset(n / (double) test.size(), seed);
    }
    if (train.size() < batch) throw new UsageException("train: --batch " + batch + " exceeds the " + train.size() + " training images");
    return new PlainData(spec, src, train, test, trainSubset, testSubset);
  }

  private record PlainOutcome(Map<String, Object> result, boolean finished, String summary) {}

  @FunctionalInterface
  private interface PlainTrain {
    PlainOutcome run(RunDir dir, java.util.function.Consumer<PlainTraining.EpochStats> log, PlainTraining.Checkpoints ck)
        throws Exception;
  }

  /** "1 epoch", "3 epochs". */
  private static String epochs(int n) {
    return n + (n == 1 ? " epoch" : " epochs");
  }

  private static Map<String, Object> plainResult(String genotype, double acc, double loss, long weights, double flops, double seconds) {
    Map<String, Object> res = new java.util.LinkedHashMap<>();
    res.put("genotype", genotype);
    res.put("test_accuracy", acc);
    res.put("test_loss", loss);
    res.put("weights", weights);
    res.put("flops", flops);
    res.put("seconds", seconds);
    return res;
  }

  /**
   * A locked run folder: config.json, log.jsonl (one line per epoch), curves.png, checkpoint.bin (of kind
   * {@code kind}, every epoch), what the training writes there itself (weights.jnw), result.json
   * last, once all the epochs are done; prints the summary. A new run creates the folder of
   * --out; a resumed one ({@code r}) continues in its own, already locked.
   */
  private static int plainRun(Options.Parsed a, PrintStream out, Resumed r, Map<String, Object> cfg, String kind, PlainTrain train)
      throws Exception {
    int stopAfter = a.integer("stop-after", 0);
    try (RunDir dir = r != null ? r.dir() : RunDir.create(a.path("out"), "train", System.err)) {
      if (r == null) dir.writeString("config.json", Json.pretty(cfg));
      PlainOutcome o = train.run(dir, e -> {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("event", "epoch");
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
      }, new PlainTraining.Checkpoints(dir, kind, r != null, stopAfter));
      Trainer.writeCurves(dir, String.valueOf(cfg.get("data")));  // train loss and accuracy per epoch
      if (o.finished()) dir.writeString("result.json", Json.pretty(o.result()));
      out.println(dir.path() + ": " + o.summary());
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
