package io.jnas.enas;

import io.jnas.controller.ControllerConfig;
import io.jnas.controller.ReinforceConfig;
import io.jnas.train.CosineSchedule;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything an ENAS search is run with, in four groups. {@link #enas(String)} gives the
 * official ENAS micro search settings, {@link #enasMacro(String)} the macro search's;
 * {@link #quick()} a short run on the built-in synthetic data that finishes in minutes on two
 * CPU cores ({@link #quickMacro()} in the macro space). Every value is settable (records are
 * immutable: use the {@code with...} copies), checked on construction, and written to the run
 * folder as JSON so a resumed run uses exactly the same settings.
 *
 * @param data a data spec for {@link io.jnas.data.Datasets#open(String)}: a folder or
 *     {@code synthetic[:train=N,val=N,test=N,seed=S]}
 * @param validation images held out of the training files for rewards and derivation (-1:
 *     the data set's default, 5000 for CIFAR-10 and MNIST as ENAS; a started search records
 *     the resolved number)
 * @param net the supernet's shape
 * @param child the shared weights' training
 * @param controller the controller and its REINFORCE training
 * @param derive how the final architecture is chosen
 * @param seed the one seed every random choice of the run derives from
 */
public record SearchSettings(String data, int validation, Net net, Child child, Controller controller, Derive derive,
    long seed) {

  /**
   * The supernet's space and shape.
   *
   * @param space a cell space, {@code enas-micro}, {@code nasnet}, {@code amoebanet} or
   *     {@code nasnet-combine} (two cells; the supernet of {@link Supernet} over the space's ops
   *     and, for the last, combiners), or {@code enas-macro} (a
   *     chain of layers with skip connections; {@link MacroSupernet})
   * @param layers cell spaces: normal layers L (two reduction layers are added); enas-macro: the
   *     space's layers L
   * @param channels channels C of the first cells (enas-macro: of every layer)
   * @param nodes nodes (blocks) B per cell (cell spaces only)
   * @param stridedReduce cell spaces: a reduction layer runs its cell's ops on the cell inputs
   *     at stride 2, as the trained network and the proxy do ({@code supernet_reduce
   *     "strided"}); false: ENAS's factorized reduce of the previous layer, then the reduction
   *     cell at stride 1 ({@code "enas"}, the default and every run's from before the setting)
   */
  public record Net(String space, int layers, int channels, int nodes, boolean stridedReduce) {
    /** Reductions as ENAS's. */
    public Net(String space, int layers, int channels, int nodes) {
      this(space, layers, channels, nodes, false);
    }

    /** This shape with the given reductions. */
    public Net withStridedReduce(boolean strided) {
      return new Net(space, layers, channels, nodes, strided);
    }

    /** Checks the values. */
    public Net {
      if (stridedReduce && MACRO.equals(space)) {
        throw new IllegalArgumentException("supernet_reduce strided applies to the cell spaces; enas-macro has no reduction cells");
      }
      if (!SPACES.contains(space)) {
        throw new IllegalArgumentException("space is '" + space + "', expected one of " + String.join(", ", SPACES));
      }
      if (layers < (MACRO.equals(space) ? 1 : 0)) {
        throw new IllegalArgumentException("layers is " + layers + ", expected " + (MACRO.equals(space) ? "at least 1" : "0 or more"));
      }
      if (channels < 2 || channels % 2 != 0) throw new IllegalArgumentException("channels is " + channels + ", expected an even number >= 2");
      if (nodes < 1) throw new IllegalArgumentException("nodes is " + nodes + ", expected at least 1");
    }

    /** An ENAS micro supernet's shape. */
    public Net(int layers, int channels, int nodes) {
      this(MICRO, layers, channels, nodes);
    }

    /** Whether this is the ENAS macro space. */
    public boolean macro() {
      return MACRO.equals(space);
    }
  }

  /** The ENAS micro space's name. */
  public static final String MICRO = "enas-micro";
  /** The ENAS macro space's name. */
  public static final String MACRO = "enas-macro";
  /** NASNet's cell space (13 ops; {@link io.jnas.space.NasNetSpace#nasnet}). */
  public static final String NASNET = "nasnet";
  /** AmoebaNet's cell space (8 ops; {@link io.jnas.space.NasNetSpace#amoebanet}). */
  public static final String AMOEBANET = "amoebanet";
  /** NASNet's cell space with the combiner choice per block ({@link io.jnas.space.NasNetSpace#withCombiner()}). */
  public static final String NASNET_COMBINE = "nasnet-combine";
  /** {@code supernet_reduce}: ENAS's reductions (a factorized reduce, then the cell at stride 1). */
  public static final String ENAS_REDUCE = "enas";
  /** {@code supernet_reduce}: the reduction cell's input ops at stride 2, as the trained network's. */
  public static final String STRIDED = "strided";
  /** The spaces an ENAS search runs in. */
  public static final java.util.List<String> SPACES = java.util.List.of(MICRO, NASNET, AMOEBANET, NASNET_COMBINE, MACRO);

  /**
   * Training of the shared weights.
   *
   * @param batch minibatch size
   * @param epochs epochs of the whole search
   * @param lr learning-rate schedule (cosine with warm restarts)
   * @param momentum Nesterov momentum
   * @param l2 weight decay
   * @param gradClip global-norm clip
   * @param keepProb dropout keep probability before the classifier
   * @param stepsPerEpoch cap on training steps per epoch (0: a whole pass over the training split)
   * @param warmup epochs of warm-up at the start (enas-micro only): the shared weights train on
   *     cells whose inputs are fixed to a chain (node j reads the two newest states) and whose
   *     ops are drawn uniformly, and the controller does not train. Fewer decisions early let
   *     the shared weights learn faster, but the chain cells' paths get the most training and
   *     the shared weights then favour cells like them (measured in docs/search.md). 0: none,
   *     as ENAS and both presets.
   */
  public record Child(int batch, int epochs, CosineSchedule lr, double momentum, double l2, double gradClip,
      double keepProb, int stepsPerEpoch, int warmup) {
    /** Checks the values. */
    public Child {
      if (batch < 2) throw new IllegalArgumentException("batch is " + batch + ", expected at least 2");
      if (epochs < 1) throw new IllegalArgumentException("epochs is " + epochs + ", expected at least 1");
      if (!(momentum >= 0 && momentum < 1)) throw new IllegalArgumentException("momentum is " + momentum + ", expected [0, 1)");
      if (!(l2 >= 0)) throw new IllegalArgumentException("l2 is " + l2 + ", expected 0 or more");
      if (!(gradClip >= 0)) throw new IllegalArgumentException("grad clip is " + gradClip + ", expected 0 (none) or more");
      if (!(keepProb > 0 && keepProb <= 1)) throw new IllegalArgumentException("keep prob is " + keepProb + ", expected (0, 1]");
      if (stepsPerEpoch < 0) throw new IllegalArgumentException("steps per epoch is " + stepsPerEpoch + ", expected 0 (all) or more");
      if (warmup < 0 || warmup >= epochs) {
        throw new IllegalArgumentException("warm-up is " + warmup + " epochs, expected 0 or more and fewer than the " + epochs + " epochs");
      }
    }

    /** Without warm-up (ENAS). */
    public Child(int batch, int epochs, CosineSchedule lr, double momentum, double l2, double gradClip, double keepProb,
        int stepsPerEpoch) {
      this(batch, epochs, lr, momentum, l2, gradClip, keepProb, stepsPerEpoch, 0);
    }

    /**
     * A copy with {@code n} epochs; the warm-up keeps its share of them (rounded down), and a
     * schedule of one cosine period over the whole run stays one period over the new length.
     */
    public Child withEpochs(int n) {
      CosineSchedule s = lr.t0() == epochs && lr.tMul() == 1 ? new CosineSchedule(lr.max(), lr.min(), n, 1) : lr;
      return new Child(batch, n, s, momentum, l2, gradClip, keepProb, stepsPerEpoch, (int) ((long) warmup * n / epochs));
    }

    /** A copy with minibatch {@code n}. */
    public Child withBatch(int n) {
      return new Child(n, epochs, lr, momentum, l2, gradClip, keepProb, stepsPerEpoch, warmup);
    }

    /** A copy with at most {@code n} steps an epoch. */
    public Child withStepsPerEpoch(int n) {
      return new Child(batch, epochs, lr, momentum, l2, gradClip, keepProb, n, warmup);
    }

    /** A copy with another learning-rate schedule. */
    public Child withLr(CosineSchedule s) {
      return new Child(batch, epochs, s, momentum, l2, gradClip, keepProb, stepsPerEpoch, warmup);
    }

    /** A copy with {@code n} warm-up epochs. */
    public Child withWarmup(int n) {
      return new Child(batch, epochs, lr, momentum, l2, gradClip, keepProb, stepsPerEpoch, n);
    }
  }

  /**
   * The controller and its training after each epoch.
   *
   * @param config LSTM size, tanh constants, temperature
   * @param reinforce REINFORCE settings (learning rate, entropy weight, baseline decay, samples
   *     aggregated per step)
   * @param steps controller steps per epoch (each aggregates {@code reinforce.aggregate()} samples)
   * @param opBiases ENAS's initial op biases in ENAS's micro space ({@code b_soft}: the normal
   *     cell's two separable convs favoured from the first sample); the other spaces never have
   *     them. On for ENAS's settings; off in the {@code quick} preset, where they slowed the shared
   *     weights (docs/search.md, "The main job's defaults since stop 26")
   * @param batchBaseline each controller step scores its {@code reinforce.aggregate()} samples
   *     on one validation batch and uses the others' mean reward as each sample's baseline
   *     ({@link io.jnas.controller.Reinforce#observeGroup}), instead of ENAS's one batch per
   *     sample against a moving-average baseline ({@code false}): the batch's difficulty then
   *     cancels from the advantage
   */
  public record Controller(ControllerConfig config, ReinforceConfig reinforce, int steps, boolean opBiases,
      boolean batchBaseline) {
    /** The baseline names {@link #toMap()} writes: ENAS's moving average, or the step's batch. */
    public static final String MOVING = "moving", BATCH = "batch";

    /** Checks the values. */
    public Controller {
      if (steps < 0) throw new IllegalArgumentException("controller steps is " + steps + ", expected 0 or more");
      if (batchBaseline && reinforce.aggregate() < 2) {
        throw new IllegalArgumentException("the batch baseline needs at least 2 samples a controller step, got aggregate "
            + reinforce.aggregate());
      }
    }

    /** With ENAS's moving-average baseline. */
    public Controller(ControllerConfig config, ReinforceConfig reinforce, int steps, boolean opBiases) {
      this(config, reinforce, steps, opBiases, false);
    }

    /** With ENAS's op biases and moving-average baseline. */
    public Controller(ControllerConfig config, ReinforceConfig reinforce, int steps) {
      this(config, reinforce, steps, true);
    }

    /** A copy with ENAS's op biases on or off. */
    public Controller withOpBiases(boolean on) {
      return new Controller(config, reinforce, steps, on, batchBaseline);
    }

    /** A copy with the batch baseline (true) or ENAS's moving average (false). */
    public Controller withBatchBaseline(boolean on) {
      return new Controller(config, reinforce, steps, opBiases, on);
    }
  }

  /**
   * Derivation of the final architecture: sample {@code samples} candidates from the controller,
   * score each with the shared weights on the same first {@code selectBatches} validation
   * batches, keep the best (ENAS's rule, with one batch; over more than 2 batches a race: all
   * candidates on the first 2, then either the best fifth on all, or, with {@code halving},
   * successive halving: the best half on the first 4, the best quarter on the first 8, and so
   * on, the last field on all); then score it again beside
   * {@code random} uniformly random architectures on the next {@code heldOutBatches} validation
   * batches, which the selection never saw, for its held-out accuracy and its rank among them.
   *
   * @param every derive every this many epochs (and always after the last)
   * @param samples candidates per derivation (an intermediate derivation that races: at most
   *     {@link #INTERMEDIATE_SAMPLES})
   * @param random uniformly random architectures it is ranked among (the yardstick) at the last
   *     epoch's derivation; earlier derivations rank among at most {@link #INTERMEDIATE_RANDOM}
   * @param selectBatches validation batches each candidate is scored on (ENAS: 1)
   * @param heldOutBatches validation batches after those on which the pick and the yardstick
   *     are scored
   * @param halving the race halves the field each time it doubles the batches (instead of
   *     keeping the best fifth after 2 batches): more candidates for the same work
   */
  public record Derive(int every, int samples, int random, int selectBatches, int heldOutBatches, boolean halving) {
    /** Checks the values. */
    public Derive {
      if (every < 1) throw new IllegalArgumentException("derive every is " + every + ", expected at least 1");
      if (samples < 1) throw new IllegalArgumentException("derive samples is " + samples + ", expected at least 1");
      if (random < 1) throw new IllegalArgumentException("derive random is " + random + ", expected at least 1");
      if (selectBatches < 1) throw new IllegalArgumentException("derive select batches is " + selectBatches + ", expected at least 1");
      if (heldOutBatches < 1) throw new IllegalArgumentException("derive held-out batches is " + heldOutBatches + ", expected at least 1");
    }

    /** The race that keeps the best fifth after 2 batches. */
    public Derive(int every, int samples, int random, int selectBatches, int heldOutBatches) {
      this(every, samples, random, selectBatches, heldOutBatches, false);
    }

    /** ENAS's selection on one batch, four held-out batches, with a yardstick of {@code random} cells. */
    public Derive(int every, int samples, int random) {
      this(every, samples, random, 1, 4);
    }

    /** ENAS's selection on one batch, with the default yardstick of {@value #DEFAULT_RANDOM} random architectures. */
    public Derive(int every, int samples) {
      this(every, samples, DEFAULT_RANDOM);
    }

    /** Random architectures of the yardstick unless set. */
    public static final int DEFAULT_RANDOM = 100;
    /**
     * The most random architectures an intermediate derivation (not the last epoch's) ranks
     * the pick among: a progress reading, at a fifth of the default yardstick's cost.
     */
    public static final int INTERMEDIATE_RANDOM = 20;
    /**
     * The most candidates an intermediate derivation races where it races (over more than 2
     * selection batches): a progress reading, at a quarter of the quick preset's last race.
     * ENAS's one-batch selection keeps its {@code samples}.
     */
    public static final int INTERMEDIATE_SAMPLES = 50;
    /** The yardstick of runs whose settings predate {@code derive_random}. */
    static final int LEGACY_RANDOM = 20;
  }

  /** Checks the top-level values. */
  public SearchSettings {
    if (net.macro() && child.warmup() > 0) {
      throw new IllegalArgumentException("warm-up is " + child.warmup() + " epochs, but the enas-macro space has none (expected 0)");
    }
    if (data == null || data.isBlank()) throw new IllegalArgumentException("data is empty, expected a folder or 'synthetic'");
    if (validation < -1) throw new IllegalArgumentException("validation is " + validation + ", expected -1 (default) or more");
  }

  /**
   * The quick preset's controller Adam step: ten times ENAS's 0.0035, since the preset makes 200
   * controller updates where ENAS makes 4,500 (30 a epoch for 150 epochs).
   */
  public static final double QUICK_CONTROLLER_LR = 0.035;

  /** The official ENAS micro search: batch 160, 150 epochs, 6 layers, 20 channels, 5 nodes, l2 1e-4. */
  public static SearchSettings enas(String data) {
    return new SearchSettings(data, -1, new Net(6, 20, 5),
        new Child(160, 150, CosineSchedule.enasSearch(), 0.9, 1e-4, 5.0, 0.9, 0),
        new Controller(ControllerConfig.enas(), ReinforceConfig.enas(), 30), new Derive(10, 100), 0);
  }

  /**
   * A short run on the synthetic data that shows the search working in a few minutes on two
   * CPU cores: a small supernet (2 layers, 12 channels, 3 nodes), 20 epochs over 3000 images
   * (46 steps each, 920 in all: ENAS's 5 epochs left the shared weights at chance), one cosine
   * period from 0.1; the controller trains every epoch (10 steps of 5 samples); a derivation at
   * epoch 10 and at the end: 200 candidates (50 at epoch 10) raced by successive halving on the
   * first 30 of the 3000 validation images' 46 batches (all on 2, the best half on 4, ..., the
   * last 12 on all 30), the best scored again beside 100 random cells on the next 16 (1024
   * images): with 7 and 8 batches the pick was often mis-chosen and
   * mis-ranked by noise (docs/search.md, "The main job's defaults since stop 26"). No warm-up: measured on 5 seeds it raised the
   * shared-weight accuracy but biased the ranking toward its chain cells (docs/search.md). No ENAS op biases: they steer the
   * untrained controller toward the separable convs, whose deep paths the shared weights learn slowest at this budget
   * (docs/search.md). The controller's Adam step is {@link #QUICK_CONTROLLER_LR}, ten times ENAS's, and each controller
   * step scores its 5 samples on one validation batch against each other ({@link Controller#batchBaseline()}): with
   * ENAS's step its 200 updates (ENAS makes 4,500) left it uniform (docs/search.md, "A controller that learns in 200
   * steps", stop 29).
   */
  public static SearchSettings quick() {
    return new SearchSettings("synthetic:train=3000,val=3000,test=1000", 3000, new Net(2, 12, 3),
        new Child(64, 20, new CosineSchedule(0.1, 1e-3, 20, 1), 0.9, 1e-4, 5.0, 0.9, 0, 0),
        new Controller(ControllerConfig.enas(), ReinforceConfig.enas().withAggregate(5).withLearningRate(QUICK_CONTROLLER_LR), 10, false, true),
        new Derive(10, 200, 100, 30, 16, true), 0);
  }

  /**
   * The official ENAS macro search ({@code scripts/cifar10_macro_search.sh}): batch 128, 310
   * epochs, 12 layers of 36 channels, l2 2.5e-4, dropout keep 0.9, cosine 0.05 to 5e-4 (T0 10,
   * Tmul 2); controller tanh 1.5 (ops / 2.5), Adam 0.001, 20 samples a step, 50 steps an epoch,
   * skip penalty 0.8 toward 0.4.
   */
  public static SearchSettings enasMacro(String data) {
    return new SearchSettings(data, -1, new Net(MACRO, MacroArch.DEFAULT_LAYERS, 36, 1),
        new Child(128, 310, new CosineSchedule(0.05, 5e-4, 10, 2), 0.9, 2.5e-4, 5.0, 0.9, 0),
        new Controller(ControllerConfig.enas().withTanh(1.5, 2.5), ReinforceConfig.enasMacro(), 50), new Derive(10, 100), 0);
  }

  /** A short run in the macro space: 6 layers of 12 channels, 5 epochs on the synthetic set (no warm-up). */
  public static SearchSettings quickMacro() {
    SearchSettings q = quick();
    return q.withChild(new Child(64, 5, new CosineSchedule(0.1, 1e-3, 5, 1), 0.9, 1e-4, 5.0, 0.9, 0, 0))
        .withDerive(new Derive(3, 20)).withNet(new Net(MACRO, 6, 12, 1)).withController(new Controller(ControllerConfig.enas().withTanh(1.5, 2.5),
        ReinforceConfig.enasMacro().withAggregate(5), 10));
  }

  /** A copy with another seed. */
  public SearchSettings withSeed(long s) {
    return new SearchSettings(data, validation, net, child, controller, derive, s);
  }

  /** A copy with other data (and validation size). */
  public SearchSettings withData(String d, int v) {
    return new SearchSettings(d, v, net, child, controller, derive, seed);
  }

  /** A copy with another supernet shape. */
  public SearchSettings withNet(Net n) {
    return new SearchSettings(data, validation, n, child, controller, derive, seed);
  }

  /** A copy with other child training. */
  public SearchSettings withChild(Child c) {
    return new SearchSettings(data, validation, net, c, controller, derive, seed);
  }

  /** A copy with another controller setting. */
  public SearchSettings withController(Controller c) {
    return new SearchSettings(data, validation, net, child, c, derive, seed);
  }

  /** A copy with other derivation settings. */
  public SearchSettings withDerive(Derive d) {
    return new SearchSettings(data, validation, net, child, controller, d, seed);
  }

  /**
   * The version {@link #toMap()} writes. Version 2 (this one): the seed is a JSON integer, the
   * default validation size is {@code null}, and the run's log counts epochs from 1. Version 1
   * (no {@code version} key): the seed is a string, the default validation size is -1, the log
   * counts epochs from 0. {@link #fromMap} reads both.
   */
  public static final int VERSION = 2;

  /** Seeds up to this magnitude are exact JSON numbers (doubles); larger ones are written as strings. */
  private static final long EXACT = 1L << 53;

  /** The settings as a JSON-ready map ({@link #fromMap} reads it back). */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("version", VERSION);
    m.put("data", data);
    m.put("validation", validation < 0 ? null : validation);
    m.put("space", net.space());
    m.put("layers", net.layers());
    m.put("channels", net.channels());
    m.put("nodes", net.nodes());
    m.put("supernet_reduce", net.stridedReduce() ? STRIDED : ENAS_REDUCE);
    m.put("batch", child.batch());
    m.put("epochs", child.epochs());
    m.put("lr_max", child.lr().max());
    m.put("lr_min", child.lr().min());
    m.put("lr_t0", child.lr().t0());
    m.put("lr_tmul", child.lr().tMul());
    m.put("momentum", child.momentum());
    m.put("l2", child.l2());
    m.put("grad_clip", child.gradClip());
    m.put("keep_prob", child.keepProb());
    m.put("steps_per_epoch", child.stepsPerEpoch());
    m.put("warmup_epochs", child.warmup());
    ControllerConfig c = controller.config();
    m.put("controller_hidden", c.hidden());
    m.put("controller_tanh", c.tanhConstant());
    m.put("controller_op_tanh_reduce", c.opTanhReduce());
    m.put("controller_temperature", c.temperature());
    m.put("controller_init_range", c.initRange());
    ReinforceConfig r = controller.reinforce();
    m.put("controller_lr", r.learningRate());
    m.put("controller_aggregate", r.aggregate());
    m.put("entropy_weight", r.entropyWeight());
    m.put("controller_grad_bound", r.gradBound());
    m.put("controller_skip_weight", r.skipWeight());
    m.put("controller_steps", controller.steps());
    m.put("controller_op_biases", controller.opBiases());
    m.put("controller_baseline", controller.batchBaseline() ? Controller.BATCH : Controller.MOVING);
    m.put("derive_every", derive.every());
    m.put("derive_samples", derive.samples());
    m.put("derive_random", derive.random());
    m.put("derive_select_batches", derive.selectBatches());
    m.put("derive_heldout_batches", derive.heldOutBatches());
    m.put("derive_halving", derive.halving());
    m.put("seed", Math.abs(seed) <= EXACT ? (Object) seed : Long.toString(seed));
    return m;
  }

  /** The format version of a settings map: its {@code version}, or 1 where absent. */
  public static int version(Map<String, Object> m) {
    return m.get("version") instanceof Number n ? n.intValue() : 1;
  }

  /** Reads {@link #toMap()}'s output, of this version or an earlier one. */
  public static SearchSettings fromMap(Map<String, Object> m) {
    ControllerConfig c = ControllerConfig.enas().withHidden(i(m, "controller_hidden"))
        .withTanh(d(m, "controller_tanh"), d(m, "controller_op_tanh_reduce"))
        .withTemperature(d(m, "controller_temperature")).withInitRange(d(m, "controller_init_range"));
    ReinforceConfig r = ReinforceConfig.enas().withLearningRate(d(m, "controller_lr"))
        .withAggregate(i(m, "controller_aggregate")).withEntropyWeight(d(m, "entropy_weight"))
        .withGradBound(d(m, "controller_grad_bound"))
        .withSkipWeight(m.get("controller_skip_weight") == null ? 0 : d(m, "controller_skip_weight"));
    Object v = m.get("validation");
    return new SearchSettings((String) m.get("data"), v == null ? -1 : i(m, "validation"),
        new Net(m.get("space") == null ? MICRO : String.valueOf(m.get("space")), i(m, "layers"), i(m, "channels"), i(m, "nodes"),
            stridedReduce(m)),
        new Child(i(m, "batch"), i(m, "epochs"),
            new CosineSchedule(d(m, "lr_max"), d(m, "lr_min"), i(m, "lr_t0"), i(m, "lr_tmul")),
            d(m, "momentum"), d(m, "l2"), d(m, "grad_clip"), d(m, "keep_prob"), i(m, "steps_per_epoch"),
            m.get("warmup_epochs") == null ? 0 : i(m, "warmup_epochs")),
        new Controller(c, r, i(m, "controller_steps"), bool(m, "controller_op_biases", true), batchBaseline(m)), new Derive(i(m, "derive_every"), i(m, "derive_samples"),
            m.get("derive_random") == null ? Derive.LEGACY_RANDOM : i(m, "derive_random"),
            m.get("derive_select_batches") == null ? 1 : i(m, "derive_select_batches"),
            m.get("derive_heldout_batches") == null ? 4 : i(m, "derive_heldout_batches"),
            bool(m, "derive_halving", false)),
        seed(m.get("seed")));
  }

  /** {@code supernet_reduce}: "enas" or "strided"; runs from before the setting reduced as ENAS. */
  private static boolean stridedReduce(Map<String, Object> m) {
    Object v = m.get("supernet_reduce");
    if (v == null || ENAS_REDUCE.equals(v)) return false;
    if (STRIDED.equals(v)) return true;
    throw new IllegalArgumentException("settings: 'supernet_reduce' is " + v + ", expected \"enas\" or \"strided\"");
  }

  /** {@code controller_baseline}: "batch" or "moving"; runs from before the setting used the moving average. */
  private static boolean batchBaseline(Map<String, Object> m) {
    Object v = m.get("controller_baseline");
    if (v == null || Controller.MOVING.equals(v)) return false;
    if (Controller.BATCH.equals(v)) return true;
    throw new IllegalArgumentException("settings: 'controller_baseline' is " + v + ", expected \"moving\" or \"batch\"");
  }

  /** A boolean setting; {@code absent} where a run from before the setting lacks it. */
  private static boolean bool(Map<String, Object> m, String key, boolean absent) {
    Object v = m.get(key);
    if (v == null) return absent;
    if (v instanceof Boolean b) return b;
    throw new IllegalArgumentException("settings: '" + key + "' is " + v + ", expected true or false");
  }

  private static long seed(Object v) {
    if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) return n.longValue();
    if (v instanceof String str) {
      try {
        return Long.parseLong(str.strip());
      } catch (NumberFormatException e) {
        // reported below
      }
    }
    throw new IllegalArgumentException("settings: 'seed' is " + v + ", expected an integer");
  }

  private static double d(Map<String, Object> m, String k) {
    Object v = m.get(k);
    if (!(v instanceof Number n)) throw new IllegalArgumentException("settings: '" + k + "' is " + v + ", expected a number");
    return n.doubleValue();
  }

  private static int i(Map<String, Object> m, String k) {
    return (int) Math.round(d(m, k));
  }
}
