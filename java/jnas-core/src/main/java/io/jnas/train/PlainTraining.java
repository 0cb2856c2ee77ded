package io.jnas.train;

import io.jnas.data.Augmentation;
import io.jnas.data.BatchLoader;
import io.jnas.data.Dataset;
import io.jnas.search.RunDir;
import io.jnas.tensor.IntTensor;
import io.jnas.tensor.Tensor;
import io.jnas.util.Progress;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The loop of the single-network trainers (a NAS-Bench-201 cell, an ENAS macro network): a
 * fixed network trained with SGD on one cosine period from {@code lr} to {@code lrMin} over
 * every step, then tested. The network's own step and evaluation are passed in, so the loop,
 * its progress bar, its divergence check and its per-epoch records exist once.
 *
 * <p>A run in a folder ({@link Checkpoints}) writes {@code checkpoint.bin} after every epoch
 * (the network's buffers, the epochs done, the log's length) and continues from it bit-exactly:
 * batch {@code k} of epoch {@code e} depends on (seed, e, k) only, a step's randomness on its
 * global step, and the learning rate on the global step.
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
    try {
      return train(what, train, augmentation, epochs, batch, lr, lrMin, seed, step, progress, epochLog, null, null);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);  // not reached: no checkpoints without a folder
    }
  }

  /**
   * Where a resumable run keeps its checkpoints, and how far this call goes.
   *
   * @param dir the run folder: {@code checkpoint.bin} is written there after every epoch, once
   *     {@code epochLog} has logged the epoch to the folder's {@code log.jsonl}
   * @param kind the checkpoint's kind (its header's {@code "kind"}, e.g. {@code
   *     jnas-nb201-checkpoint}); a checkpoint of another kind is refused
   * @param resume whether to continue from the folder's checkpoint; where there is none yet (the
   *     run stopped during its first epoch) the run starts afresh, its log emptied
   * @param stopAfter stop once this many epochs are done in all (0: run to the end); the
   *     checkpoint stays, to be resumed
   */
  public record Checkpoints(RunDir dir, String kind, boolean resume, int stopAfter) {
    /** Checks the fields. */
    public Checkpoints {
      java.util.Objects.requireNonNull(dir, "dir");
      java.util.Objects.requireNonNull(kind, "kind");
      if (stopAfter < 0) throw new IllegalArgumentException("stopAfter is " + stopAfter + ", expected at least 0 (0: run to the end)");
    }

    /** The last epoch this call trains (1-based) of a run of {@code epochs}. */
    public int end(int epochs) {
      return stopAfter > 0 ? Math.min(stopAfter, epochs) : epochs;
    }
  }

  /** A network's state that a checkpoint holds: named buffers (weights, momentum, running statistics). */
  public interface State {
    /** Copies of the buffers, by name, in a fixed order. */
    Map<String, float[]> save();

    /** Overwrites the buffers from a checkpoint's arrays ({@link Checkpoint#array} names a missing one). */
    void restore(Checkpoint ck);
  }

  /**
   * As {@link #train(String, Dataset, Augmentation, int, int, double, double, long, Step,
   * PrintStream, Consumer)}, in a run folder: resumes from its checkpoint if asked, writes one
   * after every epoch, and stops after {@code ck.stopAfter()} epochs. Returns only the epochs
   * trained in this call.
   *
   * @param ck the folder and kind of the checkpoints, or null for none (then {@code state} is unused)
   * @param state the network's buffers
   * @throws IOException when the checkpoint cannot be read or written, or is of another kind
   *     (the message names the file and both kinds)
   */
  public static List<EpochStats> train(String what, Dataset train, Augmentation augmentation, int epochs, int batch, double lr,
      double lrMin, long seed, Step step, PrintStream progress, Consumer<EpochStats> epochLog, Checkpoints ck, State state)
      throws IOException {
    if (train.size() < batch) throw new IllegalArgumentException(what + ": batch " + batch + " exceeds the " + train.size() + " training images");
    long t0 = System.nanoTime();
    List<EpochStats> stats = new ArrayList<>();
    try (BatchLoader loader = BatchLoader.builder(train).batchSize(batch).seed(seed).augmentation(augmentation)
            .dropLast(true).workers(1).build();
        Tensor x = Tensor.zeros(batch, train.channels(), train.height(), train.width());
        IntTensor y = IntTensor.zeros(batch)) {
      int steps = loader.batchesPerEpoch();
      long total = (long) steps * epochs;
      int start = ck == null ? 0 : restore(ck, state, what, progress);
      int end = ck == null ? epochs : ck.end(epochs);
      Progress bar = progress == null || start >= end ? null
          : new Progress(progress, what, (long) steps * (end - start), "step");
      for (int e = start; e < end; e++) {
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
            long done = s + 1 - (long) start * steps;
            if (bar != null) bar.update(done, done, String.format(Locale.ROOT, "epoch %d loss %.3f", e + 1, r[0]));
          }
        }
        EpochStats es = new EpochStats(e + 1, lr0, loss / steps, acc / steps, (System.nanoTime() - t0) / 1e9);
        stats.add(es);
        if (epochLog != null) epochLog.accept(es);
        if (ck != null) {
          Map<String, Object> hdr = new LinkedHashMap<>();
          hdr.put("kind", ck.kind());
          hdr.put("epochs_done", e + 1);
          hdr.put("log_bytes", ck.dir().logSize());
          new Checkpoint(hdr, state.save()).write(ck.dir().file(RunDir.CHECKPOINT));
        }
      }
    }
    return stats;
  }

  /** Loads the folder's checkpoint into {@code state} and cuts the log back to it: the epochs done (0 where none). */
  private static int restore(Checkpoints ck, State state, String what, PrintStream progress) throws IOException {
    RunDir dir = ck.dir();
    if (!ck.resume()) return 0;
    if (!dir.hasCheckpoint()) {
      if (progress != null) {
        progress.println("jnas: " + dir.path() + ": no checkpoint yet (the run stopped during its first epoch): starting it afresh");
      }
      dir.truncateLog(0);
      return 0;
    }
    java.nio.file.Path f = dir.file(RunDir.CHECKPOINT);
    Checkpoint c = Checkpoint.read(f);
    Object kind = c.header().get("kind");
    if (!ck.kind().equals(kind)) {
      throw new IOException(f + ": a " + (kind == null ? "kindless" : kind) + " checkpoint, not " + ck.kind()
          + " (" + what + " resumes only its own kind)");
    }
    if (!(c.header().get("epochs_done") instanceof Number n) || !(c.header().get("log_bytes") instanceof Number b)) {
      throw new IOException(f + ": header lacks epochs_done or log_bytes: " + c.header());
    }
    try {
      state.restore(c);
    } catch (IllegalArgumentException e) {
      throw new IOException(f + ": does not fit the network of config.json: " + e.getMessage(), e);
    }
    dir.truncateLog(b.longValue());
    return n.intValue();
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
   * @param finished whether the run trained all its epochs (false: stopped by {@link Checkpoints#stopAfter})
   */
  public record Outcome(List<EpochStats> epochs, double testAccuracy, double testLoss, long numWeights, double flops, double seconds,
      boolean finished) {
    /** An outcome of a run trained to its end. */
    public Outcome(List<EpochStats> epochs, double testAccuracy, double testLoss, long numWeights, double flops, double seconds) {
      this(epochs, testAccuracy, testLoss, numWeights, flops, seconds, true);
    }
  }

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
