package io.jnas.nasbench;

import io.jnas.data.Augmentation;
import io.jnas.data.BatchLoader;
import io.jnas.data.Dataset;
import io.jnas.space.Nb201Cell;
import io.jnas.tensor.IntTensor;
import io.jnas.tensor.Tensor;
import io.jnas.train.CosineSchedule;
import io.jnas.util.Progress;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Trains one NAS-Bench-201 cell from scratch with the benchmark's recipe (Dong &amp; Yang 2020,
 * hyper-parameters "hp=12" and "hp=200": Nesterov SGD momentum 0.9, lr 0.1 cosine to 0, weight
 * decay 5e-4, batch 256, random crop and flip; C = 16, N = 5), and tests it: the number to
 * hold beside the table's. The table's network trained on CIFAR-10's 50,000 training images;
 * on fewer its accuracy is lower, so compare ranks, not percentages.
 */
public final class Nb201Trainer {
  private Nb201Trainer() {}

  /**
   * Settings.
   *
   * @param epochs epochs (the table here: 12)
   * @param batch minibatch
   * @param lr initial learning rate (cosine to lrMin over the run)
   * @param lrMin final learning rate
   * @param weightDecay L2 weight decay
   * @param momentum Nesterov momentum
   * @param channels C (16)
   * @param cellsPerStage N (5)
   * @param seed weights and batch order
   */
  public record Settings(int epochs, int batch, double lr, double lrMin, double weightDecay, double momentum, int channels,
      int cellsPerStage, long seed) {
    /** Checks every field. */
    public Settings {
      if (epochs < 1) throw new IllegalArgumentException("nb201 training: epochs is " + epochs + ", expected at least 1");
      if (batch < 2) throw new IllegalArgumentException("nb201 training: batch is " + batch + ", expected at least 2");
      if (!(lr > 0 && lrMin >= 0 && lrMin <= lr)) throw new IllegalArgumentException("nb201 training: lr " + lr + ", lrMin " + lrMin);
      if (!(weightDecay >= 0)) throw new IllegalArgumentException("nb201 training: weightDecay is " + weightDecay);
      if (!(momentum >= 0 && momentum < 1)) throw new IllegalArgumentException("nb201 training: momentum is " + momentum);
      if (channels < 1 || cellsPerStage < 1) throw new IllegalArgumentException("nb201 training: channels/cells must be >= 1");
    }

    /** The benchmark's 12-epoch recipe. */
    public static Settings hp12(long seed) {
      return new Settings(12, 256, 0.1, 0.0, 5e-4, 0.9, 16, 5, seed);
    }
  }

  /**
   * One epoch.
   *
   * @param epoch 1-based
   * @param lr the learning rate at its start
   * @param trainLoss mean training loss
   * @param trainAccuracy mean training accuracy
   * @param seconds wall time since the start
   */
  public record EpochStats(int epoch, double lr, double trainLoss, double trainAccuracy, double seconds) {}

  /**
   * The outcome.
   *
   * @param epochs per-epoch records
   * @param testAccuracy accuracy on the test images (running statistics)
   * @param testLoss mean test loss
   * @param numWeights learned weights
   * @param flops forward FLOPs of one image
   * @param seconds wall time
   */
  public record Outcome(List<EpochStats> epochs, double testAccuracy, double testLoss, long numWeights, double flops, double seconds) {}

  /**
   * Trains {@code cell} on {@code train} and tests it on {@code test}.
   *
   * @param augmentation the training transform
   * @param evalAugmentation the test transform (normalization)
   * @param progress a progress bar's stream, or null
   * @param epochLog told after each epoch, or null
   */
  public static Outcome train(Nb201Cell cell, Settings s, Dataset train, Dataset test, Augmentation augmentation,
      Augmentation evalAugmentation, PrintStream progress, Consumer<EpochStats> epochLog) {
    Objects.requireNonNull(cell, "cell");
    if (train.size() < s.batch()) throw new IllegalArgumentException("nb201 training: batch " + s.batch() + " exceeds the " + train.size() + " training images");
    long t0 = System.nanoTime();
    Nb201Network.Config cfg = new Nb201Network.Config(cell, s.channels(), s.cellsPerStage(), train.numClasses(), train.channels(),
        train.height(), train.width(), true, s.seed());
    List<EpochStats> stats = new ArrayList<>();
    try (Nb201Network net = Nb201Network.of(cfg);
        BatchLoader loader = BatchLoader.builder(train).batchSize(s.batch()).seed(s.seed()).augmentation(augmentation)
            .dropLast(true).workers(1).build();
        Tensor x = Tensor.zeros(s.batch(), train.channels(), train.height(), train.width());
        IntTensor y = IntTensor.zeros(s.batch())) {
      int steps = loader.batchesPerEpoch();
      long total = (long) steps * s.epochs();
      Progress bar = progress == null ? null : new Progress(progress, "nb201 train", total, "step");
      for (int e = 0; e < s.epochs(); e++) {
        double loss = 0, acc = 0, lr0 = Double.NaN;
        try (BatchLoader.Epoch it = loader.epoch(e)) {
          for (int k = 0; k < steps; k++) {
            it.next(x, y);
            long step = (long) e * steps + k;
            double lr = CosineSchedule.annealed(s.lr(), s.lrMin(), step, total);
            if (k == 0) lr0 = lr;
            Nb201Network.Result r = net.trainStep(null, x, y,
                new Nb201Network.Hyper((float) lr, (float) s.momentum(), (float) s.weightDecay(), 5f), step);
            if (!Float.isFinite(r.loss())) {
              throw new IllegalStateException("nb201 training: epoch " + (e + 1) + " step " + (k + 1) + ": loss is " + r.loss() + " (diverged; lower the learning rate?)");
            }
            loss += r.loss();
            acc += r.accuracy();
            if (bar != null) bar.update(step + 1, step + 1, String.format(java.util.Locale.ROOT, "epoch %d loss %.3f", e + 1, r.loss()));
          }
        }
        EpochStats es = new EpochStats(e + 1, lr0, loss / steps, acc / steps, (System.nanoTime() - t0) / 1e9);
        stats.add(es);
        if (epochLog != null) epochLog.accept(es);
      }
      double[] t = evaluate(net, test, evalAugmentation);
      return new Outcome(stats, t[0], t[1], net.numWeights(), net.forwardFlops(null), (System.nanoTime() - t0) / 1e9);
    }
  }

  /** Accuracy and mean loss over {@code data} (evaluation mode), in batches of 250. */
  static double[] evaluate(Nb201Network net, Dataset data, Augmentation a) {
    double hits = 0, loss = 0;
    int count = 0;
    try (BatchLoader loader = BatchLoader.builder(data).batchSize(250).shuffle(false).augmentation(a).workers(1).build();
        BatchLoader.Epoch it = loader.epoch(0)) {
      BatchLoader.Batch b;
      int img = data.imageSize();
      while ((b = it.next()) != null) {
        int n = b.size();
        float[] pix = b.images().length == n * img ? b.images() : Arrays.copyOf(b.images(), n * img);
        int[] lab = b.labels().length == n ? b.labels() : Arrays.copyOf(b.labels(), n);
        try (Tensor t = Tensor.of(pix, n, data.channels(), data.height(), data.width()); IntTensor l = IntTensor.of(lab, n)) {
          Nb201Network.Result r = net.evaluate(null, t, l);
          hits += r.correct();
          loss += (double) r.loss() * n;
          count += n;
        }
      }
    }
    return new double[] {hits / count, loss / count};
  }
}
