package io.jnas.cli;

import io.jnas.data.Cifar10;
import io.jnas.data.DataSource;
import io.jnas.nasbench.BenchmarkReport;
import io.jnas.data.Dataset;
import io.jnas.nasbench.Nb201Network;
import io.jnas.nasbench.OneShot201;
import io.jnas.plot.LinePlot;
import io.jnas.nasbench.ProxyBenchmark;
import io.jnas.nasbench.ProxySearch;
import io.jnas.nasbench.ZeroCost;
import io.jnas.plot.ScatterPlot;
import io.jnas.util.AtomicFiles;
import io.jnas.util.Json;
import io.jnas.util.Progress;
import java.util.Arrays;
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
        .value("threads", "N", String.valueOf(Runtime.getRuntime().availableProcessors()), "worker threads (runs in parallel)")
        .value("proxies", "LIST", null, "instead of strategies: score cells with zero-cost proxies, from: synflow, naswot, "
            + "grad_norm, snip (or all), on real networks and a CIFAR-10 minibatch; reports each proxy's rank correlation "
            + "with the table and what a search that trusts it finds")
        .value("data", "DIR", "../shared/data/cifar-10-batches-bin", "proxies, method: the CIFAR-10 binary folder (the proxies' minibatch; the method's training images)")
        .value("sample", "N", "200", "proxies: cells scored (a uniform sample of the 15,625)")
        .value("top", "K", "10", "proxies: the proxy's best K cells are queried in the table; the best by validation is the pick")
        .value("batch", "B", "64", "proxies: images in the minibatch; method: images per step")
        .value("channels", "C", "16", "proxies, method: the network's first channels (NAS-Bench-201: 16)")
        .value("cells", "N", "5", "proxies, method: cells per stage (NAS-Bench-201: 5)")
        .value("seed", "S", "0", "proxies, method: draws the sample, the minibatch (the data order) and the initial weights")
        .flag("proxy-search", "instead of strategies: a training-free search: synflow on --sample cells (default: all 15,625), "
            + "NASWOT on the best --prefilter, the best --top by their vote queried in the table")
        .value("prefilter", "P", "500", "proxy-search: the best cells by synflow that NASWOT scores")
        .value("method", "NAME", null, "instead of strategies: a one-shot search on the NAS-Bench-201 search network, from: "
            + "rsps, enas, darts-v1, darts-v2, gdas (CIFAR-10 training images split in halves, as NB201 does); reports the "
            + "derived cell's table accuracy and the shared weights' rank correlation with the table")
        .value("epochs", "N", "10", "method: passes over the training half (NB201 publishes 50 for DARTS)")
        .value("rank-sample", "N", "200", "method: cells whose shared-weight accuracy is compared with the table")
        .value("train-images", "N", "0", "method: use only the first N of each half (0: all)")
        .value("rank-batches", "N", "2", "method: validation batches each rank-sample cell is scored on with the shared weights");
  }

  @Override
  public String details() {
    return "The reward is the validation accuracy; the reported number is the test accuracy of the architecture\n"
        + "with the best validation accuracy found so far (and, with --report-table, that architecture's test accuracy in\n"
        + "the report table). results.json and results.csv hold every run's pick (cell string) after every query.\n"
        + "Each strategy's random stream is seeded from (strategy, seed), so strategies do not share first samples;\n"
        + "± is the sample standard deviation over seeds. Progress goes to standard error, one line per run.\n\n"
        + "--proxies and --method replace the strategies: --proxies writes proxies.json (every sampled cell's scores and\n"
        + "accuracies, each proxy's Kendall tau and Spearman rho with the table, its picks), table.md and proxy-*.png;\n"
        + "--method writes oneshot.json (settings, the derived cell and its table accuracies, the rank correlations, alpha,\n"
        + "per-epoch history), table.md and derived.png. See docs/oneshot.md.\n\n"
        + "Examples:\n"
        + "  jnas bench --strategies random,evolution --queries 300 --seeds 20\n"
        + "  jnas bench --proxies all --sample 1000\n"
        + "  jnas bench --method darts-v1 --epochs 10 --train-images 5000 --channels 8 --cells 2";
  }

  /** {@code --method}: one one-shot search on the NB201 search network, checked against the table. */
  private int runOneShot(Options.Parsed a, PrintStream out) throws IOException {
    Nb201Dataset dataset = Nb201Dataset.of(a.choice("dataset", "cifar10", "cifar100", "imagenet16"));
    if (dataset != Nb201Dataset.CIFAR10) throw new UsageException(name() + ": --method searches on CIFAR-10 only (--dataset cifar10)");
    OneShot201.Method method;
    try {
      method = OneShot201.Method.of(a.string("method"));
    } catch (IllegalArgumentException e) {
      throw new UsageException(name() + ": --method: " + e.getMessage());
    }
    int epochs = a.integer("epochs", 1);
    int batch = a.integer("batch", 2);
    int channels = a.integer("channels", 1);
    int cells = a.integer("cells", 1);
    int rankSample = a.integer("rank-sample", 2);
    if (rankSample > NasBench201Table.SIZE) {
      throw new UsageException(name() + ": --rank-sample is " + rankSample + ", expected at most " + NasBench201Table.SIZE);
    }
    int trainImages = a.integer("train-images");
    if (trainImages < 0) throw new UsageException(name() + ": --train-images is " + trainImages + ", expected 0 (all) or more");
    long seed = a.longValue("seed");
    Nb201Run run = openNb201Run(a, dataset, "bench-" + method.token() + "-");
    Path table = run.tablePath(), data = run.data(), dir = run.dir();
    NasBench201Table t = run.table();
    DataSource src = run.src();
    ReportTable report = run.report();
    try {
      Dataset all = src.train();
      int half = all.size() / 2;
      Dataset trainHalf = all.range(0, half), validHalf = all.range(half, 2 * half);
      if (trainImages > 0) {
        if (trainImages > half) throw new UsageException(name() + ": --train-images is " + trainImages + ", expected at most " + half);
        trainHalf = trainHalf.range(0, trainImages);
        validHalf = validHalf.range(0, trainImages);
      }
      if (trainHalf.size() < batch) throw new UsageException(name() + ": --batch " + batch + " exceeds the training half (" + trainHalf.size() + ")");
      OneShot201.Config d = OneShot201.Config.of(method, epochs, channels, cells, seed);
      OneShot201.Config c = new OneShot201.Config(method, epochs, batch, d.lr(), d.lrMin(), d.weightDecay(), d.archLr(),
          d.archWeightDecay(), d.candidates(), d.controllerSteps(), rankSample, a.integer("rank-batches", 1), seed, d.network());
      System.err.printf(Locale.ROOT, "jnas bench: %s on the NB201 search network (C=%d, N=%d), %d epochs of %d + %d CIFAR-10 images, batch %d%n",
          method.token(), channels, cells, epochs, trainHalf.size(), validHalf.size(), batch);
      OneShot201.Result r = OneShot201.run(c, trainHalf, validHalf, src.trainAugmentation(), src.evalAugmentation(), t, dataset,
          line -> System.err.println("jnas bench: " + line));
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("command", "bench --method");
      json.put("table", table.toAbsolutePath().normalize().toString());
      json.put("data", data.toAbsolutePath().normalize().toString());
      json.put("train_images", trainHalf.size());
      json.put("valid_images", validHalf.size());
      json.put("version", Main.version());
      json.putAll(OneShot201.toJson(r, c));
      AtomicFiles.writeString(dir.resolve("oneshot.json"), Json.pretty(json) + "\n");
      String md = String.format(Locale.ROOT,
          "| method | derived cell | 12-epoch test %% | Kendall tau, shared weights (%d cells) | Spearman | Kendall tau, the method's own probabilities (all cells) | wall | budget |%n"
              + "|---|---|---:|---:|---:|---:|---:|---|%n"
              + "| %s | `%s` | %.2f | %.3f | %.3f | %s | %.0f s | %d epochs, C=%d, N=%d, %d+%d images, batch %d |%n%n"
              + "Random cell (mean of the rank sample): %.2f%%; best in the table: %.2f%%.%n",
          rankSample, method.token(), r.derived(), r.derivedTest(), r.kendallTau(), r.spearman(),
          Double.isFinite(r.policyTau()) ? String.format(Locale.ROOT, "%.3f", r.policyTau()) : "-", r.seconds(), epochs, channels, cells,
          trainHalf.size(), validHalf.size(), batch, r.randomMean(), t.bestTest(dataset));
      if (report != null) {
        double rt = report.test(r.derived().toString());
        json.put("report_table", a.path("report-table").toAbsolutePath().normalize().toString());
        json.put("report_derived_test", Double.isNaN(rt) ? null : rt);
        json.put("report_best_test", report.bestTest());
        md += String.format(Locale.ROOT, "In the report table (%s): the derived cell %s; best %.2f%%.%n", a.path("report-table"),
            Double.isNaN(rt) ? "is missing" : String.format(Locale.ROOT, "%.2f%%", rt), report.bestTest());
        AtomicFiles.writeString(dir.resolve("oneshot.json"), Json.pretty(json) + "\n");
      }
      AtomicFiles.writeString(dir.resolve("table.md"), md);
      if (method != OneShot201.Method.RSPS) {
        double[] ex = new double[r.epochs().size()], ey = new double[ex.length];
        for (int i = 0; i < ex.length; i++) {
          ex[i] = r.epochs().get(i).epoch();
          ey[i] = r.epochs().get(i).derivedTest();
        }
        String what = method == OneShot201.Method.ENAS ? "the controller's most likely cell" : "per edge the op of the largest alpha";
        new LinePlot(method.token() + ": " + what + ", after each epoch", "epoch", "12-epoch test accuracy (%)")
            .series(method == OneShot201.Method.ENAS ? "controller's mode" : "argmax alpha", ex, ey, null, null).markers()
            .hline("final pick", r.derivedTest()).hline("random cell (mean)", r.randomMean()).integerX()
            .writePng(dir.resolve("derived.png"), 720, 480);
      }
      out.print(md);
      out.printf(Locale.ROOT, "%nresults in %s (oneshot.json, table.md%s)%n", dir, method != OneShot201.Method.RSPS ? ", derived.png" : "");
    } finally {
      run.lock().close();
    }
    return 0;
  }

  /** {@code --proxy-search}: synflow on many cells, NASWOT on the best, the vote's best queried. */
  private int runProxySearch(Options.Parsed a, PrintStream out) throws IOException {
    Nb201Dataset dataset = Nb201Dataset.of(a.choice("dataset", "cifar10", "cifar100", "imagenet16"));
    int cells = a.has("sample") ? a.integer("sample", 2) : NasBench201Table.SIZE;
    if (cells > NasBench201Table.SIZE) throw new UsageException(name() + ": --sample is " + cells + ", expected at most " + NasBench201Table.SIZE);
    int prefilter = a.integer("prefilter", 1);
    if (prefilter > cells) throw new UsageException(name() + ": --prefilter is " + prefilter + ", expected at most --sample (" + cells + ")");
    int top = a.integer("top", 1);
    if (top > prefilter) throw new UsageException(name() + ": --top is " + top + ", expected at most --prefilter (" + prefilter + ")");
    int batch = a.integer("batch", 2);
    int channels = a.integer("channels", 1);
    int cellsPerStage = a.integer("cells", 1);
    long seed = a.longValue("seed");
    Nb201Run run = openNb201Run(a, dataset, "bench-proxy-search-");
    Path table = run.tablePath(), data = run.data(), dir = run.dir();
    NasBench201Table t = run.table();
    DataSource src = run.src();
    ReportTable report = run.report();
    try {
      ProxySearch.Config c = new ProxySearch.Config(cells, prefilter, top, batch, seed,
          new Nb201Network.Config(null, channels, cellsPerStage, 10, 3, 32, 32, true, seed));
      Progress[] bars = {new Progress(System.err, "jnas bench: synflow", cells, "cell"), null};
      ProxySearch.Result r = ProxySearch.run(c, t, dataset, src.train(), src.normalization(), (stage, done, of) -> {
        if (stage == 2 && bars[1] == null) bars[1] = new Progress(System.err, "jnas bench: naswot", prefilter, "cell");  // its own clock
        bars[stage - 1].update(done, done, null);
      });
      String md = ProxySearch.summary(r, c);
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("command", "bench --proxy-search");
      json.put("table", table.toAbsolutePath().normalize().toString());
      json.put("data", data.toAbsolutePath().normalize().toString());
      json.put("dataset", dataset.id());
      json.put("cells", cells);
      json.put("prefilter", prefilter);
      json.put("top", top);
      json.put("batch", batch);
      json.put("channels", channels);
      json.put("cells_per_stage", cellsPerStage);
      json.put("seed", seed);
      json.put("pick", r.pick().toString());
      json.put("pick_test", r.pickTest());
      json.put("pick_validation", r.pickValidation());
      json.put("synflow_seconds", r.synflowSeconds());
      json.put("naswot_seconds", r.naswotSeconds());
      json.put("random_top_k_test", r.randomTopK());
      json.put("random_top_k_test_sd", r.randomTopKSd());
      json.put("table_best_test", r.tableBestTest());
      json.put("reachable_test", r.reachableTest());
      if (report != null) {
        double rt = report.test(r.pick().toString());
        json.put("report_pick_test", Double.isNaN(rt) ? null : rt);
        md += String.format(Locale.ROOT, "In the report table (%s): the pick %s; best %.2f%%.%n", a.path("report-table"),
            Double.isNaN(rt) ? "is missing" : String.format(Locale.ROOT, "%.2f%%", rt), report.bestTest());
      }
      json.put("queried", r.queried());
      json.put("version", Main.version());
      AtomicFiles.writeString(dir.resolve("search.json"), Json.pretty(json) + "\n");
      AtomicFiles.writeString(dir.resolve("summary.md"), md);
      out.print(md);
      out.printf(Locale.ROOT, "results in %s (search.json, summary.md)%n", dir);
    } finally {
      run.lock().close();
    }
    return 0;
  }

  /**
   * What the table-checked modes (--method, --proxies, --proxy-search) start from: the checked
   * --table and --data, the locked run folder, the loaded table, data and report table.
   */
  private record Nb201Run(Path tablePath, Path data, Path dir, RunLock lock, NasBench201Table table, DataSource src, ReportTable report) {}

  /**
   * Checks --table, --data and --report-table, locks the run folder (--out, or runs/PREFIX-time)
   * and loads the table and the data; a failure leaves no folder behind.
   */
  private Nb201Run openNb201Run(Options.Parsed a, Nb201Dataset dataset, String prefix) throws IOException {
    Path table = a.path("table");
    if (!Files.isRegularFile(table)) throw new UsageException(name() + ": --table " + table + ": no such file");
    Path data = a.path("data");
    if (!Cifar10.recognises(data)) {
      throw new UsageException(name() + ": --data " + data + ": no CIFAR-10 binary files there (data_batch_*.bin)");
    }
    Path dir = a.has("out") ? a.path("out")
        : Path.of("runs", prefix + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    ReportTable report = reportTable(a, dataset);
    boolean existed = Files.exists(dir);
    RunLock lock = MultiTrialCommand.lockNew(dir, name());
    try {
      return new Nb201Run(table, data, dir, lock, NasBench201Table.load(table), Cifar10.open(data), report);
    } catch (IOException | RuntimeException e) {
      MultiTrialCommand.abandon(lock, dir, existed);
      throw e;
    }
  }

  /** {@code --report-table}, loaded, or null where not given (a missing file: exit 2). */
  private ReportTable reportTable(Options.Parsed a, Nb201Dataset dataset) throws IOException {
    if (!a.has("report-table")) return null;
    Path p = a.path("report-table");
    if (!Files.isRegularFile(p)) throw new UsageException(name() + ": --report-table " + p + ": no such file");
    return ReportTable.load(p, dataset);
  }

  /** {@code --proxies}: the zero-cost proxies' record on a sample of the table. */
  private int runProxies(Options.Parsed a, PrintStream out) throws IOException {
    Nb201Dataset dataset = Nb201Dataset.of(a.choice("dataset", "cifar10", "cifar100", "imagenet16"));
    List<ZeroCost.Proxy> proxies = new ArrayList<>();
    for (String s : a.string("proxies").split(",")) {
      s = s.trim();
      if (s.isEmpty()) continue;
      if (s.equals("all")) {
        for (ZeroCost.Proxy p : ZeroCost.Proxy.values()) if (!proxies.contains(p)) proxies.add(p);
        continue;
      }
      try {
        ZeroCost.Proxy p = ZeroCost.Proxy.of(s);
        if (!proxies.contains(p)) proxies.add(p);
      } catch (IllegalArgumentException e) {
        throw new UsageException(name() + ": --proxies: " + e.getMessage() + " (or all)");
      }
    }
    if (proxies.isEmpty()) throw new UsageException(name() + ": --proxies is empty");
    int sample = a.integer("sample", 2);
    if (sample > NasBench201Table.SIZE) {
      throw new UsageException(name() + ": --sample is " + sample + ", expected at most " + NasBench201Table.SIZE);
    }
    int top = a.integer("top", 1);
    if (top > sample) throw new UsageException(name() + ": --top is " + top + ", expected at most --sample (" + sample + ")");
    int batch = a.integer("batch", 2);
    int channels = a.integer("channels", 1);
    int cells = a.integer("cells", 1);
    long seed = a.longValue("seed");
    Nb201Run run = openNb201Run(a, dataset, "bench-proxies-");
    Path table = run.tablePath(), data = run.data(), dir = run.dir();
    NasBench201Table t = run.table();
    DataSource src = run.src();
    ReportTable report = run.report();
    try {
      Nb201Network.Config net = new Nb201Network.Config(null, channels, cells, 10, 3, 32, 32, true, seed);
      ProxyBenchmark.Config c = new ProxyBenchmark.Config(proxies, sample, top, batch, seed, net);
      System.err.printf(Locale.ROOT, "jnas bench: %d proxies on %d sampled cells (C=%d, N=%d, batch %d of %s)%n", proxies.size(),
          sample, channels, cells, batch, data);
      Progress bar = new Progress(System.err, "jnas bench: proxies", sample, "cell");
      ProxyBenchmark.Result r = ProxyBenchmark.run(c, t, dataset, src.train(), src.normalization(),
          (done, all) -> bar.update(done, done, null));
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("command", "bench --proxies");
      json.put("table", table.toAbsolutePath().normalize().toString());
      json.put("data", data.toAbsolutePath().normalize().toString());
      json.put("version", Main.version());
      json.putAll(ProxyBenchmark.toJson(r, c));
      AtomicFiles.writeString(dir.resolve("proxies.json"), Json.pretty(json) + "\n");
      String md = ProxyBenchmark.table(r, c);
      if (report != null) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%nIn the report table (%s; best %.2f%%):%n%n"
            + "| proxy | Kendall tau | Spearman rho | top-1 cell test %% | best of top-%d test %% |%n|---|---:|---:|---:|---:|%n",
            a.path("report-table"), report.bestTest(), top));
        List<Object> rj = new ArrayList<>();
        for (int p = 0; p < proxies.size(); p++) {
          List<Double> xs = new ArrayList<>(), ys = new ArrayList<>();
          for (int i = 0; i < r.cells().size(); i++) {
            double v = report.test(r.cells().get(i).toString());
            if (Double.isNaN(v)) continue;
            double sc = r.scores()[i][p];
            xs.add(sc == Double.NEGATIVE_INFINITY ? -Double.MAX_VALUE : sc);
            ys.add(v);
          }
          double[] xa = xs.stream().mapToDouble(Double::doubleValue).toArray(), ya = ys.stream().mapToDouble(Double::doubleValue).toArray();
          ProxyBenchmark.ProxyResult pr = r.proxies().get(p);
          double tau = xa.length > 1 ? io.jnas.util.Ranks.kendallTau(xa, ya) : Double.NaN;
          double rho = xa.length > 1 ? io.jnas.util.Ranks.spearman(xa, ya) : Double.NaN;
          double t1 = report.test(pr.top1().toString()), tk = report.test(pr.topK().toString());
          sb.append(String.format(Locale.ROOT, "| %s | %.3f | %.3f | %.2f | %.2f |%n", proxies.get(p).token(), tau, rho, t1, tk));
          Map<String, Object> q = new LinkedHashMap<>();
          q.put("proxy", proxies.get(p).token());
          q.put("cells", xa.length);
          q.put("kendall_tau", Double.isFinite(tau) ? tau : null);
          q.put("spearman", Double.isFinite(rho) ? rho : null);
          q.put("top1_test", Double.isNaN(t1) ? null : t1);
          q.put("top_k_test", Double.isNaN(tk) ? null : tk);
          rj.add(q);
        }
        md += sb;
        json.put("report_table", a.path("report-table").toAbsolutePath().normalize().toString());
        json.put("report", rj);
        AtomicFiles.writeString(dir.resolve("proxies.json"), Json.pretty(json) + "\n");
      }
      AtomicFiles.writeString(dir.resolve("table.md"), md);
      for (int p = 0; p < proxies.size(); p++) {
        double[] x = new double[r.cells().size()];
        int k = 0;
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
          if (!Double.isFinite(r.scores()[i][p])) continue;
          x[k] = r.scores()[i][p];
          y[k++] = r.test()[i];
        }
        ProxyBenchmark.ProxyResult pr = r.proxies().get(p);
        new ScatterPlot(String.format(Locale.ROOT, "%s vs NB201 %s test accuracy (tau %.2f)", proxies.get(p).token(),
            dataset.id(), pr.kendallTau()), proxies.get(p).token() + " score", "12-epoch test accuracy (%)")
            .points("sampled cells", Arrays.copyOf(x, k), Arrays.copyOf(y, k))
            .writePng(dir.resolve("proxy-" + proxies.get(p).token() + ".png"), 720, 480);
      }
      out.print(md);
      out.printf(Locale.ROOT, "%nresults in %s (proxies.json, table.md, proxy-*.png)%n", dir);
    } finally {
      run.lock().close();
    }
    return 0;
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
    if (a.has("proxies") && a.has("method")) throw new UsageException(name() + ": --proxies and --method: give one");
    if (a.flag("proxy-search") && (a.has("proxies") || a.has("method"))) throw new UsageException(name() + ": --proxy-search stands alone (no --proxies, --method)");
    if (a.flag("proxy-search")) return runProxySearch(a, out);
    if (a.has("proxies")) return runProxies(a, out);
    if (a.has("method")) return runOneShot(a, out);
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
