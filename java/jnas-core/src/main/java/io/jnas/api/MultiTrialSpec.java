package io.jnas.api;

import io.jnas.multitrial.EarlyStopping;
import io.jnas.multitrial.TrialSettings;
import io.jnas.objective.Constraint;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything a multi-trial search over the ENAS micro space is run with. Immutable; made with
 * {@link #builder()}, whose defaults are {@link TrialSettings}'s.
 *
 * <pre>{@code
 * MultiTrialSpec spec = MultiTrialSpec.builder()
 *     .data(SearchData.open("synthetic:train=2000,val=500,test=100"))
 *     .strategy("evolution").strategyParam("population", "6")
 *     .trials(12).parallel(2).epochs(2)
 *     .earlyStopping(EarlyStopping.MEDIAN)
 *     .constraint(Constraint.parse("params<=60000"))
 *     .seed(1)
 *     .build();
 * }</pre>
 *
 * @param data the images
 * @param strategy a name of {@link io.jnas.strategy.Strategies#registry()}
 * @param strategyParams its parameters by name
 * @param trials trials proposed in all
 * @param parallel trials trained at once (each with one kernel thread where more than one)
 * @param earlyStopping the rule that stops weak trials early
 * @param constraints bounds (params, flops, latency) an architecture must meet to be trained
 * @param proxy how each trial is trained
 * @param seed seed of the strategy, subsets, batches and weights
 * @param runFolder where the search writes {@code trials.jsonl} and the rest, or null for no files
 * @param threads CPU kernel threads of a trial when {@code parallel} is 1 (0: the process's count)
 */
public record MultiTrialSpec(SearchData data, String strategy, Map<String, String> strategyParams, int trials, int parallel,
    EarlyStopping earlyStopping, List<Constraint> constraints, Proxy proxy, long seed, Path runFolder, int threads) {

  /**
   * The proxy training of each trial.
   *
   * @param epochs epochs per trial
   * @param trainSubset training images used, the same for every trial (0: all)
   * @param valSubset validation images scored (0: all)
   * @param resolution image side the data is resampled to (0: as stored)
   * @param layers cells of the proxy network, reductions included
   * @param channels channels of its first cells
   * @param nodes nodes per cell of the ENAS micro space
   * @param batch minibatch size
   * @param lr peak learning rate (one cosine per trial, to 1% of it)
   * @param latencyBatch images per batch of the latency measurement
   */
  public record Proxy(int epochs, int trainSubset, int valSubset, int resolution, int layers, int channels, int nodes, int batch,
      double lr, int latencyBatch) {
    /** {@link TrialSettings}'s defaults. */
    public static Proxy defaults() {
      TrialSettings d = new TrialSettings();
      return new Proxy(d.epochs, d.trainSubset, d.valSubset, d.resolution, d.layers, d.channels, d.nodes, d.batch, d.lr, d.latencyBatch);
    }
  }

  /** Copies the collections and checks every value (through {@link TrialSettings#check()}). */
  public MultiTrialSpec {
    Objects.requireNonNull(data, "data");
    Objects.requireNonNull(strategy, "strategy");
    Objects.requireNonNull(earlyStopping, "earlyStopping");
    Objects.requireNonNull(proxy, "proxy");
    strategyParams = Map.copyOf(strategyParams);
    constraints = List.copyOf(constraints);
    if (threads < 0) throw new IllegalArgumentException("threads is " + threads + ", expected 0 (the process's count) or more");
  }

  /** The run folder, where one was given. */
  public Optional<Path> folder() {
    return Optional.ofNullable(runFolder);
  }

  /** The settings of {@link io.jnas.multitrial.MultiTrialSearch} (a fresh, mutable copy), checked. */
  public TrialSettings toTrialSettings() {
    TrialSettings s = new TrialSettings();
    s.data = data.label();
    s.strategy = strategy;
    s.strategyParams = new LinkedHashMap<>(new java.util.TreeMap<>(strategyParams));
    s.trials = trials;
    s.parallel = parallel;
    s.earlyStopping = earlyStopping;
    s.constraints = new ArrayList<>(constraints);
    s.epochs = proxy.epochs();
    s.trainSubset = proxy.trainSubset();
    s.valSubset = proxy.valSubset();
    s.resolution = proxy.resolution();
    s.layers = proxy.layers();
    s.channels = proxy.channels();
    s.nodes = proxy.nodes();
    s.batch = proxy.batch();
    s.lr = proxy.lr();
    s.latencyBatch = proxy.latencyBatch();
    s.seed = seed;
    return s.check();
  }

  /** A builder with {@link TrialSettings}'s defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds a {@link MultiTrialSpec}; every setter returns the builder. */
  public static final class Builder {
    private final TrialSettings s = new TrialSettings();
    private SearchData data;
    private Path runFolder;
    private int threads;

    private Builder() {}

    /** The images (required). */
    public Builder data(SearchData d) {
      this.data = Objects.requireNonNull(d, "data");
      return this;
    }

    /** The strategy by name: random, evolution, reinforce, bo, grid. */
    public Builder strategy(String name) {
      s.strategy = Objects.requireNonNull(name, "strategy");
      return this;
    }

    /** A strategy parameter (e.g. {@code population}, {@code 6}). */
    public Builder strategyParam(String name, String value) {
      s.strategyParams.put(name, value);
      return this;
    }

    /** Trials proposed in all. */
    public Builder trials(int n) {
      s.trials = n;
      return this;
    }

    /** Trials trained at once. */
    public Builder parallel(int n) {
      s.parallel = n;
      return this;
    }

    /** Epochs per trial. */
    public Builder epochs(int n) {
      s.epochs = n;
      return this;
    }

    /** Training images used (0: all). */
    public Builder trainSubset(int n) {
      s.trainSubset = n;
      return this;
    }

    /** Validation images scored (0: all). */
    public Builder valSubset(int n) {
      s.valSubset = n;
      return this;
    }

    /** Image side of the proxy (0: as stored). */
    public Builder resolution(int n) {
      s.resolution = n;
      return this;
    }

    /** Cells, channels and nodes per cell of the proxy network. */
    public Builder network(int layers, int channels, int nodes) {
      s.layers = layers;
      s.channels = channels;
      s.nodes = nodes;
      return this;
    }

    /** Minibatch size. */
    public Builder batch(int n) {
      s.batch = n;
      return this;
    }

    /** Peak learning rate. */
    public Builder lr(double lr) {
      s.lr = lr;
      return this;
    }

    /** Images per batch of the latency measurement. */
    public Builder latencyBatch(int n) {
      s.latencyBatch = n;
      return this;
    }

    /** The early-stopping rule. */
    public Builder earlyStopping(EarlyStopping e) {
      s.earlyStopping = Objects.requireNonNull(e, "earlyStopping");
      return this;
    }

    /** One more constraint (params, flops or latency). */
    public Builder constraint(Constraint c) {
      s.constraints.add(Objects.requireNonNull(c, "constraint"));
      return this;
    }

    /** The seed. */
    public Builder seed(long seed) {
      s.seed = seed;
      return this;
    }

    /** Where the search writes (absent or empty); without one it writes nothing. */
    public Builder runFolder(Path p) {
      this.runFolder = p;
      return this;
    }

    /** Kernel threads of a trial when trials run one at a time (0: the process's count). */
    public Builder threads(int n) {
      this.threads = n;
      return this;
    }

    /**
     * The spec.
     *
     * @throws IllegalArgumentException where no data was given or a value is out of range (named)
     */
    public MultiTrialSpec build() {
      if (data == null) throw new IllegalArgumentException("multitrial spec: no data; call data(SearchData)");
      s.check();
      return new MultiTrialSpec(data, s.strategy, s.strategyParams, s.trials, s.parallel, s.earlyStopping, s.constraints,
          new Proxy(s.epochs, s.trainSubset, s.valSubset, s.resolution, s.layers, s.channels, s.nodes, s.batch, s.lr, s.latencyBatch),
          s.seed, runFolder, threads);
    }
  }
}
