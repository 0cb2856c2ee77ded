package io.jnas.cli;

import io.jnas.controller.ControllerConfig;
import io.jnas.controller.ReinforceConfig;
import io.jnas.darts.DartsSearch;
import io.jnas.darts.DartsSearchNetwork;
import io.jnas.data.DataSource;
import io.jnas.data.Dataset;
import io.jnas.data.Datasets;
import io.jnas.enas.EnasSearch;
import io.jnas.search.RunDir;
import io.jnas.enas.SearchSettings;
import io.jnas.train.CosineSchedule;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;

/** {@code jnas search}: an ENAS search, micro or macro space (weight sharing, LSTM controller, REINFORCE). */
final class SearchCommand implements Command {
  @Override
  public String name() {
    return "search";
  }

  @Override
  public String summary() {
    return "run a weight-sharing search: ENAS (micro or macro space; LSTM controller, REINFORCE) or DARTS/GDAS (--space darts)";
  }

  @Override
  public Options options() {
    return new Options(name())
        .value("data", "DIR|SPEC", null, "CIFAR-10 binary folder, MNIST-style IDX folder, or synthetic[:train=N,val=N,test=N,seed=S];"
            + " none: the built-in synthetic set; with --resume: where the run's data set is now, if it moved")
        .value("space", "S", null, "enas-micro (default: two cells, ENAS's 5 ops), nasnet or amoebanet (the same two-cell search over"
            + " NASNet's 13 ops or AmoebaNet's 8; the cell's output is its unread nodes, as NASNet), nasnet-combine (nasnet, each"
            + " block also choosing add or concat), enas-macro (a chain of layers with"
            + " skip connections), or darts "
            + "(DARTS's cell space: 8 ops on every edge, relaxed; with --method; without --data a quick run: 512 + 512 synthetic "
            + "images, C 4, 3 cells, 5 epochs; with --data DARTS's settings: C 16, 8 cells, 50 epochs, batch 64)")
        .value("method", "NAME", null, "--space darts: darts-v1 (first order; default), darts-v2 (second order) or gdas")
        .value("arch-lr", "X", null, "--space darts: Adam step of the architecture parameters (DARTS: 3e-4)")
        .value("preset", "NAME", null, "enas (the official ENAS micro search settings; default with --data) or quick (a few minutes on 2 CPU cores; default without --data)")
        .value("out", "DIR", null, "run folder, must be new or empty (default: runs/search-<time>)")
        .value("resume", "DIR", null, "continue the run in DIR from its last checkpoint (other flags but --stop-after and --data"
            + " are refused); a run stopped before its first checkpoint starts afresh from its settings.json")
        .value("stop-after", "N", null, "stop once N epochs are done (the run stays resumable; default: all epochs)")
        .value("validation", "N", null, "images held out of the training files for rewards (default: the data set's, 5000 for CIFAR-10/MNIST)")
        .value("epochs", "N", null, "search epochs (enas: 150)")
        .value("steps-per-epoch", "N", null, "cap child training steps per epoch, 0 = a whole pass (default 0)")
        .value("batch", "N", null, "minibatch size (enas: 160)")
        .value("warmup-epochs", "N", null, "first epochs train the shared weights on chain-input cells with random ops, controller idle"
            + " (default 0, as ENAS; it speeds the shared weights up but biases them toward chain cells)")
        .value("layers", "N", null, "normal layers L; two reduction layers are added (enas: 6); enas-macro: the space's layers (enas: 12)")
        .value("channels", "N", null, "channels C of the first cells, even (enas: 20)")
        .value("supernet-reduce", "enas|strided", null, "the supernet's reduction layers: enas (a factorized reduce, then the reduction"
            + " cell at stride 1, as ENAS) or strided (the reduction cell's ops on its inputs at stride 2, as the trained network"
            + " and the proxy run it); cell spaces only (default: enas)")
        .value("nodes", "N", null, "nodes (blocks) B per cell (enas: 5; NASNet: 5; cell spaces only)")
        .value("lr-max", "X", null, "child learning rate at each restart (enas: 0.05)")
        .value("lr-min", "X", null, "child learning rate at the end of a period (enas: 5e-4)")
        .value("lr-t0", "N", null, "first cosine period in epochs (enas: 10)")
        .value("lr-tmul", "N", null, "period growth at each restart (enas: 2)")
        .value("momentum", "X", null, "Nesterov momentum (enas: 0.9)")
        .value("l2", "X", null, "weight decay (enas: 1e-4)")
        .value("grad-clip", "X", null, "global-norm clip, 0 = none (enas: 5)")
        .value("keep-prob", "X", null, "dropout keep probability before the classifier (enas: 0.9)")
        .value("controller-steps", "N", null, "controller steps per epoch (enas: 30)")
        .value("controller-aggregate", "N", null, "samples per controller step (enas: 10)")
        .value("controller-lr", "X", null, "controller Adam learning rate (enas: 0.0035; quick: 0.035, for its 200 updates against ENAS's 4,500)")
        .value("entropy-weight", "X", null, "entropy bonus in the reward (enas: 1e-4)")
        .value("controller-hidden", "N", null, "LSTM units (default 64)")
        .value("temperature", "X", null, "controller sampling temperature (default 1)")
        .value("controller-op-biases", "on|off", null, "ENAS's initial op biases, favouring the two separable convs (--space enas-micro only; enas: on; quick: off, where they slowed the shared weights)")
        .value("controller-baseline", "moving|batch", null, "the REINFORCE baseline: moving (a moving average of rewards, each sample scored on its own validation batch, as ENAS) or batch (a step's samples scored on one batch, each against the others' mean: the batch's difficulty cancels) (enas: moving; quick: batch)")
        .value("derive-every", "N", null, "derive the final architecture every N epochs (enas: 10; always after the last)")
        .value("derive-samples", "N", null, "candidates sampled and scored per derivation (enas: 100; quick: 200)")
        .value("derive-select-batches", "N", null, "validation batches of the selection; over 2, a race (--derive-race) (enas: 1; quick: 30)")
        .value("derive-race", "fifth|halving", null, "the race of a selection over more than 2 batches: fifth (the best fifth of the candidates on all batches) or halving (the best half on 4 batches, the best quarter on 8, ...; more candidates for the same work) (enas: fifth; quick: halving)")
        .value("derive-heldout-batches", "N", null, "validation batches after those on which the pick and the random cells are scored (enas: 4; quick: 16)")
        .value("derive-random", "N", null, "uniformly random architectures the derived one is ranked among, on held-out images, at the"
            + " last epoch's derivation (default 100; earlier derivations: at most 20)")
        .value("verify", "K", null, "after the search, train the derived architecture and K random ones from scratch (the multitrial"
            + " proxy trainer) and print both: does the pick beat random ones? (verify.json)")
        .value("check-ranking", "N", null, "after the search, score N random architectures with the shared weights and train them from"
            + " scratch; print Kendall's tau between the two (ranking.json)")
        .value("proxy-epochs", "N", null, "epochs of each from-scratch training of --verify and --check-ranking (default 4)")
        .value("proxy-repeats", "N", null, "trainings of each architecture for --verify and --check-ranking, scored by their mean"
            + " (default 2: one training ranks cells only loosely)")
        .value("proxy-train-images", "N", null, "training images of each from-scratch training (default 2000; 0: all)")
        .value("proxy-val-images", "N", null, "validation images each from-scratch training is scored on (default 1000; 0: all)")
        .value("proxy-resolution", "R|full", null, "image side the from-scratch trainings resample the data to (default full: as stored, as the search saw them)")
        .value("proxy-layers", "L", null, "cells of the from-scratch network, the two reductions included (default: the search's --layers + 2, at least 5)")
        .value("proxy-channels", "C", null, "channels of the from-scratch network's first cells (default 8)")
        .value("seed", "N", null, "seed of every random choice (default 0)")
        .renamed("until", "stop-after N");
  }

