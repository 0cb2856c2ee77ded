package io.jnas.enas;

import io.jnas.backend.Backends;
import io.jnas.controller.LstmController;
import io.jnas.controller.Reinforce;
import io.jnas.controller.SplitMix64;
import io.jnas.data.Augmentation;
import io.jnas.data.BatchLoader;
import io.jnas.data.DataSource;
import io.jnas.data.Datasets;
import io.jnas.data.Splits;
import io.jnas.multitrial.ProxyTrainer;
import io.jnas.multitrial.TrialEvaluator;
import io.jnas.multitrial.TrialSettings;
import io.jnas.plot.LinePlot;
import io.jnas.search.RunDir;
import io.jnas.tensor.IntTensor;
import io.jnas.tensor.Tensor;
import io.jnas.train.Checkpoint;
import io.jnas.util.Json;
import io.jnas.util.Progress;
import io.jnas.util.Ranks;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * ENAS search (Pham et al. 2018) as the official code runs it, in the micro space (the
 * {@link Supernet} of two cells) or the macro space ({@link MacroSupernet}: a chain of layers with
 * skip connections; {@code SearchSettings.Net#space()}): each epoch trains the
 * shared weights for one pass over the training split, with a new
 * architecture sampled from the controller for every minibatch; then trains the controller
 * with REINFORCE for {@code controller.steps} steps, each aggregating
 * {@code reinforce.aggregate} samples whose reward is the accuracy on a validation minibatch
 * (plus the entropy bonus). Every {@code derive.every} epochs and after the last, it derives
 * the final architecture: {@code derive.samples} candidates scored on the same first
 * {@code derive.selectBatches} validation batches, the best kept (ENAS's rule, with one batch);
 * since the best of many is biased upward,
 * it is then scored again, beside {@code derive.random} uniformly random architectures
 * (the yardstick), on the next {@code derive.heldOutBatches} validation batches, and those are the
 * accuracies reported.
 *
 * <p><b>Randomness.</b> Every random choice derives from the settings' seed and the position
 * in the run (epoch, step): the architecture of training step k of epoch e, its dropout mask,
 * the batch contents (see {@link BatchLoader}), the controller's samples. So a run needs no
 * random-generator state to resume, and the same seed gives the same run (on the CPU, with
 * the same thread count).
 *
 * <p><b>Nothing lost.</b> The run folder holds {@code settings.json}, {@code log.jsonl} (one
 * event per line), and {@code checkpoint.bin}, written atomically at the end of every epoch
 * (shared weights, momentum, controller, baseline, Adam state, validation-stream position, log
 * length). {@link #resume(Path, PrintStream)} cuts the log back to the checkpoint and continues:
 * the resumed run's events equal those of a run never stopped; a run stopped before its first
 * checkpoint starts afresh from its settings. A search holds its folder's
 * {@link io.jnas.search.RunLock} from {@link #start} or {@link #resume} to {@link #close()}: a
 * second run on the folder is refused, and stale temporary files are removed when it opens.
 * Epochs are counted from 1 in the log and every file (runs started by jnas before settings
 * version 2 keep counting from 0 in theirs).
 *
 * <p><b>Outputs</b> (refreshed at each derivation): {@code final_arch.json},
 * {@code final_arch.txt} (the ENAS integer string; in the NASNet and AmoebaNet spaces the
 * decision vector after the space's name), {@code normal_cell.svg/png},
 * {@code reduce_cell.svg/png}, {@code search_curves.png}; {@code result.json} (after each
 * {@link #runUntil} call: the found cell, its held-out score beside the random yardstick and
 * chance, what that comparison means, and the {@code jnas train} command line for the cell).
 */
public final class EnasSearch implements AutoCloseable {
  private static final int STREAM_CHILD_ARC = 1, STREAM_DROPOUT = 2, STREAM_CONTROLLER = 3, STREAM_DERIVE = 4,
      STREAM_INIT = 5, STREAM_DATA = 6, STREAM_VERIFY = 7, STREAM_REPEAT = 8;


  private final SearchSettings settings;
  private final RunDir dir;
  /** What the log calls the first epoch: 1 (settings version 2 on), 0 in runs started by earlier versions. */
  private final int epochBase;
  private final PrintStream progressOut;
  private final DataSource source;
  private final Splits splits;
  private final SharedNet net;
  private final LstmController controller;
  private final Reinforce reinforce;
  private final BatchLoader trainLoader;
  private final BatchLoader validLoader;
  private final Tensor x;
  private final IntTensor y;
  private int nextEpoch;
  private long validBatchesUsed;
  private Progress.Run runClock = new Progress.Run(1);
  private Map<String, Object> best;  // best derived so far: arc, accuracy, epoch
  /** Hears every event the log gets (embedding: {@link #onEvent}). */
  private Consumer<Map<String, Object>> events = e -> {};
  /** Polled after every step: true stops the run ({@link #stopWhen}). */
  private BooleanSupplier stop = () -> false;

  private EnasSearch(SearchSettings s, DataSource source, RunDir dir, PrintStream progressOut, int epochBase) {
    this.dir = dir;
    this.epochBase = epochBase;
    this.progressOut = progressOut;
    this.source = source;
    this.splits = splits(s, source);
    this.settings = s.validation() < 0 ? s.withData(s.data(), splits.validation().size()) : s;
    int b = s.child().batch();
    var d = splits.train();
    this.net = SharedNet.create(s, d, mix(s.seed(), STREAM_INIT, 0, 0));
    this.controller = new LstmController(net.controllerSpec(s.controller().opBiases()), s.controller().config(),
        new SplitMix64(mix(s.seed(), STREAM_INIT, 1, 0)));
    this.reinforce = new Reinforce(controller, s.controller().reinforce());
    Augmentation train = source.trainAugmentation();
    this.trainLoader = BatchLoader.builder(splits.train()).batchSize(b).seed(mix(s.seed(), STREAM_DATA, 0, 0))
        .augmentation(train).dropLast(true).build();
    // ENAS scores the controller's samples on shuffled, augmented validation batches
    this.validLoader = BatchLoader.builder(splits.validation()).batchSize(b).seed(mix(s.seed(), STREAM_DATA, 1, 0))
        .augmentation(train).dropLast(true).workers(0).build();
    this.x = Tensor.zeros(b, d.channels(), d.height(), d.width());
    this.y = IntTensor.zeros(b);
  }

  /**
   * Starts a new search in {@code out}, which must not exist or be empty, and holds the
   * folder's {@link io.jnas.search.RunLock} until {@link #close()}. The data path is recorded
   * absolute, the validation size resolved, in {@code settings.json}.
   *
   * @param progressOut where progress bars and messages go (usually standard error), or null for none
   * @throws IllegalArgumentException if the folder is not empty or another run holds it
   */
  public static EnasSearch start(SearchSettings s, Path out, PrintStream progressOut) throws IOException {
    DataSource source = Datasets.open(s.data());  // bad data or sizes fail before the folder is made
    splits(s, source);
    RunDir dir = RunDir.create(out, "search", progressOut);
    try {
      EnasSearch search = new EnasSearch(s.withData(RunDir.portableData(s.data()), s.validation()), source, dir, progressOut, 1);
      search.begin();
      return search;
    } catch (IOException | RuntimeException e) {
      dir.close();
      throw e;
    }
  }

  /**
   * Starts a new search in {@code out} on data already in memory: as
   * {@link #start(SearchSettings, Path, PrintStream)}, with {@code source} in place of opening
   * {@code s.data()}, which is then only a label recorded in {@code settings.json} (e.g.
   * {@code memory:my-images}). Resume such a run with
   * {@link #resume(Path, DataSource, PrintStream)} and the same data.
   */
  public static EnasSearch start(SearchSettings s, DataSource source, Path out, PrintStream progressOut) throws IOException {
    splits(s, source);
    RunDir dir = RunDir.create(out, "search", progressOut);
    try {
      EnasSearch search = new EnasSearch(s, source, dir, progressOut, 1);
      search.begin();
      return search;
    } catch (IOException | RuntimeException e) {
      dir.close();
      throw e;
    }
  }

  /**
   * Continues the run in {@code runDir} on data already in memory (a run started with
   * {@link #start(SearchSettings, DataSource, Path, PrintStream)}); its training and validation
   * sizes must be the ones the run started with.
   */
  public static EnasSearch resume(Path runDir, DataSource source, PrintStream progressOut) throws IOException {
    return resume(runDir, null, java.util.Objects.requireNonNull(source, "source"), progressOut);
  }

  /**
   * Calls {@code listener} with every event the run logs, as it is logged: {@code child_step},
   * {@code controller_step}, {@code epoch}, {@code derive}, {@code start}, {@code resume} (the
   * maps of {@code log.jsonl}, read-only by contract). Called on the thread that runs the
   * search.
   */
  public EnasSearch onEvent(Consumer<Map<String, Object>> listener) {
    this.events = java.util.Objects.requireNonNull(listener, "listener");
    return this;
  }

  /**
   * Makes the run stop once {@code stop} answers true, polled after every child step,
   * controller step and derivation candidate: {@link #runUntil} then throws a
   * {@link CancellationException}, and the search object must be closed. Its run folder holds
   * everything up to the last finished epoch: {@link #resume} continues from there, exactly.
   */
  public EnasSearch stopWhen(BooleanSupplier stop) {
    this.stop = java.util.Objects.requireNonNull(stop, "stop");
    return this;
  }

  private void checkStop(int e) {
    if (stop.getAsBoolean()) throw new CancellationException("search cancelled in epoch " + (e + 1));
  }

  /** Appends {@code ev} to the log and tells the listener. */
  private void log(Map<String, Object> ev) throws IOException {
    dir.log(ev);
    events.accept(ev);
  }

  /**
   * The run's training and validation splits, checked against the batch size; and the supernet
   * checked to fit in the backend's memory at that batch (measured on the dry backend, so a
   * too-large {@code --channels} is refused with the numbers before anything is allocated).
   */
  private static Splits splits(SearchSettings s, DataSource source) {
    Splits sp = s.validation() < 0 ? source.splits() : source.splits(s.validation());
    int b = s.child().batch();
    if (sp.train().size() < b) {
      throw new IllegalArgumentException("batch " + b + " is larger than the training split (" + sp.train().size() + " images)");
    }
    if (sp.validation().size() < b) {
      throw new IllegalArgumentException("batch " + b + " is larger than the validation split (" + sp.validation().size()
          + " images); give --validation at least the batch size");
    }
    Backends.checkFits(Backends.current(), SharedNet.describe(s) + " at batch " + b, SharedNet.requiredBytes(s, sp.train(), b),
        SharedNet.sizeFlags(s));
    return sp;
  }

  /** Writes settings.json and the log's first event. */
  private void begin() throws IOException {
    dir.writeString("settings.json", Json.pretty(settings.toMap()) + "\n");
    Map<String, Object> ev = event("start");
    ev.put("settings", settings.toMap());
    ev.put("supernet_weights", net.numWeights());
    ev.put("train_images", splits.train().size());
    ev.put("validation_images", splits.validation().size());
    ev.put("data", source.description());
    log(ev);
  }

  /** Continues the run in {@code runDir} from its last checkpoint, with the settings it was started with. */
  public static EnasSearch resume(Path runDir, PrintStream progressOut) throws IOException {
    return resume(runDir, (String) null, progressOut);
  }

  /**
   * Continues the run in {@code runDir} from its last checkpoint, with the settings it was
   * started with, holding the folder's {@link io.jnas.search.RunLock} until {@link #close()}.
   * A run stopped before its first checkpoint starts afresh from its {@code settings.json} (its
   * log emptied; a message says so).
   *
   * @param data where the run's data set is now (it moved), or null for the path in
   *     {@code settings.json}; the run's {@code settings.json} then records the new path. Its
   *     training and validation sizes must be the ones the run started with.
   * @param progressOut where progress bars and messages go, or null for none
   * @throws IllegalArgumentException if the folder is no search run, another run holds it, or
   *     the data set is missing or differs
   */
  public static EnasSearch resume(Path runDir, String data, PrintStream progressOut) throws IOException {
    return resume(runDir, data, null, progressOut);
  }

  private static EnasSearch resume(Path runDir, String data, DataSource given, PrintStream progressOut) throws IOException {
    // checked before the lock is taken, so that a folder that is no run is left untouched
    if (Files.isDirectory(runDir) && !Files.isRegularFile(runDir.resolve("settings.json"))) {
      throw new IllegalArgumentException(runDir + ": holds no settings.json (not a search run, or one stopped before it began;"
          + " start it anew with --out " + runDir + ")");
    }
    RunDir dir = RunDir.open(runDir, "search", progressOut);
    try {
      Path settingsFile = dir.file("settings.json");
      Map<String, Object> m = Json.parseObject(Files.readString(settingsFile));
      SearchSettings s = SearchSettings.fromMap(m);
      if (data != null) {
        s = s.withData(RunDir.portableData(data), s.validation());
      } else if (given == null) {
        RunDir.requireData(runDir, s.data());
      }
      boolean fresh = !dir.hasCheckpoint();
      EnasSearch search = new EnasSearch(s, given != null ? given : Datasets.open(s.data()), dir, progressOut,
          fresh || SearchSettings.version(m) >= 2 ? 1 : 0);
      if (fresh) {
        if (progressOut != null) {
          progressOut.println("jnas: " + runDir + ": no checkpoint yet (the run stopped during its first epoch):"
              + " starting it afresh from its settings.json");
        }
        dir.truncateLog(0);
        search.begin();
        return search;
      }
      if (data != null && !search.settings.data().equals(m.get("data"))) {
        search.checkSameData(m.get("data"));
        m.put("data", search.settings.data());
        dir.writeString("settings.json", Json.pretty(m) + "\n");
      }
      if (given != null) search.checkSameData(m.get("data"));
      Checkpoint c = Checkpoint.read(dir.file(RunDir.CHECKPOINT));
      search.restore(c);
      dir.truncateLog(((Number) c.header().get("log_bytes")).longValue());
      Map<String, Object> ev = event("resume");
      ev.put("epoch", search.nextEpoch + search.epochBase);
      if (data != null) ev.put("data", search.settings.data());
      search.log(ev);
      return search;
    } catch (IOException | RuntimeException e) {
      dir.close();
      throw e;
    }
  }

  /** Refuses a moved data set whose split sizes differ from those the log's start event recorded. */
  private void checkSameData(Object was) throws IOException {
    for (Map<String, Object> ev : dir.readLog()) {
      if (!"start".equals(ev.get("event"))) continue;
      if (ev.get("train_images") instanceof Number t && ev.get("validation_images") instanceof Number v
          && (t.intValue() != splits.train().size() || v.intValue() != splits.validation().size())) {
        throw new IllegalArgumentException(settings.data() + ": " + splits.train().size() + " training and "
            + splits.validation().size() + " validation images, but the run started on " + t.intValue() + " and "
            + v.intValue() + " (" + was + "): not the same data set");
      }
      break;
    }
    if (progressOut != null && !settings.data().equals(was)) {
      progressOut.println("jnas: " + dir.path() + ": data set now at " + settings.data() + " (was " + was + ")");
    }
  }

  /** The settings. */
  public SearchSettings settings() {
    return settings;
  }

  /** The run folder. */
  public Path path() {
    return dir.path();
  }

  /**
   * The supernet of an ENAS micro search (for benchmarks and tests).
   *
   * @throws IllegalStateException for a macro search
   */
  public Supernet supernet() {
    if (net instanceof SharedNet.Micro m) return m.supernet();
    throw new IllegalStateException("a macro search has no micro supernet");
  }

  /** The controller in its current state (for benchmarks and tests). */
  public LstmController controller() {
    return controller;
  }

  /** Epochs completed so far. */
  public int epochsDone() {
    return nextEpoch;
  }

  /** Runs the remaining epochs; returns the final result (also written to {@code result.json}). */
  public Map<String, Object> run() throws IOException {
    return runUntil(settings.child().epochs());
  }

  /**
   * Runs epochs until {@code stopAfter} of them are done in all (counted from 1, as
   * {@code --stop-after}), checkpointing after each; returns the result so far (also written
   * to {@code result.json}).
   */
  public Map<String, Object> runUntil(int stopAfter) throws IOException {
    int epochs = settings.child().epochs();
    long t0 = System.nanoTime();
    runClock = new Progress.Run((long) (epochs - nextEpoch) * workPerEpoch());
    while (nextEpoch < Math.min(stopAfter, epochs)) {
      int e = nextEpoch;
      Map<String, Object> ev = trainChild(e);
      ev.putAll(trainController(e));
      ev.put("seconds", (System.nanoTime() - t0) / 1e9);
      log(ev);
      if (((e + 1) % settings.derive().every() == 0 && e >= settings.child().warmup()) || e + 1 == epochs) derive(e);
      nextEpoch = e + 1;
      checkpoint();
    }
    return result();
  }

  /** Child training steps per epoch. */
  private int childSteps() {
    int steps = trainLoader.batchesPerEpoch();
    return settings.child().stepsPerEpoch() > 0 ? Math.min(steps, settings.child().stepsPerEpoch()) : steps;
  }

  /**
   * An epoch's work for the run's ETA: a child step (forward, backward, update) counts 3, a
   * controller sample (one forward) 1; derivations are left out.
   */
  private long workPerEpoch() {
    return 3L * childSteps() + (long) settings.controller().steps() * settings.controller().reinforce().aggregate();
  }

  // ------------------------------------------------------------------ child

  private Map<String, Object> trainChild(int e) throws IOException {
    SearchSettings.Child c = settings.child();
    float lr = (float) c.lr().at(e);
    int steps = childSteps();
    Progress bar = progressOut == null ? null
        : new Progress(progressOut, String.format(Locale.ROOT, "epoch %d/%d child%s", e + 1, c.epochs(),
            e < c.warmup() ? " (warm-up)" : ""), steps, "img")
            .run(runClock);
    double lossSum = 0, accSum = 0;
    try (BatchLoader.Epoch it = trainLoader.epoch(e)) {
      for (int k = 0; k < steps; k++) {
        it.next(x, y);
        SplitMix64 arcRng = new SplitMix64(mix(settings.seed(), STREAM_CHILD_ARC, e, k));
        int[] arc = e < c.warmup() ? net.sampleWarmup(arcRng) : controller.sample(arcRng).actions();
        SharedNet.Step r = net.trainStep(arc, x, y, lr, (float) c.momentum(), (float) c.l2(), (float) c.gradClip(),
            (float) c.keepProb(), mix(settings.seed(), STREAM_DROPOUT, e, k));
        if (!Float.isFinite(r.loss())) throw new IllegalStateException("epoch " + e + " step " + k + ": loss is " + r.loss() + " (diverged; lower --lr-max?)");
        lossSum += r.loss();
        accSum += r.accuracy();
        Map<String, Object> ev = event("child_step");
        ev.put("epoch", e + epochBase);
        ev.put("step", k);
        ev.put("loss", r.loss());
        ev.put("accuracy", r.accuracy());
        ev.put("grad_norm", r.gradNorm());
        ev.put("lr", lr);
        ev.put("arc", arc);
        log(ev);
        checkStop(e);
        runClock.add(3);
        if (bar != null) {
          bar.update(k + 1, (long) (k + 1) * x.dim(0), String.format(Locale.ROOT, "loss %.3f acc %.3f lr %.4f",
              lossSum / (k + 1), accSum / (k + 1), lr));
        }
      }
    }
    Map<String, Object> ev = event("epoch");
    ev.put("epoch", e + epochBase);
    ev.put("lr", lr);
    ev.put("train_loss", lossSum / steps);
    ev.put("train_accuracy", accSum / steps);
    ev.put("train_steps", steps);
    if (e < c.warmup()) ev.put("warmup", true);  // absent otherwise, as in runs before warm-up existed
    ev.put("images_per_second", bar == null ? null : bar.rate());
    return ev;
  }

  // ------------------------------------------------------------- controller

  private Map<String, Object> trainController(int e) throws IOException {
    int steps = e < settings.child().warmup() ? 0 : settings.controller().steps();
    int agg = settings.controller().reinforce().aggregate();
    Progress bar = progressOut == null || steps == 0 ? null
        : new Progress(progressOut, String.format(Locale.ROOT, "epoch %d/%d controller", e + 1, settings.child().epochs()),
            steps, "sample").run(runClock);
    double rewardSum = 0, entropySum = 0;
    int n = 0;
    for (int t = 0; t < steps; t++) {
      double stepReward = 0, stepEntropy = 0;
      Reinforce.Observation last = null;
      // ENAS: each sample on its own validation batch against the moving average; the batch
      // baseline: the step's samples on one batch, each against the others' mean
      boolean group = settings.controller().batchBaseline();
      int[][] arcs = new int[agg][];
      double[] acc = new double[agg];
      if (group) nextValidBatch();
      for (int a = 0; a < agg; a++) {
        if (!group) nextValidBatch();
        LstmController.Sample s = controller.sample(new SplitMix64(mix(settings.seed(), STREAM_CONTROLLER, e, (long) t * agg + a)));
        arcs[a] = s.actions();
        acc[a] = net.evaluate(arcs[a], x, y).accuracy();
        if (!group) last = reinforce.observe(arcs[a], acc[a]);
        stepReward += acc[a];
        stepEntropy += s.entropy();
      }
      if (group) last = reinforce.observeGroup(arcs, acc)[agg - 1];
      rewardSum += stepReward;
      entropySum += stepEntropy;
      n += agg;
      Map<String, Object> ev = event("controller_step");
      ev.put("epoch", e + epochBase);
      ev.put("step", t);
      ev.put("reward", stepReward / agg);
      ev.put("entropy", stepEntropy / agg);
      if (group) {
        // each sample's baseline was the others' mean, not one number: record the rewards'
        // moving average under its own name, and the step's spread (what the advantages share)
        ev.put("reward_average", last.baseline());
        ev.put("reward_sd", sd(acc));
      } else {
        ev.put("baseline", last.baseline());
      }
      ev.put("grad_norm", reinforce.lastGradNorm());
      log(ev);
      checkStop(e);
      runClock.add(agg);
      if (bar != null) {
        // under the batch baseline the moving average is no baseline: show how far the controller
        // has concentrated instead (the entropy of its samples, in nats, falls as it does)
        bar.update(t + 1, (long) (t + 1) * agg, group
            ? String.format(Locale.ROOT, "reward %.3f entropy %.2f", rewardSum / n, entropySum / n)
            : String.format(Locale.ROOT, "reward %.3f baseline %.3f", rewardSum / n, last.baseline()));
      }
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("reward_mean", n == 0 ? null : rewardSum / n);
    m.put("entropy_mean", n == 0 ? null : entropySum / n);
    // what the entropy falls from: search_curves.png plots 1 - entropy_mean / entropy_uniform
    if (n > 0) m.put("entropy_uniform", controller.spec().uniformEntropy());
    m.put(settings.controller().batchBaseline() ? "reward_average" : "baseline", reinforce.baseline());
    return m;
  }

  /** Fills x, y with the next validation batch of the endless shuffled validation stream. */
  private void nextValidBatch() {
    int per = validLoader.batchesPerEpoch();
    int ve = (int) (validBatchesUsed / per), vk = (int) (validBatchesUsed % per);
    try (BatchLoader.Epoch it = validLoader.epoch(ve, vk)) {
      it.next(x, y);
    }
    validBatchesUsed++;
  }

  // ----------------------------------------------------------------- derive

  /** Batches every derivation candidate is scored on before the race keeps the best fifth. */
  static final int RACE_FIRST = 2;

  private void derive(int e) throws IOException {
    int b = x.dim(0);
    SplitMix64 rng = new SplitMix64(mix(settings.seed(), STREAM_DERIVE, e, 0));
    boolean last = e + 1 == settings.child().epochs();
    // the held-out loader's batches (it drops the last partial one)
    int sel = selectBatches(splits.validation().size() / b);
    // an intermediate derivation is a progress reading: where it races (over more than
    // RACE_FIRST batches) at most INTERMEDIATE_SAMPLES candidates; ENAS's one-batch rule as set
    int samples = last || sel <= RACE_FIRST ? settings.derive().samples()
        : Math.min(settings.derive().samples(), SearchSettings.Derive.INTERMEDIATE_SAMPLES);
    List<int[]> candidates = new ArrayList<>();
    for (int i = 0; i < samples; i++) candidates.add(controller.sample(rng).actions());
    // ENAS's derivation: candidates from the controller, the best on the first validation
    // batches (ENAS: one), all candidates on the same images. Over more than RACE_FIRST
    // batches it is a race (raceCuts): every candidate on the first RACE_FIRST batches, then
    // the best fifth on all, or successive halving, so the finalists are told apart on more
    // images for the same work.
    long[] hits = new long[samples];
    int[] batchesSeen = new int[samples];
    boolean[] alive = new boolean[samples];
    java.util.Arrays.fill(alive, true);
    try (BatchLoader fixed = heldOutLoader(); BatchLoader.Epoch it = fixed.epoch(0)) {
      // the race's cuts: before batch cuts[j][0] the field is cut to its best cuts[j][1]
      List<int[]> cuts = raceCuts(samples, sel, settings.derive().halving());
      long work = 0;
      for (int k = 0, field = samples, j = 0; k < sel; k++) {
        if (j < cuts.size() && cuts.get(j)[0] == k) field = cuts.get(j++)[1];
        work += field;
      }
      Progress bar = progressOut == null ? null : new Progress(progressOut, "derive", work, "arch-batch");
      long done = 0;
      int nextCut = 0;
      for (int k = 0; k < sel; k++) {
        if (nextCut < cuts.size() && cuts.get(nextCut)[0] == k) {  // keep the best (ties: the earlier sample)
          int keep = cuts.get(nextCut++)[1];
          Integer[] order = new Integer[samples];
          for (int i = 0; i < samples; i++) order[i] = i;
          java.util.Arrays.sort(order, (p, q) -> alive[p] != alive[q] ? (alive[p] ? -1 : 1)
              : hits[p] != hits[q] ? Long.compare(hits[q], hits[p]) : Integer.compare(p, q));
          for (int r = keep; r < samples; r++) alive[order[r]] = false;
        }
        it.next(x, y);
        for (int i = 0; i < samples; i++) {
          if (!alive[i]) continue;
          hits[i] += net.evaluate(candidates.get(i), x, y).correct();
          batchesSeen[i]++;
          if (bar != null) bar.update(++done, done, "");
          checkStop(e);
        }
      }
    }
    int[] bestArc = null;
    double bestAcc = -1;
    List<Object> scores = new ArrayList<>();
    for (int i = 0; i < samples; i++) {
      double a = hits[i] / (double) ((long) batchesSeen[i] * b);
      scores.add(a);
      if (alive[i] && a > bestAcc) {
        bestAcc = a;
        bestArc = candidates.get(i);
      }
    }
    // The best of many on one batch is biased upward; the derived architecture and the
    // yardstick (uniformly random architectures) are scored again, the same way, on the
    // next validation batches, which the selection never saw.
    // the full yardstick at the last epoch's derivation only; earlier ones are progress readings
    int nr = last ? settings.derive().random() : Math.min(settings.derive().random(), SearchSettings.Derive.INTERMEDIATE_RANDOM);
    List<int[]> arcs = new ArrayList<>();
    arcs.add(bestArc);
    for (int i = 0; i < nr; i++) arcs.add(net.sample(rng));
    HeldOut h = heldOut(arcs, "rank", () -> checkStop(e));
    double derivedAcc = h.accuracy[0];
    double[] random = java.util.Arrays.copyOfRange(h.accuracy, 1, nr + 1);
    double randomMean = java.util.Arrays.stream(random).average().orElse(Double.NaN);
    List<Object> randomScores = new ArrayList<>();
    for (double a : random) randomScores.add(a);
    best = new LinkedHashMap<>();
    best.put("epoch", e + epochBase);
    best.put("valid_accuracy", derivedAcc);
    best.put("random_mean_valid_accuracy", randomMean);
    best.put("random_count", nr);
    best.put("rank_among_random", Ranks.rankAmong(derivedAcc, random));
    best.put("beats_random_fraction", Ranks.fractionBeaten(derivedAcc, random));
    best.put("valid_images", h.images);
    best.put("selection_accuracy", bestAcc);
    best.put("arc", net.arcString(bestArc));
    Map<String, Object> ev = event("derive");
    ev.putAll(best);
    ev.put("candidates", scores);
    List<Object> seen = new ArrayList<>();
    for (int n : batchesSeen) seen.add(n);
    ev.put("candidate_batches", seen);  // how far each candidate got in the race
    ev.put("random", randomScores);
    log(ev);
    Map<String, Object> json = new LinkedHashMap<>(net.toMap(bestArc));
    json.put("valid_accuracy_shared_weights", derivedAcc);
    json.put("random_mean_valid_accuracy_shared_weights", randomMean);
    json.put("rank_among_random", best.get("rank_among_random"));
    json.put("random_count", nr);
    json.put("valid_images", h.images);
    json.put("selection_accuracy_shared_weights", bestAcc);
    json.put("epoch", e + epochBase);
    dir.writeString("final_arch.json", Json.pretty(json) + "\n");
    dir.writeString("final_arch.txt", net.textLine(bestArc) + "\n\n" + net.readable(bestArc) + "\n");
    // the pictures come from the network's own plan of this architecture: as it runs
    net.pictures(bestArc, dir);
    plotCurves();
  }

  /**
   * The cuts of a derivation's race over {@code sel} selection batches: pairs (batch index,
   * field size kept from it on). None over 2 batches or fewer; otherwise the first cut after
   * {@link #RACE_FIRST} batches, to the best fifth (then that field on every batch) or, with
   * {@code halving}, to the best half, then to half of that after twice the batches, and so on
   * while the field is larger than one.
   */
  static List<int[]> raceCuts(int samples, int sel, boolean halving) {
    List<int[]> cuts = new ArrayList<>();
    if (sel <= RACE_FIRST) return cuts;
    if (!halving) {
      cuts.add(new int[] {RACE_FIRST, Math.max(1, (samples + 4) / 5)});
      return cuts;
    }
    for (int k = RACE_FIRST, field = samples; k < sel && field > 1; k *= 2) {
      field = Math.max(1, field / 2);
      cuts.add(new int[] {k, field});
    }
    return cuts;
  }

  /** The validation split unshuffled, evaluation transform: batch 0 selects, batches 1.. score held out. */
  private BatchLoader heldOutLoader() {
    return BatchLoader.builder(splits.validation()).batchSize(x.dim(0)).shuffle(false).augmentation(source.evalAugmentation())
        .workers(0).dropLast(true).build();
  }

  /** Shared-weight accuracies of architectures on the same held-out images. */
  private record HeldOut(double[] accuracy, long images) {}

  /** Validation batches of the selection: {@code derive.selectBatches}, leaving at least one held out where there are two or more. */
  private int selectBatches(int batches) {
    return Math.max(1, Math.min(settings.derive().selectBatches(), batches - 1));
  }

  /**
   * Scores {@code arcs} with the shared weights on the held-out validation batches: the
   * {@code derive.heldOutBatches} batches of {@link #heldOutLoader()} after the selection's
   * (the selection's own batch where the split has only one).
   */
  private HeldOut heldOut(List<int[]> arcs, String label, Runnable poll) {
    int b = x.dim(0);
    long[] correct = new long[arcs.size()];
    long seen = 0;
    try (BatchLoader fixed = heldOutLoader(); BatchLoader.Epoch it = fixed.epoch(0)) {
      int n = fixed.batchesPerEpoch();
      int skip = n > 1 ? selectBatches(n) : 0;
      int batches = Math.max(1, Math.min(settings.derive().heldOutBatches(), n - skip));
      Progress bar = progressOut == null ? null : new Progress(progressOut, label, (long) batches * arcs.size(), "arch-batch");
      for (int k = 0; k < skip; k++) it.next(x, y);  // the selection's batches
      for (int k = 0; k < batches && it.next(x, y) > 0; k++) {
        for (int i = 0; i < arcs.size(); i++) {
          correct[i] += net.evaluate(arcs.get(i), x, y).correct();
          if (bar != null) bar.update((long) k * arcs.size() + i + 1, (long) k * arcs.size() + i + 1, "");
          poll.run();
        }
        seen += b;
      }
    }
    double[] acc = new double[arcs.size()];
    for (int i = 0; i < acc.length; i++) acc[i] = correct[i] / (double) seen;
    return new HeldOut(acc, seen);
  }

  private void plotCurves() throws IOException {
    LinePlot p = searchCurves(dir.readLog(), epochBase, source.name(), splits.train().numClasses());
    if (p != null) p.writePng(dir.file("search_curves.png"), 900, 560);
  }

  /**
   * The plot of {@code search_curves.png} from the run's log: per epoch the shared-weight train
   * accuracy, the controller's reward and how far it has concentrated ({@code 1 - entropy /
   * uniform entropy}: 0 for a uniform controller, 1 for one that always samples the same
   * architecture; on the same 0-1 axis); at each derivation the derived architecture's held-out
   * accuracy beside the random yardstick's; chance ({@code 1/classes}). Null before the first epoch.
   * {@code epochBase} is the number the log gives the first epoch (1; 0 in version-1 runs).
   */
  static LinePlot searchCurves(List<Map<String, Object>> log, int epochBase, String dataset, int classes) {
    List<double[]> train = new ArrayList<>(), reward = new ArrayList<>(), derived = new ArrayList<>(), random = new ArrayList<>(),
        concentration = new ArrayList<>();
    double lastEpoch = Double.NaN;
    int randomCount = SearchSettings.Derive.LEGACY_RANDOM;
    for (Map<String, Object> ev : log) {
      if ("derive".equals(ev.get("event"))) {
        if (ev.get("random_count") instanceof Number n) randomCount = n.intValue();
        // a derivation follows the epoch event it belongs to: plotted at that epoch
        if (ev.get("valid_accuracy") instanceof Number a && !Double.isNaN(lastEpoch)) derived.add(new double[] {lastEpoch, a.doubleValue()});
        if (ev.get("random_mean_valid_accuracy") instanceof Number r && !Double.isNaN(lastEpoch)) random.add(new double[] {lastEpoch, r.doubleValue()});
      }
      if (!"epoch".equals(ev.get("event"))) continue;
      double ep = ((Number) ev.get("epoch")).doubleValue() + 1 - epochBase;  // plotted from 1
      lastEpoch = ep;
      train.add(new double[] {ep, ((Number) ev.get("train_accuracy")).doubleValue()});
      if (ev.get("reward_mean") instanceof Number r) reward.add(new double[] {ep, r.doubleValue()});
      if (ev.get("entropy_mean") instanceof Number h && ev.get("entropy_uniform") instanceof Number u && u.doubleValue() > 0) {
        concentration.add(new double[] {ep, 1 - h.doubleValue() / u.doubleValue()});
      }
    }
    if (train.isEmpty()) return null;
    LinePlot p = new LinePlot("ENAS search on " + dataset + ": accuracy with shared weights", "epoch",
        concentration.isEmpty() ? "accuracy" : "accuracy; controller's concentration");
    p.series("train accuracy (sampled architectures)", col(train, 0), col(train, 1), null, null);
    if (!reward.isEmpty()) p.series("controller reward (valid accuracy of its samples)", col(reward, 0), col(reward, 1), null, null);
    if (!derived.isEmpty()) {
      p.series("derived architecture (held-out valid accuracy)", col(derived, 0), col(derived, 1), null, null).markers();
    }
    if (!random.isEmpty()) {
      p.series("random architectures (mean of " + randomCount + ", same batches)", col(random, 0), col(random, 1), null, null)
          .markers().dashed();
    }
    // runs from before stop 30 have no entropy_uniform: no such curve
    if (!concentration.isEmpty()) {
      p.series("controller's concentration: 1 - entropy / uniform's (0: uniform)", col(concentration, 0), col(concentration, 1), null, null)
          .dashed();
    }
    p.hline(String.format(Locale.ROOT, "chance (1/%d classes)", classes), 1.0 / classes);
    return p.integerX().legendBest();
  }

  private static double[] col(List<double[]> rows, int c) {
    double[] v = new double[rows.size()];
    for (int i = 0; i < v.length; i++) v[i] = rows.get(i)[c];
    return v;
  }

  /**
   * The result so far, also written to {@code result.json}: how far the run is, the found cell
   * (ENAS string and readable form) with its held-out score beside the random yardstick's mean
   * and chance, a verdict on that comparison ({@code better}, {@code within_noise},
   * {@code worse}) and a sentence saying what it means, and the {@code jnas train} command line
   * that trains the found cell. {@code best} repeats the last derivation as logged.
   */
  private Map<String, Object> result() throws IOException {
    int epochs = settings.child().epochs();
    int classes = splits.train().numClasses();
    double chance = 1.0 / classes;
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("status", nextEpoch >= epochs ? "done" : "stopped");
    r.put("epochs_done", nextEpoch);
    r.put("epochs", epochs);
    r.put("data", settings.data());
    r.put("space", settings.net().space());
    r.put("classes", classes);
    r.put("chance_accuracy", chance);
    Map<String, Object> found = null;
    String verdict = null, meaning;
    String trainCommand = null;
    if (best != null) {
      int[] arc = net.parse((String) best.get("arc"));
      String what = net.what();
      double acc = ((Number) best.get("valid_accuracy")).doubleValue();
      double rnd = ((Number) best.get("random_mean_valid_accuracy")).doubleValue();
      long n = ((Number) best.get("valid_images")).longValue();
      found = new LinkedHashMap<>();
      found.put("arc", net.arcString(arc));
      found.put("cell", net.readable(arc));
      found.put("epoch", best.get("epoch"));
      found.put("held_out_accuracy", acc);
      found.put("random_mean_accuracy", rnd);
      int nr = best.get("random_count") instanceof Number c ? c.intValue() : SearchSettings.Derive.LEGACY_RANDOM;
      found.put("random_cells", nr);
      found.put("held_out_images", n);
      Integer rank = best.get("rank_among_random") instanceof Number k ? k.intValue() : null;
      found.put("rank_among_random", rank);
      found.put("beats_random_fraction", best.get("beats_random_fraction"));
      // standard error of the difference: the found cell's score on n images, and the mean of
      // nr random cells' scores on the same images
      double se = Math.sqrt(acc * (1 - acc) / n + rnd * (1 - rnd) / (nr * (double) n));
      double d = acc - rnd;
      verdict = verdict(d, se);
      String how = switch (verdict) {
        case "better" -> "clearly better than picking a " + what + " at random (by more than twice its standard error, "
            + String.format(Locale.ROOT, "%.3f", se) + ")";
        case "worse" -> "worse than picking a " + what + " at random: the controller has not learned yet (more epochs?)";
        default -> String.format(Locale.ROOT, "within noise (2 standard errors: %.3f) of picking a " + what + " at random:"
            + " the search has not yet told good " + what + "s from bad ones (more epochs?)", 2 * se);
      };
      String standing = rank == null ? "" : String.format(Locale.ROOT, " It ranks %d of %d among them and itself (%s).", rank,
          nr + 1, rank <= Math.max(1, Math.round(0.1 * nr)) ? "top 10%" : "not in the top 10%");
      meaning = String.format(Locale.ROOT, "Both scores use the supernet's shared weights on the same %d held-out"
          + " validation images, so the found " + what + "'s %.3f against %.3f for the mean of %d random " + what + "s (chance %.3f)"
          + " is %s.%s Shared-weight scores rank " + what + "s, while the accuracy a " + what + " reaches comes from training it from"
          + " scratch (" + (net.trainable() ? "jnas train; jnas search --verify K checks the pick that way" : "jnas train --space enas-macro") + ").",
          n, acc, rnd, nr, chance, how, standing);
      trainCommand = "jnas train " + (net.trainable() ? "" : "--space enas-macro ") + "--genotype " + quote(dir.file("final_arch.json").toString()) + " --data "
          + quote(settings.data()) + " --out " + quote(dir.path().toString() + "-train");
    } else {
      int every = settings.derive().every();
      meaning = "No " + net.what() + " derived yet: the first derivation comes after epoch " + Math.min(every, epochs) + ".";
    }
    r.put("found", found);
    r.put("verdict", verdict);
    r.put("meaning", meaning);
    r.put("train_command", trainCommand);
    r.put("best", best);
    r.put("supernet_weights", net.numWeights());
    // The moving average of the controller's rewards: ENAS's baseline under --controller-baseline moving,
    // only a record under batch. Not "controller_baseline", which names that setting in settings.json.
    r.put("controller_reward_average", reinforce.baseline());
    dir.writeString("result.json", Json.pretty(r) + "\n");
    return r;
  }

  // ----------------------------------------------------------- verification

  /** Training images of each from-scratch training of {@link #proxySettings}. */
  public static final int PROXY_TRAIN_IMAGES = 2000;
  /** Validation images each from-scratch training of {@link #proxySettings} is scored on. */
  public static final int PROXY_VAL_IMAGES = 1000;
  /** The fewest cells of {@link #proxySettings}'s network: one normal cell before, between and after the two reductions. */
  public static final int PROXY_MIN_LAYERS = 5;

  /**
   * The proxy trainer's settings for {@link #verify} and {@link #checkRanking}, shaped like the
   * searched network: images at the size the search saw them, {@link #proxyLayers} cells (the
   * search's normal layers and its two reductions), 8 channels, {@value #PROXY_TRAIN_IMAGES}
   * training and {@value #PROXY_VAL_IMAGES} validation images, on this run's data, space, nodes
   * and seed. Until stop 28 the default was the multi-trial trainer's cheaper network (16x16
   * images, 3 cells, so one normal cell, 1,000 images); it judged a cell in a network unlike
   * the searched one and turned the verdict against separable-conv-heavy picks that the
   * searched-shape proxy puts above the random mean (docs/search.md, section 4 and "The
   * proxy that judges"). The {@code --proxy-*} flags still set every field.
   */
  public TrialSettings proxySettings(int epochs) {
    TrialSettings t = new TrialSettings();
    t.data = settings.data();
    t.space = settings.net().space();
    t.nodes = Math.max(1, settings.net().nodes());
    t.epochs = epochs;
    t.seed = settings.seed();
    t.earlyStopping = io.jnas.multitrial.EarlyStopping.NONE;
    t.resolution = 0;
    t.layers = proxyLayers(settings.net().layers());
    t.trainSubset = PROXY_TRAIN_IMAGES;
    t.valSubset = PROXY_VAL_IMAGES;
    return t;
  }

  /**
   * Cells of the from-scratch network that judges a search of {@code searchLayers} normal
   * layers: those layers and the two reductions, at least {@value #PROXY_MIN_LAYERS}. The
   * final network places its reductions at L/3 and 2L/3 of its cells (DARTS's rule), the
   * supernet at L/3 and 2(L/3)+1 of its L + 2 (ENAS's rule): the same places where the normal
   * layers are a multiple of 3 (ENAS's 6 included), one normal cell moved across a reduction
   * otherwise. Below 3 the supernet reduces first (the quick preset's 2 layers: reduce,
   * reduce, normal, normal), a shape the final network cannot take; its 5 cells (normal,
   * reduce, normal, reduce, normal) train both cells at every resolution instead.
   */
  public static int proxyLayers(int searchLayers) {
    return Math.max(PROXY_MIN_LAYERS, searchLayers + 2);
  }

  /**
   * Trains the derived architecture and {@code k} uniformly random ones from scratch with the
   * multi-trial {@link ProxyTrainer} (the same schedule, data and batches for each), and writes
   * {@code verify.json}: each one's validation accuracy, the random ones' mean and standard
   * deviation, and the derived one's rank among them. This is the check that a one-shot search
   * picked something better than chance would, independent of the shared weights.
   *
   * @throws IllegalStateException before the first derivation
   */
  public Map<String, Object> verify(int k, TrialSettings proxy) throws IOException {
    return verify(k, proxy, 1);
  }

  /**
   * {@link #verify(int, TrialSettings)} with each architecture trained {@code repeats} times
   * (repeat r with the proxy seed mixed with r: other weights, batches and subsets, the same for
   * every architecture) and scored by the mean: one proxy training ranks cells only loosely
   * (its test-retest Kendall τ is about 0.5 on MNIST; docs/search.md), the mean of three far
   * better. Repeat 0 is the single training of {@code repeats} 1.
   */
  public Map<String, Object> verify(int k, TrialSettings proxy, int repeats) throws IOException {
    if (k < 1) throw new IllegalArgumentException("verify: " + k + " random architectures, expected at least 1");
    checkRepeats(repeats);
    int[] derived = derivedArc();
    SplitMix64 rng = new SplitMix64(mix(settings.seed(), STREAM_VERIFY, 0, 0));
    List<int[]> arcs = new ArrayList<>();
    arcs.add(derived);
    for (int i = 0; i < k; i++) arcs.add(net.sample(rng));
    double[][] runs = fromScratch(arcs, proxy, repeats, "verify");
    double[] acc = means(runs);
    double[] random = java.util.Arrays.copyOfRange(acc, 1, acc.length);
    double mean = java.util.Arrays.stream(random).average().orElse(Double.NaN);
    double sd = Math.sqrt(java.util.Arrays.stream(random).map(a -> (a - mean) * (a - mean)).sum() / Math.max(1, k - 1));
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("derived_arc", net.arcString(derived));
    r.put("derived_accuracy", acc[0]);
    if (repeats > 1) {
      r.put("derived_runs", runs[0]);
      r.put("derived_run_sd", sd(runs[0]));
    }
    r.put("random_mean_accuracy", mean);
    r.put("random_sd", sd);
    r.put("random_count", k);
    int rank = Ranks.rankAmong(acc[0], random);
    r.put("rank_among_random", rank);
    r.put("beats_random_fraction", Ranks.fractionBeaten(acc[0], random));
    List<Object> rows = new ArrayList<>();
    for (int i = 1; i < arcs.size(); i++) rows.add(row(net.arcString(arcs.get(i)), "accuracy", acc[i], runs[i], repeats));
    r.put("random", rows);
    r.put("proxy", proxyMap(proxy));
    r.put("repeats", repeats);
    VerifyMargin m = VerifyMargin.of(runs);
    r.put("margin", m.margin());
    String noise = "";
    if (m.known()) {
      r.put("run_sd_pooled", m.runSd());
      r.put("margin_se", m.se());
      if (m.verdict() != null) {
        r.put("verdict", m.verdict());
        noise = String.format(Locale.ROOT, "; margin %+.3f: %s (2 standard errors: %.3f; one training's sd %.3f)", m.margin(),
            m.verdict().replace('_', ' '), 2 * m.se(), m.runSd());
      } else {
        noise = String.format(Locale.ROOT, "; margin %+.3f over one random cell (one training's sd %.3f; K=1 cannot tell the"
            + " random cells' spread: no verdict)", m.margin(), m.runSd());
      }
    }
    r.put("summary", String.format(Locale.ROOT, "from scratch (%s%s): derived %.3f, random %.3f ± %.3f (K=%d; rank %d of %d)%s",
        proxyWords(proxy), repeatWords(repeats), acc[0], mean, sd, k, rank, k + 1, noise));
    String kept = dir.writeKeepingEarlier("verify.json", Json.pretty(r) + "\n");
    if (kept != null && progressOut != null) progressOut.println("the earlier verify.json is kept as " + kept);
    return r;
  }

  /**
   * How well the shared weights rank architectures: {@code n} uniformly random architectures
   * scored with the shared weights (on the derivation's held-out validation images) and trained
   * from scratch with the multi-trial {@link ProxyTrainer}; Kendall's τ and Spearman's ρ between
   * the two, written to {@code ranking.json}. τ near 0 means the shared weights cannot tell
   * good architectures from bad ones, whatever the controller learns.
   */
  public Map<String, Object> checkRanking(int n, TrialSettings proxy) throws IOException {
    return checkRanking(n, proxy, 1);
  }

  /** {@link #checkRanking(int, TrialSettings)} with each architecture's from-scratch accuracy the mean of {@code repeats} trainings (as in {@link #verify(int, TrialSettings, int)}). */
  public Map<String, Object> checkRanking(int n, TrialSettings proxy, int repeats) throws IOException {
    if (n < 3) throw new IllegalArgumentException("check-ranking: " + n + " architectures, expected at least 3");
    checkRepeats(repeats);
    SplitMix64 rng = new SplitMix64(mix(settings.seed(), STREAM_VERIFY, 1, 0));
    List<int[]> arcs = new ArrayList<>();
    for (int i = 0; i < n; i++) arcs.add(net.sample(rng));
    HeldOut shared = heldOut(arcs, "shared-weight scores", () -> {});
    double[][] runs = fromScratch(arcs, proxy, repeats, "check-ranking");
    double[] scratch = means(runs);
    double tau = Ranks.kendallTau(shared.accuracy(), scratch), rho = Ranks.spearman(shared.accuracy(), scratch);
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("architectures", n);
    r.put("kendall_tau", Double.isNaN(tau) ? null : tau);
    r.put("spearman_rho", Double.isNaN(rho) ? null : rho);
    r.put("shared_weight_images", shared.images());
    List<Object> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Map<String, Object> row = row(net.arcString(arcs.get(i)), "scratch_accuracy", scratch[i], runs[i], repeats);
      row.put("shared_weight_accuracy", shared.accuracy()[i]);
      rows.add(row);
    }
    r.put("rows", rows);
    r.put("proxy", proxyMap(proxy));
    r.put("repeats", repeats);
    double retest = Double.NaN;
    if (repeats > 1) {  // how well one proxy training agrees with another: the ceiling of any tau against it
      retest = 0;
      int pairs = 0;
      for (int a = 0; a < repeats; a++) {
        for (int b = a + 1; b < repeats; b++, pairs++) retest += Ranks.kendallTau(column(runs, a), column(runs, b));
      }
      retest /= pairs;
      r.put("proxy_retest_kendall_tau", Double.isNaN(retest) ? null : retest);
    }
    r.put("summary", String.format(Locale.ROOT, "ranking: Kendall tau %.2f, Spearman rho %.2f between shared-weight accuracy (%d"
        + " held-out images) and from-scratch accuracy (%s%s) over %d random architectures%s", tau, rho, shared.images(),
        proxyWords(proxy), repeatWords(repeats), n,
        repeats > 1 ? String.format(Locale.ROOT, " (one proxy training against another: tau %.2f)", retest) : ""));
    String kept = dir.writeKeepingEarlier("ranking.json", Json.pretty(r) + "\n");
    if (kept != null && progressOut != null) progressOut.println("the earlier ranking.json is kept as " + kept);
    return r;
  }

  private int[] derivedArc() {
    if (best == null) throw new IllegalStateException("no architecture derived yet: the first derivation comes after epoch "
        + Math.min(settings.derive().every(), settings.child().epochs()));
    return net.parse((String) best.get("arc"));
  }

  /**
   * Validation accuracy after proxy training of each architecture from scratch, {@code repeats}
   * times: {@code [architecture][repeat]}. Repeat 0 uses {@code proxy} as it is; repeat r its
   * seed mixed with r (every architecture of one repeat sees the same subsets and batches).
   */
  private double[][] fromScratch(List<int[]> arcs, TrialSettings proxy, int repeats, String label) {
    double[][] acc = new double[arcs.size()][repeats];
    int total = arcs.size() * repeats, done = 0;
    Progress bar = progressOut == null ? null : new Progress(progressOut, label + " (from scratch)", total, "training");
    for (int r = 0; r < repeats; r++) {
      TrialSettings t = proxy;
      if (r > 0) {
        t = TrialSettings.fromMap(proxy.toMap());
        t.seed = mix(proxy.seed, STREAM_REPEAT, r, 0);
      }
      ProxyTrainer trainer = new ProxyTrainer(t, source, net.space());
      for (int i = 0; i < arcs.size(); i++) {
        try (TrialEvaluator.Candidate c = trainer.prepare(i, arcs.get(i))) {
          List<Double> curve = c.train((ep, a) -> false);
          acc[i][r] = curve.get(curve.size() - 1);
        } catch (RuntimeException e) {
          throw e;
        } catch (Exception e) {
          throw new IllegalStateException(label + ": architecture " + net.arcString(arcs.get(i)) + ": " + e.getMessage(), e);
        }
        done++;
        if (bar != null) bar.update(done, done, String.format(Locale.ROOT, "last %.3f", acc[i][r]));
      }
    }
    return acc;
  }

  private static void checkRepeats(int repeats) {
    if (repeats < 1) throw new IllegalArgumentException("proxy repeats: " + repeats + ", expected at least 1");
  }

  private static double[] means(double[][] runs) {
    double[] m = new double[runs.length];
    for (int i = 0; i < runs.length; i++) m[i] = java.util.Arrays.stream(runs[i]).average().orElse(Double.NaN);
    return m;
  }

  private static double[] column(double[][] runs, int r) {
    double[] c = new double[runs.length];
    for (int i = 0; i < runs.length; i++) c[i] = runs[i][r];
    return c;
  }

  /**
   * The pick's from-scratch margin over the random cells and whether it stands out of the
   * proxy's noise: {@code runs[0]} the pick's trainings, {@code runs[1..k]} the random cells'.
   * With {@code r >= 2} trainings each, one training's variance {@code s_w^2} is pooled over
   * every cell (each cell's sample variance, r - 1 degrees of freedom); the pick's mean score
   * then carries {@code s_w^2 / r} of noise, and the random cells' mean {@code s_b^2 / k}, where
   * {@code s_b} is the random cells' sd (their real spread and their trainings' noise both), so
   * {@code se = sqrt(s_w^2 / r + s_b^2 / k)}. The verdict is {@code better} beyond 2 se, {@code
   * worse} below -2 se, {@code within_noise} between; with one training each there is no
   * estimate of a training's noise ({@link #known} false). With one random cell there is no
   * estimate of the random cells' spread: {@code se} then compares the pick with that one cell
   * (its trainings' noise only), and there is no verdict on random cells ({@link #verdict} null).
   *
   * @param margin the pick's mean minus the random cells' mean
   * @param runSd one training's pooled sd (NaN with one training)
   * @param se the margin's standard error (NaN with one training)
   * @param random the random cells, k
   */
  public record VerifyMargin(double margin, double runSd, double se, int random) {
    /** From {@code [architecture][repeat]} accuracies, the pick first; at least one random architecture. */
    public static VerifyMargin of(double[][] runs) {
      if (runs.length < 2) throw new IllegalArgumentException("verify margin: " + runs.length + " architectures, expected the pick and at least one random");
      double[] m = means(runs);
      int k = runs.length - 1, r = runs[0].length;
      double mean = 0;
      for (int i = 1; i <= k; i++) mean += m[i];
      mean /= k;
      double margin = m[0] - mean;
      if (r < 2) return new VerifyMargin(margin, Double.NaN, Double.NaN, k);
      double within = 0;
      for (double[] cell : runs) within += sd(cell) * sd(cell);
      within /= runs.length;
      double between = 0;
      for (int i = 1; i <= k; i++) between += (m[i] - mean) * (m[i] - mean);
      between = k < 2 ? within / r : between / (k - 1);  // one random cell: only its trainings' noise is known
      return new VerifyMargin(margin, Math.sqrt(within), Math.sqrt(within / r + between / k), k);
    }

    /** Whether a training's noise could be estimated (two or more trainings each). */
    public boolean known() {
      return !Double.isNaN(se);
    }

    /** {@code better}, {@code worse} or {@code within_noise}; null when not {@link #known} or with one random cell. */
    public String verdict() {
      if (!known() || random < 2) return null;
      return EnasSearch.verdict(margin, se);
    }
  }

  /** A difference against its standard error: {@code better} beyond 2 se, {@code worse} below -2 se, else {@code within_noise}. */
  private static String verdict(double diff, double se) {
    return diff > 2 * se ? "better" : diff < -2 * se ? "worse" : "within_noise";
  }

  /** Sample standard deviation (0 for one value). */
  private static double sd(double[] v) {
    double m = java.util.Arrays.stream(v).average().orElse(0), ss = 0;
    for (double x : v) ss += (x - m) * (x - m);
    return v.length < 2 ? 0 : Math.sqrt(ss / (v.length - 1));
  }

  /** A row of verify.json / ranking.json: the architecture, its mean accuracy under {@code key}, and with repeats its runs and their spread. */
  private static Map<String, Object> row(String arc, String key, double mean, double[] runs, int repeats) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("arc", arc);
    m.put(key, mean);
    if (repeats > 1) {
      m.put("runs", runs);
      m.put("run_sd", sd(runs));
    }
    return m;
  }

  private static String repeatWords(int repeats) {
    return repeats > 1 ? "; mean of " + repeats + " trainings each" : "";
  }

  private static Map<String, Object> proxyMap(TrialSettings t) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("epochs", t.epochs);
    m.put("train_subset", t.trainSubset);
    m.put("val_subset", t.valSubset);
    m.put("resolution", t.resolution);
    m.put("layers", t.layers);
    m.put("channels", t.channels);
    m.put("batch", t.batch);
    m.put("lr", t.lr);
    return m;
  }

  private static String proxyWords(TrialSettings t) {
    return String.format(Locale.ROOT, "%d epochs, %s images at %s, %d layers x %d channels", t.epochs,
        t.trainSubset == 0 ? "all" : String.valueOf(t.trainSubset), t.resolution == 0 ? "full size" : t.resolution + "x" + t.resolution,
        t.layers, t.channels);
  }

  /** {@code s} as one shell word: unchanged where safe, else in single quotes. */
  static String quote(String s) {
    return s.matches("[A-Za-z0-9_./:=,+@%-]+") ? s : "'" + s.replace("'", "'\\''") + "'";
  }

  // ------------------------------------------------------------- checkpoint

  private void checkpoint() throws IOException {
    Map<String, Object> h = new LinkedHashMap<>();
    h.put("format", "jnas-enas-search-1");
    h.put("next_epoch", nextEpoch);
    h.put("valid_batches_used", validBatchesUsed);
    h.put("log_bytes", dir.logSize());
    h.put("controller", Base64.getEncoder().encodeToString(reinforce.saveState()));
    h.put("best", best);
    Map<String, float[]> arrays = new LinkedHashMap<>();
    arrays.put("weights", net.get(0));
    arrays.put("momentum", net.get(2));
    new Checkpoint(h, arrays).write(dir.file(RunDir.CHECKPOINT));
  }

  @SuppressWarnings("unchecked")
  private void restore(Checkpoint c) {
    Map<String, Object> h = c.header();
    if (!"jnas-enas-search-1".equals(h.get("format"))) {
      throw new IllegalArgumentException(dir.file(RunDir.CHECKPOINT) + ": not an ENAS search checkpoint (format " + h.get("format") + ")");
    }
    nextEpoch = ((Number) h.get("next_epoch")).intValue();
    Object vb = h.get("valid_batches_used");  // a string in checkpoints of earlier versions
    validBatchesUsed = vb instanceof Number n ? n.longValue() : Long.parseLong((String) vb);
    reinforce.restoreState(Base64.getDecoder().decode((String) h.get("controller")));
    best = (Map<String, Object>) h.get("best");
    net.set(0, c.array("weights"));
    net.set(2, c.array("momentum"));
  }

  // ------------------------------------------------------------------ misc

  private static Map<String, Object> event(String name) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("event", name);
    return m;
  }

  /** A 64-bit seed for (stream, a, b) of the run: SplitMix64 finalizers folded in. */
  static long mix(long seed, int stream, long a, long b) {
    long z = seed;
    for (long v : new long[] {stream, a, b}) {
      z += 0x9E3779B97F4A7C15L * (v + 1);
      z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
      z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
      z ^= z >>> 31;
    }
    return z;
  }

  /** Frees the supernet, tensors and loader threads, and releases the run folder's lock. */
  @Override
  public void close() {
    try {
      trainLoader.close();
      validLoader.close();
      x.close();
      y.close();
      net.close();
    } finally {
      try {
        dir.close();
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
  }
}
