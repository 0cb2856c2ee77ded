package io.jnas.nasbench;

import io.jnas.data.Seeds;
import io.jnas.space.NasBench201Space;
import io.jnas.strategy.Strategy;
import io.jnas.strategy.StrategyFactory;
import io.jnas.strategy.StrategyParams;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * Runs strategies against a tabular benchmark: each strategy for {@code queries} queries on
 * each seed, rewarded with the validation accuracy; after each query it records the best
 * validation accuracy so far, the test accuracy of that architecture (the first one found
 * among equals) and the architecture (its cell string). Runs are independent, so they go to a
 * thread pool; the result does not depend on the number of threads.
 *
 * <p>Seeds: run {@code r} of every strategy is seed {@code firstSeed + r}, but each strategy
 * builds its random stream from (strategy name, seed) ({@link #streamSeed}), so random search
 * and evolution (whose first {@code population} asks are random samples) do not draw the same
 * first architectures, and a comparison of strategies is not tied by shared samples.
 */
public final class BenchmarkRunner {
  /** Something that answers a query: validation and test accuracy of a decision vector. */
  public interface Oracle {
    /** Validation accuracy: the reward the strategy sees. */
    double validation(int[] decisions);

    /** Test accuracy: what the benchmark reports. */
    double test(int[] decisions);
  }

  /**
   * What to run.
   *
   * @param strategies registry names, in order
   * @param queries K, at least 1
   * @param seeds R, at least 1; run {@code r} uses seed {@code firstSeed + r} (each strategy's stream: {@link #streamSeed})
   * @param firstSeed the first seed
   * @param params strategy hyperparameters
   * @param threads worker threads, at least 1
   */
  public record Config(List<String> strategies, int queries, int seeds, long firstSeed, StrategyParams params, int threads) {
    /** Checks the ranges. */
    public Config {
      if (strategies.isEmpty()) throw new IllegalArgumentException("bench: no strategies");
      if (queries < 1 || seeds < 1 || threads < 1) throw new IllegalArgumentException("bench: queries, seeds and threads must be at least 1");
      strategies = List.copyOf(strategies);
    }
  }

  private BenchmarkRunner() {}

  /**
   * The seed strategy {@code name} is built with for run seed {@code seed}: a hash of both
   * ({@link Seeds#mix} of the seed and the name's {@link String#hashCode()}, which Java fixes),
   * cut to 53 bits so that JSON readers that hold numbers as doubles read it exactly.
   */
  public static long streamSeed(String name, long seed) {
    return Seeds.mix(seed, name.hashCode()) >>> 11;
  }

  /** The oracle of an NB201 table on one data set. */
  public static Oracle oracle(NasBench201Table table, Nb201Dataset d) {
    return new Oracle() {
      @Override
      public double validation(int[] x) {
        return table.validation(d, x);
      }

      @Override
      public double test(int[] x) {
        return table.test(d, x);
      }
    };
  }

  /**
   * Runs every (strategy, seed) pair on NAS-Bench-201.
   *
   * @param registry name to factory; every name of {@code config} must be in it
   * @param progress receives one line per finished run (from worker threads, one at a time)
   * @throws IllegalArgumentException for an unknown strategy name or a bad parameter
   */
  public static BenchmarkResult run(Oracle oracle, Nb201Dataset dataset, Map<String, StrategyFactory> registry, Config config,
      Consumer<String> progress) throws InterruptedException {
    NasBench201Space space = new NasBench201Space();
    for (String s : config.strategies()) {
      StrategyFactory f = registry.get(s);
      if (f == null) throw new IllegalArgumentException("unknown strategy '" + s + "', expected one of " + String.join(", ", registry.keySet()));
      f.create(space, streamSeed(s, config.firstSeed()), config.params()); // fail early on bad parameters
    }
    int ns = config.strategies().size(), r = config.seeds(), k = config.queries();
    double[][][] test = new double[ns][r][], val = new double[ns][r][];
    String[][][] picks = new String[ns][r][];
    long[][] streams = new long[ns][r];
    double[][] secs = new double[ns][r];
    long[] seeds = new long[r];
    for (int j = 0; j < r; j++) seeds[j] = config.firstSeed() + j;
    ExecutorService pool = Executors.newFixedThreadPool(config.threads());
    int[] done = {0};
    try {
      List<Future<?>> fs = new ArrayList<>();
      for (int i = 0; i < ns; i++) {
        for (int j = 0; j < r; j++) {
          final int si = i, sj = j;
          fs.add(pool.submit(() -> {
            long t0 = System.nanoTime();
            String name = config.strategies().get(si);
            long stream = streamSeed(name, seeds[sj]);
            Strategy st = registry.get(name).create(space, stream, config.params());
            double[] tc = new double[k], vc = new double[k];
            String[] pc = new String[k];
            double bestVal = Double.NEGATIVE_INFINITY, bestTest = Double.NaN;
            String pick = null;
            for (int q = 0; q < k; q++) {
              int[] a = st.ask();
              double v = oracle.validation(a);
              st.tell(a, v);
              if (v > bestVal) {
                bestVal = v;
                bestTest = oracle.test(a);
                pick = space.decode(a).toString();
              }
              vc[q] = bestVal;
              tc[q] = bestTest;
              pc[q] = pick;
            }
            test[si][sj] = tc;
            val[si][sj] = vc;
            picks[si][sj] = pc;
            streams[si][sj] = stream;
            secs[si][sj] = (System.nanoTime() - t0) / 1e9;
            synchronized (done) {
              done[0]++;
              progress.accept(String.format(java.util.Locale.ROOT, "[%d/%d] %s seed %d: test %.2f%% (best val %.2f%%) after %d queries, %.2f s",
                  done[0], ns * r, name, seeds[sj], bestTest, bestVal, k, secs[si][sj]));
            }
            return null;
          }));
        }
      }
      for (Future<?> f : fs) {
        try {
          f.get();
        } catch (java.util.concurrent.ExecutionException e) {
          Throwable c = e.getCause();
          if (c instanceof RuntimeException re) throw re;
          throw new IllegalStateException(c);
        }
      }
    } finally {
      pool.shutdownNow();
    }
    List<BenchmarkResult.StrategyRuns> runs = new ArrayList<>();
    for (int i = 0; i < ns; i++) {
      double s = 0;
      for (double x : secs[i]) s += x;
      runs.add(new BenchmarkResult.StrategyRuns(config.strategies().get(i), test[i], val[i], picks[i], streams[i], s, null));
    }
    return new BenchmarkResult(dataset, k, seeds, runs);
  }
}
