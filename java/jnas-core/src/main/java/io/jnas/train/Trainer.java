package io.jnas.train;

import io.jnas.backend.Backends;
import io.jnas.data.Augmentation;
import io.jnas.data.BatchLoader;
import io.jnas.data.DataSource;
import io.jnas.data.Dataset;
import io.jnas.genotype.Genotype;
import io.jnas.plot.LinePlot;
import io.jnas.search.RunDir;
import io.jnas.tensor.IntTensor;
import io.jnas.tensor.Tensor;
import io.jnas.util.Json;
import io.jnas.util.Progress;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Trains a genotype from scratch ({@link FinalNetwork}) on a data set's full training split and
 * tests it on the test split after every epoch, into a {@link RunDir}:
 * <ul>
 *   <li>{@code config.json}: the genotype, the settings (the data path absolute, every
 *       "automatic" value resolved) and the split sizes used (what {@code --resume} reads back);
 *   <li>{@code log.jsonl}: one {@code {"event": "epoch", ...}} line per epoch, epochs counted
 *       from 1;
 *   <li>{@code checkpoint.bin}: weights, momentum, running statistics, after every epoch,
 *       written atomically; a resumed run continues bit-exactly (same thread count on the CPU);
 *   <li>{@code curves.png}: loss and accuracy per epoch; at the end {@code weights.jnw}
 *       ({@link WeightsFile}), {@code genotype.json} and {@code result.json}.
 * </ul>
 *
 * <p>Randomness: batch {@code k} of epoch {@code e} depends on (seed, e, k) only; step
 * {@code s}'s drop-path and dropout masks on (seed, s). The learning rate is constant within an
 * epoch ({@link CosineSchedule}); drop-path grows with the global step ({@code progress =
 * (step + 1) / total steps}).
 */
public final class Trainer {
  /** The kind of this trainer's checkpoints ({@code checkpoint.bin}'s header {@code "kind"}). */
  public static final String CHECKPOINT_KIND = "jnas-final-checkpoint";

  /**
   * Everything a training run is set by, with ENAS's final-training defaults (Pham et al. 2018,
   * {@code cifar10_micro_final.sh}): 630 epochs of batch 144, cosine lr 0.05 to 1e-4 with warm
   * restarts T0 = 10, Tmul = 2 (10+20+...+320 = 630 epochs), L2 2e-4, Nesterov momentum 0.9,
   * gradient clip 5, drop-path keep 0.6, dropout keep 0.8, cutout 16 on CIFAR-10, auxiliary head,
   * 15 layers of 36 channels. With any other epoch count and no T0 given, the schedule is one
   * cosine over the run (T0 = epochs, Tmul = 1). Setters return {@code this}; {@link #check()}
   * validates.
   */
  public static final class Settings {
    /** Epochs. */
    public int epochs = 630;
    /** Minibatch size. */
    public int batch = 144;
    /** Learning rate at the start of each cosine period. */
    public double lrMax = 0.05;
    /** Learning rate at the end of each period. */
    public double lrMin = 1e-4;
    /** First period in epochs; 0 = automatic (10 for 630 epochs, else the epoch count). */
    public int lrT0 = 0;
    /** Period growth; 0 = automatic (2 for 630 epochs, else 1). */
    public int lrTMul = 0;
    /** L2 weight decay. */
    public double weightDecay = 2e-4;
    /** Nesterov momentum. */
    public double momentum = 0.9;
    /** Global-norm gradient clip (0: none). */
    public double gradClip = 5;
    /** Drop-path keep probability (of the last cell, at the end of training). */
    public double dropPathKeep = 0.6;
    /** Dropout keep probability before the classifier. */
    public double dropoutKeep = 0.8;
    /** Cutout length in pixels; -1 = automatic (16 on CIFAR-10, else 0). */
    public int cutout = -1;
    /** Whether the auxiliary head trains. */
    public boolean auxiliary = true;
    /** Cells, reductions included. */
    public int layers = 15;
    /** First cells' channels. */
    public int channels = 36;
    /** Seed of the weights, the batches and the masks. */
    public long seed = 1;
    /** Training images used, a random subset chosen by the seed (0 = all). */
    public int trainSubset = 0;
    /** Test images used, a random subset chosen by the seed (0 = all). */
    public int testSubset = 0;
    /** Batch size of evaluation. */
    public int evalBatch = 256;
    /** Loader threads. */
    public int workers = 2;

