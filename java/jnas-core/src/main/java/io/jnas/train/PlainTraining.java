package io.jnas.train;

import io.jnas.data.Augmentation;
import io.jnas.data.BatchLoader;
import io.jnas.data.Dataset;
import io.jnas.tensor.IntTensor;
import io.jnas.tensor.Tensor;
import io.jnas.util.Progress;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * The loop of the single-network trainers (a NAS-Bench-201 cell, an ENAS macro network): a
 * fixed network trained with SGD on one cosine period from {@code lr} to {@code lrMin} over
 * every step, then tested. The network's own step and evaluation are passed in, so the loop,
 * its progress bar, its divergence check and its per-epoch records exist once.
 */
public final class PlainTraining {
  private PlainTraining() {}

  /** One training step at learning rate {@code lr}: returns {loss, accuracy} of the batch. */
  @FunctionalInterface
  public interface Step {
    double[] run(Tensor images, IntTensor labels, double lr, long step);
  }

  /** One evaluation batch: returns {mean loss, correct}. */
  @FunctionalInterface
  public interface Eval {
    double[] run(Tensor images, IntTensor labels);
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
   * Trains for {@code epochs} epochs of {@code batch} images (the last partial batch dropped).
   *
   * @param what the trainer's name, for the progress bar and messages
   * @param progress a progress bar's stream, or null
   * @param epochLog told after each epoch, or null
   * @throws IllegalStateException when a loss is not finite (divergence), naming epoch and step
   */
  public static List<EpochStats> train(String what, Dataset train, Augmentation augmentation, int epochs, int batch, double lr,
      double lrMin, long seed, Step step, PrintStream progress, Consumer<EpochStats> epochLog) {
    if (train.size() < batch) throw new IllegalArgumentException(what + ": batch " + batch + " exceeds the " + train.size() + " training images");
    long t0 = System.nanoTime();
    List<EpochStats> stats = new ArrayList<>();
    try (BatchLoader loader = BatchLoader.builder(train).batchSize(batch).seed(seed).augmentation(augmentation)
            .dropLast(true).workers(1).build();
        Tensor x = Tensor.zeros(batch, train.channels(), train.height(), train.width());
        IntTensor y = IntTensor.zeros(batch)) {
      int steps = loader.batchesPerEpoch();
      long total = (long) steps * epochs;
      Progress bar = progress == null ? null : new Progress(progress, what, total, "step");
      for (int e = 0; e < epochs; e++) {
        double loss = 0, acc = 0, lr0 = Double.NaN;
        try (BatchLoader.Epoch it = loader.epoch(e)) {
          for (int k = 0; k < steps; k++) {
            it.next(x, y);
            long s = (long) e * steps + k;
            double rate = CosineSchedule.annealed(lr, lrMin, s, total);
            if (k == 0) lr0 = rate;
            double[] r = step.run(x, y, rate, s);
            if (!Double.isFinite(r[0])) {
              throw new IllegalStateException(what + ": epoch " + (e + 1) + " step " + (k + 1) + ": loss is " + r[0]
                  + " (diverged; lower the learning rate?)");
            }
            loss += r[0];
            acc += r[1];
            if (bar != null) bar.update(s + 1, s + 1, String.format(Locale.ROOT, "epoch %d loss %.3f", e + 1, r[0]));
          }
        }
        EpochStats es = new EpochStats(e + 1, lr0, loss / steps, acc / steps, (System.nanoTime() - t0) / 1e9);
        stats.add(es);
        if (epochLog != null) epochLog.accept(es);
      }
    }
    return stats;
  }

  /**
   * The outcome of a fixed network's training.
   *
   * @param epochs per-epoch records
   * @param testAccuracy accuracy on the test images (running statistics)
   * @param testLoss mean test loss
   * @param numWeights learned weights
   * @param flops forward FLOPs of one image
   * @param seconds wall time
   */
  public record Outcome(List<EpochStats> epochs, double testAccuracy, double testLoss, long numWeights, double flops, double seconds) {}

  /** Accuracy and mean loss over {@code data}, in batches of 250 (the last one partial). */
  public static double[] evaluate(Dataset data, Augmentation a, Eval eval) {
    double[] sums = new double[3];  // hits, loss * n, n
    forEachBatch(data, a, 250, (t, lab) -> {
      int n = lab.length;
      try (IntTensor l = IntTensor.of(lab, n)) {
        double[] r = eval.run(t, l);
        sums[0] += r[1];
        sums[1] += r[0] * n;
        sums[2] += n;
      }
    });
    return new double[] {sums[0] / sums[2], sums[1] / sums[2]};
  }

  /** One batch of images (the tensor, closed after the call) and its labels, exactly as many as images. */
  @FunctionalInterface
  public interface BatchVisitor {
    void accept(Tensor images, int[] labels);
  }

  /** Every image of {@code data} once, in order, in batches of {@code batch} (the last one partial). */
  public static void forEachBatch(Dataset data, Augmentation a, int batch, BatchVisitor visit) {
    try (BatchLoader loader = BatchLoader.builder(data).batchSize(batch).shuffle(false).augmentation(a).workers(1).build();
        BatchLoader.Epoch it = loader.epoch(0)) {
      BatchLoader.Batch b;
      int img = data.imageSize();
      while ((b = it.next()) != null) {
        int n = b.size();
        float[] pix = b.images().length == n * img ? b.images() : Arrays.copyOf(b.images(), n * img);
        int[] lab = b.labels().length == n ? b.labels() : Arrays.copyOf(b.labels(), n);
        try (Tensor t = Tensor.of(pix, n, data.channels(), data.height(), data.width())) {
          visit.accept(t, lab);
        }
      }
    }
  }
}
