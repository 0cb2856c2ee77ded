package io.jnas.cli;

import io.jnas.data.DataSource;
import io.jnas.data.Datasets;
import io.jnas.enas.EnasMicroSpace;
import io.jnas.multitrial.EarlyStopping;
import io.jnas.multitrial.MultiTrialSearch;
import io.jnas.multitrial.ProxyTrainer;
import io.jnas.multitrial.TrialSettings;
import io.jnas.objective.Constraint;
import io.jnas.objective.Objective;
import io.jnas.search.RunDir;
import io.jnas.strategy.Strategies;
import io.jnas.strategy.Strategy;
import io.jnas.strategy.StrategyFactory;
import io.jnas.strategy.StrategyParams;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;

/**
 * {@code jnas multitrial}: multi-trial search over the ENAS micro space; every proposal is
 * trained for real with proxies ({@link ProxyTrainer}) and scored on validation images; writes
 * {@code trials.jsonl}, {@code pareto.json}, {@code pareto.png}, {@code summary.json}.
 */
final class MultiTrialCommand implements Command {
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
        .value("strategy", "NAME", d.strategy, "one of " + String.join(", ", registry.keySet()))
        .value("trials", "N", String.valueOf(d.trials), "trials proposed in all (rejected and failed ones count)")
        .value("parallel", "N", String.valueOf(d.parallel), "trials trained at once (each then uses one CPU kernel thread)")
        .value("epochs", "E", String.valueOf(d.epochs), "proxy training epochs per trial")
        .value("train-subset", "N", String.valueOf(d.trainSubset), "training images used, the same for every trial (0: all)")
        .value("val-subset", "N", String.valueOf(d.valSubset), "held-out validation images scored (0: all)")
        .value("resolution", "R|half|full", "half", "image side the data is resampled to (half: 32->16, 28->14)")
        .value("layers", "L", String.valueOf(d.layers), "cells of the proxy network, the two reductions included")
        .value("channels", "C", String.valueOf(d.channels), "channels of the first cells")
        .value("nodes", "B", String.valueOf(d.nodes), "nodes per cell of the ENAS micro space")
        .value("batch", "B", String.valueOf(d.batch), "minibatch size")
        .value("lr", "X", String.valueOf(d.lr), "peak learning rate (one cosine per trial, to 1% of it)")
        .value("early-stop", "RULE", d.earlyStopping.id(), "median, halving or none")
        .value("max-params", "N", null, "reject (untrained) architectures with more parameters")
        .value("max-flops", "N", null, "reject architectures with more forward FLOPs per image")
        .value("max-latency-ms", "X", null, "reject architectures slower than this per predict batch")
        .value("latency-batch", "N", String.valueOf(d.latencyBatch), "images per batch of the latency measurement")
        .value("population", "P", "10", "evolution: population size")
        .value("tournament", "S", "3", "evolution: tournament size")
        .value("seed", "S", String.valueOf(d.seed), "seed of the strategy, subsets, batches and weights")
        .value("out", "DIR", "runs/multitrial-<timestamp>", "run folder; must be absent or empty");
  }

  @Override
  public String details() {
    return "Each trial: decode the decision vector (ENAS integer string) to a genotype, build the network, measure\n"
        + "parameters, FLOPs and latency (reject on a --max-* constraint), train it from scratch on the proxy data and\n"
        + "report the validation accuracy to the strategy. A failing trial is recorded with its reason; the search goes on.\n"
        + "Outputs: trials.jsonl (one line per trial), pareto.json, pareto.png, summary.json; progress on standard error.\n\n"
        + "Examples:\n"
        + "  jnas multitrial                                       a couple of minutes on the synthetic data\n"
        + "  jnas multitrial --data ../shared/data/mnist --trials 24 --epochs 2 --train-subset 4000 --parallel 2\n";
  }

  @Override
  public int run(Options.Parsed a, PrintStream out) throws Exception {
    io.jnas.backend.Backends.info();  // applies -Djnas.threads, logs the backend once
    TrialSettings s = new TrialSettings();
    s.data = a.string("data");
    s.strategy = a.string("strategy");
    StrategyFactory factory = registry.get(s.strategy);
    if (factory == null) {
      throw new UsageException(name() + ": --strategy is '" + s.strategy + "', expected one of " + String.join(", ", registry.keySet()));
    }
    s.trials = a.integer("trials", 1);
    s.parallel = a.integer("parallel", 1);
    s.epochs = a.integer("epochs", 1);
    s.trainSubset = a.integer("train-subset", 0);
    s.valSubset = a.integer("val-subset", 0);
    s.layers = a.integer("layers", 1);
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
    if (Files.exists(dir)) {
      if (!Files.isDirectory(dir)) throw new UsageException(name() + ": --out " + dir + " is a file, expected a new folder");
      try (var st = Files.list(dir)) {
        if (st.findAny().isPresent()) throw new UsageException(name() + ": --out " + dir + " is not empty; refusing to overwrite it");
      }
    }
    DataSource src = Datasets.open(s.data);  // a bad --data fails here, before the folder exists
    if (res.equals("half")) s.resolution = Math.max(4, src.train().height() / 2);
    EnasMicroSpace space = new EnasMicroSpace(s.nodes);
    Strategy strategy = factory.create(space, s.seed, new StrategyParams(s.strategyParams));
    ProxyTrainer trainer = new ProxyTrainer(s, src, space);
    System.err.printf(Locale.ROOT, "jnas multitrial: %s; proxy: %d train and %d validation images at %dx%d%n", src.description(),
        trainer.trainSet().size(), trainer.validationSet().size(), trainer.trainSet().height(), trainer.trainSet().width());
    RunDir run = RunDir.create(dir);
    MultiTrialSearch.Outcome o = new MultiTrialSearch(s, space, strategy, trainer, run, System.err).run();
    Map<io.jnas.multitrial.TrialResult.Status, Integer> c = o.counts();
    out.printf(Locale.ROOT, "%s: %d trials (%d ok, %d stopped, %d failed, %d rejected) in %.1f s; ", dir, o.trials().size(),
        c.get(io.jnas.multitrial.TrialResult.Status.OK), c.get(io.jnas.multitrial.TrialResult.Status.STOPPED),
        c.get(io.jnas.multitrial.TrialResult.Status.FAILED), c.get(io.jnas.multitrial.TrialResult.Status.REJECTED), o.seconds());
    if (o.best() == null) {
      out.println("no trial trained to the end");
    } else {
      out.printf(Locale.ROOT, "best: trial %d, val acc %.4f, %,d params; Pareto front of %d%n", o.best().id(),
          o.best().accuracy(), o.best().params(), o.front().size());
    }
    return 0;
  }
}
