package io.jnas.cli;

import io.jnas.nasbench.BenchmarkReport;
import io.jnas.nasbench.BenchmarkResult;
import io.jnas.nasbench.BenchmarkRunner;
import io.jnas.nasbench.NasBench201Table;
import io.jnas.nasbench.Nb201Dataset;
import io.jnas.nasbench.ReportTable;
import io.jnas.search.RunLock;
import io.jnas.strategy.Strategies;
import io.jnas.strategy.StrategyFactory;
import io.jnas.strategy.StrategyParams;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code jnas bench}: strategies against the NAS-Bench-201 table, K queries x R seeds, with a
 * run folder of results ({@code results.json}, {@code results.csv}, {@code table.md},
 * {@code best_so_far.png}).
 */
final class BenchCommand implements Command {
  /** The strategies, by name; one more is one more entry in {@link Strategies#registry()}. */
  private final Map<String, StrategyFactory> registry = Strategies.registry();

  @Override
  public String name() {
    return "bench";
  }

  @Override
  public String summary() {
    return "run search strategies against the NAS-Bench-201 table and plot best-so-far accuracy";
  }

  @Override
  public Options options() {
    return new Options(name())
        .value("table", "PATH", "../shared/data/nas-bench-201/nb201_minibench_hp12.csv", "the NAS-Bench-201 CSV")
        .value("dataset", "NAME", "cifar10", "cifar10, cifar100 or imagenet16")
        .value("strategies", "LIST", "random,evolution,bo", "comma-separated, from: " + String.join(", ", registry.keySet()))
        .value("queries", "K", "300", "queries per run")
        .value("seeds", "R", "20", "runs per strategy (seeds first-seed .. first-seed+R-1)")
        .value("first-seed", "N", "0", "the first seed")
        .value("report-table", "PATH", null, "a second table in the same CSV format (e.g. longer-training test accuracies), "
            + "joined by cell string, used only to report the picks; the reward stays --table's validation accuracy")
        .value("out", "DIR", "runs/bench-<timestamp>", "run folder; must be absent or empty")
        .value("population", "P", String.valueOf(Strategies.DEFAULT_POPULATION), "evolution: population size")
        .value("tournament", "S", String.valueOf(Strategies.DEFAULT_TOURNAMENT), "evolution: tournament size")
        .flag("no-aging", "evolution: the worst dies instead of the oldest")
        .value("acquisition", "NAME", "thompson", "bo: thompson or ei")
        .value("ensemble", "N", "5", "bo: MLPs in the predictor ensemble")
        .value("steps", "N", "100", "bo: Adam steps per MLP per fit")
        .value("threads", "N", String.valueOf(Runtime.getRuntime().availableProcessors()), "worker threads (runs in parallel)");
  }

  @Override
  public String details() {
    return "The reward is the validation accuracy; the reported number is the test accuracy of the architecture\n"
        + "with the best validation accuracy found so far (and, with --report-table, that architecture's test accuracy in\n"
        + "the report table). results.json and results.csv hold every run's pick (cell string) after every query.\n"
        + "Each strategy's random stream is seeded from (strategy, seed), so strategies do not share first samples;\n"
        + "± is the sample standard deviation over seeds. Progress goes to standard error, one line per run.";
  }

  /** Strategy parameters as JSON values: integers and booleans as such. */
  private static Map<String, Object> typed(Map<String, String> hp) {
    Map<String, Object> m = new LinkedHashMap<>();
    hp.forEach((k, v) -> {
      if (v.equals("true") || v.equals("false")) m.put(k, Boolean.parseBoolean(v));
      else if (v.matches("-?\\d+")) m.put(k, Long.parseLong(v));
      else m.put(k, v);
    });
    return m;
  }

