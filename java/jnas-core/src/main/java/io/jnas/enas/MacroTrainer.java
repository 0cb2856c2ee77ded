package io.jnas.enas;

import io.jnas.data.Augmentation;
import io.jnas.data.Dataset;
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
 * Trains one architecture of ENAS's macro space ({@link MacroArch}) from scratch as a
 * {@link MacroNetwork} and tests it: the final training of a macro search's pick (or of the
 * paper's published network, {@link MacroArch#ENAS_MACRO_FINAL}). Nesterov SGD on one cosine
 * period, weight decay, global-norm clipping, dropout before the classifier; the test uses
 * the running batch-norm statistics.
 */
public final class MacroTrainer {
  private MacroTrainer() {}

  /** The kind of this trainer's checkpoints ({@code checkpoint.bin} of a {@code jnas train} run folder). */
  public static final String CHECKPOINT_KIND = "jnas-macro-checkpoint";

  /**
   * Settings.
   *
   * @param epochs epochs
   * @param batch minibatch
   * @param lr initial learning rate (cosine to lrMin over the run)
   * @param lrMin final learning rate
   * @param weightDecay L2 weight decay
   * @param momentum Nesterov momentum
   * @param gradClip global-norm clip (0: none)
   * @param dropoutKeep dropout keep probability before the classifier
   * @param channels the first layers' channels (even)
   * @param seed weights, batch order and dropout masks
   */
  public record Settings(int epochs, int batch, double lr, double lrMin, double weightDecay, double momentum, double gradClip,
      double dropoutKeep, int channels, long seed) {
    /** Checks every field; the message names the bad one. */
    public Settings {
      if (epochs < 1) throw new IllegalArgumentException("macro training: epochs is " + epochs + ", expected at least 1");
      if (batch < 2) throw new IllegalArgumentException("macro training: batch is " + batch + ", expected at least 2");
      if (!(lr > 0 && lrMin >= 0 && lrMin <= lr)) {
        throw new IllegalArgumentException("macro training: lr " + lr + " and lrMin " + lrMin + ", expected 0 <= lrMin <= lr, lr > 0");
      }
      if (!(weightDecay >= 0)) throw new IllegalArgumentException("macro training: weightDecay is " + weightDecay + ", expected >= 0");
      if (!(momentum >= 0 && momentum < 1)) throw new IllegalArgumentException("macro training: momentum is " + momentum + ", expected [0, 1)");
      if (!(gradClip >= 0)) throw new IllegalArgumentException("macro training: gradClip is " + gradClip + ", expected >= 0");
      if (!(dropoutKeep > 0 && dropoutKeep <= 1)) {
        throw new IllegalArgumentException("macro training: dropoutKeep is " + dropoutKeep + ", expected (0, 1]");
      }
      if (channels < 2 || channels % 2 != 0) {
        throw new IllegalArgumentException("macro training: channels is " + channels + ", expected an even number >= 2");
      }
    }

    /**
     * A first look in minutes: 10 epochs, batch 128, lr 0.05 cosine to 0.001, weight decay 1e-4
     * (ENAS's macro child), momentum 0.9, clip 5, dropout keep 0.9, 24 channels. ENAS's own
     * final training of its macro network ran 310 epochs at 96 channels.
     */
    public static Settings firstLook(long seed) {
      return new Settings(10, 128, 0.05, 0.001, 1e-4, 0.9, 5, 0.9, 24, seed);
    }
  }

  /**
   * Trains {@code arch} on {@code train} and tests it on {@code test}.
   *
   * @param augmentation the training transform
   * @param evalAugmentation the test transform (normalization)
   * @param progress a progress bar's stream, or null
   * @param epochLog told after each epoch, or null
   */
  public static PlainTraining.Outcome train(MacroArch arch, Settings s, Dataset train, Dataset test, Augmentation augmentation,
      Augmentation evalAugmentation, PrintStream progress, Consumer<EpochStats> epochLog) {
    return train(arch, s, train, test, augmentation, evalAugmentation, progress, epochLog, null);
  }

