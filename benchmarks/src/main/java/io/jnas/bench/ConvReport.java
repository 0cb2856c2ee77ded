package io.jnas.bench;

import io.jnas.backend.Backends;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs {@link ConvBenchmark} (the conv cases and the sgemm yardstick) in one JMH run and
 * prints a table: case, GFLOP/s, sgemm GFLOP/s at the same shape from the same run, ratio.
 *
 * <p>Arguments are JMH's own (e.g. {@code -f 1 -wi 1 -i 2 -w 1s -r 1s}); the benchmark
 * include pattern is fixed to {@code ConvBenchmark}. FLOPs: forward
 * {@code 2*B*C_out*OH*OW*(C_in/groups)*KH*KW}; backward (input and weight gradients) twice
 * that.
 */
public final class ConvReport {
  private ConvReport() {}

  public static void main(String[] args) throws Exception {
    CommandLineOptions cli = new CommandLineOptions(args);
    Options opts = new OptionsBuilder().parent(cli).include(ConvBenchmark.class.getName()).build();
    Collection<RunResult> results = new Runner(opts).run();

    Map<String, Double> sgemm = new TreeMap<>();  // shape -> GFLOP/s
    Map<String, double[]> cases = new TreeMap<>(); // "shape op pass" -> {GFLOP/s}
    for (RunResult r : results) {
      String label = r.getParams().getBenchmark();
      String method = label.substring(label.lastIndexOf('.') + 1);
      String shape = r.getParams().getParam("shape");
      double ms = r.getPrimaryResult().getScore();  // ms/op (AverageTime, ms)
      if (method.equals("sgemm")) {
        sgemm.put(shape, ConvBenchmark.Sgemm.flops(shape) / (ms * 1e-3) / 1e9);
      } else {
        String op = r.getParams().getParam("op");
        double f = ConvBenchmark.flops(op, shape) * (method.equals("backward") ? 2 : 1);
        cases.put(shape + " " + op + " " + method, new double[] {f / (ms * 1e-3) / 1e9, ms});
      }
    }
    System.out.printf(Locale.ROOT, "%nconv kernels, batch %d, jnas threads %d (%s); the sgemm reference on as many OpenBLAS threads%n", ConvBenchmark.BATCH,
        Backends.cpuThreads(), Backends.cpuIsa());
    System.out.printf(Locale.ROOT, "%-28s %10s %10s %14s %7s%n", "case (C x side, op, pass)", "ms/op", "GFLOP/s",
        "sgemm GFLOP/s", "ratio");
    for (Map.Entry<String, double[]> e : cases.entrySet()) {
      String shape = e.getKey().substring(0, e.getKey().indexOf(' '));
      double g = e.getValue()[0];
      Double s = sgemm.get(shape);
      System.out.printf(Locale.ROOT, "%-28s %10.2f %10.2f %14s %7s%n", e.getKey(), e.getValue()[1], g,
          s == null ? "-" : String.format(Locale.ROOT, "%.2f", s), s == null ? "-" : String.format(Locale.ROOT, "%.2f", g / s));
    }
  }
}
