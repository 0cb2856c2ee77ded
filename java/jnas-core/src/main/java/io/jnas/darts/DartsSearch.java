package io.jnas.darts;

import io.jnas.data.Augmentation;
import io.jnas.data.BatchLoader;
import io.jnas.data.Dataset;
import io.jnas.genotype.Gene;
import io.jnas.genotype.Genotype;
import io.jnas.genotype.Op;
import io.jnas.tensor.IntTensor;
import io.jnas.tensor.Tensor;
import io.jnas.train.CosineSchedule;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * DARTS (first or second order) and GDAS on DARTS's cell space ({@link DartsSearchNetwork}),
 * ending in a {@link Genotype} that {@code jnas train} trains: DARTS's {@code genotype()} rule,
 * per node the two incoming edges whose strongest op other than none is strongest, each with
 * that op; the output the concat of all nodes. Training and validation halves as DARTS splits
 * CIFAR-10's training set; the weights step by SGD (cosine lr) on a training batch, alpha by Adam
 * on a validation batch, alternately, as in DARTS's {@code train_search.py}.
 */
public final class DartsSearch {
  private DartsSearch() {}

  /** The methods. */
  public enum Method {
    /** First-order DARTS. */
    DARTS_V1("darts-v1"),
    /** Second-order DARTS. */
    DARTS_V2("darts-v2"),
    /** Gumbel-softmax sampling of one op per edge (tau 10 down to 0.1). */
    GDAS("gdas");

    private final String token;

    Method(String token) {
      this.token = token;
    }

    /** The name on the command line. */
    public String token() {
      return token;
    }

    /** The method of a name; the message lists the valid ones. */
    public static Method of(String name) {
      for (Method m : values()) if (m.token.equals(name)) return m;
      throw new IllegalArgumentException("unknown method '" + name + "', expected one of darts-v1, darts-v2, gdas");
    }
  }

  /**
   * Settings (DARTS's: 50 epochs, batch 64, SGD 0.025 cosine to 0.001, momentum 0.9, weight
   * decay 3e-4, clip 5; Adam 3e-4 (0.5, 0.999), weight decay 1e-3; C 16, 8 cells, 4 nodes).
   *
   * @param method the method
   * @param epochs passes over the training half
   * @param batch images per step
   * @param lr the weights' initial learning rate
   * @param lrMin the final learning rate
   * @param momentum SGD momentum
   * @param weightDecay the weights' L2 weight decay
   * @param gradClip global-norm clip
   * @param archLr Adam's step for alpha
   * @param archWeightDecay L2 weight decay on alpha
   * @param seed data order, weights, alpha's start, Gumbel draws
   * @param network the search network's size
   */
  public record Config(Method method, int epochs, int batch, double lr, double lrMin, double momentum, double weightDecay,
      double gradClip, double archLr, double archWeightDecay, long seed, DartsSearchNetwork.Config network) {
    /** Checks every field. */
    public Config {
      Objects.requireNonNull(method, "method");
      if (epochs < 1) throw new IllegalArgumentException("darts search: epochs is " + epochs + ", expected at least 1");
      if (batch < 2) throw new IllegalArgumentException("darts search: batch is " + batch + ", expected at least 2");
      if (!(lr > 0 && lrMin >= 0 && lrMin <= lr)) throw new IllegalArgumentException("darts search: lr " + lr + " / lrMin " + lrMin);
      if (!(momentum >= 0 && momentum < 1 && weightDecay >= 0 && gradClip >= 0 && archLr > 0 && archWeightDecay >= 0)) {
        throw new IllegalArgumentException("darts search: bad momentum, weight decay, clip or archLr");
      }
      Objects.requireNonNull(network, "network");
    }

    /** DARTS's settings with the given method, epochs, size and seed. */
    public static Config darts(Method m, int epochs, int batch, int channels, int layers, int classes, int inChannels, int height,
        int width, long seed) {
      return new Config(m, epochs, batch, 0.025, 0.001, 0.9, 3e-4, 5, 3e-4, 1e-3, seed, new DartsSearchNetwork.Config(channels,
          layers, 4, DartsSearchNetwork.DARTS_OPS, classes, inChannels, height, width, seed));
    }
  }

