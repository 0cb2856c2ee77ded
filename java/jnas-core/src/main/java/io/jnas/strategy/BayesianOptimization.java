package io.jnas.strategy;

import io.jnas.space.SearchSpace;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Bayesian optimization with a neural predictor, in the spirit of BANANAS (White et al., 2021).
 * The first {@link Config#initialRandom} asks are random. After that each ask fits an ensemble
 * of {@link Config#ensemble} small MLPs (two hidden ReLU layers of {@link Config#hidden} units,
 * each from its own initialization and minibatch order) to every (architecture, reward) told so
 * far, on the one-hot encoding of the decision vector with standardized rewards; the ensemble's
 * mean and standard deviation give each candidate a predictive distribution. Candidates are
 * one- and two-decision mutations of the 10 best architectures seen plus fresh random samples,
 * minus everything already proposed; the one with the highest acquisition is returned:
 * independent Thompson sampling ({@link Acquisition#THOMPSON}, one draw from the predictive
 * normal per candidate) or expected improvement ({@link Acquisition#EI}).
 */
public final class BayesianOptimization implements Strategy {
  /** How a candidate is scored from the ensemble's mean and standard deviation. */
  public enum Acquisition {
    /** Independent Thompson sampling: one draw from N(mean, std) per candidate. */
    THOMPSON,
    /** Expected improvement over the best reward seen. */
    EI
  }

  /**
   * Settings of the search.
   *
   * @param initialRandom asks answered by random samples before the predictor is used
   * @param ensemble number of MLPs in the ensemble
   * @param hidden hidden units per layer
   * @param steps Adam steps per MLP per fit (minibatches of 32, learning rate 0.01)
   * @param candidates number of candidates scored per ask (half mutations, half random)
   * @param acquisition the acquisition function
   */
  public record Config(int initialRandom, int ensemble, int hidden, int steps, int candidates, Acquisition acquisition) {
    /** The defaults, chosen so that 20 seeds x 300 queries on NAS-Bench-201 take about a minute on 2 cores. */
    public static final Config DEFAULT = new Config(10, 5, 20, 100, 200, Acquisition.THOMPSON);

    /** Checks the ranges. */
    public Config {
      if (initialRandom < 1 || ensemble < 1 || hidden < 1 || steps < 1 || candidates < 2 || acquisition == null) {
        throw new IllegalArgumentException("bo: bad config " + initialRandom + "/" + ensemble + "/" + hidden + "/" + steps
            + "/" + candidates + "/" + acquisition);
      }
    }

    /** This config with another acquisition. */
    public Config withAcquisition(Acquisition a) {
      return new Config(initialRandom, ensemble, hidden, steps, candidates, a);
    }

    /** This config with another ensemble size. */
    public Config withEnsemble(int n) {
      return new Config(initialRandom, n, hidden, steps, candidates, acquisition);
    }

    /** This config with another number of Adam steps per fit. */
    public Config withSteps(int n) {
      return new Config(initialRandom, ensemble, hidden, n, candidates, acquisition);
    }
  }

  private static final int TOP = 10;
  private static final int BATCH = 32;
  private static final double LR = 0.01;
  private static final double WEIGHT_DECAY = 1e-4;

  private final SearchSpace<?> space;
  private final Config config;
  private final SplittableRandom rng;
  private final int[] offset; // one-hot offset of each decision
  private final int width;
  private final List<int[]> xs = new ArrayList<>();
  private final List<Double> ys = new ArrayList<>();
  private final Set<String> proposed = new HashSet<>();
  private int asked;

  /** BO over {@code space} with {@link Config#DEFAULT}. */
  public BayesianOptimization(SearchSpace<?> space, long seed) {
    this(space, seed, Config.DEFAULT);
  }

  /** BO over {@code space}, seeded. */
  public BayesianOptimization(SearchSpace<?> space, long seed, Config config) {
    this.space = space;
    this.config = config;
    this.rng = new SplittableRandom(seed);
    this.offset = new int[space.numDecisions()];
    int w = 0;
    for (int i = 0; i < offset.length; i++) {
      offset[i] = w;
      w += space.numChoices(i);
    }
    this.width = w;
  }

  @Override
  public String name() {
    return "bo";
  }

  @Override
  public int[] ask() {
    asked++;
    int[] out = asked <= config.initialRandom() || xs.size() < 2 ? freshSample() : predicted();
    proposed.add(Arrays.toString(out));
    return out;
  }

  @Override
  public void tell(int[] architecture, double reward) {
    xs.add(architecture.clone());
    ys.add(reward);
  }

  /** A random sample not proposed before where one is found in a few draws. */
  private int[] freshSample() {
    int[] d = space.sample(rng);
    for (int k = 0; k < 20 && proposed.contains(Arrays.toString(d)); k++) d = space.sample(rng);
    return d;
  }

  /** The one-hot encoding of a decision vector. */
  double[] encode(int[] d) {
    double[] x = new double[width];
    for (int i = 0; i < d.length; i++) x[offset[i] + d[i]] = 1;
    return x;
  }

  private int[] predicted() {
    int n = xs.size();
    double mean = 0, sq = 0;
    for (double y : ys) mean += y;
    mean /= n;
    for (double y : ys) sq += (y - mean) * (y - mean);
    double sd = Math.sqrt(sq / n);
    if (sd < 1e-12) sd = 1;
    double[][] x = new double[n][];
    double[] y = new double[n];
    for (int k = 0; k < n; k++) {
      x[k] = encode(xs.get(k));
      y[k] = (ys.get(k) - mean) / sd;
    }
    Mlp[] nets = new Mlp[config.ensemble()];
    for (int e = 0; e < nets.length; e++) {
      SplittableRandom r = rng.split();
      nets[e] = new Mlp(width, config.hidden(), r);
      nets[e].train(x, y, config.steps(), BATCH, LR, WEIGHT_DECAY, r);
    }

    List<int[]> cands = candidates();
    double best = Double.NEGATIVE_INFINITY;
    for (double v : y) best = Math.max(best, v);
    int[] arg = null;
    double argScore = Double.NEGATIVE_INFINITY;
    double[] preds = new double[nets.length];
    for (int[] c : cands) {
      double[] xc = encode(c);
      double mu = 0;
      for (int e = 0; e < nets.length; e++) {
        preds[e] = nets[e].predict(xc);
        mu += preds[e];
      }
      mu /= nets.length;
      double var = 0;
      for (double p : preds) var += (p - mu) * (p - mu);
      double sigma = Math.sqrt(var / Math.max(1, nets.length - 1));
      double score = switch (config.acquisition()) {
        case THOMPSON -> mu + sigma * Mlp.gauss(rng);
        case EI -> expectedImprovement(mu, sigma, best);
      };
      if (score > argScore) {
        argScore = score;
        arg = c;
      }
    }
    return arg != null ? arg : freshSample();
  }

  /** Mutations of the best architectures seen plus random samples, none proposed before. */
  private List<int[]> candidates() {
    Integer[] order = new Integer[xs.size()];
    for (int k = 0; k < order.length; k++) order[k] = k;
    Arrays.sort(order, (a, b) -> Double.compare(ys.get(b), ys.get(a)));
    int top = Math.min(TOP, order.length);
    int half = config.candidates() / 2;
    List<int[]> out = new ArrayList<>();
    Set<String> seen = new HashSet<>(proposed);
    for (int k = 0; k < half * 3 && out.size() < half; k++) {
      int[] c = Mutations.mutate(space, xs.get(order[k % top]), rng);
      if (rng.nextBoolean()) c = Mutations.mutate(space, c, rng);
      if (seen.add(Arrays.toString(c))) out.add(c);
    }
    for (int k = 0; k < config.candidates() * 3 && out.size() < config.candidates(); k++) {
      int[] c = space.sample(rng);
      if (seen.add(Arrays.toString(c))) out.add(c);
    }
    return out;
  }

  static double expectedImprovement(double mu, double sigma, double best) {
    if (sigma < 1e-12) return Math.max(0, mu - best);
    double z = (mu - best) / sigma;
    return sigma * (z * normalCdf(z) + Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI));
  }

  /** The standard normal CDF (Abramowitz and Stegun 7.1.26, error below 1.5e-7). */
  static double normalCdf(double z) {
    double x = Math.abs(z) / Math.sqrt(2);
    double t = 1 / (1 + 0.3275911 * x);
    double erf = 1 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t
        * Math.exp(-x * x);
    return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
  }
}
