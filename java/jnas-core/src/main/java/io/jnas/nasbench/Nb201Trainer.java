package io.jnas.nasbench;

import io.jnas.data.Augmentation;
import io.jnas.data.Dataset;
import io.jnas.space.Nb201Cell;
import io.jnas.train.PlainTraining;
import io.jnas.train.PlainTraining.EpochStats;
import io.jnas.train.Checkpoint;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

  /** The kind of this trainer's checkpoints ({@code checkpoint.bin} of a {@code jnas train} run folder). */
  public static final String CHECKPOINT_KIND = "jnas-nb201-checkpoint";

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
   * Trains {@code cell} on {@code train} and tests it on {@code test}.
   *
   * @param augmentation the training transform
   * @param evalAugmentation the test transform (normalization)
   * @param progress a progress bar's stream, or null
   * @param epochLog told after each epoch, or null
   */
  public static PlainTraining.Outcome train(Nb201Cell cell, Settings s, Dataset train, Dataset test, Augmentation augmentation,
      Augmentation evalAugmentation, PrintStream progress, Consumer<EpochStats> epochLog) {
    return train(cell, s, train, test, augmentation, evalAugmentation, progress, epochLog, null);
  }

  /**
   * As {@link #train(Nb201Cell, Settings, Dataset, Dataset, Augmentation, Augmentation, PrintStream,
   * Consumer)}, and hands the trained network to {@code trained} after the test, before it is
   * closed: to save its weights ({@link Nb201WeightsFile#of}).
   *
   * @param trained told once with the trained network, or null
   */
  public static PlainTraining.Outcome train(Nb201Cell cell, Settings s, Dataset train, Dataset test, Augmentation augmentation,
      Augmentation evalAugmentation, PrintStream progress, Consumer<EpochStats> epochLog, Consumer<? super Nb201Network> trained) {
    try {
      return train(cell, s, train, test, augmentation, evalAugmentation, progress, epochLog, trained, null);
    } catch (IOException e) {
      throw new UncheckedIOException(e);  // not reached: no checkpoints without a folder
    }
  }

  /**
   * As {@link #train(Nb201Cell, Settings, Dataset, Dataset, Augmentation, Augmentation, PrintStream,
   * Consumer, Consumer)}, resumable: in {@code ck}'s run folder it starts from the checkpoint
   * (if resuming), writes {@code checkpoint.bin} of kind {@link #CHECKPOINT_KIND} after every
   * epoch (weights, momentum, running statistics, the epochs done, the log's length), and stops
   * after {@code ck.stopAfter()} epochs; {@code trained} is told only when all the epochs are
   * done. The test runs either way.
   *
   * @param ck the folder and how far to go, its kind {@link #CHECKPOINT_KIND}; or null: no
   *     checkpoints, all the epochs
   * @throws IOException when the checkpoint cannot be read or written, or is not of this kind
   */
  public static PlainTraining.Outcome train(Nb201Cell cell, Settings s, Dataset train, Dataset test, Augmentation augmentation,
      Augmentation evalAugmentation, PrintStream progress, Consumer<EpochStats> epochLog, Consumer<? super Nb201Network> trained,
      PlainTraining.Checkpoints ck) throws IOException {
    if (ck != null && !ck.kind().equals(CHECKPOINT_KIND)) {
      throw new IllegalArgumentException("checkpoints of kind " + ck.kind() + ", expected " + CHECKPOINT_KIND);
    }
    Objects.requireNonNull(cell, "cell");
    long t0 = System.nanoTime();
    Nb201Network.Config cfg = new Nb201Network.Config(cell, s.channels(), s.cellsPerStage(), train.numClasses(), train.channels(),
        train.height(), train.width(), true, s.seed());
    try (Nb201Network net = Nb201Network.of(cfg)) {
      List<EpochStats> stats = PlainTraining.train("nb201 train", train, augmentation, s.epochs(), s.batch(), s.lr(), s.lrMin(),
          s.seed(), (x, y, lr, step) -> {
            Nb201Network.Result r = net.trainStep(null, x, y,
                new Nb201Network.Hyper((float) lr, (float) s.momentum(), (float) s.weightDecay(), 5f), step);
            return new double[] {r.loss(), r.accuracy()};
          }, progress, epochLog, ck, state(net));
      double[] t = PlainTraining.evaluate(test, evalAugmentation, (x, y) -> {
        Nb201Network.Result r = net.evaluate(null, x, y);
        return new double[] {r.loss(), r.correct()};
      });
      boolean finished = ck == null || ck.end(s.epochs()) == s.epochs();
      if (trained != null && finished) trained.accept(net);
      return new PlainTraining.Outcome(stats, t[0], t[1], net.numWeights(), net.forwardFlops(null), (System.nanoTime() - t0) / 1e9, finished);
    }
  }

  /** The buffers a checkpoint holds of {@code net}: weights, momentum, running statistics. */
  private static PlainTraining.State state(Nb201Network net) {
    return new PlainTraining.State() {
      @Override
      public Map<String, float[]> save() {
        Map<String, float[]> m = new LinkedHashMap<>();
        m.put("weights", net.weights());
        m.put("momentum", net.momentum());
        m.put("running_stats", net.runningStats());
        return m;
      }

      @Override
      public void restore(Checkpoint ck) {
        net.setWeights(ck.array("weights"));
        net.setMomentum(ck.array("momentum"));
        net.setRunningStats(ck.array("running_stats"));
      }
    };
  }
}
