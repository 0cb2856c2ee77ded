package io.jnas.nasbench;

import io.jnas.plot.LinePlot;
import io.jnas.util.AtomicFiles;
import io.jnas.util.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a benchmark's run folder, every file atomically: {@code results.json}
 * ({@link BenchmarkResult#toJson()} plus {@code meta}), {@code results.csv} (one row per
 * strategy, seed and query), {@code table.md} (mean ± std at the last query) and
 * {@code best_so_far.png} (mean test accuracy of the best-validation architecture against
 * queries, ±1 std shaded).
 */
public final class BenchmarkReport {
  private BenchmarkReport() {}

  /** File names written into the run folder. */
  public static final String JSON = "results.json", CSV = "results.csv", TABLE = "table.md", PLOT = "best_so_far.png";

  /**
   * Writes the four files into {@code dir}.
   *
   * @param meta extra fields for {@code results.json} (command line, table path, timings)
   * @param oracleTest the best test accuracy of any architecture, for the table's footnote (NaN to leave out)
   */
  public static void write(Path dir, BenchmarkResult result, Map<String, Object> meta, double oracleTest) throws IOException {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("meta", meta);
    json.putAll(result.toJson());
    AtomicFiles.writeString(dir.resolve(JSON), Json.pretty(json) + "\n");

    StringBuilder csv = new StringBuilder("strategy,seed,query,best_val,test_of_best_val\n");
    for (BenchmarkResult.StrategyRuns r : result.runs()) {
      for (int s = 0; s < r.test().length; s++) {
        for (int q = 0; q < result.queries(); q++) {
          csv.append(r.strategy()).append(',').append(result.seeds()[s]).append(',').append(q + 1).append(',')
              .append(String.format(Locale.ROOT, "%.4f,%.4f%n", r.validation()[s][q], r.test()[s][q]));
        }
      }
    }
    AtomicFiles.writeString(dir.resolve(CSV), csv.toString());
    AtomicFiles.writeString(dir.resolve(TABLE), table(result, oracleTest));

    int k = result.queries();
    double[] x = new double[k];
    for (int q = 0; q < k; q++) x[q] = q + 1;
    LinePlot plot = new LinePlot("NAS-Bench-201 " + result.dataset().id() + ": " + result.seeds().length + " seeds",
        "queries", "test accuracy of best-validation architecture (%)");
    double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
    int from = Math.min(k - 1, Math.max(0, k / 30)); // skip the first few queries' wide spread
    for (BenchmarkResult.StrategyRuns r : result.runs()) {
      double[] m = r.meanTest(), sd = r.stdTest(), a = new double[k], b = new double[k];
      for (int q = 0; q < k; q++) {
        a[q] = m[q] - sd[q];
        b[q] = m[q] + sd[q];
        if (q >= from) {
          lo = Math.min(lo, a[q]);
          hi = Math.max(hi, b[q]);
        }
      }
      plot.series(String.format(Locale.ROOT, "%s (%.2f ± %.2f)", r.strategy(), r.finalMean(), r.finalStd()), x, m, a, b);
    }
    if (Double.isFinite(oracleTest)) hi = Math.max(hi, oracleTest);
    double pad = (hi - lo) * 0.05;
    plot.yRange(lo - pad, hi + pad);
    plot.writePng(dir.resolve(PLOT), 900, 600);
  }

  /** The markdown table: strategy, mean ± std of the test accuracy at K, best-validation mean, time. */
  public static String table(BenchmarkResult result, double oracleTest) {
    int k = result.queries();
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "NAS-Bench-201, %s, %d queries x %d seeds: test accuracy (%%) of the architecture with the best "
        + "validation accuracy found, mean ± std over seeds.%n%n", result.dataset().id(), k, result.seeds().length));
    sb.append("| strategy | test acc at ").append(k).append(" | best val at ").append(k).append(" | seconds (summed over seeds) |\n");
    sb.append("| --- | --- | --- | --- |\n");
    for (BenchmarkResult.StrategyRuns r : result.runs()) {
      double[] vm = BenchmarkResult.mean(r.validation()), vs = BenchmarkResult.std(r.validation());
      sb.append(String.format(Locale.ROOT, "| %s | %.2f ± %.2f | %.2f ± %.2f | %.1f |%n", r.strategy(), r.finalMean(), r.finalStd(),
          vm[k - 1], vs[k - 1], r.seconds()));
    }
    if (Double.isFinite(oracleTest)) sb.append(String.format(Locale.ROOT, "%nBest test accuracy in the table: %.2f%%.%n", oracleTest));
    return sb.toString();
  }
}
