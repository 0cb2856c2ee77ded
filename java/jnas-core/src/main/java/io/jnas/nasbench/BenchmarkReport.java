package io.jnas.nasbench;

import io.jnas.plot.LinePlot;
import io.jnas.util.AtomicFiles;
import io.jnas.util.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a benchmark's run folder, every file atomically: {@code results.json}
 * ({@link BenchmarkResult#toJson()} plus {@code meta} and {@code ceilings}), {@code results.csv}
 * (one row per strategy, seed and query, with the architecture picked), {@code table.md} (mean
 * ± sample std at the last query, the ceilings) and {@code best_so_far.png} (mean test accuracy
 * of the best-validation architecture against queries, ±1 sample std shaded; the report
 * table's test accuracy where one is given).
 */
public final class BenchmarkReport {
  private BenchmarkReport() {}

  /** File names written into the run folder. */
  public static final String JSON = "results.json", CSV = "results.csv", TABLE = "table.md", PLOT = "best_so_far.png";

  /**
   * What the tables say beside the runs. NaN where unknown.
   *
   * @param table the main table's file name
   * @param bestTest the highest test accuracy of any cell
   * @param reachableTest the test accuracy of the cell with the best reward (validation
   *     accuracy): what a search that finds the best-rewarded cell reports
   * @param report the report table's file name, or null without one
   * @param reportCells cells the report table has
   * @param reportBestTest the report table's highest test accuracy
   * @param reportReachableTest the report table's test accuracy of the main table's best-rewarded cell
   */
  public record Ceilings(String table, double bestTest, double reachableTest, String report, int reportCells,
      double reportBestTest, double reportReachableTest) {
    /** The ceilings of {@code t} on {@code d}, with those of {@code report} (may be null). */
    public static Ceilings of(NasBench201Table t, Nb201Dataset d, ReportTable report) {
      String name = t.source() == null ? "table" : t.source().getFileName().toString();
      if (report == null) return new Ceilings(name, t.bestTest(d), t.testOfBestValidation(d), null, 0, Double.NaN, Double.NaN);
      return new Ceilings(name, t.bestTest(d), t.testOfBestValidation(d), report.source().getFileName().toString(),
          report.covered(), report.bestTest(), report.test(t.bestValidation(d)));
    }

    /** Only the main table's best test accuracy known (tests, synthetic oracles). */
    public static Ceilings best(double bestTest) {
      return new Ceilings("table", bestTest, Double.NaN, null, 0, Double.NaN, Double.NaN);
    }

    Map<String, Object> toJson() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("table", table);
      m.put("best_test", bestTest);
      m.put("reachable_test", reachableTest);
      if (report != null) {
        m.put("report_table", report);
        m.put("report_cells", reportCells);
        m.put("report_best_test", reportBestTest);
        m.put("report_reachable_test", reportReachableTest);
      }
      return m;
    }
  }

  /**
   * Writes the four files into {@code dir}.
   *
   * @param meta extra fields for {@code results.json} (command line, table path, timings)
   */
  public static void write(Path dir, BenchmarkResult result, Map<String, Object> meta, Ceilings ceilings) throws IOException {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("meta", meta);
    json.put("ceilings", ceilings.toJson());
    json.putAll(result.toJson());
    AtomicFiles.writeString(dir.resolve(JSON), Json.pretty(json) + "\n");
    AtomicFiles.writeString(dir.resolve(CSV), csv(result));
    AtomicFiles.writeString(dir.resolve(TABLE), table(result, ceilings));
    plot(result, ceilings).plot().writePng(dir.resolve(PLOT), 900, 600);
  }

  /** One row per strategy, seed and query: the best validation accuracy so far, its test accuracy and the cell. */
  static String csv(BenchmarkResult result) {
    boolean report = result.runs().stream().anyMatch(r -> r.reportTest() != null);
    StringBuilder csv = new StringBuilder("strategy,seed,stream_seed,query,best_val,test_of_best_val,"
        + (report ? "report_test_of_best_val," : "") + "pick\n");
    for (BenchmarkResult.StrategyRuns r : result.runs()) {
      for (int s = 0; s < r.test().length; s++) {
        for (int q = 0; q < result.queries(); q++) {
          csv.append(r.strategy()).append(',').append(result.seeds()[s]).append(',').append(r.streamSeeds()[s]).append(',')
              .append(q + 1).append(',').append(String.format(Locale.ROOT, "%.4f,%.4f,", r.validation()[s][q], r.test()[s][q]));
          if (report) {
            double v = r.reportTest() == null ? Double.NaN : r.reportTest()[s][q];
            csv.append(Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.4f", v)).append(',');
          }
          csv.append(r.picks()[s][q]).append('\n');
        }
      }
    }
    return csv.toString();
  }

  /** Number of first queries left out when the y range of the plot is chosen: 10% of them. */
  static int skipped(int k) {
    return Math.min(k - 1, (k + 9) / 10);
  }

  /**
   * The plot, with the reachable ceiling as a line. Its y range spans every curve and band from
   * query {@link #skipped} + 1 on (the first queries' wide spread left out) and the ceiling,
   * but reaches at most four times the distance from the median final mean to the top below
   * that median: a curve far below the others (grid search, whose enumeration starts with
   * cells that have no path from input to output, at 10% accuracy, and moves slowly) does not
   * squeeze the rest; it is cut off there, and the x label says so, naming a curve that ends
   * below the cut.
   */
  static Figure plot(BenchmarkResult result, Ceilings c) {
    int k = result.queries();
    boolean given = result.runs().stream().anyMatch(r -> r.reportTest() != null);
    boolean report = given && result.runs().stream().allMatch(r -> r.reportTest() != null && complete(r.reportTest()));
    double[] x = new double[k];
    for (int q = 0; q < k; q++) x[q] = q + 1;
    double ceiling = report ? c.reportReachableTest() : c.reachableTest();
    double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY, lowest = Double.POSITIVE_INFINITY;
    int from = skipped(k);
    record Curve(String strategy, String label, double[] m, double[] a, double[] b) {}
    List<Curve> curves = new ArrayList<>();
    List<Double> finals = new ArrayList<>();
    for (BenchmarkResult.StrategyRuns r : result.runs()) {
      double[][] rows = report ? r.reportTest() : r.test();
      double[] m = BenchmarkResult.mean(rows), sd = BenchmarkResult.std(rows);
      boolean band = rows.length > 1;
      double[] a = band ? new double[k] : null, b = band ? new double[k] : null;
      for (int q = 0; q < k; q++) {
        double l = band ? m[q] - sd[q] : m[q], h = band ? m[q] + sd[q] : m[q];
        if (band) {
          a[q] = l;
          b[q] = h;
        }
        lowest = Math.min(lowest, m[q]);
        if (q >= from) {
          lo = Math.min(lo, l);
          hi = Math.max(hi, h);
        }
      }
      finals.add(m[k - 1]);
      String label = band ? String.format(Locale.ROOT, "%s (%.2f ± %.2f)", r.strategy(), m[k - 1], sd[k - 1])
          : String.format(Locale.ROOT, "%s (%.2f)", r.strategy(), m[k - 1]);
      curves.add(new Curve(r.strategy(), label, m, a, b));
    }
    if (Double.isFinite(ceiling)) hi = Math.max(hi, ceiling);
    String xLabel = given && !report ? "queries (the report table lacks some picks: test accuracy of the main table shown)" : "queries";
    boolean range = Double.isFinite(lo) && Double.isFinite(hi);
    if (range) {
      finals.sort(null);
      int n = finals.size();
      double median = n % 2 == 1 ? finals.get(n / 2) : (finals.get(n / 2 - 1) + finals.get(n / 2)) / 2;
      double floor = median - 4 * Math.max(hi - median, 0.25);
      if (lo < floor) lo = floor;
      if (hi - lo < 1e-9) {
        lo -= 0.5;
        hi += 0.5;
      }
      double pad = (hi - lo) * 0.05;
      lo -= pad;
      hi += pad;
      if (lowest < lo) {
        List<String> below = new ArrayList<>();
        for (Curve cv : curves) {
          if (cv.m()[k - 1] < lo) below.add(String.format(Locale.ROOT, "%s, ending at %.2f", cv.strategy(), cv.m()[k - 1]));
        }
        xLabel = String.format(Locale.ROOT, "queries (y axis cut at %.2f%%; below it: %s)", lo,
            below.isEmpty() ? "the first queries" : "the first queries and " + String.join("; ", below));
      }
    }
    String what = report ? "report-table test accuracy" : "test accuracy";
    String title = String.format(Locale.ROOT, "NAS-Bench-201 on %s: %d seeds x %d queries", result.dataset().displayName(),
        result.seeds().length, k);
    LinePlot plot = new LinePlot(title, xLabel, what + " of best-validation architecture (%)");
    for (Curve cv : curves) plot.series(cv.label(), x, cv.m(), cv.a(), cv.b());
    if (Double.isFinite(ceiling)) {
      double[] line = new double[k];
      Arrays.fill(line, ceiling);
      plot.series(String.format(Locale.ROOT, "ceiling: %s of the best-validation cell (%.2f)", what, ceiling), x, line, null, null);
    }
    if (range) plot.yRange(lo, hi);
    plot.integerX();
    return new Figure(plot, title, xLabel, range ? lo : Double.NaN, range ? hi : Double.NaN);
  }

  /** The plot and what was chosen for it (for tests): title, x label, y range (NaN: automatic). */
  record Figure(LinePlot plot, String title, String xLabel, double yMin, double yMax) {}

  /**
   * The markdown table: strategy, mean ± sample std of the test accuracy at K (and of the
   * report table's), best-validation mean, time; the ceilings below.
   */
  public static String table(BenchmarkResult result, Ceilings c) {
    int k = result.queries();
    boolean report = result.runs().stream().anyMatch(r -> r.reportTest() != null);
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "NAS-Bench-201 (%s), %s, %d queries x %d seeds: test accuracy (%%) of the architecture with "
        + "the best validation accuracy (the reward) found, mean ± sample standard deviation over seeds (divisor R - 1).%n%n",
        c.table(), result.dataset().displayName(), k, result.seeds().length));
    sb.append("| strategy | test acc at ").append(k);
    if (report) sb.append(" | report-table test acc at ").append(k);
    sb.append(" | best val at ").append(k).append(" | seconds (summed over seeds) |\n");
    sb.append(report ? "| --- | --- | --- | --- | --- |\n" : "| --- | --- | --- | --- |\n");
    for (BenchmarkResult.StrategyRuns r : result.runs()) {
      sb.append("| ").append(r.strategy()).append(" | ").append(pm(r.meanTest(), r.stdTest()));
      if (report) {
        int missing = 0;
        if (r.reportTest() != null) for (double[] row : r.reportTest()) if (Double.isNaN(BenchmarkResult.last(row))) missing++;
        sb.append(" | ").append(r.reportTest() == null ? "n/a" : missing > 0
            ? String.format(Locale.ROOT, "n/a (%d of %d final picks not in the report table)", missing, r.reportTest().length)
            : pm(BenchmarkResult.mean(r.reportTest()), BenchmarkResult.std(r.reportTest())));
      }
      sb.append(" | ").append(pm(BenchmarkResult.mean(r.validation()), BenchmarkResult.std(r.validation())))
          .append(String.format(Locale.ROOT, " | %.1f |%n", r.seconds()));
    }
    sb.append('\n');
    if (Double.isFinite(c.bestTest())) {
      sb.append(String.format(Locale.ROOT, "Best test accuracy in %s: %.2f%%", c.table(), c.bestTest()));
      if (Double.isFinite(c.reachableTest())) {
        sb.append(String.format(Locale.ROOT, "; reachable ceiling (test accuracy of the cell with the best validation accuracy): %.2f%%",
            c.reachableTest()));
      }
      sb.append(".\n");
    }
    if (c.report() != null) {
      sb.append(String.format(Locale.ROOT, "Report table %s (%,d of %,d cells; used only to report the picks): best test accuracy %.2f%%; "
          + "reachable ceiling (its test accuracy of the cell with the best validation accuracy in %s): %s.%n", c.report(),
          c.reportCells(), NasBench201Table.SIZE, c.reportBestTest(), c.table(),
          Double.isFinite(c.reportReachableTest()) ? String.format(Locale.ROOT, "%.2f%%", c.reportReachableTest()) : "n/a (cell not in it)"));
    }
    sb.append("Each strategy's random stream is seeded from (strategy, seed) (results.json: stream_seeds), so strategies do not "
        + "share their first samples.\n");
    return sb.toString();
  }

  /** Whether no entry is NaN. */
  private static boolean complete(double[][] a) {
    for (double[] r : a) for (double v : r) if (Double.isNaN(v)) return false;
    return true;
  }

  /** "mean ± std" at the last query; the mean alone for one seed, n/a where unknown. */
  private static String pm(double[] mean, double[] std) {
    double m = BenchmarkResult.last(mean), s = BenchmarkResult.last(std);
    if (Double.isNaN(m)) return "n/a";
    return Double.isNaN(s) ? String.format(Locale.ROOT, "%.2f", m) : String.format(Locale.ROOT, "%.2f ± %.2f", m, s);
  }
}
