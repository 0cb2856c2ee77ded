package io.jnas.multitrial;

import io.jnas.objective.Constraint;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything a multi-trial search is set by: the search (strategy, trials, parallelism, seed,
 * constraints, early stopping) and the proxy training of each trial (few epochs, a subset of
 * the training images, a lower resolution, a small network without the auxiliary head). The
 * defaults finish in about a minute or two on the synthetic data on two cores. Fields are
 * public, as in {@link io.jnas.train.Trainer.Settings}; {@link #check()} validates.
 */
public final class TrialSettings {
  /** The data spec (a folder or {@code synthetic[...]}), recorded in the summary. */
  public String data = "synthetic";
  /** The space searched, a name of {@link io.jnas.space.Spaces#trialNames()}. */
  public String space = "enas-micro";
  /** Strategy name, a key of {@link io.jnas.strategy.Strategies#registry()}. */
  public String strategy = "evolution";
  /** Strategy hyperparameters by name (e.g. {@code population=10}). */
  public Map<String, String> strategyParams = new LinkedHashMap<>();
  /** Trials proposed in all (rejected and failed ones count). */
  public int trials = 16;
  /** Trials trained at once, each on its own Java thread with its own network. */
  public int parallel = 1;
  /** Epochs of proxy training per trial. */
  public int epochs = 2;
  /** Training images used (a seeded random subset, the same for every trial); 0 = all. */
  public int trainSubset = 1000;
  /** Validation images used (a seeded random subset of the held-out split); 0 = all. */
  public int valSubset = 500;
  /** Side the images are resampled to (box average on an even ratio); 0 = as stored. */
  public int resolution = 16;
  /** Cells of the proxy network, reductions included; for {@code enas-macro} the space's (and network's) layers. */
  public int layers = 3;
  /** First cells' channels of the proxy network. */
  public int channels = 8;
  /** Nodes (blocks) per cell of the space. */
  public int nodes = 5;
  /** Minibatch size. */
  public int batch = 64;
  /** Peak learning rate (one cosine over the trial's steps, down to 1% of it). */
  public double lr = 0.1;
  /** Nesterov momentum. */
  public double momentum = 0.9;
  /** L2 weight decay. */
  public double weightDecay = 3e-4;
  /** Global-norm gradient clip (0: none). */
  public double gradClip = 5;
  /** Early stopping rule. */
  public EarlyStopping earlyStopping = EarlyStopping.MEDIAN;
  /** Bounds an architecture must meet to be trained (params, flops, latency). */
  public List<Constraint> constraints = new ArrayList<>();
  /** Images per batch of the latency measurement. */
  public int latencyBatch = 64;
  /** Timed {@code predict} calls of the latency measurement (after one warm-up call). */
  public int latencyRepeats = 5;
  /** Seed of the strategy, the subsets, the batches and (mixed with the trial id) the weights. */
  public long seed = 0;
  /** Where trials run: {@code inprocess} (Java threads here) or a {@link TrialExecutorFactory}'s name ({@code spark}). */
  public String executor = "inprocess";
  /** The executor's cluster address (Spark: {@code local[2]}, {@code spark://host:7077}, {@code yarn}), or null for its default. */
  public String master;

  /** Checks every field; the message names it. */
  public TrialSettings check() {
    if (space == null || !io.jnas.space.Spaces.trialNames().contains(space)) {
      throw new IllegalArgumentException("space is '" + space + "', expected one of " + String.join(", ", io.jnas.space.Spaces.trialNames()));
    }
    if (trials < 1) throw new IllegalArgumentException("trials is " + trials + ", expected at least 1");
    if (parallel < 1) throw new IllegalArgumentException("parallel is " + parallel + ", expected at least 1");
    if (epochs < 1) throw new IllegalArgumentException("epochs is " + epochs + ", expected at least 1");
    if (trainSubset < 0) throw new IllegalArgumentException("train subset is " + trainSubset + ", expected >= 0 (0: all)");
    if (valSubset < 0) throw new IllegalArgumentException("validation subset is " + valSubset + ", expected >= 0 (0: all)");
    if (resolution != 0 && resolution < 4) throw new IllegalArgumentException("resolution is " + resolution + ", expected at least 4 (or 0: as stored)");
    if (layers < 1) throw new IllegalArgumentException("layers is " + layers + ", expected at least 1");
    if (channels < 2) throw new IllegalArgumentException("channels is " + channels + ", expected at least 2");
    if (nodes < 1) throw new IllegalArgumentException("nodes is " + nodes + ", expected at least 1");
    if (batch < 2) throw new IllegalArgumentException("batch is " + batch + ", expected at least 2 (batch statistics)");
    if (!(lr > 0 && Double.isFinite(lr))) throw new IllegalArgumentException("lr is " + lr + ", expected a finite value > 0");
    if (!(momentum >= 0 && momentum < 1)) throw new IllegalArgumentException("momentum is " + momentum + ", expected [0, 1)");
    if (!(weightDecay >= 0)) throw new IllegalArgumentException("weight decay is " + weightDecay + ", expected >= 0");
    if (!(gradClip >= 0 && Double.isFinite(gradClip))) throw new IllegalArgumentException("grad clip is " + gradClip + ", expected >= 0");
    if (latencyBatch < 1) throw new IllegalArgumentException("latency batch is " + latencyBatch + ", expected at least 1");
    if (latencyRepeats < 1) throw new IllegalArgumentException("latency repeats is " + latencyRepeats + ", expected at least 1");
    if (executor == null || executor.isBlank()) throw new IllegalArgumentException("executor is empty, expected inprocess or spark");
    for (Constraint c : constraints) {
      if (c.objective() == io.jnas.objective.Objective.ACCURACY) {
        throw new IllegalArgumentException("constraint " + c + ": only params, flops and latency can be checked before training");
      }
    }
    return this;
  }

  /**
   * JSON-ready map of every field. "All images" ({@code trainSubset} or {@code valSubset} 0)
   * and "as stored" ({@code resolution} 0) are {@code null}; strategy parameters that are
   * integers or booleans are JSON numbers and booleans.
   */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("data", data);
    m.put("space", space);
    m.put("strategy", strategy);
    Map<String, Object> sp = new LinkedHashMap<>();
    strategyParams.forEach((k, v) -> sp.put(k, typed(v)));
    m.put("strategy_params", sp);
    m.put("trials", trials);
    m.put("parallel", parallel);
    m.put("epochs", epochs);
    m.put("train_subset", trainSubset == 0 ? null : trainSubset);
    m.put("val_subset", valSubset == 0 ? null : valSubset);
    m.put("resolution", resolution == 0 ? null : resolution);
    m.put("layers", layers);
    m.put("channels", channels);
    m.put("nodes", nodes);
    m.put("batch", batch);
    m.put("lr", lr);
    m.put("momentum", momentum);
    m.put("weight_decay", weightDecay);
    m.put("grad_clip", gradClip);
    m.put("early_stopping", earlyStopping.id());
    List<Object> cs = new ArrayList<>();
    for (Constraint c : constraints) cs.add(c.toString());
    m.put("constraints", cs);
    m.put("latency_batch", latencyBatch);
    m.put("latency_repeats", latencyRepeats);
    m.put("seed", seed);
    m.put("executor", executor);
    m.put("master", master);
    return m;
  }

  /**
   * The settings of {@link #toMap()}, as written by this version or an earlier one (numbers
   * as JSON numbers or strings, 0 or null for "all" and "as stored", strategy parameters as
   * strings); absent fields keep their defaults. Checked.
   *
   * @throws IllegalArgumentException naming a field of the wrong type or range
   */
  public static TrialSettings fromMap(Map<String, Object> m) {
    TrialSettings s = new TrialSettings();
    if (m.get("data") != null) s.data = String.valueOf(m.get("data"));
    if (m.get("space") != null) s.space = String.valueOf(m.get("space"));  // absent in runs before spaces: enas-micro
    if (m.get("strategy") != null) s.strategy = String.valueOf(m.get("strategy"));
    if (m.get("strategy_params") instanceof Map<?, ?> sp) {
      s.strategyParams = new LinkedHashMap<>();
      sp.forEach((k, v) -> s.strategyParams.put(String.valueOf(k), text(v)));
    }
    s.trials = (int) number(m, "trials", s.trials);
    s.parallel = (int) number(m, "parallel", s.parallel);
    s.epochs = (int) number(m, "epochs", s.epochs);
    s.trainSubset = (int) number(m, "train_subset", 0);
    s.valSubset = (int) number(m, "val_subset", 0);
    s.resolution = (int) number(m, "resolution", 0);
    s.layers = (int) number(m, "layers", s.layers);
    s.channels = (int) number(m, "channels", s.channels);
    s.nodes = (int) number(m, "nodes", s.nodes);
    s.batch = (int) number(m, "batch", s.batch);
    s.lr = number(m, "lr", s.lr);
    s.momentum = number(m, "momentum", s.momentum);
    s.weightDecay = number(m, "weight_decay", s.weightDecay);
    s.gradClip = number(m, "grad_clip", s.gradClip);
    if (m.get("early_stopping") != null) s.earlyStopping = EarlyStopping.of(String.valueOf(m.get("early_stopping")));
    if (m.get("constraints") instanceof List<?> cs) {
      for (Object c : cs) s.constraints.add(Constraint.parse(String.valueOf(c)));
    }
    s.latencyBatch = (int) number(m, "latency_batch", s.latencyBatch);
    s.latencyRepeats = (int) number(m, "latency_repeats", s.latencyRepeats);
    Object seed = m.get("seed");
    if (seed instanceof String str) {
      try {
        s.seed = Long.parseLong(str.trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("settings: seed is '" + str + "', expected an integer");
      }
    } else if (seed instanceof Number n) {
      s.seed = n.longValue();
    }
    if (m.get("executor") != null) s.executor = String.valueOf(m.get("executor"));
    if (m.get("master") != null) s.master = String.valueOf(m.get("master"));
    return s.check();
  }

  /** A field that is a number (or a number in a string, as older files have it); null or absent: {@code dflt}. */
  private static double number(Map<String, Object> m, String key, double dflt) {
    Object v = m.get(key);
    if (v == null) return dflt;
    if (v instanceof Number n) return n.doubleValue();
    try {
      return Double.parseDouble(String.valueOf(v).trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("settings: " + key + " is '" + v + "', expected a number");
    }
  }

  /** A strategy parameter's text: an integral JSON number without a fraction ("10", not "10.0"). */
  private static String text(Object v) {
    if (v instanceof Double d && d == Math.rint(d) && Math.abs(d) < 1e15) return String.valueOf(d.longValue());
    return String.valueOf(v);
  }

  /** A strategy parameter's JSON value: an integer or a boolean where the text is one, else the text. */
  private static Object typed(String v) {
    if (v.equals("true") || v.equals("false")) return Boolean.parseBoolean(v);
    try {
      return Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      return v;
    }
  }
}