  /**
   * One epoch.
   *
   * @param epoch 1-based
   * @param trainLoss mean training loss
   * @param trainAccuracy mean training accuracy
   * @param validAccuracy the relaxed network's accuracy on the validation batches of the architecture steps
   * @param genotype the genotype derived now
   * @param seconds wall time since the start
   */
  public record Epoch(int epoch, double trainLoss, double trainAccuracy, double validAccuracy, Genotype genotype, double seconds) {}

  /**
   * The record.
   *
   * @param genotype the derived genotype
   * @param alpha the final alpha (normal edges then reduction edges, ops in the network's order)
   * @param epochs per-epoch records
   * @param seconds wall time
   */
  public record Result(Genotype genotype, double[] alpha, List<Epoch> epochs, double seconds) {}

  /** Runs a search. */
  public static Result run(Config c, Dataset train, Dataset valid, Augmentation augmentation, Consumer<String> log) {
    long t0 = System.nanoTime();
    SplittableRandom rng = new SplittableRandom(c.seed());
    DartsSearchNetwork.Config nc = c.network();
    int K = nc.ops().size(), B = c.batch();
    double[] alpha = new double[2 * nc.edges() * K];
    for (int i = 0; i < alpha.length; i++) alpha[i] = 1e-3 * rng.nextGaussian();  // DARTS: 1e-3 * randn
    Relaxation.Adam adam = new Relaxation.Adam(alpha.length, c.archLr(), 0.5, 0.999, 1e-8, c.archWeightDecay());
    List<Epoch> epochs = new ArrayList<>();
    SplittableRandom gumbel = rng.split();
    try (DartsSearchNetwork net = new DartsSearchNetwork(nc);
        BatchLoader tl = BatchLoader.builder(train).batchSize(B).seed(rng.nextLong()).augmentation(augmentation).dropLast(true).workers(1).build();
        BatchLoader vl = BatchLoader.builder(valid).batchSize(B).seed(rng.nextLong()).augmentation(augmentation).dropLast(true).workers(1).build();
        Tensor x = Tensor.zeros(B, train.channels(), train.height(), train.width()); IntTensor y = IntTensor.zeros(B);
        Tensor vx = Tensor.zeros(B, train.channels(), train.height(), train.width()); IntTensor vy = IntTensor.zeros(B);
        BatchLoader.Cycle validCycle = vl.cycle()) {
      int steps = tl.batchesPerEpoch();
      long total = (long) steps * c.epochs();
      for (int e = 0; e < c.epochs(); e++) {
        double tau = 10 - (10 - 0.1) * e / Math.max(1, c.epochs() - 1);
        double loss = 0, acc = 0, vacc = 0;
        try (BatchLoader.Epoch it = tl.epoch(e)) {
          for (int k = 0; k < steps; k++) {
            it.next(x, y);
            validCycle.next(vx, vy);
            long step = (long) e * steps + k;
            double lr = CosineSchedule.annealed(c.lr(), c.lrMin(), step, total);
            double[] g = switch (c.method()) {
              case DARTS_V1 -> Relaxation.firstOrder(net, alpha, vx, vy);
              case DARTS_V2 -> Relaxation.secondOrder(net, alpha, x, y, vx, vy, lr, c.weightDecay());
              case GDAS -> Relaxation.gdas(net, alpha, tau, vx, vy, gumbel);
            };
            adam.step(alpha, g);
            if (c.method() == Method.GDAS) net.setArchWeights(Relaxation.Gumbel.sample(alpha, tau, K, gumbel).hard());
            else net.setArchWeights(Relaxation.softmax(alpha, 1, K));
            vacc += net.evaluate(vx, vy)[1] / B;
            float[] r = net.trainStep(x, y, (float) lr, (float) c.momentum(), (float) c.weightDecay(), (float) c.gradClip(), step);
            if (!Float.isFinite(r[0])) {
              throw new IllegalStateException(c.method().token() + ": epoch " + (e + 1) + " step " + (k + 1) + ": loss is " + r[0] + " (diverged)");
            }
            loss += r[0];
            acc += r[1] / B;
          }
        }
        Genotype now = genotype(alpha, nc);
        Epoch ep = new Epoch(e + 1, loss / steps, acc / steps, vacc / steps, now, (System.nanoTime() - t0) / 1e9);
        epochs.add(ep);
        if (log != null) {
          log.accept(String.format(Locale.ROOT, "%s epoch %d/%d: train loss %.3f acc %.3f, valid acc %.3f (%.0f s)", c.method().token(),
              e + 1, c.epochs(), ep.trainLoss(), ep.trainAccuracy(), ep.validAccuracy(), ep.seconds()));
        }
      }
    }
    return new Result(genotype(alpha, nc), alpha.clone(), epochs, (System.nanoTime() - t0) / 1e9);
  }

