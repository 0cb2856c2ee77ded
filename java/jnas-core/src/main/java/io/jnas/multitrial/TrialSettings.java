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
  /** Strategy name, a key of {@link io.jnas.strategy.Strategies#registry()}. */
  public String strategy = "evolution";
  /** Strategy hyperparameters by name (e.g. {@code population=10}). */
  public Map<String, String> strategyParams = new LinkedHashMap<>();
  /** Trials proposed in all (rejected and failed ones count). */
  public int trials = 8;
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
  /** Cells of the proxy network, reductions included. */
  public int layers = 3;
  /** First cells' channels of the proxy network. */
  public int channels = 8;
  /** Nodes per cell of the ENAS micro space. */
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

  /** Checks every field; the message names it. */
  public TrialSettings check() {
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
    for (Constraint c : constraints) {
      if (c.objective() == io.jnas.objective.Objective.ACCURACY) {
        throw new IllegalArgumentException("constraint " + c + ": only params, flops and latency can be checked before training");
      }
    }
    return this;
  }

  /** JSON-ready map of every field. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("data", data);
    m.put("strategy", strategy);
    m.put("strategy_params", new LinkedHashMap<String, Object>(strategyParams));
    m.put("trials", trials);
    m.put("parallel", parallel);
    m.put("epochs", epochs);
    m.put("train_subset", trainSubset);
    m.put("val_subset", valSubset);
    m.put("resolution", resolution);
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
    return m;
  }
}
