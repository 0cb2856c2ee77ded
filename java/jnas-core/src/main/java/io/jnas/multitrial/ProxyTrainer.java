package io.jnas.multitrial;

import io.jnas.data.Augmentation;
import io.jnas.data.BatchLoader;
import io.jnas.data.DataSource;
import io.jnas.data.Dataset;
import io.jnas.data.Seeds;
import io.jnas.data.Splits;
import io.jnas.enas.EnasMacroSpace;
import io.jnas.enas.MacroArch;
import io.jnas.enas.MacroNetwork;
import io.jnas.genotype.Genotype;
import io.jnas.space.CellSpace;
import io.jnas.space.SearchSpace;
import io.jnas.tensor.IntTensor;
import io.jnas.tensor.Tensor;
import io.jnas.train.FinalNetwork;
import io.jnas.train.Trainer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The real {@link TrialEvaluator}: builds the network a decision vector stands for and trains it
 * from scratch with proxies for a few epochs, scoring it by its accuracy on held-out validation
 * images. A cell space's vector ({@link CellSpace#genotypeOf}: ENAS micro, NASNet, AmoebaNet)
 * becomes a {@link FinalNetwork} of {@code layers} cells (no auxiliary head, no drop-path or
 * dropout); an ENAS macro vector ({@link EnasMacroSpace}) a {@link MacroNetwork} of its layers
 * (no dropout).
 *
 * <p>Proxies, all fixed once for the whole search so that every trial sees the same data:
 * the training images are a seeded random subset of the training split (the validation split,
 * {@link DataSource#splits()}, is held out of it), resampled to {@code resolution} x
 * {@code resolution} by a box average where the ratio is even (28 to 14, 32 to 16) and
 * bilinearly otherwise, once, at construction; the validation images likewise. Training
 * transform: normalization only (no crop, flip or cutout: a few epochs do not need them).
 * Learning rate: one cosine over the trial's steps from {@code lr} to {@code lr / 100},
 * Nesterov SGD.
 *
 * <p>Randomness: the batches depend on the search seed only (every trial sees the same ones);
 * the weights on (search seed, trial id).
 */
public final class ProxyTrainer implements TrialEvaluator {
  private final TrialSettings s;
  private final SearchSpace<?> space;
  private final Dataset train;
  private final Dataset validation;
  private final Augmentation aug;

  /**
   * Prepares the proxy data from {@code src}.
   *
   * @throws IllegalArgumentException where the subsets leave fewer training images than a batch
   */
  public ProxyTrainer(TrialSettings settings, DataSource src, SearchSpace<?> space) {
    this.s = settings.check();
    this.space = Objects.requireNonNull(space, "space");
    if (!(space instanceof CellSpace<?>) && !(space instanceof EnasMacroSpace)) {
      throw new IllegalArgumentException(space.name() + ": proxy training needs a cell space or the ENAS macro space");
    }
    Splits sp = src.splits();
    if (sp.validation().size() == 0) throw new IllegalArgumentException(src.name() + ": has no validation split to score trials on");
    this.train = proxy(sp.train(), s.trainSubset, Seeds.mix(s.seed, 1));
    this.validation = proxy(sp.validation(), s.valSubset, Seeds.mix(s.seed, 2));
    if (train.size() < s.batch) {
      throw new IllegalArgumentException("batch " + s.batch + " is larger than the " + train.size() + " training images of the proxy");
    }
    this.aug = src.evalAugmentation();
  }

  private Dataset proxy(Dataset d, int count, long seed) {
    if (count > 0 && count < d.size()) d = d.subset(count / (double) d.size(), seed);
    if (s.resolution > 0 && (d.height() != s.resolution || d.width() != s.resolution)) d = d.resized(s.resolution, s.resolution);
    return d;
  }

  /** The proxy training images (subset, resampled). */
  public Dataset trainSet() {
    return train;
  }

  /** The proxy validation images (subset, resampled). */
  public Dataset validationSet() {
    return validation;
  }

  @Override
  public Candidate prepare(int id, int[] decisions) {
    if (!space.isValid(decisions)) throw new IllegalArgumentException("decisions " + Arrays.toString(decisions) + " are not valid in " + space.name());
    long seed = Seeds.mix(s.seed, 3, id);
    Genotype g = null;
    TrialNet net;
    if (space instanceof CellSpace<?> cs) {
      g = cs.genotypeOf(decisions);
      net = new CellNet(new FinalNetwork(new FinalNetwork.Config(g, s.channels, s.layers, train.numClasses(), train.channels(),
          train.height(), train.width(), false, seed)));
    } else {
      MacroArch a = ((EnasMacroSpace) space).decode(decisions);
      net = new MacroNet(new MacroNetwork(new MacroNetwork.Config(a, s.channels, train.numClasses(), train.channels(),
          train.height(), train.width(), seed)));
    }
    try {
      return new ProxyCandidate(id, g, net, net.params(), net.flops(), latencyMs(net));
    } catch (RuntimeException e) {
      net.close();
      throw e;
    }
  }

  /** What a trial trains: a final network or a macro network. */
  private interface TrialNet extends AutoCloseable {
    /** One training step; returns the loss. */
    float trainStep(Tensor x, IntTensor y, float lr, float progress, long seed);

    float[] predict(Tensor x);

    double accuracy(Dataset data, Augmentation aug);

    long params();

    double flops();

    @Override
    void close();
  }

  private final class CellNet implements TrialNet {
    private final FinalNetwork net;

    CellNet(FinalNetwork net) {
      this.net = net;
    }

    @Override
    public float trainStep(Tensor x, IntTensor y, float lr, float progress, long seed) {
      FinalNetwork.Hyper h = new FinalNetwork.Hyper(lr, (float) s.momentum, (float) s.weightDecay, (float) s.gradClip, 1f, 1f);
      return net.trainStep(x, y, h, progress, seed).loss();
    }

    @Override
    public float[] predict(Tensor x) {
      return net.predict(x);
    }

    @Override
    public double accuracy(Dataset data, Augmentation a) {
      return Trainer.evaluate(net, data, a, 256).accuracy();
    }

    @Override
    public long params() {
      return net.numWeights();
    }

    @Override
    public double flops() {
      return net.forwardFlops();
    }

    @Override
    public void close() {
      net.close();
    }
  }

  private final class MacroNet implements TrialNet {
    private final MacroNetwork net;

    MacroNet(MacroNetwork net) {
      this.net = net;
    }

    @Override
    public float trainStep(Tensor x, IntTensor y, float lr, float progress, long seed) {
      MacroNetwork.Hyper h = new MacroNetwork.Hyper(lr, (float) s.momentum, (float) s.weightDecay, (float) s.gradClip, 1f);
      return net.trainStep(x, y, h, seed).loss();
    }

    @Override
    public float[] predict(Tensor x) {
      return net.predict(x);
    }

    /** Argmax hits over {@code data} in batches of 256 (evaluation mode), as {@link Trainer#evaluate} counts them. */
    @Override
    public double accuracy(Dataset data, Augmentation a) {
      int V = data.numClasses();
      long[] hc = new long[2];  // hits, count
      io.jnas.train.PlainTraining.forEachBatch(data, a, 256, (t, labels) -> {
        float[] logits = net.predict(t);
        for (int i = 0; i < labels.length; i++) {
          int best = 0;
          for (int v = 1; v < V; v++) if (logits[i * V + v] > logits[i * V + best]) best = v;
          if (best == labels[i]) hc[0]++;
          hc[1]++;
        }
      });
      return hc[0] / (double) hc[1];
    }

    @Override
    public long params() {
      return net.numWeights();
    }

    @Override
    public double flops() {
      return net.forwardFlops();
    }

    @Override
    public void close() {
      net.close();
    }
  }

  /** Median milliseconds of {@code predict} on a batch of {@code latencyBatch} images, after one warm-up call. */
  private double latencyMs(TrialNet net) {
    double[] ms = new double[s.latencyRepeats];
    try (Tensor x = Tensor.zeros(s.latencyBatch, train.channels(), train.height(), train.width())) {
      net.predict(x);
      for (int r = 0; r < ms.length; r++) {
        long t0 = System.nanoTime();
        net.predict(x);
        ms[r] = (System.nanoTime() - t0) / 1e6;
      }
    }
    Arrays.sort(ms);
    int n = ms.length;
    return n % 2 == 1 ? ms[n / 2] : (ms[n / 2 - 1] + ms[n / 2]) / 2;
  }

  private final class ProxyCandidate implements Candidate {
    private final int id;
    private final Genotype genotype;
    private final TrialNet net;
    private final long params;
    private final double flops;
    private final double latencyMs;

    ProxyCandidate(int id, Genotype genotype, TrialNet net, long params, double flops, double latencyMs) {
      this.id = id;
      this.genotype = genotype;
      this.net = net;
      this.params = params;
      this.flops = flops;
      this.latencyMs = latencyMs;
    }

    @Override
    public Genotype genotype() {
      return genotype;
    }

    @Override
    public long params() {
      return params;
    }

    @Override
    public double flops() {
      return flops;
    }

    @Override
    public double latencyMs() {
      return latencyMs;
    }

    @Override
    public List<Double> train(EpochHook hook) {
      List<Double> acc = new ArrayList<>();
      int B = s.batch;
      // with parallel trials each trial makes its batches on its own thread (no extra threads)
      int workers = s.parallel > 1 ? 0 : 1;
      try (BatchLoader loader = BatchLoader.builder(train).batchSize(B).seed(s.seed).augmentation(aug).dropLast(true)
          .workers(workers).build();
          Tensor x = Tensor.zeros(B, train.channels(), train.height(), train.width());
          IntTensor y = IntTensor.zeros(B)) {
        int steps = loader.batchesPerEpoch();
        long total = (long) steps * s.epochs;
        for (int e = 0; e < s.epochs; e++) {
          try (BatchLoader.Epoch it = loader.epoch(e)) {
            for (int k = 0; k < steps; k++) {
              it.next(x, y);
              long step = (long) e * steps + k;
              double lr = s.lr * (0.01 + 0.99 * 0.5 * (1 + Math.cos(Math.PI * step / total)));
              float loss = net.trainStep(x, y, (float) lr, (float) ((step + 1) / (double) total), Seeds.mix(s.seed, 4, id, step));
              if (!Float.isFinite(loss)) {
                throw new IllegalStateException("epoch " + (e + 1) + " step " + (k + 1) + ": loss is " + loss + " (diverged; lower --lr?)");
              }
              hook.afterStep(e, k, loss);
            }
          }
          double a = net.accuracy(validation, aug);
          acc.add(a);
          if (hook.afterEpoch(e, a)) break;
        }
      }
      return acc;
    }

    @Override
    public void close() {
      net.close();
    }

    @Override
    public String toString() {
      return "trial " + id;
    }
  }
}