    /** The data set spec (a folder or {@code synthetic[...]}), recorded in {@code config.json}. */
    public String data = "synthetic";

    /**
     * The version {@link #toMap()} writes. Version 2 (this one): subsets as image counts
     * ({@code train_subset}, {@code test_subset}), the schedule and the cutout resolved (no 0 or
     * -1 for "automatic"), large seeds as strings, and the run's log counts epochs from 1.
     * Version 1 (no {@code version} key): {@code train_fraction}, {@code test_fraction}, 0 and
     * -1 for "automatic", epochs from 0 in the log. {@link #fromMap} reads both.
     */
    public static final int VERSION = 2;

    /** Subset fractions of a version-1 config (NaN: none); resolved to counts by {@link Trainer#run}. */
    private double legacyTrainFraction = Double.NaN, legacyTestFraction = Double.NaN;
    /** The epoch number the run's log gives the first epoch: 1, or 0 for a version-1 run. */
    private int logEpochBase = 1;

    /** The learning-rate schedule these settings give. */
    public CosineSchedule schedule() {
      int t0 = lrT0 > 0 ? lrT0 : epochs == 630 ? 10 : epochs;
      int tMul = lrTMul > 0 ? lrTMul : epochs == 630 && lrT0 == 0 ? 2 : 1;
      return new CosineSchedule(lrMax, lrMin, t0, tMul);
    }

    /** Checks every field; the message names it. */
    public Settings check() {
      if (epochs < 1) throw new IllegalArgumentException("epochs is " + epochs + ", expected at least 1");
      if (batch < 2) throw new IllegalArgumentException("batch is " + batch + ", expected at least 2 (batch statistics)");
      schedule();
      if (!(weightDecay >= 0)) throw new IllegalArgumentException("weight decay is " + weightDecay + ", expected >= 0");
      if (!(momentum >= 0 && momentum < 1)) throw new IllegalArgumentException("momentum is " + momentum + ", expected [0, 1)");
      if (!(gradClip >= 0 && Double.isFinite(gradClip))) throw new IllegalArgumentException("grad clip is " + gradClip + ", expected >= 0");
      if (!(dropPathKeep > 0 && dropPathKeep <= 1)) throw new IllegalArgumentException("drop-path keep is " + dropPathKeep + ", expected (0, 1]");
      if (!(dropoutKeep > 0 && dropoutKeep <= 1)) throw new IllegalArgumentException("dropout keep is " + dropoutKeep + ", expected (0, 1]");
      if (cutout < -1) throw new IllegalArgumentException("cutout is " + cutout + ", expected >= 0 (or -1 for automatic)");
      if (trainSubset < 0) throw new IllegalArgumentException("train subset is " + trainSubset + ", expected 0 (all) or more images");
      if (testSubset < 0) throw new IllegalArgumentException("test subset is " + testSubset + ", expected 0 (all) or more images");
      if (evalBatch < 1) throw new IllegalArgumentException("eval batch is " + evalBatch + ", expected at least 1");
      if (workers < 0) throw new IllegalArgumentException("workers is " + workers + ", expected >= 0");
      return this;
    }

