package io.jnas.nasbench;

import io.jnas.data.Dataset;
import io.jnas.data.Normalization;
import io.jnas.space.NasBench201Space;
import io.jnas.space.Nb201Cell;
import io.jnas.tensor.IntTensor;
import io.jnas.tensor.Tensor;
import io.jnas.util.Ranks;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.BiConsumer;

/**
 * How well zero-cost proxies rank NAS-Bench-201 cells, and what a search that trusts them finds
 * ({@code jnas bench --proxies}): a fixed random sample of cells is scored by every proxy on one
 * real minibatch ({@link ZeroCost}), and each proxy's scores are compared with the table's
 * accuracies (Kendall tau-b, Spearman rho). Two searches per proxy, both checked against the
 * table: the sampled cell with the best score (no training, no query), and the best of the
 * proxy's top {@code k} by the table's validation accuracy ({@code k} queries); each beside its
 * random yardstick over the same sample (the mean of a random cell; the expected best of
 * {@code k} random queries, by Monte Carlo).
 */
public final class ProxyBenchmark {
  private ProxyBenchmark() {}

  /**
   * Settings.
   *
   * @param proxies the proxies to score
   * @param sample cells scored, drawn uniformly without replacement from the 15,625
   * @param top k: the proxy's best k cells queried in the table
   * @param batch images in the minibatch
   * @param seed draws the sample, the minibatch and the initial weights
   * @param network the network's size (its cell and seed ignored)
   */
  public record Config(List<ZeroCost.Proxy> proxies, int sample, int top, int batch, long seed, Nb201Network.Config network) {
    /** Checks every field. */
    public Config {
      proxies = List.copyOf(proxies);
      if (proxies.isEmpty()) throw new IllegalArgumentException("proxy benchmark: no proxies");
      if (sample < 2 || sample > NasBench201Table.SIZE) {
        throw new IllegalArgumentException("proxy benchmark: sample is " + sample + ", expected 2.." + NasBench201Table.SIZE);
      }
      if (top < 1 || top > sample) throw new IllegalArgumentException("proxy benchmark: top is " + top + ", expected 1..sample (" + sample + ")");
      if (batch < 2) throw new IllegalArgumentException("proxy benchmark: batch is " + batch + ", expected at least 2");
      Objects.requireNonNull(network, "network");
    }
  }

  /**
   * One proxy's record.
   *
   * @param proxy the proxy
   * @param kendallTau tau-b between its scores and the table's test accuracy over the sample
   * @param spearman Spearman's rho, likewise
   * @param top1 the sampled cell with the best score
   * @param top1Test its test accuracy (percent)
   * @param topK the best of the proxy's top k by validation accuracy
   * @param topKTest its test accuracy (percent)
   */
  public record ProxyResult(ZeroCost.Proxy proxy, double kendallTau, double spearman, Nb201Cell top1, double top1Test,
      Nb201Cell topK, double topKTest) {}

  /**
   * The whole record.
   *
   * @param dataset the table's data set
   * @param cells the sample
   * @param scores [cell][proxy in config order]
   * @param test the sample's test accuracies (percent)
   * @param validation the sample's validation accuracies (percent)
   * @param proxies one record per proxy
   * @param randomMean the sample's mean test accuracy (a random cell)
   * @param randomTopK the expected test accuracy of the best by validation of k random cells of the sample
   * @param randomTopKSd its standard deviation over draws
   * @param sampleBestTest the best test accuracy in the sample
   * @param tableBestTest the best test accuracy in the table
   * @param seconds wall time of the scoring
   */
  public record Result(Nb201Dataset dataset, List<Nb201Cell> cells, double[][] scores, double[] test, double[] validation,
      List<ProxyResult> proxies, double randomMean, double randomTopK, double randomTopKSd, double sampleBestTest,
      double tableBestTest, double seconds) {}