  @Override
  public int run(Options.Parsed a, PrintStream out) throws IOException, InterruptedException {
    Nb201Dataset dataset = Nb201Dataset.of(a.choice("dataset", "cifar10", "cifar100", "imagenet16"));
    List<String> strategies = new ArrayList<>();
    for (String s : a.string("strategies").split(",")) {
      s = s.trim();
      if (s.isEmpty()) continue;
      if (!registry.containsKey(s)) {
        throw new UsageException(name() + ": --strategies has '" + s + "', expected some of " + String.join(", ", registry.keySet()));
      }
      strategies.add(s);
    }
    if (strategies.isEmpty()) throw new UsageException(name() + ": --strategies is empty");
    int queries = a.integer("queries", 1);
    int seeds = a.integer("seeds", 1);
    long firstSeed = a.longValue("first-seed");
    int threads = a.integer("threads", 1);
    int population = a.integer("population", 1);
    int tournament = a.integer("tournament", 1);
    if (tournament > population) {
      throw new UsageException(name() + ": --tournament is " + tournament + ", expected at most --population (" + population + ")");
    }
    Map<String, String> hp = new LinkedHashMap<>();
    hp.put("population", String.valueOf(population));
    hp.put("tournament", String.valueOf(tournament));
    hp.put("aging", String.valueOf(!a.flag("no-aging")));
    hp.put("acquisition", a.choice("acquisition", "thompson", "ei"));
    hp.put("ensemble", String.valueOf(a.integer("ensemble", 1)));
    hp.put("steps", String.valueOf(a.integer("steps", 1)));

    Path table = a.path("table");
    if (!Files.isRegularFile(table)) throw new UsageException(name() + ": --table " + table + ": no such file");
    Path reportTable = a.has("report-table") ? a.path("report-table") : null;
    if (reportTable != null && !Files.isRegularFile(reportTable)) {
      throw new UsageException(name() + ": --report-table " + reportTable + ": no such file");
    }
    Path dir = a.has("out") ? a.path("out")
        : Path.of("runs", "bench-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    boolean existed = Files.exists(dir);
    RunLock lock = MultiTrialCommand.lockNew(dir, name());  // before any work: a held, full or unwritable --out fails now
    try {
      long t0 = System.nanoTime();
      NasBench201Table t;
      ReportTable report;
      try {
        t = NasBench201Table.load(table);
        report = reportTable == null ? null : ReportTable.load(reportTable, dataset);
      } catch (IOException | RuntimeException e) {  // a bad table: leave no folder behind
        MultiTrialCommand.abandon(lock, dir, existed);
        throw e;
      }
      System.err.printf(Locale.ROOT, "jnas bench: %s loaded in %.2f s; %d strategies x %d seeds x %d queries on %d threads%n",
          table, (System.nanoTime() - t0) / 1e9, strategies.size(), seeds, queries, threads);
      if (report != null) {
        System.err.printf(Locale.ROOT, "jnas bench: report table %s: %,d of %,d cells (used only to report the picks)%n", reportTable,
            report.covered(), NasBench201Table.SIZE);
      }
      long t1 = System.nanoTime();
      BenchmarkResult r = BenchmarkRunner.run(BenchmarkRunner.oracle(t, dataset), dataset, registry,
          new BenchmarkRunner.Config(strategies, queries, seeds, firstSeed, new StrategyParams(hp), threads),
          line -> System.err.println("jnas bench: " + line));
      if (report != null) r = r.withReport(report);
      double wall = (System.nanoTime() - t1) / 1e9;

      BenchmarkReport.Ceilings ceilings = BenchmarkReport.Ceilings.of(t, dataset, report);
      Map<String, Object> meta = new LinkedHashMap<>();
      meta.put("command", "bench");
      meta.put("table", table.toAbsolutePath().normalize().toString());
      meta.put("report_table", reportTable == null ? null : reportTable.toAbsolutePath().normalize().toString());
      meta.put("dataset", dataset.id());
      meta.put("strategies", strategies);
      meta.put("params", typed(hp));
      meta.put("first_seed", firstSeed);
      meta.put("threads", threads);
      meta.put("wall_seconds", wall);
      meta.put("oracle_best_test", ceilings.bestTest());
      meta.put("test_of_best_val", ceilings.reachableTest());
      meta.put("version", Main.version());
      BenchmarkReport.write(dir, r, meta, ceilings);
      out.print(BenchmarkReport.table(r, ceilings));
      out.printf(Locale.ROOT, "%nwall time %.1f s; results in %s%n", wall, dir);
    } finally {
      lock.close();
    }
    return 0;
  }
}