    /**
     * JSON-ready map of every field, the learning-rate schedule resolved; an automatic cutout
     * (-1) is written as null ({@link Trainer#run} resolves it before it writes
     * {@code config.json}).
     */
    public Map<String, Object> toMap() {
      CosineSchedule sched = schedule();
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("version", VERSION);
      m.put("data", data);
      m.put("epochs", epochs);
      m.put("batch", batch);
      m.put("lr_max", lrMax);
      m.put("lr_min", lrMin);
      m.put("lr_t0", sched.t0());
      m.put("lr_tmul", sched.tMul());
      m.put("weight_decay", weightDecay);
      m.put("momentum", momentum);
      m.put("grad_clip", gradClip);
      m.put("drop_path_keep", dropPathKeep);
      m.put("dropout_keep", dropoutKeep);
      m.put("cutout", cutout < 0 ? null : cutout);
      m.put("auxiliary", auxiliary);
      m.put("layers", layers);
      m.put("channels", channels);
      m.put("seed", Math.abs(seed) <= 1L << 53 ? (Object) seed : Long.toString(seed));  // exact as a JSON number
      m.put("train_subset", trainSubset == 0 ? null : trainSubset);
      m.put("test_subset", testSubset == 0 ? null : testSubset);
      m.put("eval_batch", evalBatch);
      m.put("workers", workers);
      return m;
    }

    /** The settings of a {@link #toMap()} map, of this version or version 1 (missing keys keep their defaults). */
    public static Settings fromMap(Map<String, Object> m) {
      Settings s = new Settings();
      if (!(m.get("version") instanceof Number)) s.logEpochBase = 0;
      if (m.get("data") instanceof String d) s.data = d;
      s.epochs = i(m, "epochs", s.epochs);
      s.batch = i(m, "batch", s.batch);
      s.lrMax = d(m, "lr_max", s.lrMax);
      s.lrMin = d(m, "lr_min", s.lrMin);
      s.lrT0 = i(m, "lr_t0", s.lrT0);
      s.lrTMul = i(m, "lr_tmul", s.lrTMul);
      s.weightDecay = d(m, "weight_decay", s.weightDecay);
      s.momentum = d(m, "momentum", s.momentum);
      s.gradClip = d(m, "grad_clip", s.gradClip);
      s.dropPathKeep = d(m, "drop_path_keep", s.dropPathKeep);
      s.dropoutKeep = d(m, "dropout_keep", s.dropoutKeep);
      s.cutout = i(m, "cutout", s.cutout);
      if (m.get("auxiliary") instanceof Boolean b) s.auxiliary = b;
      s.layers = i(m, "layers", s.layers);
      s.channels = i(m, "channels", s.channels);
      if (m.get("seed") instanceof Number n) s.seed = n.longValue();
      if (m.get("seed") instanceof String str) {
        try {
          s.seed = Long.parseLong(str.strip());
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("settings: 'seed' is " + str + ", expected an integer", e);
        }
      }
      s.trainSubset = i(m, "train_subset", s.trainSubset);
      s.testSubset = i(m, "test_subset", s.testSubset);
      double tf = d(m, "train_fraction", 1), sf = d(m, "test_fraction", 1);
      if (tf < 1) s.legacyTrainFraction = tf;
      if (sf < 1) s.legacyTestFraction = sf;
      s.evalBatch = i(m, "eval_batch", s.evalBatch);
      s.workers = i(m, "workers", s.workers);
      return s;
    }

    private static int i(Map<String, Object> m, String k, int def) {
      return m.get(k) instanceof Number n ? n.intValue() : def;
    }

    private static double d(Map<String, Object> m, String k, double def) {
      return m.get(k) instanceof Number n ? n.doubleValue() : def;
    }
  }

