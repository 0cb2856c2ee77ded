package io.jnas.nasbench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The outcome of a tabular benchmark: for each strategy and seed, after each query, the
 * best validation accuracy found so far and the test accuracy of that architecture.
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
   * @param seconds wall time of all its runs together (summed over threads)
   */
  public record StrategyRuns(String strategy, double[][] test, double[][] validation, double seconds) {
    /** Mean over seeds of the test curve, per query. */
    public double[] meanTest() {
      return mean(test);
    }

    /** Standard deviation over seeds (population, divisor R) of the test curve, per query. */
    public double[] stdTest() {
      return std(test);
    }

    /** Mean of the test accuracy after the last query. */
    public double finalMean() {
      double[] m = meanTest();
      return m[m.length - 1];
    }

    /** Standard deviation of the test accuracy after the last query. */
    public double finalStd() {
      double[] s = stdTest();
      return s[s.length - 1];
    }
  }

  static double[] mean(double[][] a) {
    double[] m = new double[a[0].length];
    for (double[] r : a) for (int q = 0; q < m.length; q++) m[q] += r[q] / a.length;
    return m;
  }

  static double[] std(double[][] a) {
    double[] m = mean(a), s = new double[m.length];
    for (double[] r : a) for (int q = 0; q < m.length; q++) s[q] += (r[q] - m[q]) * (r[q] - m[q]) / a.length;
    for (int q = 0; q < s.length; q++) s[q] = Math.sqrt(s[q]);
    return s;
  }

  /**
   * The JSON form: {@code dataset, queries, seeds, strategies: {name: {final_mean, final_std,
   * seconds, mean[K], std[K], curves[R][K], validation_curves[R][K]}}}.
   */
  public Map<String, Object> toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("dataset", dataset.id());
    m.put("queries", queries);
    m.put("seeds", seeds);
    Map<String, Object> s = new LinkedHashMap<>();
    for (StrategyRuns r : runs) {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("final_mean", r.finalMean());
      e.put("final_std", r.finalStd());
      e.put("seconds", r.seconds());
      e.put("mean", r.meanTest());
      e.put("std", r.stdTest());
      List<Object> c = new ArrayList<>(), v = new ArrayList<>();
      for (double[] row : r.test()) c.add(row);
      for (double[] row : r.validation()) v.add(row);
      e.put("curves", c);
      e.put("validation_curves", v);
      s.put(r.strategy(), e);
    }
    m.put("strategies", s);
    return m;
  }
}
