package io.jnas.api;

import io.jnas.enas.SearchSettings;
import io.jnas.train.CosineSchedule;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything an ENAS micro search is run with: the data, the settings, an optional run folder,
 * and the CPU kernel threads of this search. Immutable; made with {@link #builder()}.
 *
 * <pre>{@code
 * EnasSpec spec = EnasSpec.builder()
 *     .data(SearchData.of(train, validation))   // or SearchData.open("../shared/data/mnist")
 *     .epochs(3).layers(1).channels(8).nodes(3).batch(32)
 *     .seed(7)
 *     .threads(2)                                // this search's kernels only
 *     .build();                                  // no run folder: a temporary one, removed at close
 * }</pre>
 *
 * @param data the images
 * @param settings every setting of the search; its {@code data} is {@link SearchData#label()}
 * @param runFolder where the search writes (must be absent or empty), or null for a temporary
 *     folder removed when the search is closed
 * @param threads CPU kernel threads of this search (0: the process's count); other searches in
 *     the same JVM keep theirs
 */
public record EnasSpec(SearchData data, SearchSettings settings, Path runFolder, int threads) {
  /** Checks the values. */
  public EnasSpec {
    Objects.requireNonNull(data, "data");
    Objects.requireNonNull(settings, "settings");
    if (threads < 0) throw new IllegalArgumentException("threads is " + threads + ", expected 0 (the process's count) or more");
  }

  /** The run folder, where one was given. */
  public Optional<Path> folder() {
    return Optional.ofNullable(runFolder);
  }

  /** A builder starting from {@link SearchSettings#quick()}'s values. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from this spec. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.data = data;
    b.settings = settings;
    b.runFolder = runFolder;
    b.threads = threads;
    b.validation = settings.validation();
    return b;
  }

  /** Builds an {@link EnasSpec}; every setter returns the builder. */
  public static final class Builder {
    private SearchData data;
    private SearchSettings settings = SearchSettings.quick();
    private Path runFolder;
    private int threads;
    private Integer validation;

    private Builder() {}

    /**
     * Validation images held out of a data spec's training images (default: the data set's
     * default; data given as two in-memory sets keeps its validation set).
     */
    public Builder validation(int n) {
      this.validation = n;
      return this;
    }

    /** The images (required). */
    public Builder data(SearchData d) {
      this.data = Objects.requireNonNull(d, "data");
      return this;
    }

    /** All settings at once (e.g. {@code SearchSettings.enas(spec)}, ENAS's own); the data field is replaced by the data's label. */
    public Builder settings(SearchSettings s) {
      this.settings = Objects.requireNonNull(s, "settings");
      return this;
    }

    /** Epochs of the search. */
    public Builder epochs(int n) {
      SearchSettings.Child c = settings.child();
      settings = settings.withChild(c.withEpochs(n));
      return this;
    }

    /**
     * Warm-up epochs at the start: chain-input cells with random ops, controller idle
     * ({@link SearchSettings.Child#warmup()}; enas-micro only; 0 for ENAS's own schedule).
     */
    public Builder warmup(int epochs) {
      settings = settings.withChild(settings.child().withWarmup(epochs));
      return this;
    }

    /** Minibatch size of the shared weights' training (and of the controller's validation batches). */
    public Builder batch(int n) {
      SearchSettings.Child c = settings.child();
      settings = settings.withChild(c.withBatch(n));
      return this;
    }

    /** Cap on training steps per epoch (0: a whole pass over the training images). */
    public Builder stepsPerEpoch(int n) {
      SearchSettings.Child c = settings.child();
      settings = settings.withChild(c.withStepsPerEpoch(n));
      return this;
    }

    /** The learning-rate schedule of the shared weights. */
    public Builder lr(CosineSchedule lr) {
      SearchSettings.Child c = settings.child();
      settings = settings.withChild(c.withLr(lr));
      return this;
    }

    /** Normal layers of the supernet (two reduction layers are added). */
    public Builder layers(int n) {
      SearchSettings.Net t = settings.net();
      settings = settings.withNet(new SearchSettings.Net(t.space(), n, t.channels(), t.nodes(), t.stridedReduce()));
      return this;
    }

    /** Channels of the first cells (even). */
    public Builder channels(int n) {
      SearchSettings.Net t = settings.net();
      settings = settings.withNet(new SearchSettings.Net(t.space(), t.layers(), n, t.nodes(), t.stridedReduce()));
      return this;
    }

    /** Nodes per cell. */
    public Builder nodes(int n) {
      SearchSettings.Net t = settings.net();
      settings = settings.withNet(new SearchSettings.Net(t.space(), t.layers(), t.channels(), n, t.stridedReduce()));
      return this;
    }

    /**
     * Whether the supernet's reduction layers run the reduction cell's ops on its inputs at
     * stride 2, as the trained network does (true), or reduce as ENAS: a factorized reduce of
     * the previous layer, then the cell at stride 1 (false, the default).
     */
    public Builder stridedReduce(boolean on) {
      settings = settings.withNet(settings.net().withStridedReduce(on));
      return this;
    }

    /** Controller steps per epoch. */
    public Builder controllerSteps(int n) {
      SearchSettings.Controller c = settings.controller();
      settings = settings.withController(new SearchSettings.Controller(c.config(), c.reinforce(), n, c.opBiases(), c.batchBaseline()));
      return this;
    }

    /**
     * ENAS's initial op biases in ENAS's micro space, favouring its two separable convs (on in
     * ENAS's settings, off in the quick preset; other spaces never have them).
     */
    public Builder opBiases(boolean on) {
      settings = settings.withController(settings.controller().withOpBiases(on));
      return this;
    }

    /**
     * Whether each controller step scores its samples on one validation batch and uses the
     * others' mean reward as each sample's baseline (true) or, as ENAS, one batch per sample
     * against a moving-average baseline (false).
     */
    public Builder batchBaseline(boolean on) {
      settings = settings.withController(settings.controller().withBatchBaseline(on));
      return this;
    }

    /** Candidates per derivation, and how many epochs apart derivations are (always after the last). */
    public Builder derive(int samples, int every) {
      SearchSettings.Derive d = settings.derive();
      settings = settings.withDerive(new SearchSettings.Derive(every, samples, d.random(), d.selectBatches(), d.heldOutBatches(), d.halving()));
      return this;
    }

    /** The seed every random choice derives from. */
    public Builder seed(long s) {
      settings = settings.withSeed(s);
      return this;
    }

    /** Where the search writes; absent or empty. Without one, a temporary folder removed at close. */
    public Builder runFolder(Path p) {
      this.runFolder = p;
      return this;
    }

    /** CPU kernel threads of this search (0: the process's count). */
    public Builder threads(int n) {
      this.threads = n;
      return this;
    }

    /**
     * The spec.
     *
     * @throws IllegalArgumentException where no data was given or a value is out of range
     */
    public EnasSpec build() {
      if (data == null) throw new IllegalArgumentException("enas spec: no data; call data(SearchData)");
      int v = data.validation() >= 0 ? data.validation() : validation != null ? validation : -1;
      return new EnasSpec(data, settings.withData(data.label(), v), runFolder, threads);
    }
  }
}