  /**
   * Scores the sample and compares it with the table.
   *
   * @param images the pool the minibatch is drawn from (CIFAR-10 training images)
   * @param normalization applied to the minibatch
   * @param progress told (cells done, cells in all) after each cell
   */
  public static Result run(Config c, NasBench201Table table, Nb201Dataset dataset, Dataset images, Normalization normalization,
      BiConsumer<Integer, Integer> progress) {
    Nb201Network.Config net = c.network();
    SplittableRandom rng = new SplittableRandom(c.seed());
    NasBench201Space space = new NasBench201Space();
    List<Nb201Cell> cells = sample(space, c.sample(), rng.split());
    EnumSet<ZeroCost.Proxy> wanted = EnumSet.copyOf(c.proxies());
    double[][] scores = new double[cells.size()][c.proxies().size()];
    double[] test = new double[cells.size()], val = new double[cells.size()];
    long t0 = System.nanoTime();
    try (Minibatch mb = minibatch(images, normalization, c.batch(), net, rng.split());
        ZeroCost zc = new ZeroCost(net.withCell(null).withSeed(rng.nextLong()), mb.images(), mb.labels())) {
      for (int i = 0; i < cells.size(); i++) {
        Nb201Cell cell = cells.get(i);
        ZeroCost.Scores s = zc.score(cell, wanted);
        for (int p = 0; p < c.proxies().size(); p++) scores[i][p] = s.get(c.proxies().get(p));
        int[] d = space.encode(cell);
        test[i] = table.test(dataset, d);
        val[i] = table.validation(dataset, d);
        if (progress != null) progress.accept(i + 1, cells.size());
      }
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    List<ProxyResult> results = new ArrayList<>();
    for (int p = 0; p < c.proxies().size(); p++) {
      double[] s = new double[cells.size()];
      for (int i = 0; i < s.length; i++) s[i] = finite(scores[i][p]);
      Integer[] order = byScore(s);
      int top1 = order[0];
      int bestK = order[0];
      for (int k = 1; k < c.top(); k++) if (val[order[k]] > val[bestK]) bestK = order[k];
      results.add(new ProxyResult(c.proxies().get(p), Ranks.kendallTau(s, test), Ranks.spearman(s, test), cells.get(top1),
          test[top1], cells.get(bestK), test[bestK]));
    }
    double mean = Arrays.stream(test).average().orElse(Double.NaN);
    double[] draws = randomTopK(val, test, c.top(), 2000, new SplittableRandom(c.seed() ^ 0x5EEDL));
    double best = Arrays.stream(test).max().orElse(Double.NaN);
    return new Result(dataset, cells, scores, test, val, results, mean, draws[0], draws[1], best, table.bestTest(dataset), seconds);
  }

  /**
   * One minibatch of {@code batch} images drawn without replacement by {@code r}, normalized.
   *
   * @throws IllegalArgumentException where the images do not fit the network or are too few
   */
  static Minibatch minibatch(Dataset images, Normalization normalization, int batch, Nb201Network.Config net, SplittableRandom r) {
    if (images.channels() != net.inChannels() || images.height() != net.height() || images.width() != net.width()) {
      throw new IllegalArgumentException("zero-cost proxies: images are " + images.channels() + "x" + images.height() + "x"
          + images.width() + ", the network takes " + net.inChannels() + "x" + net.height() + "x" + net.width());
    }
    if (images.size() < batch) throw new IllegalArgumentException("zero-cost proxies: " + images.size() + " images, the batch needs " + batch);
    int n = images.imageSize(), hw = images.height() * images.width();
    float[] px = new float[batch * n];
    int[] lab = new int[batch];
    int[] idx = r.ints(0, images.size()).distinct().limit(batch).toArray();
    for (int b = 0; b < batch; b++) {
      images.readImage(idx[b], px, b * n);
      lab[b] = images.label(idx[b]);
      for (int ch = 0; ch < images.channels(); ch++) {
        float m = normalization.mean()[ch], s = normalization.std()[ch];
        for (int k = 0; k < hw; k++) px[b * n + ch * hw + k] = (px[b * n + ch * hw + k] - m) / s;
      }
    }
    return new Minibatch(Tensor.of(px, batch, images.channels(), images.height(), images.width()), IntTensor.of(lab, batch));
  }

  /** A minibatch's images and labels; closing frees both. */
  record Minibatch(Tensor images, IntTensor labels) implements AutoCloseable {
    @Override
    public void close() {
      images.close();
      labels.close();
    }
  }

  /** -infinity (no path) as the lowest finite value, so a rank statistic sees a tie at the bottom. */
  static double finite(double v) {
    return v == Double.NEGATIVE_INFINITY ? -Double.MAX_VALUE : v;
  }

  /** Cell indices, best score first (ties: lower index first). */
  private static Integer[] byScore(double[] s) {
    Integer[] o = new Integer[s.length];
    for (int i = 0; i < o.length; i++) o[i] = i;
    Arrays.sort(o, (a, b) -> Double.compare(s[b], s[a]));
    return o;
  }

  /** Mean and sd over draws of the test accuracy of the best-by-validation of k random cells. */
  static double[] randomTopK(double[] val, double[] test, int k, int draws, SplittableRandom r) {
    double sum = 0, sq = 0;
    int[] perm = new int[val.length];
    for (int d = 0; d < draws; d++) {
      for (int i = 0; i < perm.length; i++) perm[i] = i;
      int best = -1;
      for (int j = 0; j < k; j++) {
        int s = j + r.nextInt(perm.length - j);
        int t = perm[j];
        perm[j] = perm[s];
        perm[s] = t;
        if (best < 0 || val[perm[j]] > val[best]) best = perm[j];
      }
      sum += test[best];
      sq += test[best] * test[best];
    }
    double m = sum / draws;
    return new double[] {m, Math.sqrt(Math.max(0, sq / draws - m * m))};
  }

  /** {@code n} distinct cells drawn uniformly. */
  static List<Nb201Cell> sample(NasBench201Space space, int n, SplittableRandom r) {
    int[] ids = r.ints(0, NasBench201Table.SIZE).distinct().limit(n).toArray();
    List<Nb201Cell> cells = new ArrayList<>(n);
    for (int id : ids) cells.add(space.decode(NasBench201Space.decisions(id)));
    return cells;
  }

  /** The summary as a Markdown table. */
  public static String table(Result r, Config c) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "Zero-cost proxies on NAS-Bench-201 (%s, 12-epoch table): %d sampled cells, batch %d, %.1f s (%.2f s/cell)%n%n",
        r.dataset().displayName(), r.cells().size(), c.batch(), r.seconds(), r.seconds() / r.cells().size()));
    sb.append(String.format(Locale.ROOT, "| proxy | Kendall tau | Spearman rho | top-1 cell test %% | best of top-%d (by val) test %% |%n", c.top()));
    sb.append("|---|---:|---:|---:|---:|\n");
    for (ProxyResult p : r.proxies()) {
      sb.append(String.format(Locale.ROOT, "| %s | %.3f | %.3f | %.2f | %.2f |%n", p.proxy().token(), p.kendallTau(), p.spearman(),
          p.top1Test(), p.topKTest()));
    }
    sb.append(String.format(Locale.ROOT, "| random (yardstick) | 0 | 0 | %.2f (mean) | %.2f ± %.2f |%n", r.randomMean(), r.randomTopK(),
        r.randomTopKSd()));
    sb.append(String.format(Locale.ROOT, "%nBest in the sample %.2f%%; best in the table %.2f%%.%n", r.sampleBestTest(), r.tableBestTest()));
    return sb.toString();
  }

  /** The record as JSON-ready maps: settings, per proxy, and every cell's scores and accuracies. */
  public static Map<String, Object> toJson(Result r, Config c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("dataset", r.dataset().id());
    m.put("sample", c.sample());
    m.put("top", c.top());
    m.put("batch", c.batch());
    m.put("seed", c.seed());
    m.put("channels", c.network().channels());
    m.put("cells_per_stage", c.network().cellsPerStage());
    m.put("seconds", r.seconds());
    m.put("random_mean_test", r.randomMean());
    m.put("random_top_k_test", r.randomTopK());
    m.put("random_top_k_test_sd", r.randomTopKSd());
    m.put("sample_best_test", r.sampleBestTest());
    m.put("table_best_test", r.tableBestTest());
    List<Object> ps = new ArrayList<>();
    for (ProxyResult p : r.proxies()) {
      Map<String, Object> q = new LinkedHashMap<>();
      q.put("proxy", p.proxy().token());
      q.put("kendall_tau", p.kendallTau());
      q.put("spearman", p.spearman());
      q.put("top1_cell", p.top1().toString());
      q.put("top1_test", p.top1Test());
      q.put("top_k_cell", p.topK().toString());
      q.put("top_k_test", p.topKTest());
      ps.add(q);
    }
    m.put("proxies", ps);
    List<Object> cs = new ArrayList<>();
    for (int i = 0; i < r.cells().size(); i++) {
      Map<String, Object> q = new LinkedHashMap<>();
      q.put("cell", r.cells().get(i).toString());
      q.put("test", r.test()[i]);
      q.put("validation", r.validation()[i]);
      for (int p = 0; p < c.proxies().size(); p++) {
        double v = r.scores()[i][p];
        q.put(c.proxies().get(p).token(), Double.isFinite(v) ? v : null);
      }
      cs.add(q);
    }
    m.put("cells", cs);
    return m;
  }
}