  @Override
  public String details() {
    return "Outputs in the run folder: settings.json, log.jsonl (every child and controller step, every epoch),\n"
        + "checkpoint.bin (atomic, every epoch), final_arch.json / final_arch.txt (the ENAS string), normal_cell.svg/png,\n"
        + "reduce_cell.svg/png, search_curves.png, result.json (the found cell, its held-out score beside random cells'\n"
        + "and chance, its rank among --derive-random random cells, and the jnas train command line for it; also printed at\n"
        + "the end); with --verify K, verify.json (the found cell and K random cells trained from scratch); with\n"
        + "--check-ranking N, ranking.json (Kendall's tau between shared-weight and from-scratch accuracy); a re-check\n"
        + "with --resume keeps the earlier file as verify-1.json (ranking-1.json, ...). Progress, with the whole run's\n"
        + "ETA, goes to standard error. Ctrl-C or a kill loses at most the current epoch: 'jnas search --resume DIR'\n"
        + "continues it. A second run on the same folder is refused while the first holds it.\n\n"
        + "Examples:\n"
        + "  jnas search                                         quick search on the built-in synthetic data\n"
        + "  jnas search --data ../shared/data/cifar-10-batches-bin --epochs 150   ENAS micro search on CIFAR-10\n"
        + "  jnas search --space nasnet --data ../shared/data/mnist               ENAS's search over NASNet's 13 ops (B=5 with\n"
        + "                                                      --preset enas; final_arch.json is the genotype, jnas train reads it)\n"
        + "  jnas search --space enas-macro --data ../shared/data/mnist           ENAS macro search (12 layers; final_arch.json,\n"
        + "                                                      network.svg/png: the layer graph)\n"
        + "  jnas search --verify 8 --check-ranking 20                         does the search work? from-scratch checks\n"
        + "  jnas search --resume runs/search-20261123-0101\n";
  }