  /**
   * One epoch's numbers.
   *
   * @param epoch from 1
   * @param lr its learning rate
   * @param trainLoss mean main loss over its steps
   * @param trainAuxLoss mean auxiliary loss
   * @param trainAccuracy training accuracy (with augmentation, drop-path and dropout)
   * @param testLoss test loss
   * @param testAccuracy test accuracy
   * @param seconds wall time of the epoch, test included
   */
  public record EpochStats(int epoch, double lr, double trainLoss, double trainAuxLoss, double trainAccuracy,
      double testLoss, double testAccuracy, double seconds) {
    /** The log's event; {@code base} is the number the log gives the first epoch (1; 0 in version-1 runs). */
    Map<String, Object> toMap(int base) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("event", "epoch");
      m.put("epoch", epoch - 1 + base);
      m.put("lr", lr);
      m.put("train_loss", trainLoss);
      m.put("train_aux_loss", trainAuxLoss);
      m.put("train_acc", trainAccuracy);
      m.put("test_loss", testLoss);
      m.put("test_acc", testAccuracy);
      m.put("seconds", seconds);
      return m;
    }
  }

  /**
   * A network's accuracy on a data set.
   *
   * @param loss mean cross-entropy
   * @param accuracy fraction correct
   * @param confusion counts, [true class][predicted class]
   */
  public record Evaluation(double loss, double accuracy, int[][] confusion) {
    /** Images evaluated. */
    public int count() {
      int n = 0;
      for (int[] row : confusion) for (int v : row) n += v;
      return n;
    }

    /** Accuracy of each true class (NaN for a class with no image). */
    public double[] perClassAccuracy() {
      double[] a = new double[confusion.length];
      for (int c = 0; c < a.length; c++) {
        int n = Arrays.stream(confusion[c]).sum();
        a[c] = n == 0 ? Double.NaN : confusion[c][c] / (double) n;
      }
      return a;
    }
  }

  /**
   * What a run produced.
   *
   * @param epochs the epochs run in this call (a resumed run lists only its own)
   * @param test the test evaluation after the last epoch run
   * @param finished whether all epochs are done (false when stopped by {@code stopAfter})
   * @param numWeights learned weights without the auxiliary head
   * @param flops forward FLOPs per image
   * @param seconds wall time of this call
   */
  public record Outcome(List<EpochStats> epochs, Evaluation test, boolean finished, long numWeights, double flops,
      double seconds) {}

  private final Settings s;
  private final PrintStream progress;

  /**
   * @param settings the run's settings (checked here)
   * @param progress where the progress bar goes (System.err), or null for none
   */
  public Trainer(Settings settings, PrintStream progress) {
    this.s = settings.check();
    this.progress = progress;
  }

  /** The network config these settings give for a data set. */
  public FinalNetwork.Config networkConfig(Genotype g, Dataset train) {
    return new FinalNetwork.Config(g, s.channels, s.layers, train.numClasses(), train.channels(), train.height(),
        train.width(), s.auxiliary, s.seed);
  }

  /**
   * Checks that the network of {@code g} on {@code train}'s images fits in the memory of the
   * backend in use while training at the settings' batch (measured on the dry backend: nothing
   * is allocated).
   *
   * @throws IllegalArgumentException naming the bytes needed and available, and what to lower
   */
  public void checkFits(Genotype g, Dataset train) {
    FinalNetwork.Config c = networkConfig(g, train);
    Backends.checkFits(Backends.current(), "the network (" + c.layers() + " cells, " + c.channels() + " channels) at batch "
        + s.batch, FinalNetwork.requiredBytes(c, s.batch), "--channels, --layers or --batch");
  }

  /**
   * Trains into {@code dir}. A new run writes {@code config.json} with the data path absolute,
   * the cutout resolved and the split sizes used.
   *
   * @param resume whether to continue the run in {@code dir} from its checkpoint; a run
   *     stopped before its first checkpoint starts afresh (its log emptied; a message on the
   *     progress stream says so)
   * @param stopAfter stop once this many epochs are done in all (0: run to the end); the
   *     checkpoint stays, to be resumed
   */
  public Outcome run(DataSource src, Genotype g, RunDir dir, boolean resume, int stopAfter) throws IOException {
    long t0 = System.nanoTime();
    Dataset train = subset(src.train(), s.trainSubset, s.legacyTrainFraction, s.seed, "training");
    Dataset test = src.test();
    if (test == null) throw new IllegalArgumentException(src.name() + ": has no test split");
    test = subset(test, s.testSubset, s.legacyTestFraction, s.seed + 1, "test");
    if (train.size() < s.batch) {
      throw new IllegalArgumentException("batch " + s.batch + " is larger than the " + train.size() + " training images");
    }
    int cut = s.cutout >= 0 ? s.cutout : src.name().equals("cifar10") ? 16 : 0;
    Augmentation aug = src.trainAugmentation().withCutout(cut);
    Augmentation evalAug = src.evalAugmentation();
    CosineSchedule sched = s.schedule();
    int base = s.logEpochBase;
    List<EpochStats> done = new ArrayList<>();
    checkFits(g, train);
    try (FinalNetwork net = new FinalNetwork(networkConfig(g, train));
        BatchLoader loader = BatchLoader.builder(train).batchSize(s.batch).seed(s.seed).augmentation(aug)
            .dropLast(true).workers(s.workers).build();
        Tensor x = Tensor.zeros(s.batch, train.channels(), train.height(), train.width());
        IntTensor y = IntTensor.zeros(s.batch)) {
      int start = 0;
      if (resume && dir.hasCheckpoint()) {
        Checkpoint ck = Checkpoint.read(dir.file(RunDir.CHECKPOINT));
        Object kind = ck.header().get("kind");
        if (kind != null && !CHECKPOINT_KIND.equals(kind)) {
          throw new IOException(dir.file(RunDir.CHECKPOINT) + ": a " + kind + " checkpoint, not "
              + CHECKPOINT_KIND + " (a cell network's)");
        }
        start = ((Number) ck.header().get("epochs_done")).intValue();
        net.set(FinalNetwork.Buffer.WEIGHTS, ck.array("weights"));
        net.set(FinalNetwork.Buffer.MOMENTUM, ck.array("momentum"));
        net.set(FinalNetwork.Buffer.RUNNING_STATS, ck.array("running_stats"));
        dir.truncateLog(((Number) ck.header().get("log_bytes")).longValue());
      } else if (resume) {
        if (progress != null) {
          progress.println("jnas: " + dir.path() + ": no checkpoint yet (the run stopped during its first epoch):"
              + " starting it afresh from its config.json");
        }
        dir.truncateLog(0);
      } else {
        Map<String, Object> sm = s.toMap();
        sm.put("data", RunDir.portableData(s.data));
        sm.put("cutout", cut);
        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("genotype", g.toMap());
        cfg.put("settings", sm);
        cfg.put("train_images", train.size());
        cfg.put("test_images", test.size());
        dir.writeString("config.json", Json.pretty(cfg));
        dir.writeString("genotype.json", g.toJson());
      }
      int steps = loader.batchesPerEpoch();
      long totalSteps = (long) steps * s.epochs;
      int end = stopAfter > 0 ? Math.min(stopAfter, s.epochs) : s.epochs;
      Progress.Run runClock = new Progress.Run((long) steps * (s.epochs - start));
      if (progress != null && start < end) {
        progress.println(String.format(Locale.ROOT, "jnas train: %,d weights, %.1f MFLOPs/image; %d training images,"
            + " %d steps of %d per epoch; epochs %d to %d of %d; test on %d images after each",
            net.numWeights(), net.forwardFlops() / 1e6, train.size(), steps, s.batch, start + 1, end, s.epochs, test.size()));
      }
      Evaluation last = null;
      for (int e = start; e < end; e++) {
        long te = System.nanoTime();
        double lr = sched.at(e);
        FinalNetwork.Hyper h = new FinalNetwork.Hyper((float) lr, (float) s.momentum, (float) s.weightDecay,
            (float) s.gradClip, (float) s.dropPathKeep, (float) s.dropoutKeep);
        Progress bar = progress == null ? null
            : new Progress(progress, String.format(Locale.ROOT, "epoch %d/%d", e + 1, s.epochs), steps, "img").run(runClock);
        double lossSum = 0, auxSum = 0;
        long hits = 0, seen = 0;
        try (BatchLoader.Epoch it = loader.epoch(e)) {
          for (int k = 0; k < steps; k++) {
            int n = it.next(x, y);
            if (n != s.batch) throw new IllegalStateException("loader gave " + n + " images, expected " + s.batch);
            long step = (long) e * steps + k;
            float prog = (float) Math.min(1.0, (step + 1) / (double) totalSteps);
            FinalNetwork.Result r = net.trainStep(x, y, h, prog, mix(s.seed, step));
            if (!Float.isFinite(r.loss())) throw new IllegalStateException("epoch " + (e + 1) + " step " + k + ": loss is " + r.loss() + " (diverged; lower --lr-max?)");
            lossSum += r.loss();
            auxSum += r.auxLoss();
            hits += r.correct();
            seen += n;
            runClock.add(1);
            if (bar != null) {
              bar.update(k + 1, seen, String.format(Locale.ROOT, "loss %.3f acc %.3f", lossSum / (k + 1), hits / (double) seen));
            }
          }
        }
        last = evaluate(net, test, evalAug, s.evalBatch);
        EpochStats st = new EpochStats(e + 1, lr, lossSum / steps, auxSum / steps, hits / (double) seen, last.loss(),
            last.accuracy(), (System.nanoTime() - te) / 1e9);
        done.add(st);
        dir.log(st.toMap(base));
        if (progress != null) {
          progress.println(String.format(Locale.ROOT, "epoch %d/%d: train loss %.4f acc %.4f, test loss %.4f acc %.4f (%.1f s)%s",
              e + 1, s.epochs, st.trainLoss(), st.trainAccuracy(), st.testLoss(), st.testAccuracy(), st.seconds(),
              e + 1 < s.epochs ? ", run ETA " + Progress.duration(runClock.secondsLeft()) : ""));
        }
        Map<String, Object> hdr = new LinkedHashMap<>();
        hdr.put("kind", CHECKPOINT_KIND);
        hdr.put("epochs_done", e + 1);
        hdr.put("log_bytes", dir.logSize());
        Map<String, float[]> arrays = new LinkedHashMap<>();
        arrays.put("weights", net.get(FinalNetwork.Buffer.WEIGHTS));
        arrays.put("momentum", net.get(FinalNetwork.Buffer.MOMENTUM));
        arrays.put("running_stats", net.get(FinalNetwork.Buffer.RUNNING_STATS));
        new Checkpoint(hdr, arrays).write(dir.file(RunDir.CHECKPOINT));
        writeCurves(dir, src.name(), base);
      }
      boolean finished = end == s.epochs;
      if (last == null) last = evaluate(net, test, evalAug, s.evalBatch);
      long params = net.numWeights();
      double flops = net.forwardFlops();
      double secs = (System.nanoTime() - t0) / 1e9;
      if (finished) {
        WeightsFile.of(net, src.normalization(), train.classNames()).write(dir.file("weights.jnw"));
        Map<String, Object> res = new LinkedHashMap<>();
        res.put("test_accuracy", last.accuracy());
        res.put("test_loss", last.loss());
        res.put("test_images", last.count());
        res.put("epochs", s.epochs);
        res.put("num_weights", params);
        res.put("num_weights_with_aux", net.numWeightsWithAux());
        res.put("forward_flops_per_image", flops);
        res.put("seconds_this_call", secs);
        res.put("data", RunDir.portableData(s.data));
        dir.writeString("result.json", Json.pretty(res));
      }
      return new Outcome(done, last, finished, params, flops, secs);
    }
  }

  /**
   * {@code count} images of {@code d} chosen by {@code seed} (0: all of them), or, for a
   * version-1 config, the fraction it recorded.
   */
  private static Dataset subset(Dataset d, int count, double legacyFraction, long seed, String what) {
    if (count > 0) {
      if (count > d.size()) {
        throw new IllegalArgumentException(what + " subset " + count + " exceeds the " + d.size() + " " + what + " images");
      }
      // Dataset.subset keeps round(fraction * size) images: count / size gives exactly count
      return count == d.size() ? d : d.subset(count / (double) d.size(), seed);
    }
    return Double.isNaN(legacyFraction) ? d : d.subset(legacyFraction, seed);
  }

  /** Test loss, accuracy and confusion of a network in evaluation mode. */
  public static Evaluation evaluate(FinalNetwork net, Dataset data, Augmentation evalAug, int batch) {
    return evaluate(net::predict, net.config().numClasses(), data, evalAug, batch);
  }

  /**
   * Test loss, accuracy and confusion of any classifier (e.g. {@code MacroNetwork::predict}).
   *
   * @param predict images {@code (B, C, H, W)} to logits {@code (B, V)} row-major
   * @param V the number of classes
   */
  public static Evaluation evaluate(Function<Tensor, float[]> predict, int V, Dataset data, Augmentation evalAug, int batch) {
    int[][] conf = new int[V][V];
    double lossSum = 0;
    int hits = 0, count = 0;
    try (BatchLoader loader = BatchLoader.builder(data).batchSize(batch).shuffle(false).augmentation(evalAug)
        .workers(1).build(); BatchLoader.Epoch it = loader.epoch(0)) {
      BatchLoader.Batch b;
      int img = data.imageSize();
      while ((b = it.next()) != null) {
        int n = b.size();
        float[] pix = b.images().length == n * img ? b.images() : Arrays.copyOf(b.images(), n * img);
        float[] logits;
        try (Tensor t = Tensor.of(pix, n, data.channels(), data.height(), data.width())) {
          logits = predict.apply(t);
        }
        int[] lab = b.labels();
        for (int i = 0; i < n; i++) {
          int best = 0;
          double max = Double.NEGATIVE_INFINITY;
          for (int v = 0; v < V; v++) max = Math.max(max, logits[i * V + v]);
          double z = 0;
          for (int v = 0; v < V; v++) {
            z += Math.exp(logits[i * V + v] - max);
            if (logits[i * V + v] > logits[i * V + best]) best = v;
          }
          lossSum += Math.log(z) + max - logits[i * V + lab[i]];
          conf[lab[i]][best]++;
          if (best == lab[i]) hits++;
          count++;
        }
      }
    }
    return new Evaluation(lossSum / count, hits / (double) count, conf);
  }

  /** Draws {@code curves.png} (loss and accuracy per epoch) from the run's log, which counts epochs from 1; {@code dataset} goes in the title. */
  public static void writeCurves(RunDir dir, String dataset) throws IOException {
    writeCurves(dir, dataset, 1);
  }

  /**
   * As {@link #writeCurves(RunDir, String)}, for a log that gives the first epoch the number
   * {@code base}. A series the log has no numbers for (a run that tests only at the end: the
   * nb201 and macro trainers) is left out; their train accuracy is {@code train_accuracy}.
   */
  static void writeCurves(RunDir dir, String dataset, int base) throws IOException {
    List<Map<String, Object>> log = dir.readLog();
    List<double[]> rows = new ArrayList<>();
    for (Map<String, Object> ev : log) {
      if (!"epoch".equals(ev.get("event"))) continue;
      Object trainAcc = ev.containsKey("train_acc") ? ev.get("train_acc") : ev.get("train_accuracy");
      rows.add(new double[] {num(ev.get("epoch")) + 1 - base, num(ev.get("train_loss")), num(ev.get("test_loss")),
          num(trainAcc), num(ev.get("test_acc"))});
    }
    if (rows.isEmpty()) return;
    int n = rows.size();
    double[][] c = new double[5][n];
    for (int i = 0; i < n; i++) for (int k = 0; k < 5; k++) c[k][i] = rows.get(i)[k];
    LinePlot p = new LinePlot("training on " + dataset + ": loss and accuracy", "epoch", "loss / accuracy").integerX().legendBest();
    String[] names = {"train loss", "test loss", "train accuracy", "test accuracy"};
    for (int k = 1; k < 5; k++) {
      if (java.util.Arrays.stream(c[k]).anyMatch(Double::isFinite)) p.series(names[k - 1], c[0], c[k], null, null);
    }
    p.writePng(dir.file("curves.png"), 900, 600);
  }


  private static double num(Object o) {
    return o instanceof Number n ? n.doubleValue() : Double.NaN;
  }

  /** A well-mixed 64-bit seed of (seed, step). */
  static long mix(long seed, long step) {
    long z = seed * 0x9E3779B97F4A7C15L + step + 0x632BE59BD9B4E019L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