  /**
   * DARTS's {@code genotype()}: per node, the two incoming edges with the strongest op other
   * than none (softmax over each edge's ops), each with that op; all nodes concatenated.
   */
  public static Genotype genotype(double[] alpha, DartsSearchNetwork.Config nc) {
    int K = nc.ops().size(), E = nc.edges();
    int none = nc.ops().indexOf(Op.NONE);
    float[] w = Relaxation.softmax(alpha, 1, K);
    List<List<Gene>> cells = new ArrayList<>();
    for (int cell = 0; cell < 2; cell++) {
      List<Gene> genes = new ArrayList<>();
      int start = 0;
      for (int i = 0; i < nc.steps(); i++) {
        int n = i + 2;
        Integer[] edges = new Integer[n];
        double[] strength = new double[n];
        int[] best = new int[n];
        for (int j = 0; j < n; j++) {
          edges[j] = j;
          int base = (cell * E + start + j) * K;
          best[j] = -1;
          for (int k = 0; k < K; k++) {
            if (k == none) continue;
            if (best[j] < 0 || w[base + k] > w[base + best[j]]) best[j] = k;
          }
          strength[j] = w[base + best[j]];
        }
        Arrays.sort(edges, (a, b) -> Double.compare(strength[b], strength[a]));
        for (int t = 0; t < Math.min(2, n); t++) genes.add(new Gene(nc.ops().get(best[edges[t]]), edges[t]));
        start += n;
      }
      cells.add(genes);
    }
    List<Integer> concat = new ArrayList<>();
    for (int i = 0; i < nc.steps(); i++) concat.add(i + 2);
    return new Genotype(cells.get(0), concat, cells.get(1), concat);
  }

  /** The record as JSON-ready maps. */
  public static Map<String, Object> toJson(Result r, Config c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("method", c.method().token());
    m.put("epochs", c.epochs());
    m.put("batch", c.batch());
    m.put("channels", c.network().channels());
    m.put("layers", c.network().layers());
    m.put("steps", c.network().steps());
    m.put("ops", c.network().ops().stream().map(Op::label).toList());
    m.put("lr", c.lr());
    m.put("arch_lr", c.archLr());
    m.put("seed", c.seed());
    m.put("seconds", r.seconds());
    m.put("genotype", r.genotype().toMap());
    List<Object> a = new ArrayList<>();
    for (double v : r.alpha()) a.add(v);
    m.put("alpha", a);
    List<Object> es = new ArrayList<>();
    for (Epoch e : r.epochs()) {
      Map<String, Object> q = new LinkedHashMap<>();
      q.put("epoch", e.epoch());
      q.put("train_loss", e.trainLoss());
      q.put("train_accuracy", e.trainAccuracy());
      q.put("valid_accuracy", e.validAccuracy());
      q.put("genotype", e.genotype().toMap());
      q.put("seconds", e.seconds());
      es.add(q);
    }
    m.put("history", es);
    return m;
  }
}
