package io.jnas.nasbench;

import io.jnas.data.Dataset;
import io.jnas.data.Normalization;
import io.jnas.space.NasBench201Space;
import io.jnas.space.Nb201Cell;
import io.jnas.util.Ranks;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A training-free search on the NAS-Bench-201 space in two stages, as zero-cost NAS is run
 * in practice (Abdelfattah et al. 2021: a cheap proxy to warm up or prune, then a vote):
 * synflow (one image, one backward) scores every cell of the space or a uniform sample; the
 * best {@code prefilter} of them are scored by NASWOT as well; the vote (the mean of the two
 * ranks among those cells) orders them, and the best {@code top} by the vote are queried in
 * the table, the pick being the best by validation accuracy. The yardstick: the best by
 * validation of {@code top} random cells (expected value over draws).
 */
public final class ProxySearch {
  private ProxySearch() {}

  /**
   * Settings.
   *
   * @param cells cells scored by synflow (15,625: the whole space; fewer: a uniform sample)
   * @param prefilter the best cells by synflow that NASWOT scores too
   * @param top cells queried in the table (the best by the vote)
   * @param batch NASWOT's minibatch
   * @param seed the sample, the minibatch, the weights
   * @param network the network's size (its cell and seed ignored)
   */
  public record Config(int cells, int prefilter, int top, int batch, long seed, Nb201Network.Config network) {
    /** Checks every field. */
    public Config {
      if (cells < 2 || cells > NasBench201Table.SIZE) throw new IllegalArgumentException("proxy search: cells is " + cells);
      if (prefilter < 1 || prefilter > cells) throw new IllegalArgumentException("proxy search: prefilter is " + prefilter + ", expected 1..cells");
      if (top < 1 || top > prefilter) throw new IllegalArgumentException("proxy search: top is " + top + ", expected 1..prefilter");
      if (batch < 2) throw new IllegalArgumentException("proxy search: batch is " + batch);
    }
  }

  /**
   * The record.
   *
   * @param pick the picked cell
   * @param pickTest its test accuracy (percent)
   * @param pickValidation its validation accuracy
   * @param queried the cells queried, in vote order, with their test accuracies
   * @param synflowSeconds stage 1's wall time
   * @param naswotSeconds stage 2's wall time
   * @param randomTopK the expected test accuracy of the best by validation of {@code top} random cells of the space
   * @param randomTopKSd its standard deviation
   * @param tableBestTest the table's best test accuracy
   * @param reachableTest the test accuracy of the table's best cell by validation
   */
  public record Result(Nb201Cell pick, double pickTest, double pickValidation, List<Map<String, Object>> queried, double synflowSeconds,
      double naswotSeconds, double randomTopK, double randomTopKSd, double tableBestTest, double reachableTest) {}

  /** Runs the search; {@code progress} is told (stage, done, of). */
  public static Result run(Config c, NasBench201Table table, Nb201Dataset dataset, Dataset images, Normalization normalization,
      Progress3 progress) {
    SplittableRandom rng = new SplittableRandom(c.seed());
    NasBench201Space space = new NasBench201Space();
    List<Nb201Cell> cells = ProxyBenchmark.sample(space, c.cells(), rng.split());
    double[] sf = new double[cells.size()];
    long t0 = System.nanoTime();
    double t1s, t2s;
    Integer[] order;
    double[] nw;
    try (ProxyBenchmark.Minibatch mb = ProxyBenchmark.minibatch(images, normalization, c.batch(), c.network(), rng.split());
        ZeroCost zc = new ZeroCost(c.network().withCell(null).withSeed(rng.nextLong()), mb.images(), mb.labels())) {
      for (int i = 0; i < cells.size(); i++) {
        sf[i] = zc.synflow(cells.get(i));
        if (progress != null) progress.accept(1, i + 1, cells.size());
      }
      t1s = (System.nanoTime() - t0) / 1e9;
      order = new Integer[cells.size()];
      for (int i = 0; i < order.length; i++) order[i] = i;
      Arrays.sort(order, (a, b) -> Double.compare(sf[b], sf[a]));
      nw = new double[c.prefilter()];
      long t1 = System.nanoTime();
      for (int i = 0; i < c.prefilter(); i++) {
        nw[i] = zc.naswot(cells.get(order[i]));
        if (progress != null) progress.accept(2, i + 1, c.prefilter());
      }
      t2s = (System.nanoTime() - t1) / 1e9;
    }
    // the vote: mean rank (higher is better) of synflow and NASWOT among the prefiltered cells
    double[] s1 = new double[c.prefilter()], s2 = new double[c.prefilter()];
    for (int i = 0; i < s1.length; i++) {
      s1[i] = ProxyBenchmark.finite(sf[order[i]]);
      s2[i] = ProxyBenchmark.finite(nw[i]);
    }
    double[] r1 = Ranks.ranks(s1), r2 = Ranks.ranks(s2), vote = new double[s1.length];
    for (int i = 0; i < vote.length; i++) vote[i] = (r1[i] + r2[i]) / 2;
    Integer[] byVote = new Integer[vote.length];
    for (int i = 0; i < byVote.length; i++) byVote[i] = i;
    Arrays.sort(byVote, (a, b) -> Double.compare(vote[b], vote[a]));
    List<Map<String, Object>> queried = new ArrayList<>();
    Nb201Cell pick = null;
    double pickVal = Double.NEGATIVE_INFINITY, pickTest = Double.NaN;
    for (int k = 0; k < c.top(); k++) {
      Nb201Cell cell = cells.get(order[byVote[k]]);
      int[] d = space.encode(cell);
      double v = table.validation(dataset, d), t = table.test(dataset, d);
      Map<String, Object> q = new LinkedHashMap<>();
      q.put("cell", cell.toString());
      q.put("synflow", s1[byVote[k]]);
      q.put("naswot", s2[byVote[k]]);
      q.put("validation", v);
      q.put("test", t);
      queried.add(q);
      if (v > pickVal) {
        pickVal = v;
        pickTest = t;
        pick = cell;
      }
    }
    double[] val = table.validationColumn(dataset), test = table.testColumn(dataset);
    double[] draws = ProxyBenchmark.randomTopK(val, test, c.top(), 4000, new SplittableRandom(c.seed() ^ 0x70D5L));
    return new Result(pick, pickTest, pickVal, queried, t1s, t2s, draws[0], draws[1], table.bestTest(dataset),
        table.testOfBestValidation(dataset));
  }


  /** Progress of a stage: (stage 1 or 2, done, of). */
  @FunctionalInterface
  public interface Progress3 {
    /** Called after each cell. */
    void accept(int stage, int done, int of);
  }

  /** One paragraph of the outcome. */
  public static String summary(Result r, Config c) {
    return String.format(Locale.ROOT,
        "Training-free search: synflow on %,d cells (%.0f s), NASWOT on the best %d (%.0f s), the vote's best %d queried in the table.%n"
            + "Pick %s: test %.2f%% (validation %.2f%%); the table's best %.2f%% (%.2f below), reachable by validation %.2f%%;%n"
            + "the best of %d random queries: %.2f ± %.2f%%.%n",
        c.cells(), r.synflowSeconds(), c.prefilter(), r.naswotSeconds(), c.top(), r.pick(), r.pickTest(), r.pickValidation(), r.tableBestTest(),
        r.tableBestTest() - r.pickTest(), r.reachableTest(), c.top(), r.randomTopK(), r.randomTopKSd());
  }
}
