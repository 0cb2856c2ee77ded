package io.jnas.bench;

import io.jnas.data.Augmentation;
import io.jnas.data.BatchLoader;
import io.jnas.data.DataSource;
import io.jnas.data.Datasets;
import io.jnas.data.Splits;
import io.jnas.enas.Supernet;
import io.jnas.tensor.IntTensor;
import io.jnas.tensor.Tensor;
import java.util.Arrays;
import java.util.Locale;
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
 * </ul>
 *
 * <p>Usage: {@code SupernetLearning --mode uniform --steps 500 [--data synthetic:train=3000,val=1000]
 * [--lr 0.1] [--batch 64] [--layers 2] [--channels 12] [--nodes 3] [--eval 100] [--eval-images 512] [--seed 0]
 * [--resolution R: images resampled to R x R, as the proxy trainer does]}
 */
public final class SupernetLearning {
  private SupernetLearning() {}

  public static void main(String[] args) throws Exception {
    String mode = "uniform", data = "synthetic:train=3000,val=1000,test=1000";
    int resolution = 0;
    int steps = 500, batch = 64, layers = 2, channels = 12, nodes = 3, evalN = 100, evalImages = 512, every = 50, val = 1000;
    double lr = 0.1, keep = 0.9;
    long seed = 0;
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
      try (BatchLoader v = BatchLoader.builder(valid).batchSize(batch).shuffle(false).augmentation(src.evalAugmentation())
          .workers(0).dropLast(true).build();
          BatchLoader.Epoch e = v.epoch(0)) {
        int batches = Math.min(evalImages / batch, v.batchesPerEpoch());
        int[][][] arcs = new int[evalN][][];
        for (int i = 0; i < evalN; i++) arcs[i] = new int[][] {arc(rng, nodes, false), arc(rng, nodes, false)};
        for (int b = 0; b < batches; b++) {
          e.next(x, y);
          for (int i = 0; i < evalN; i++) acc[i] += net.evaluate(arcs[i][0], arcs[i][1], x, y).correct() / (double) (batches * batch);
        }
      }
      double[] s = acc.clone();
      Arrays.sort(s);
      double mean = Arrays.stream(acc).average().orElse(0);
      double sd = Math.sqrt(Arrays.stream(acc).map(q -> (q - mean) * (q - mean)).sum() / Math.max(1, evalN - 1));
      System.out.printf(Locale.ROOT, "mode %s lr %.3g steps %d: held-out acc of %d random archs: mean %.3f sd %.3f min %.3f median %.3f max %.3f (%.0f s)%n",
          mode, lr, steps, evalN, mean, sd, s[0], s[evalN / 2], s[evalN - 1], (System.nanoTime() - t0) / 1e9);
    }
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
