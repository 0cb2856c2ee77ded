package io.jnas.controller;

/**
 * Settings of {@link Reinforce}.
 *
 * @param learningRate Adam step size (ENAS micro search: 0.0035)
 * @param beta1 Adam first-moment decay (ENAS: 0)
 * @param beta2 Adam second-moment decay (ENAS: 0.999)
 * @param epsilon Adam epsilon (ENAS: 1e-3)
 * @param aggregate samples whose gradients are averaged into one Adam step (ENAS: 10)
 * @param entropyWeight reward = accuracy + entropyWeight * entropy (ENAS: 1e-4)
 * @param baselineDecay {@code b = decay * b + (1 - decay) * reward} (0.99)
 * @param gradBound clip the averaged gradient to this global L2 norm; 0 = no clipping
 * @param baselineFromFirstReward start the baseline at the first reward instead of 0 (ENAS
 *     starts at 0, which reinforces every early sample while the baseline catches up)
 * @param skipWeight loss += skipWeight * the controller's skip penalty
 *     ({@link ControllerSpec#skipTarget()}; ENAS macro search: 0.8; 0 for none)
 */
public record ReinforceConfig(double learningRate, double beta1, double beta2, double epsilon, int aggregate,
    double entropyWeight, double baselineDecay, double gradBound, boolean baselineFromFirstReward, double skipWeight) {
  /** Checks ranges. */
  public ReinforceConfig {
    if (!(learningRate > 0)) throw new IllegalArgumentException("learningRate must be > 0, got " + learningRate);
    if (!(beta1 >= 0 && beta1 < 1)) throw new IllegalArgumentException("beta1 must be in [0, 1), got " + beta1);
    if (!(beta2 >= 0 && beta2 < 1)) throw new IllegalArgumentException("beta2 must be in [0, 1), got " + beta2);
    if (!(epsilon > 0)) throw new IllegalArgumentException("epsilon must be > 0, got " + epsilon);
    if (aggregate < 1) throw new IllegalArgumentException("aggregate must be >= 1, got " + aggregate);
    if (!Double.isFinite(entropyWeight)) throw new IllegalArgumentException("entropyWeight must be finite");
    if (!(baselineDecay >= 0 && baselineDecay < 1)) {
      throw new IllegalArgumentException("baselineDecay must be in [0, 1), got " + baselineDecay);
    }
    if (!(gradBound >= 0)) throw new IllegalArgumentException("gradBound must be >= 0, got " + gradBound);
    if (!(skipWeight >= 0 && Double.isFinite(skipWeight))) throw new IllegalArgumentException("skipWeight must be >= 0, got " + skipWeight);
  }

  /** The settings without a skip penalty (skipWeight 0). */
  public ReinforceConfig(double learningRate, double beta1, double beta2, double epsilon, int aggregate,
      double entropyWeight, double baselineDecay, double gradBound, boolean baselineFromFirstReward) {
    this(learningRate, beta1, beta2, epsilon, aggregate, entropyWeight, baselineDecay, gradBound, baselineFromFirstReward, 0);
  }

  /**
   * The ENAS macro search values ({@code scripts/cifar10_macro_search.sh}): lr 0.001,
   * Adam(0, 0.999, 1e-3), 20 samples a step, entropy 1e-4, decay 0.99, skip weight 0.8.
   */
  public static ReinforceConfig enasMacro() {
    return new ReinforceConfig(0.001, 0.0, 0.999, 1e-3, 20, 1e-4, 0.99, 0.0, false, 0.8);
  }

  /** This config with another skip-penalty weight. */
  public ReinforceConfig withSkipWeight(double w) {
    return new ReinforceConfig(learningRate, beta1, beta2, epsilon, aggregate, entropyWeight, baselineDecay, gradBound,
        baselineFromFirstReward, w);
  }

  /** The ENAS micro search values: lr 0.0035, Adam(0, 0.999, 1e-3), 10 samples a step, entropy 1e-4, decay 0.99, no clipping. */
  public static ReinforceConfig enas() {
    return new ReinforceConfig(0.0035, 0.0, 0.999, 1e-3, 10, 1e-4, 0.99, 0.0, false);
  }

  /** This config with another learning rate. */
  public ReinforceConfig withLearningRate(double lr) {
    return new ReinforceConfig(lr, beta1, beta2, epsilon, aggregate, entropyWeight, baselineDecay, gradBound,
        baselineFromFirstReward, skipWeight);
  }

  /** This config with another number of samples per step. */
  public ReinforceConfig withAggregate(int n) {
    return new ReinforceConfig(learningRate, beta1, beta2, epsilon, n, entropyWeight, baselineDecay, gradBound,
        baselineFromFirstReward, skipWeight);
  }

  /** This config with another gradient-norm bound (0 = none). */
  public ReinforceConfig withGradBound(double bound) {
    return new ReinforceConfig(learningRate, beta1, beta2, epsilon, aggregate, entropyWeight, baselineDecay, bound,
        baselineFromFirstReward, skipWeight);
  }

  /** This config with another entropy weight. */
  public ReinforceConfig withEntropyWeight(double w) {
    return new ReinforceConfig(learningRate, beta1, beta2, epsilon, aggregate, w, baselineDecay, gradBound,
        baselineFromFirstReward, skipWeight);
  }

  /** This config with the baseline started at the first reward (true) or at 0 (false). */
  public ReinforceConfig withBaselineFromFirstReward(boolean b) {
    return new ReinforceConfig(learningRate, beta1, beta2, epsilon, aggregate, entropyWeight, baselineDecay, gradBound,
        b, skipWeight);
  }
}