  @Override
  public int run(Options.Parsed a, PrintStream out) throws Exception {
    io.jnas.backend.Backends.info();  // applies -Djnas.threads, logs the backend once
    if ("darts".equals(a.string("space"))) return runDarts(a, out);
    if (a.has("method") || a.has("arch-lr")) throw new UsageException("search: --method and --arch-lr are for --space darts");
    EnasSearch search;
    Integer stopAfter = a.has("stop-after") ? a.integer("stop-after", 1) : null;
    int verify = a.has("verify") ? a.integer("verify", 1) : 0, ranking = a.has("check-ranking") ? a.integer("check-ranking", 3) : 0;
    int proxyRepeats = a.has("proxy-repeats") ? a.integer("proxy-repeats", 1) : 2;
    for (String k : PROXY_FLAGS) {
      if (a.has(k) && verify == 0 && ranking == 0) throw new UsageException("search: --" + k + " needs --verify or --check-ranking");
    }
    proxy(a, new io.jnas.multitrial.TrialSettings());  // bad --proxy-* values are refused before the search runs
    if (a.has("resume")) {
      for (String k : new String[] {"space", "preset", "out", "validation", "epochs", "steps-per-epoch", "batch", "warmup-epochs", "layers", "channels",
          "nodes", "lr-max", "lr-min", "lr-t0", "lr-tmul", "momentum", "l2", "grad-clip", "keep-prob", "controller-steps",
          "controller-aggregate", "controller-lr", "entropy-weight", "controller-hidden", "temperature", "controller-op-biases",
          "controller-baseline", "derive-every", "derive-samples", "derive-random", "derive-select-batches", "derive-heldout-batches", "derive-race", "seed",
          "supernet-reduce"}) {
        if (a.has(k)) throw new UsageException("search: --" + k + " cannot be combined with --resume (the run keeps its settings)");
      }
      search = EnasSearch.resume(a.path("resume"), a.has("data") ? a.string("data") : null, System.err);
    } else {
      SearchSettings s = settings(a);
      checkStop(stopAfter, s.child().epochs());
      checkVerify(verify + ranking, s);
      Path outDir = a.has("out") ? a.path("out")
          : Path.of("runs", "search-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
      search = EnasSearch.start(s, outDir, System.err);
      out.println("jnas search: run folder " + outDir);
    }
    try (EnasSearch s = search) {
      int epochs = s.settings().child().epochs();
      checkStop(stopAfter, epochs);
      checkVerify(verify + ranking, s.settings());
      Map<String, Object> r = s.runUntil(stopAfter == null ? epochs : stopAfter);
      out.print(summary(r, s.path()));
      if (verify > 0) {
        if (r.get("found") == null) throw new UsageException("search: --verify: no architecture derived yet");
        out.println(s.verify(verify, proxy(a, s), proxyRepeats).get("summary"));
      }
      if (ranking > 0) out.println(s.checkRanking(ranking, proxy(a, s), proxyRepeats).get("summary"));
    }
    return 0;
  }

  /** {@code --space darts}: DARTS (first or second order) or GDAS on DARTS's cell space, ending in a genotype. */
  private static int runDarts(Options.Parsed a, PrintStream out) throws Exception {
    for (String k : new String[] {"preset", "resume", "stop-after", "steps-per-epoch", "warmup-epochs", "lr-t0", "lr-tmul", "keep-prob",
        "controller-steps", "controller-aggregate", "controller-lr", "entropy-weight", "controller-hidden", "temperature",
        "controller-op-biases", "controller-baseline", "supernet-reduce", "derive-every", "derive-samples", "derive-select-batches", "derive-race", "derive-heldout-batches", "derive-random", "verify", "check-ranking", "proxy-epochs",
        "proxy-repeats", "proxy-train-images", "proxy-val-images", "proxy-resolution", "proxy-layers", "proxy-channels", "validation"}) {
      if (a.has(k)) throw new UsageException("search: --" + k + " is not a setting of --space darts");
    }
    DartsSearch.Method method;
    try {
      method = DartsSearch.Method.of(a.has("method") ? a.string("method") : "darts-v1");
    } catch (IllegalArgumentException e) {
      throw new UsageException("search: --method: " + e.getMessage());
    }
    boolean quick = !a.has("data");
    String spec = RunDir.portableData(quick ? "synthetic" : a.string("data"));
    DataSource src = Datasets.open(spec);
    Dataset all = src.train();
    int half = all.size() / 2;
    if (quick) half = Math.min(half, 512);  // quick: a few minutes on 2 cores
    Dataset train = all.range(0, half), valid = all.range(half, 2 * half);
    int epochs = a.has("epochs") ? a.integer("epochs", 1) : quick ? 5 : 50;
    int batch = a.has("batch") ? a.integer("batch", 2) : quick ? 32 : 64;
    int channels = a.has("channels") ? a.integer("channels", 2) : quick ? 4 : 16;
    int layers = a.has("layers") ? a.integer("layers", 1) : quick ? 3 : 8;
    int nodes = a.has("nodes") ? a.integer("nodes", 1) : 4;
    long seed = a.has("seed") ? a.longValue("seed") : 0;
    if (channels % 2 != 0) throw new UsageException("search: --channels " + channels + ", expected an even number");
    if (nodes > 8) throw new UsageException("search: --nodes " + nodes + ", expected at most 8");
    if (train.size() < batch) throw new UsageException("search: --batch " + batch + " exceeds the training half (" + train.size() + " images)");
    DartsSearch.Config d = DartsSearch.Config.darts(method, epochs, batch, channels, layers, all.numClasses(), all.channels(), all.height(),
        all.width(), seed);
    DartsSearch.Config c = new DartsSearch.Config(method, epochs, batch, a.has("lr-max") ? a.number("lr-max", 1e-9, 10) : d.lr(),
        a.has("lr-min") ? a.number("lr-min", 0, 10) : d.lrMin(), a.has("momentum") ? a.number("momentum", 0, 0.999) : d.momentum(),
        a.has("l2") ? a.number("l2", 0, 1) : d.weightDecay(), a.has("grad-clip") ? a.number("grad-clip", 0, 1e9) : d.gradClip(),
        a.has("arch-lr") ? a.number("arch-lr", 1e-9, 10) : d.archLr(), d.archWeightDecay(), seed,
        new DartsSearchNetwork.Config(channels, layers, nodes, DartsSearchNetwork.DARTS_OPS, all.numClasses(), all.channels(),
            all.height(), all.width(), seed));
    if (c.lrMin() > c.lr()) throw new UsageException("search: --lr-min " + c.lrMin() + " exceeds --lr-max " + c.lr());
    Path outDir = a.has("out") ? a.path("out")
        : Path.of("runs", "search-" + method.token() + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    try (RunDir dir = RunDir.create(outDir, "search", System.err)) {
      out.println("jnas search: run folder " + outDir);
      System.err.printf(Locale.ROOT, "jnas search: %s on DARTS's cell space (C=%d, %d cells, %d nodes), %d epochs of %d + %d images (%s), batch %d%n",
          method.token(), channels, layers, nodes, epochs, train.size(), valid.size(), spec, batch);
      DartsSearch.Result r = DartsSearch.run(c, train, valid, src.trainAugmentation(), line -> {
        System.err.println("jnas search: " + line);
      });
      Map<String, Object> json = new java.util.LinkedHashMap<>();
      json.put("command", "search --space darts");
      json.put("data", spec);
      json.put("train_images", train.size());
      json.put("valid_images", valid.size());
      json.put("version", Main.version());
      json.putAll(DartsSearch.toJson(r, c));
      dir.writeString("search.json", io.jnas.util.Json.pretty(json));
      dir.writeString("genotype.json", r.genotype().toJson());
      io.jnas.plot.CellPicture.writePng(io.jnas.enas.CellDiagram.graph(r.genotype(), false, method.token() + ": normal cell"),
          dir.file("normal.png"));
      io.jnas.plot.CellPicture.writePng(io.jnas.enas.CellDiagram.graph(r.genotype(), true, method.token() + ": reduction cell"),
          dir.file("reduce.png"));
      out.println("jnas search: " + method.token() + " found (DARTS genotype): " + r.genotype());
      out.printf(Locale.ROOT, "jnas search: %.0f s; results in %s (genotype.json, search.json, normal.png, reduce.png)%n", r.seconds(), outDir);
      out.println("next: jnas train --genotype " + outDir.resolve("genotype.json") + (quick ? "" : " --data " + spec) + " --out runs/train-"
          + method.token());
    }
    return 0;
  }

  /** The flags that shape the from-scratch trainings of --verify and --check-ranking. */
  private static final String[] PROXY_FLAGS = {"proxy-epochs", "proxy-repeats", "proxy-train-images", "proxy-val-images",
      "proxy-resolution", "proxy-layers", "proxy-channels"};

  /**
   * The proxy trainer's settings for --verify and --check-ranking: the search's data, space and
   * seed ({@link EnasSearch#proxySettings}) with the --proxy-* flags given. They are not part of
   * the run's settings: a resumed run may check with another schedule.
   */
  private static io.jnas.multitrial.TrialSettings proxy(Options.Parsed a, EnasSearch s) {
    return proxy(a, s.proxySettings(a.has("proxy-epochs") ? a.integer("proxy-epochs", 1) : 4));
  }

  /** Sets the --proxy-* flags given on {@code t} and checks the result (also called on defaults before the search starts). */
  private static io.jnas.multitrial.TrialSettings proxy(Options.Parsed a, io.jnas.multitrial.TrialSettings t) {
    if (a.has("proxy-epochs")) t.epochs = a.integer("proxy-epochs", 1);
    if (a.has("proxy-train-images")) t.trainSubset = a.integer("proxy-train-images", 0);
    if (a.has("proxy-val-images")) t.valSubset = a.integer("proxy-val-images", 0);
    if (a.has("proxy-resolution")) {
      String r = a.string("proxy-resolution");
      if (r.equals("full")) {
        t.resolution = 0;
      } else {
        try {
          t.resolution = Integer.parseInt(r.trim());
        } catch (NumberFormatException e) {
          t.resolution = -1;
        }
        if (t.resolution < 4) throw new UsageException("search: --proxy-resolution is '" + r + "', expected full or an image side of at least 4");
      }
    }
    if (a.has("proxy-layers")) t.layers = a.integer("proxy-layers", 1);
    if (a.has("proxy-channels")) t.channels = a.integer("proxy-channels", 2);
    try {
      return t.check();
    } catch (IllegalArgumentException e) {
      throw new UsageException("search: proxy training: " + e.getMessage());
    }
  }

  private static void checkVerify(int wanted, SearchSettings s) {
    if (wanted > 0 && s.net().macro()) {
      throw new UsageException("search: --verify and --check-ranking need a cell space (enas-micro, nasnet, amoebanet, nasnet-combine; not wired to the macro space yet)");
    }
  }

  private static void checkStop(Integer stopAfter, int epochs) {
    if (stopAfter != null && stopAfter > epochs) {
      throw new UsageException("search: --stop-after " + stopAfter + " exceeds the run's " + epochs
          + " epochs; a run's length is fixed when it starts");
    }
  }

  /** The summary printed after a search: what was found, how it compares, what to do next (from result.json's fields). */
  static String summary(Map<String, Object> r, Path run) {
    StringBuilder sb = new StringBuilder();
    int done = ((Number) r.get("epochs_done")).intValue(), epochs = ((Number) r.get("epochs")).intValue();
    sb.append("jnas search: ").append(done).append('/').append(epochs).append(" epochs done in ").append(run)
        .append(done < epochs ? " (resume with: jnas search --resume " + run + ")" : "").append('\n');
    if (r.get("found") instanceof Map<?, ?> f) {
      boolean macro = SearchSettings.MACRO.equals(r.get("space"));
      String space = String.valueOf(r.get("space"));
      sb.append(macro ? "found network (ENAS macro string): " : space.equals(SearchSettings.MICRO) || r.get("space") == null
          ? "found cell (ENAS string): " : "found cell (" + space + " decision vector): ").append(f.get("arc")).append('\n');
      for (String line : String.valueOf(f.get("cell")).strip().split("\n")) sb.append("  ").append(line).append('\n');
      sb.append(String.format(Locale.ROOT, "held-out accuracy (shared weights, %d images): %.3f; mean of %d random "
          + (macro ? "networks" : "cells") + ":"
          + " %.3f; chance (1/%d classes): %.3f%n", ((Number) f.get("held_out_images")).longValue(),
          ((Number) f.get("held_out_accuracy")).doubleValue(), ((Number) f.get("random_cells")).intValue(),
          ((Number) f.get("random_mean_accuracy")).doubleValue(), ((Number) r.get("classes")).intValue(),
          ((Number) r.get("chance_accuracy")).doubleValue()));
      if (f.get("rank_among_random") instanceof Number k) {
        int n = ((Number) f.get("random_cells")).intValue();
        sb.append(String.format(Locale.ROOT, "rank among the %d random " + (macro ? "networks" : "cells") + " and itself: %d of %d"
            + " (better than %.0f%% of them)%n", n, k.intValue(), n + 1, 100 * ((Number) f.get("beats_random_fraction")).doubleValue()));
      }
    }
    sb.append(r.get("meaning")).append('\n');
    if (r.get("train_command") != null && SearchSettings.MACRO.equals(r.get("space"))) {
      sb.append("next, train the found network from scratch (ENAS's final training of its macro network: 310 epochs at 96"
          + " channels; the defaults are a 10-epoch first look at 24 channels):\n  ").append(r.get("train_command")).append('\n');
    } else if (r.get("train_command") != null) {
      sb.append("next, train the found cell from scratch (ENAS's final training: 630 epochs of 15 layers x 36 channels;"
          + " add e.g. --epochs 10 --layers 6 --channels 16 for a first look):\n  ").append(r.get("train_command")).append('\n');
    }
    return sb.toString();
  }

  static SearchSettings settings(Options.Parsed a) {
    String preset = a.has("preset") ? a.choice("preset", "enas", "quick") : (a.has("data") ? "enas" : "quick");
    String space = a.has("space") ? a.choice("space", SearchSettings.SPACES.toArray(String[]::new)) : SearchSettings.MICRO;
    boolean macro = space.equals(SearchSettings.MACRO);
    if (macro && a.has("nodes")) throw new UsageException("search: --nodes applies to the cell spaces only (enas-macro has layers: --layers)");
    if (a.has("controller-op-biases") && !space.equals(SearchSettings.MICRO)) {
      throw new UsageException("search: --controller-op-biases applies to --space enas-micro only (ENAS's biases favour its own two separable convs; --space " + space + " has none)");
    }
    String data = a.has("data") ? a.string("data") : "synthetic";
    SearchSettings s = preset.equals("enas") ? (macro ? SearchSettings.enasMacro(data) : SearchSettings.enas(data))
        : (macro ? SearchSettings.quickMacro() : SearchSettings.quick());
    if (a.has("data")) s = s.withData(a.string("data"), a.has("validation") ? a.integer("validation", 0) : -1);
    else if (a.has("validation")) s = s.withData(s.data(), a.integer("validation", 0));
    SearchSettings.Net n = s.net();
    boolean strided = a.has("supernet-reduce")
        && a.choice("supernet-reduce", SearchSettings.ENAS_REDUCE, SearchSettings.STRIDED).equals(SearchSettings.STRIDED);
    if (strided && macro) throw new UsageException("search: --supernet-reduce strided applies to the cell spaces; enas-macro has no reduction cells");
    s = s.withNet(new SearchSettings.Net(macro ? n.space() : space, intOr(a, "layers", n.layers(), macro ? 1 : 0), intOr(a, "channels", n.channels(), 2),
        intOr(a, "nodes", n.nodes(), 1), strided));
    SearchSettings.Child c = s.child();
    CosineSchedule lr = c.lr();
    // quick is one cosine period over the whole run, whatever its --epochs
    int t0 = preset.equals("quick") && !a.has("lr-t0") ? intOr(a, "epochs", c.epochs(), 1) : intOr(a, "lr-t0", lr.t0(), 1);
    lr = new CosineSchedule(numOr(a, "lr-max", lr.max()), numOr(a, "lr-min", lr.min()), t0, intOr(a, "lr-tmul", lr.tMul(), 1));
    int epochs = intOr(a, "epochs", c.epochs(), 1);
    // the preset's warm-up keeps its share of the epochs unless given
    int warmup = a.has("warmup-epochs") ? a.integer("warmup-epochs", 0) : c.withEpochs(epochs).warmup();
    if (warmup >= epochs) {
      throw new UsageException("search: --warmup-epochs " + warmup + " leaves no epoch of search in " + epochs + " epochs; expected fewer than --epochs");
    }
    if (warmup > 0 && macro) throw new UsageException("search: --warmup-epochs applies to the cell spaces only");
    s = s.withChild(new SearchSettings.Child(intOr(a, "batch", c.batch(), 2), epochs, lr,
        numOr(a, "momentum", c.momentum()), numOr(a, "l2", c.l2()), numOr(a, "grad-clip", c.gradClip()),
        numOr(a, "keep-prob", c.keepProb()), intOr(a, "steps-per-epoch", c.stepsPerEpoch(), 0), warmup));
    SearchSettings.Controller k = s.controller();
    ControllerConfig cc = k.config().withHidden(intOr(a, "controller-hidden", k.config().hidden(), 1))
        .withTemperature(numOr(a, "temperature", k.config().temperature()));
    ReinforceConfig rc = k.reinforce().withAggregate(intOr(a, "controller-aggregate", k.reinforce().aggregate(), 1))
        .withLearningRate(numOr(a, "controller-lr", k.reinforce().learningRate()))
        .withEntropyWeight(numOr(a, "entropy-weight", k.reinforce().entropyWeight()));
    boolean biases = a.has("controller-op-biases") ? a.choice("controller-op-biases", "on", "off").equals("on") : k.opBiases();
    boolean batchBaseline = a.has("controller-baseline")
        ? a.choice("controller-baseline", SearchSettings.Controller.MOVING, SearchSettings.Controller.BATCH).equals(SearchSettings.Controller.BATCH)
        : k.batchBaseline();
    if (batchBaseline && rc.aggregate() < 2) {
      throw new UsageException(a.has("controller-baseline")
          ? "search: --controller-baseline batch needs at least 2 samples a controller step, got --controller-aggregate " + rc.aggregate()
          : "search: --controller-aggregate " + rc.aggregate() + " leaves the preset's batch baseline no other sample to compare with;"
              + " expected 2 or more, or add --controller-baseline moving");
    }
    s = s.withController(new SearchSettings.Controller(cc, rc, intOr(a, "controller-steps", k.steps(), 0), biases, batchBaseline));
    boolean halving = a.has("derive-race") ? a.choice("derive-race", "fifth", "halving").equals("halving") : s.derive().halving();
    s = s.withDerive(new SearchSettings.Derive(intOr(a, "derive-every", s.derive().every(), 1),
        intOr(a, "derive-samples", s.derive().samples(), 1), intOr(a, "derive-random", s.derive().random(), 1),
        intOr(a, "derive-select-batches", s.derive().selectBatches(), 1), intOr(a, "derive-heldout-batches", s.derive().heldOutBatches(), 1),
        halving));
    if (a.has("seed")) s = s.withSeed(a.longValue("seed"));
    return s;
  }

  private static int intOr(Options.Parsed a, String k, int dflt, int min) {
    return a.has(k) ? a.integer(k, min) : dflt;
  }

  private static double numOr(Options.Parsed a, String k, double dflt) {
    return a.has(k) ? a.number(k, -1e9, 1e9) : dflt;
  }
}
