package io.jnas.bench;

import io.jnas.data.Datasets;
import io.jnas.data.Seeds;
import io.jnas.data.DataSource;
import io.jnas.multitrial.EarlyStopping;
import io.jnas.multitrial.ProxyTrainer;
import io.jnas.multitrial.TrialEvaluator;
import io.jnas.multitrial.TrialSettings;
import io.jnas.space.SearchSpace;
import io.jnas.space.Spaces;
import io.jnas.util.Ranks;

import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * How well a from-scratch proxy schedule tells architectures apart (issue 14): trains
 * {@code --arcs} uniformly random ENAS micro cells {@code --repeats} times each with the
 * multi-trial {@link ProxyTrainer} (repeat r: another proxy seed, so other weights, batches and
 * subsets, the same for every cell), and prints each cell's mean and spread, the spread between
 * cells against the spread within one, and the test-retest Kendall τ between repeats. A proxy
 * whose repeats disagree (τ near 0) cannot rank cells, whatever is measured against it.
 *
 * <p>Usage: {@code ProxyNoise [--data synthetic|DIR] [--arcs 12] [--repeats 3] [--epochs 4]
 * [--train-images 1000] [--val-images 500] [--resolution 16 (0: as stored)] [--layers 3]
 * [--channels 8] [--nodes 3] [--seed 0]}
 */
public final class ProxyNoise {
  private ProxyNoise() {}

  public static void main(String[] args) throws Exception {
    String data = "synthetic:train=3000,val=1000,test=1000";
    int arcsN = 12, repeats = 3, nodes = 3;
    TrialSettings base = new TrialSettings();
    base.epochs = 4;
    long seed = 0;
    for (int i = 0; i < args.length; i += 2) {
      if (i + 1 >= args.length) throw new IllegalArgumentException(args[i] + " needs a value");
      String k = args[i], v = args[i + 1];
      switch (k) {
        case "--data" -> data = v;
        case "--arcs" -> arcsN = Integer.parseInt(v);
        case "--repeats" -> repeats = Integer.parseInt(v);
        case "--epochs" -> base.epochs = Integer.parseInt(v);
        case "--train-images" -> base.trainSubset = Integer.parseInt(v);
        case "--val-images" -> base.valSubset = Integer.parseInt(v);
        case "--resolution" -> base.resolution = Integer.parseInt(v);
        case "--layers" -> base.layers = Integer.parseInt(v);
        case "--channels" -> base.channels = Integer.parseInt(v);
        case "--nodes" -> nodes = Integer.parseInt(v);
        case "--seed" -> seed = Long.parseLong(v);
        default -> throw new IllegalArgumentException("unknown flag " + k);
      }
    }
    if (repeats < 2) throw new IllegalArgumentException("--repeats " + repeats + ": expected at least 2");
    DataSource src = Datasets.open(data);
    SearchSpace<?> space = Spaces.cell("enas-micro", nodes);
    base.space = "enas-micro";
    base.nodes = nodes;
    base.earlyStopping = EarlyStopping.NONE;
    SplittableRandom rng = new SplittableRandom(seed);
    int[][] arcs = new int[arcsN][];
    for (int i = 0; i < arcsN; i++) arcs[i] = space.sample(rng);
    double[][] acc = new double[repeats][arcsN];
    long t0 = System.nanoTime();
    for (int r = 0; r < repeats; r++) {
      TrialSettings t = copy(base);
      t.seed = Seeds.mix(seed, 77, r);
      ProxyTrainer trainer = new ProxyTrainer(t, src, space);
      for (int i = 0; i < arcsN; i++) {
        try (TrialEvaluator.Candidate c = trainer.prepare(i, arcs[i])) {
          List<Double> curve = c.train((ep, a) -> false);
          acc[r][i] = curve.get(curve.size() - 1);
        }
      }
      System.err.printf(Locale.ROOT, "repeat %d/%d done, %.1f s per training%n", r + 1, repeats,
          (System.nanoTime() - t0) / 1e9 / ((r + 1) * (double) arcsN));
    }
    double seconds = (System.nanoTime() - t0) / 1e9 / (repeats * (double) arcsN);
    double[] mean = new double[arcsN];
    double within = 0;
    for (int i = 0; i < arcsN; i++) {
      double m = 0;
      for (int r = 0; r < repeats; r++) m += acc[r][i];
      m /= repeats;
      mean[i] = m;
      double v = 0;
      for (int r = 0; r < repeats; r++) v += (acc[r][i] - m) * (acc[r][i] - m);
      within += v / (repeats - 1);
      StringBuilder sb = new StringBuilder();
      for (int r = 0; r < repeats; r++) sb.append(String.format(Locale.ROOT, " %.3f", acc[r][i]));
      System.out.printf(Locale.ROOT, "cell %2d  mean %.3f  sd %.3f  runs%s  arc %s%n", i, m, Math.sqrt(v / (repeats - 1)), sb,
          space.decode(arcs[i]));
    }
    within /= arcsN;
    double gm = java.util.Arrays.stream(mean).average().orElse(0), between = 0;
    for (double m : mean) between += (m - gm) * (m - gm);
    between /= arcsN - 1;
    // the spread of cell means beyond what the runs' own noise explains (one-way ANOVA)
    double cellVar = Math.max(0, between - within / repeats);
    double tau = 0;
    int pairs = 0;
    for (int a = 0; a < repeats; a++) {
      for (int b = a + 1; b < repeats; b++) {
        tau += Ranks.kendallTau(acc[a], acc[b]);
        pairs++;
      }
    }
    tau /= pairs;
    System.out.printf(Locale.ROOT,
        "proxy: %d epochs, %d train / %d val images at %s, %d layers x %d channels; %d cells x %d repeats; %.1f s per training%n",
        base.epochs, base.trainSubset, base.valSubset, base.resolution == 0 ? "stored size" : base.resolution + "px", base.layers,
        base.channels, arcsN, repeats, seconds);
    System.out.printf(Locale.ROOT, "mean %.3f; sd within a cell %.3f; sd of cells' true means %.3f; one run's reliability %.2f;"
        + " test-retest Kendall tau (one run vs another) %.2f%n", gm, Math.sqrt(within), Math.sqrt(cellVar),
        cellVar / (cellVar + within), tau);
  }

  private static TrialSettings copy(TrialSettings b) {
    TrialSettings t = new TrialSettings();
    t.epochs = b.epochs;
    t.trainSubset = b.trainSubset;
    t.valSubset = b.valSubset;
    t.resolution = b.resolution;
    t.layers = b.layers;
    t.channels = b.channels;
    t.nodes = b.nodes;
    t.space = b.space;
    t.data = b.data;
    t.earlyStopping = b.earlyStopping;
    return t;
  }
}
