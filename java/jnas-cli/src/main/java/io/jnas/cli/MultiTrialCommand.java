package io.jnas.cli;

import io.jnas.data.DataSource;
import io.jnas.data.Datasets;
import io.jnas.multitrial.EarlyStopping;
import io.jnas.multitrial.MultiTrialSearch;
import io.jnas.multitrial.ProxyTrainer;
import io.jnas.multitrial.TrialExecutor;
import io.jnas.multitrial.TrialExecutorFactory;
import io.jnas.multitrial.TrialResult;
import io.jnas.multitrial.TrialSettings;
import io.jnas.objective.Constraint;
import io.jnas.objective.Objective;
import io.jnas.search.RunLock;
import io.jnas.space.SearchSpace;
import io.jnas.space.Spaces;
import io.jnas.strategy.Strategies;
import io.jnas.strategy.Strategy;
import io.jnas.strategy.StrategyFactory;
import io.jnas.strategy.StrategyParams;
import io.jnas.util.AtomicFiles;
import io.jnas.util.Json;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code jnas multitrial}: multi-trial search over a space ({@code --space}: ENAS micro, NASNet,
 * AmoebaNet, ENAS macro); every proposal is
 * trained for real with proxies ({@link ProxyTrainer}) and scored on validation images; writes
 * {@code trials.jsonl}, {@code pareto.json}, {@code pareto.png}, {@code summary.json}.
 */
final class MultiTrialCommand implements Command {
  /** The run's settings, written before the first trial; {@code --resume} reads them. */
  static final String CONFIG = "config.json";
  /**
   * Evolution's default population: smaller than the default 16 trials, so that a default run
   * evolves (trials 7 to 16 are mutations) in about 1.5 minutes on two cores.
   */
  static final int DEFAULT_POPULATION = 6;

  private final Map<String, StrategyFactory> registry = Strategies.registry();

  @Override
  public String name() {
    return "multitrial";
  }

  @Override
  public String summary() {
    return "multi-trial search: train each proposed architecture with proxies; Pareto front of accuracy and parameters";
  }

  @Override
  public Options options() {
    TrialSettings d = new TrialSettings();
    return new Options(name())
        .value("data", "DIR|synthetic", d.data, "data set folder (CIFAR-10 binary, MNIST idx) or synthetic[:...]")
        .value("space", "S", d.space, "search space: " + String.join(", ", Spaces.trialNames()) + " (jnas info --space S describes it)")
        .value("strategy", "NAME", d.strategy, "one of " + String.join(", ", registry.keySet()))
        .value("trials", "N", String.valueOf(d.trials), "trials proposed in all (rejected and failed ones count)")
        .value("parallel", "N", String.valueOf(d.parallel), "trials trained at once (each then uses one CPU kernel thread); with --executor spark: trials per round (default: local[N]'s N)")
        .value("executor", "NAME", d.executor, "where trials run: inprocess (threads of this process) or spark (Spark tasks; needs the jnas-spark module)")
        .value("master", "URL", null, "with --executor spark: the Spark master (local[2], local[2,3] for retries, spark://host:7077, yarn; default: spark-submit's)")
        .value("epochs", "E", String.valueOf(d.epochs), "proxy training epochs per trial")
        .value("train-subset", "N", String.valueOf(d.trainSubset), "training images used, the same for every trial (0: all)")
        .value("val-subset", "N", String.valueOf(d.valSubset), "held-out validation images scored (0: all)")
        .value("resolution", "R|half|full", "half", "image side the data is resampled to (half: 32->16, 28->14)")
        .value("layers", "L", String.valueOf(d.layers), "cells of the proxy network, the two reductions included; enas-macro: the space's layers (default 12)")
        .value("channels", "C", String.valueOf(d.channels), "channels of the first cells")
        .value("nodes", "B", String.valueOf(d.nodes), "nodes (blocks) per cell of the space")
        .value("batch", "B", String.valueOf(d.batch), "minibatch size")
        .value("lr", "X", String.valueOf(d.lr), "peak learning rate (one cosine per trial, to 1% of it)")
        .value("early-stop", "RULE", d.earlyStopping.id(), "median, halving or none")
        .value("max-params", "N", null, "reject (untrained) architectures with more parameters")
        .value("max-flops", "N", null, "reject architectures with more forward FLOPs per image")
        .value("max-latency-ms", "X", null, "reject architectures slower than this per predict batch")
        .value("latency-batch", "N", String.valueOf(d.latencyBatch), "images per batch of the latency measurement")
        .value("population", "P", String.valueOf(DEFAULT_POPULATION), "evolution: population size (the first P trials are random samples)")
        .value("tournament", "S", "3", "evolution: tournament size")
        .value("seed", "S", String.valueOf(d.seed), "seed of the strategy, subsets, batches and weights")
        .value("out", "DIR", "runs/multitrial-<timestamp>", "run folder; must be absent or empty")
        .value("resume", "DIR", null, "continue the interrupted run in DIR (its settings; only --data may be given, for moved data)");
  }