  /**
   * As {@link #train(MacroArch, Settings, Dataset, Dataset, Augmentation, Augmentation, PrintStream,
   * Consumer)}, and hands the trained network to {@code trained} after the test, before it is
   * closed: to save its weights ({@link MacroWeightsFile#of}).
   *
   * @param trained told once with the trained network, or null
   */
  public static PlainTraining.Outcome train(MacroArch arch, Settings s, Dataset train, Dataset test, Augmentation augmentation,
      Augmentation evalAugmentation, PrintStream progress, Consumer<EpochStats> epochLog, Consumer<? super MacroNetwork> trained) {
    try {
      return train(arch, s, train, test, augmentation, evalAugmentation, progress, epochLog, trained, null);
    } catch (IOException e) {
      throw new UncheckedIOException(e);  // not reached: no checkpoints without a folder
    }
  }

  /**
   * As {@link #train(MacroArch, Settings, Dataset, Dataset, Augmentation, Augmentation, PrintStream,
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
  public static PlainTraining.Outcome train(MacroArch arch, Settings s, Dataset train, Dataset test, Augmentation augmentation,
      Augmentation evalAugmentation, PrintStream progress, Consumer<EpochStats> epochLog, Consumer<? super MacroNetwork> trained,
      PlainTraining.Checkpoints ck) throws IOException {
    if (ck != null && !ck.kind().equals(CHECKPOINT_KIND)) {
      throw new IllegalArgumentException("checkpoints of kind " + ck.kind() + ", expected " + CHECKPOINT_KIND);
    }
    Objects.requireNonNull(arch, "arch");
    long t0 = System.nanoTime();
    MacroNetwork.Config cfg = new MacroNetwork.Config(arch, s.channels(), train.numClasses(), train.channels(), train.height(),
        train.width(), s.seed());
    try (MacroNetwork net = new MacroNetwork(cfg)) {
      List<EpochStats> stats = PlainTraining.train("macro train", train, augmentation, s.epochs(), s.batch(), s.lr(), s.lrMin(),
          s.seed(), (x, y, lr, step) -> {
            MacroNetwork.Result r = net.trainStep(x, y, new MacroNetwork.Hyper((float) lr, (float) s.momentum(),
                (float) s.weightDecay(), (float) s.gradClip(), (float) s.dropoutKeep()), s.seed() * 1_000_003L + step);
            return new double[] {r.loss(), r.accuracy()};
          }, progress, epochLog, ck, state(net));
      double[] t = PlainTraining.evaluate(test, evalAugmentation, (x, y) -> {
        MacroNetwork.Result r = net.evaluate(x, y);
        return new double[] {r.loss(), r.correct()};
      });
      boolean finished = ck == null || ck.end(s.epochs()) == s.epochs();
      if (trained != null && finished) trained.accept(net);
      return new PlainTraining.Outcome(stats, t[0], t[1], net.numWeights(), net.forwardFlops(), (System.nanoTime() - t0) / 1e9, finished);
    }
  }

  /** The buffers a checkpoint holds of {@code net}: weights, momentum, running statistics. */
  private static PlainTraining.State state(MacroNetwork net) {
    return new PlainTraining.State() {
      @Override
      public Map<String, float[]> save() {
        Map<String, float[]> m = new LinkedHashMap<>();
        m.put("weights", net.get(MacroNetwork.Buffer.WEIGHTS));
        m.put("momentum", net.get(MacroNetwork.Buffer.MOMENTUM));
        m.put("running_stats", net.get(MacroNetwork.Buffer.RUNNING_STATS));
        return m;
      }

      @Override
      public void restore(Checkpoint ck) {
        net.set(MacroNetwork.Buffer.WEIGHTS, ck.array("weights"));
        net.set(MacroNetwork.Buffer.MOMENTUM, ck.array("momentum"));
        net.set(MacroNetwork.Buffer.RUNNING_STATS, ck.array("running_stats"));
      }
    };
  }
}
