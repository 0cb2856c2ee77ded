package io.jnas.bench;

import io.jnas.data.Augmentation;
import io.jnas.data.BatchLoader;
import io.jnas.data.DataSource;
import io.jnas.data.Datasets;
import io.jnas.data.Seeds;
import io.jnas.data.Splits;
import io.jnas.enas.Supernet;
import io.jnas.tensor.IntTensor;
import io.jnas.tensor.Tensor;
import io.jnas.util.Json;
import io.jnas.util.Ranks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * How fast the ENAS micro supernet's shared weights learn under different path-sampling rules
 * (issue 14's measurements). Trains one supernet for {@code --steps} steps, a new architecture
 * each step drawn by {@code --mode}, and prints the running batch accuracy; then scores
 * {@code --eval} uniformly random architectures on {@code --eval-images} held-out validation
 * images and prints their mean, spread and best.
 *
 * <ul>
 *   <li>{@code uniform}: inputs and ops uniformly random (ENAS's untrained controller);
 *   <li>{@code fixed}: one architecture every step (the upper bound);
 *   <li>{@code ops}: every node reads the two newest states (a fixed chain), ops random (SPOS);
 *   <li>{@code warm:K}: {@code ops} for the first K steps, then {@code uniform}.
 *   <li>{@code uniform5}: each step one update from the mean gradient of 5 uniformly random
 *       architectures on the same batch (the control for {@code fair}: 5 paths per update,
 *       the update done here in Java with the native rule: clip to the global norm, then
 *       Nesterov SGD with weight decay over the whole store);
 *   <li>{@code fair}: FairNAS's strict fairness: the 5 architectures of a step are drawn so that
 *       each op slot (a node's first or second op, in either cell) takes every one of the 5 ops
 *       exactly once (a random permutation per slot); inputs uniformly random per architecture.
 * </ul>
 *
 * <p>{@code --rank a/ranking.json,b/ranking.json} also scores the architectures of those
 * {@code jnas search --check-ranking} files on the same held-out images and prints Kendall's
 * τ between their shared-weight accuracy here and their from-scratch accuracy there (each
 * file's τ, and their mean): how well the sampling rule's shared weights rank cells.
 *
 * <p>Usage: {@code SupernetLearning --mode uniform --steps 500 [--data synthetic:train=3000,val=1000]
 * [--lr 0.1] [--batch 64] [--layers 2] [--channels 12] [--nodes 3] [--eval 100] [--eval-images 512] [--seed 0]
 * [--resolution R: images resampled to R x R, as the proxy trainer does]}
 */
public final class SupernetLearning {
  private SupernetLearning() {}

  @SuppressWarnings("unchecked")
  public static void main(String[] args) throws Exception {
    String mode = "uniform", data = "synthetic:train=3000,val=1000,test=1000";
    int resolution = 0;
    int steps = 500, batch = 64, layers = 2, channels = 12, nodes = 3, evalN = 100, evalImages = 512, every = 50, val = 1000;
    double lr = 0.1, keep = 0.9;
    long seed = 0;
    String[] rankFiles = {};
    String matrix = null;
    for (int i = 0; i < args.length; i += 2) {
      String k = args[i], v = args[i + 1];
      switch (k) {
        case "--mode" -> mode = v;
        case "--data" -> data = v;
        case "--steps" -> steps = Integer.parseInt(v);
        case "--batch" -> batch = Integer.parseInt(v);
        case "--layers" -> layers = Integer.parseInt(v);
        case "--channels" -> channels = Integer.parseInt(v);
        case "--nodes" -> nodes = Integer.parseInt(v);
        case "--eval" -> evalN = Integer.parseInt(v);
        case "--eval-images" -> evalImages = Integer.parseInt(v);
        case "--every" -> every = Integer.parseInt(v);
        case "--validation" -> val = Integer.parseInt(v);
        case "--lr" -> lr = Double.parseDouble(v);
        case "--keep" -> keep = Double.parseDouble(v);
        case "--seed" -> seed = Long.parseLong(v);
        case "--resolution" -> resolution = Integer.parseInt(v);
        case "--rank" -> rankFiles = v.split(",");
        case "--matrix" -> matrix = v;
        default -> throw new IllegalArgumentException("unknown flag " + k);
      }
    }
    DataSource src = Datasets.open(data);
    Splits sp = src.splits(val);
    var d = resolution > 0 ? sp.train().resized(resolution, resolution) : sp.train();
    var valid = resolution > 0 ? sp.validation().resized(resolution, resolution) : sp.validation();
    SplittableRandom rng = new SplittableRandom(seed);
    int[][] fixedArc = {arc(rng, nodes, false), arc(rng, nodes, false)};
    int warm = mode.startsWith("warm:") ? Integer.parseInt(mode.substring(5)) : -1;
    try (Supernet net = new Supernet(new Supernet.Config(d.channels(), d.height(), d.width(), d.numClasses(), layers, channels,
        nodes, seed));
        BatchLoader train = BatchLoader.builder(d).batchSize(batch).seed(seed).augmentation(src.trainAugmentation()).dropLast(true).build();
        Tensor x = Tensor.zeros(batch, d.channels(), d.height(), d.width());
        IntTensor y = IntTensor.zeros(batch)) {
      int per = train.batchesPerEpoch();
      double accSum = 0;
      int n = 0;
      long t0 = System.nanoTime();
      BatchLoader.Epoch it = null;
      for (int s = 0; s < steps; s++) {
        if (s % per == 0) {
          if (it != null) it.close();
          it = train.epoch(s / per);
        }
        it.next(x, y);
        if (mode.equals("fair") || mode.equals("uniform5")) {
          double l = lr * (0.01 + 0.99 * 0.5 * (1 + Math.cos(Math.PI * s / steps)));
          accSum += multiPathStep(net, rng, nodes, mode.equals("fair"), x, y, (float) l, (float) keep, seed * 1000003 + s);
          n++;
          if ((s + 1) % every == 0) {
            System.out.printf(Locale.ROOT, "step %5d  batch acc %.3f  (%.0f s)%n", s + 1, accSum / n, (System.nanoTime() - t0) / 1e9);
            accSum = 0;
            n = 0;
          }
          continue;
        }
        int[][] a = switch (mode) {
          case "fixed" -> fixedArc;
          case "ops" -> new int[][] {arc(rng, nodes, true), arc(rng, nodes, true)};
          default -> new int[][] {arc(rng, nodes, warm >= 0 && s < warm), arc(rng, nodes, warm >= 0 && s < warm)};
        };
        double l = lr * (0.01 + 0.99 * 0.5 * (1 + Math.cos(Math.PI * s / steps)));
        Supernet.Result r = net.trainStep(a[0], a[1], x, y, new Supernet.Hyper((float) l, 0.9f, 1e-4f, 5f, (float) keep), seed * 1000003 + s);
        accSum += r.accuracy();
        n++;
        if ((s + 1) % every == 0) {
          System.out.printf(Locale.ROOT, "step %5d  batch acc %.3f  (%.0f s)%n", s + 1, accSum / n, (System.nanoTime() - t0) / 1e9);
          accSum = 0;
          n = 0;
        }
      }
      if (it != null) it.close();
      // held-out: evalN uniformly random architectures on the same evalImages validation images
      double[] acc = new double[evalN];
      List<double[]> scratch = new ArrayList<>();
      List<int[][][]> ranked = new ArrayList<>();
      for (String f : rankFiles) {
        List<Map<String, Object>> rows = (List<Map<String, Object>>) Json.parseObject(Files.readString(Path.of(f))).get("rows");
        double[] sc = new double[rows.size()];
        int[][][] arcs = new int[rows.size()][][];
        for (int i = 0; i < rows.size(); i++) {
          sc[i] = ((Number) rows.get(i).get("scratch_accuracy")).doubleValue();
          int[] all = Arrays.stream(((String) rows.get(i).get("arc")).trim().split("\\s+")).mapToInt(Integer::parseInt).toArray();
          arcs[i] = new int[][] {Arrays.copyOfRange(all, 0, all.length / 2), Arrays.copyOfRange(all, all.length / 2, all.length)};
        }
        scratch.add(sc);
        ranked.add(arcs);
      }
      int[][] hits;
      float[][] losses;
      double[][] rankedAcc = new double[ranked.size()][];
      for (int f = 0; f < ranked.size(); f++) rankedAcc[f] = new double[ranked.get(f).length];
      try (BatchLoader v = BatchLoader.builder(valid).batchSize(batch).shuffle(false).augmentation(src.evalAugmentation())
          .workers(0).dropLast(true).build();
          BatchLoader.Epoch e = v.epoch(0)) {
        int batches = matrix != null ? v.batchesPerEpoch() : Math.min(evalImages / batch, v.batchesPerEpoch());
        int[][][] arcs = new int[evalN][][];
        for (int i = 0; i < evalN; i++) arcs[i] = new int[][] {arc(rng, nodes, false), arc(rng, nodes, false)};
        hits = new int[evalN][batches];
        losses = new float[evalN][batches];
        for (int b = 0; b < batches; b++) {
          e.next(x, y);
          for (int i = 0; i < evalN; i++) {
            Supernet.Result r = net.evaluate(arcs[i][0], arcs[i][1], x, y);
            hits[i][b] = r.correct();
            losses[i][b] = r.loss();
            acc[i] += hits[i][b] / (double) (batches * batch);
          }
          for (int f = 0; f < ranked.size(); f++) {
            for (int i = 0; i < ranked.get(f).length; i++) {
              rankedAcc[f][i] += net.evaluate(ranked.get(f)[i][0], ranked.get(f)[i][1], x, y).correct() / (double) (batches * batch);
            }
          }
        }
      }
      if (matrix != null) {
        // every architecture's correct count on every validation batch, for offline study of
        // derivation rules (which batches select, which score held out)
        DeriveStudy.writeMatrix(Path.of(matrix), new StringBuilder("{\"batch\": " + batch + ",\n"), hits, losses);
      }
      double tauSum = 0;
      for (int f = 0; f < ranked.size(); f++) {
        double tau = Ranks.kendallTau(rankedAcc[f], scratch.get(f));
        tauSum += tau;
        System.out.printf(Locale.ROOT, "rank %s: %d cells, shared-weight mean %.3f, Kendall tau against from-scratch %.2f%n",
            rankFiles[f], rankedAcc[f].length, Arrays.stream(rankedAcc[f]).average().orElse(0), tau);
      }
      if (ranked.size() > 1) System.out.printf(Locale.ROOT, "rank: mean Kendall tau %.2f over %d files%n", tauSum / ranked.size(), ranked.size());
      double[] s = acc.clone();
      Arrays.sort(s);
      double mean = Arrays.stream(acc).average().orElse(0);
      double sd = Math.sqrt(Arrays.stream(acc).map(q -> (q - mean) * (q - mean)).sum() / Math.max(1, evalN - 1));
      System.out.printf(Locale.ROOT, "mode %s lr %.3g steps %d: held-out acc of %d random archs: mean %.3f sd %.3f min %.3f median %.3f max %.3f (%.0f s)%n",
          mode, lr, steps, evalN, mean, sd, s[0], s[evalN / 2], s[evalN - 1], (System.nanoTime() - t0) / 1e9);
    }
  }

  /**
   * One update from the mean gradient of 5 architectures on one batch ({@code fair}: every op
   * slot takes each op once), applied as the native step does: clip the global norm to 5,
   * then Nesterov SGD (momentum 0.9, weight decay 1e-4) over the whole store. Returns the
   * mean batch accuracy of the 5 paths.
   */
  static double multiPathStep(Supernet net, SplittableRandom rng, int nodes, boolean fair, Tensor x, IntTensor y, float lr,
      float keep, long seed) {
    int paths = Supernet.NUM_OPS, slots = 4 * nodes;
    int[][][] arcs = new int[paths][2][];
    for (int p = 0; p < paths; p++) {
      arcs[p][0] = arc(rng, nodes, false);
      arcs[p][1] = arc(rng, nodes, false);
    }
    if (fair) {
      for (int c = 0; c < 2; c++) {
        for (int slot = 1; slot < slots; slot += 2) {
          int[] perm = Seeds.permutation(paths, rng);
          for (int p = 0; p < paths; p++) arcs[p][c][slot] = perm[p];
        }
      }
    }
    double[] g = null;
    double acc = 0;
    for (int p = 0; p < paths; p++) {
      Supernet.Result r = net.forwardBackward(arcs[p][0], arcs[p][1], x, y, keep, seed * 7 + p);
      acc += r.accuracy() / paths;
      float[] gp = net.get(Supernet.Buffer.GRADIENTS);
      if (g == null) g = new double[gp.length];
      for (int i = 0; i < gp.length; i++) g[i] += gp[i] / (double) paths;
    }
    double norm = 0;
    for (double v : g) norm += v * v;
    norm = Math.sqrt(norm);
    double scale = norm > 5 ? 5 / norm : 1;
    float[] w = net.get(Supernet.Buffer.WEIGHTS), m = net.get(Supernet.Buffer.MOMENTUM);
    for (int i = 0; i < w.length; i++) {
      float gi = (float) (g[i] * scale) + 1e-4f * w[i];
      float buf = 0.9f * m[i] + gi;
      m[i] = buf;
      w[i] -= lr * (gi + 0.9f * buf);
    }
    net.set(Supernet.Buffer.WEIGHTS, w);
    net.set(Supernet.Buffer.MOMENTUM, m);
    return acc;
  }

  /** A random cell: ops uniform; inputs uniform, or (chain) the two newest states. */
  static int[] arc(SplittableRandom rng, int nodes, boolean chain) {
    int[] a = new int[4 * nodes];
    for (int j = 0; j < nodes; j++) {
      a[4 * j] = chain ? j : rng.nextInt(j + 2);
      a[4 * j + 1] = rng.nextInt(Supernet.NUM_OPS);
      a[4 * j + 2] = chain ? j + 1 : rng.nextInt(j + 2);
      a[4 * j + 3] = rng.nextInt(Supernet.NUM_OPS);
    }
    return a;
  }
}