  @Override
  public String details() {
    return "Each trial: decode the decision vector (per cell and node: input1, op1, input2, op2) to a genotype of the\n"
        + "space (enas-micro: ENAS's 5 ops, unused states and inputs concatenated; nasnet: NASNet's 13 ops; amoebanet:\n"
        + "AmoebaNet's 8 ops; both concatenating the blocks no block reads; nasnet-combine: nasnet with a fifth decision per\n"
        + "block, its combiner, add or concat (NASNet's two; a concat block maps its 2C channels back to C with\n"
        + "ReLU-conv1x1-BN); enas-macro: ENAS's macro string, per layer\n"
        + "its op and skip bits), build the network, measure\n"
        + "parameters, FLOPs and latency (reject on a --max-* constraint), train it from scratch on the proxy data and\n"
        + "report the validation accuracy to the strategy. A failing trial is recorded with its reason; the search goes on.\n"
        + "Outputs: config.json (the settings), trials.jsonl (one line per trial), pareto.json, pareto.png, summary.json\n"
        + "(status running, interrupted or done); progress on standard error. A stopped run continues with\n"
        + "'jnas multitrial --resume DIR' and makes the trials an uninterrupted run would have made.\n\n"
        + "Examples:\n"
        + "  jnas multitrial                                       16 trials of evolution (6 random, then 10 mutations) on the\n"
        + "                                                        synthetic data: about 1.5 min on 2 cores\n"
        + "  jnas multitrial --data ../shared/data/mnist --trials 24 --epochs 2 --train-subset 4000 --parallel 2\n"
        + "  jnas multitrial --space nasnet --data ../shared/data/mnist --trials 12 --epochs 1 --train-subset 2000\n";
  }

  /** Flags that a resumed run refuses: it keeps its settings (only --data may change). */
  private static final List<String> FIXED_ON_RESUME = List.of("space", "strategy", "trials", "parallel", "executor", "epochs", "train-subset",
      "val-subset", "resolution", "layers", "channels", "nodes", "batch", "lr", "early-stop", "max-params", "max-flops",
      "max-latency-ms", "latency-batch", "population", "tournament", "seed", "out");

