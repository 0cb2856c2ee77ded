package io.jnas.nasbench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The outcome of a tabular benchmark: for each strategy and seed, after each query, the
 * best validation accuracy found so far, the test accuracy of that architecture and the
 * architecture itself (its cell string), optionally with its test accuracy in a second,
 * report-only table.
 *
 * @param dataset the data set
 * @param queries K, the number of queries per run
 * @param seeds the seeds used, one run each
 * @param runs one entry per strategy, in the order run
 */
public record BenchmarkResult(Nb201Dataset dataset, int queries, long[] seeds, List<StrategyRuns> runs) {
  /**
   * The runs of one strategy.
   *
   * @param strategy the strategy's registry name
   * @param test {@code [seed][query]}: test accuracy of the best-validation architecture so far
   * @param validation {@code [seed][query]}: best validation accuracy so far
   * @param picks {@code [seed][query]}: the best-validation architecture so far, as its cell
   *     string (e.g. {@code |nor_conv_3x3~0|+|...|})
   * @param streamSeeds {@code [seed]}: the seed the strategy was built with for that run
   *     ({@link BenchmarkRunner#streamSeed})
   * @param seconds wall time of all its runs together (summed over threads)
   * @param reportTest {@code [seed][query]}: the report table's test accuracy of the pick (NaN
   *     where the report table lacks the cell), or null without a report table
   */
  public record StrategyRuns(String strategy, double[][] test, double[][] validation, String[][] picks, long[] streamSeeds,
      double seconds, double[][] reportTest) {
    /** Mean over seeds of the test curve, per query. */
    public double[] meanTest() {
      return mean(test);
    }

    /** Sample standard deviation over seeds (divisor R - 1; NaN for one seed) of the test curve, per query. */
    public double[] stdTest() {
      return std(test);
    }

    /** Mean of the test accuracy after the last query. */
    public double finalMean() {
      return last(meanTest());
    }

    /** Sample standard deviation of the test accuracy after the last query. */
    public double finalStd() {
      return last(stdTest());
    }

    /** These runs with the report table's test accuracy of each pick. */
    public StrategyRuns withReport(double[][] report) {
      return new StrategyRuns(strategy, test, validation, picks, streamSeeds, seconds, report);
    }
  }

  /** The last entry. */
  static double last(double[] a) {
    return a[a.length - 1];
  }

  /** Mean over the rows, per column. */
  static double[] mean(double[][] a) {
    double[] m = new double[a[0].length];
    for (double[] r : a) for (int q = 0; q < m.length; q++) m[q] += r[q] / a.length;
    return m;
  }

  /** Sample standard deviation over the rows (divisor n - 1), per column; NaN for one row. */
  static double[] std(double[][] a) {
    double[] m = mean(a), s = new double[m.length];
    if (a.length < 2) {
      java.util.Arrays.fill(s, Double.NaN);
      return s;
    }
    for (double[] r : a) for (int q = 0; q < m.length; q++) s[q] += (r[q] - m[q]) * (r[q] - m[q]) / (a.length - 1);
    for (int q = 0; q < s.length; q++) s[q] = Math.sqrt(s[q]);
    return s;
  }

  /** This result with each strategy's picks looked up in a report table. */
  public BenchmarkResult withReport(ReportTable report) {
    List<StrategyRuns> out = new ArrayList<>();
    for (StrategyRuns r : runs) {
      double[][] rt = new double[r.picks().length][queries];
      for (int s = 0; s < rt.length; s++) for (int q = 0; q < queries; q++) rt[s][q] = report.test(r.picks()[s][q]);
      out.add(r.withReport(rt));
    }
    return new BenchmarkResult(dataset, queries, seeds, out);
  }

  /**
   * The JSON form: {@code dataset, queries, seeds, std, strategies: {name: {final_mean,
   * final_std, seconds, stream_seeds[R], mean[K], std[K], curves[R][K],
   * validation_curves[R][K], picks[R][K]}}}, plus {@code report_final_mean, report_final_std,
   * report_mean[K], report_std[K], report_curves[R][K]} with a report table. A std of one seed
   * is null.
   */
  public Map<String, Object> toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("dataset", dataset.id());
    m.put("queries", queries);
    m.put("seeds", seeds);
    m.put("std", "sample standard deviation over seeds (divisor R - 1)");
    Map<String, Object> s = new LinkedHashMap<>();
    for (StrategyRuns r : runs) {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("final_mean", r.finalMean());
      e.put("final_std", r.finalStd());
      e.put("seconds", r.seconds());
      e.put("stream_seeds", r.streamSeeds());
      e.put("mean", r.meanTest());
      e.put("std", r.stdTest());
      e.put("curves", rows(r.test()));
      e.put("validation_curves", rows(r.validation()));
      List<Object> p = new ArrayList<>();
      for (String[] row : r.picks()) p.add(List.of(row));
      e.put("picks", p);
      if (r.reportTest() != null) {
        e.put("report_final_mean", last(mean(r.reportTest())));
        e.put("report_final_std", last(std(r.reportTest())));
        e.put("report_mean", mean(r.reportTest()));
        e.put("report_std", std(r.reportTest()));
        e.put("report_curves", rows(r.reportTest()));
      }
      s.put(r.strategy(), e);
    }
    m.put("strategies", s);
    return m;
  }

  private static List<Object> rows(double[][] a) {
    List<Object> out = new ArrayList<>();
    for (double[] row : a) out.add(row);
    return out;
  }
}