  @Override
  public int run(Options.Parsed a, PrintStream out) throws Exception {
    io.jnas.backend.Backends.info();  // applies -Djnas.threads, logs the backend once
    if (a.has("resume")) return resume(a, out);
    TrialSettings s = new TrialSettings();
    s.data = absoluteData(a.string("data"));
    s.space = a.string("space");
    if (!Spaces.trialNames().contains(s.space)) {
      throw new UsageException(name() + ": --space is '" + s.space + "', expected one of " + String.join(", ", Spaces.trialNames()));
    }
    s.strategy = a.string("strategy");
    StrategyFactory factory = registry.get(s.strategy);
    if (factory == null) {
      throw new UsageException(name() + ": --strategy is '" + s.strategy + "', expected one of " + String.join(", ", registry.keySet()));
    }
    s.trials = a.integer("trials", 1);
    s.executor = a.string("executor");
    TrialExecutorFactory remote = executorFactory(s.executor);
    if (a.has("master")) {
      if (remote == null) throw new UsageException(name() + ": --master is for --executor spark");
      s.master = a.string("master");
    }
    if (remote != null && !a.has("parallel")) {
      s.parallel = remote.parallelism(options(s)).orElseThrow(() -> new UsageException(name() + ": --executor " + s.executor
          + (s.master == null ? "" : " --master " + s.master) + ": give --parallel N (trials per round)"));
    } else {
      s.parallel = a.integer("parallel", 1);
    }
    s.epochs = a.integer("epochs", 1);
    s.trainSubset = a.integer("train-subset", 0);
    s.valSubset = a.integer("val-subset", 0);
    s.layers = s.space.equals("enas-macro") && !a.has("layers") ? io.jnas.enas.MacroArch.DEFAULT_LAYERS : a.integer("layers", 1);
    s.channels = a.integer("channels", 2);
    s.nodes = a.integer("nodes", 1);
    s.batch = a.integer("batch", 2);
    s.lr = a.number("lr", 1e-9, 10);
    s.earlyStopping = EarlyStopping.of(a.choice("early-stop", "median", "halving", "none"));
    if (a.has("max-params")) s.constraints.add(new Constraint(Objective.PARAMS, true, a.longValue("max-params")));
    if (a.has("max-flops")) s.constraints.add(new Constraint(Objective.FLOPS, true, a.number("max-flops", 1, 1e18)));
    if (a.has("max-latency-ms")) s.constraints.add(new Constraint(Objective.LATENCY, true, a.number("max-latency-ms", 1e-6, 1e9)));
    s.latencyBatch = a.integer("latency-batch", 1);
    int population = a.integer("population", 1);
    int tournament = a.integer("tournament", 1);
    if (tournament > population) {
      throw new UsageException(name() + ": --tournament is " + tournament + ", expected at most --population (" + population + ")");
    }
    s.strategyParams.put("population", String.valueOf(population));
    s.strategyParams.put("tournament", String.valueOf(tournament));
    s.seed = a.longValue("seed");
    String res = a.string("resolution");
    int fixedRes = res.equals("half") || res.equals("full") ? -1 : a.integer("resolution", 4);
    s.resolution = Math.max(fixedRes, 0);
    s.check();

    Path dir = a.has("out") ? a.path("out")
        : Path.of("runs", "multitrial-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    boolean existed = Files.exists(dir);
    RunLock lock = lockNew(dir, name());  // fails fast: a held, full or unwritable folder before any work
    try {
      DataSource src;
      SearchSpace<?> space;
      Strategy strategy;
      ProxyTrainer trainer;
      try {
        src = Datasets.open(s.data);
        if (res.equals("half")) s.resolution = Math.max(4, src.train().height() / 2);
        if (res.equals("full")) s.resolution = src.train().height();
        space = Spaces.trial(s.space, s.nodes, s.layers);
        strategy = factory.create(space, s.seed, new StrategyParams(s.strategyParams));
        trainer = new ProxyTrainer(s, src, space);
      } catch (RuntimeException e) {  // bad input: leave no folder behind
        abandon(lock, dir, existed);
        throw e;
      }
      writeConfig(dir, s);
      describe(src, trainer);
      MultiTrialSearch.Outcome o;
      try (TrialExecutor ex = remote == null ? null : remote.create(s, options(s))) {
        MultiTrialSearch search = new MultiTrialSearch(s, space, strategy, trainer, dir, System.err);
        if (ex != null) search.executor(ex);
        o = search.run();
      }
      report(dir, o, out);
    } finally {
      lock.close();
    }
    return 0;
  }

  /** {@code --resume DIR}: the run's settings from its config.json, the finished trials from trials.jsonl. */
  private int resume(Options.Parsed a, PrintStream out) throws Exception {
    for (String k : FIXED_ON_RESUME) {
      if (a.has(k)) throw new UsageException(name() + ": --" + k + " cannot be combined with --resume (the run keeps its settings; only --data may change)");
    }
    Path dir = a.path("resume");
    if (!Files.isDirectory(dir)) throw new UsageException(name() + ": --resume " + dir + ": no such run folder");
    Path config = dir.resolve(CONFIG), summary = dir.resolve(MultiTrialSearch.SUMMARY);
    if (!Files.isRegularFile(config) && !Files.isRegularFile(summary)) {
      throw new UsageException(name() + ": --resume " + dir + ": holds no " + CONFIG + " (not a multitrial run folder)");
    }
    try (RunLock lock = RunLock.acquire(dir, name() + " --resume", System.err)) {
      Map<String, Object> sum = Files.isRegularFile(summary) ? Json.parseObject(Files.readString(summary)) : Map.of();
      TrialSettings s;
      if (Files.isRegularFile(config)) {
        s = TrialSettings.fromMap(Json.parseObject(Files.readString(config)));
      } else if (sum.get("settings") instanceof Map<?, ?> m) {  // a run folder of an earlier version
        @SuppressWarnings("unchecked")
        Map<String, Object> settings = (Map<String, Object>) m;
        s = TrialSettings.fromMap(settings);
      } else {
        throw new UsageException(name() + ": --resume " + dir + ": holds no " + CONFIG + " (not a multitrial run folder)");
      }
      StrategyFactory factory = registry.get(s.strategy);
      if (factory == null) throw new UsageException(name() + ": " + config + ": strategy '" + s.strategy + "' is unknown");
      List<TrialResult> earlier = MultiTrialSearch.readTrials(dir);
      if ("done".equals(sum.get("status")) && earlier.size() >= s.trials) {
        out.printf(Locale.ROOT, "%s: the run is done (%d of %d trials); nothing to resume%n", dir, earlier.size(), s.trials);
        return 0;
      }
      boolean moved = a.has("data");
      if (moved) s.data = absoluteData(a.string("data"));
      TrialExecutorFactory remote = executorFactory(s.executor);
      if (a.has("master")) {
        if (remote == null) throw new UsageException(name() + ": --master is for a run with --executor spark");
        s.master = a.string("master");
      }
      DataSource src;
      try {
        src = Datasets.open(s.data);
      } catch (IllegalArgumentException e) {
        if (moved) throw e;
        throw new UsageException(name() + ": --resume " + dir + ": the run's data: " + e.getMessage()
            + " (moved? give its new place with --data DIR)");
      }
      if (moved || a.has("master") || !Files.isRegularFile(config)) writeConfig(dir, s);
      SearchSpace<?> space = Spaces.trial(s.space, s.nodes, s.layers);
      Strategy strategy = factory.create(space, s.seed, new StrategyParams(s.strategyParams));
      ProxyTrainer trainer = new ProxyTrainer(s, src, space);
      describe(src, trainer);
      double before = sum.get("wall_seconds") instanceof Number n ? n.doubleValue() : 0;
      MultiTrialSearch.Outcome o;
      try (TrialExecutor ex = remote == null ? null : remote.create(s, options(s))) {
        MultiTrialSearch search = new MultiTrialSearch(s, space, strategy, trainer, dir, System.err);
        if (ex != null) search.executor(ex);
        o = search.resume(earlier, before);
      }
      report(dir, o, out);
    }
    return 0;
  }

  /**
   * The factory of a remote executor, or null for {@code inprocess}.
   *
   * @throws UsageException where no module on the class path provides it
   */
  private TrialExecutorFactory executorFactory(String id) {
    if (id.equals("inprocess")) return null;
    TrialExecutorFactory f = TrialExecutorFactory.find(id);
    if (f != null) return f;
    if (id.equals("spark")) {
      throw new UsageException(name() + ": --executor spark needs the jnas-spark module and Spark on the class path: run"
          + " java/jnas-spark/bin/jnas-spark multitrial ..., or spark-submit --jars java/jnas-spark/target/jnas-spark.jar"
          + " --class io.jnas.cli.Main java/jnas-cli/target/jnas.jar multitrial ... (see the README)");
    }
    throw new UsageException(name() + ": --executor is '" + id + "', expected inprocess or spark");
  }

  private static Map<String, String> options(TrialSettings s) {
    Map<String, String> m = new LinkedHashMap<>();
    if (s.master != null) m.put("master", s.master);
    return m;
  }

  /** The data spec with a folder made absolute (so that the run folder works from anywhere); synthetic specs as given. */
  static String absoluteData(String spec) {
    String t = spec.trim();
    if (t.equals("synthetic") || t.startsWith("synthetic:")) return t;
    return Path.of(t).toAbsolutePath().normalize().toString();
  }

  /** Fails where {@code dir} is a file or a folder with anything but a lock file in it. */
  private static void checkNew(Path dir, String command) throws java.io.IOException {
    if (!Files.exists(dir)) return;
    if (!Files.isDirectory(dir)) throw new UsageException(command + ": --out " + dir + " is a file, expected a new folder");
    try (Stream<Path> st = Files.list(dir)) {
      if (st.anyMatch(p -> !p.getFileName().toString().equals(RunLock.FILE))) {
        throw new UsageException(command + ": --out " + dir + " is not empty; refusing to overwrite it");
      }
    }
  }

  /**
   * Takes the lock of a new run folder (creating it), then checks under the lock that it holds
   * nothing but the lock file: a second run on the folder is refused naming the holder, and a
   * folder a run has written into is never reused.
   *
   * @throws UsageException naming {@code --out} where the folder cannot be created or is not empty
   */
  static RunLock lockNew(Path dir, String command) throws java.io.IOException {
    RunLock lock;
    try {
      lock = RunLock.acquire(dir, command, System.err);
    } catch (java.nio.file.FileSystemException e) {
      String why = e.getReason() != null ? e.getReason()
          : e instanceof java.nio.file.AccessDeniedException ? "permission denied"
          : e instanceof java.nio.file.NoSuchFileException ? "no such folder"
          : e instanceof java.nio.file.FileAlreadyExistsException ? "a file is in the way"
          : e.getClass().getSimpleName();
      throw new UsageException(command + ": --out " + dir + ": cannot create the run folder (" + why
          + (e.getFile() != null ? ": " + e.getFile() : "") + ")");
    }
    try {
      checkNew(dir, command);
    } catch (RuntimeException | java.io.IOException e) {
      lock.close();
      throw e;
    }
    return lock;
  }

  /**
   * Gives up a new run folder before anything was written: where this run created it, deletes
   * the lock file (still holding the lock) and the folder if it is empty; releases the lock.
   */
  static void abandon(RunLock lock, Path dir, boolean existed) {
    try {
      if (!existed) Files.deleteIfExists(dir.resolve(RunLock.FILE));
      lock.close();
      if (!existed) Files.deleteIfExists(dir);
    } catch (java.io.IOException | RuntimeException e) {
      // best effort: an empty folder with a lock file may stay; a later run may use it
    }
  }

  private static void writeConfig(Path dir, TrialSettings s) throws java.io.IOException {
    Map<String, Object> m = new LinkedHashMap<>(s.toMap());
    m.put("version", Main.version());
    AtomicFiles.writeString(dir.resolve(CONFIG), Json.pretty(m) + "\n");
  }

  private static void describe(DataSource src, ProxyTrainer trainer) {
    System.err.printf(Locale.ROOT, "jnas multitrial: %s; proxy: %d train and %d validation images at %dx%d%n", src.description(),
        trainer.trainSet().size(), trainer.validationSet().size(), trainer.trainSet().height(), trainer.trainSet().width());
  }

  private static void report(Path dir, MultiTrialSearch.Outcome o, PrintStream out) {
    Map<TrialResult.Status, Integer> c = o.counts();
    out.printf(Locale.ROOT, "%s: %d trials (%d ok, %d stopped, %d failed, %d rejected) in %.1f s; ", dir, o.trials().size(),
        c.get(TrialResult.Status.OK), c.get(TrialResult.Status.STOPPED), c.get(TrialResult.Status.FAILED),
        c.get(TrialResult.Status.REJECTED), o.seconds());
    if (o.best() == null) {
      out.println("no trial trained to the end");
    } else {
      out.printf(Locale.ROOT, "best: trial %d, val acc %.4f, %,d params; Pareto front of %d%n", o.best().id(),
          o.best().accuracy(), o.best().params(), o.front().size());
    }
  }
}
