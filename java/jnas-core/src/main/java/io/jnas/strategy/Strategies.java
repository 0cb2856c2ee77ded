package io.jnas.strategy;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The registry of strategies by name, used by the benchmark and search commands. A new
 * strategy is one more {@code put} line in {@link #registry()}.
 *
 * <p>Parameters read: {@code population} (evolution, default 20), {@code tournament}
 * (evolution, default 5), {@code aging} (evolution, default true), {@code acquisition}
 * (bo: {@code thompson} or {@code ei}, default thompson), {@code ensemble} (bo, default 5),
 * {@code steps} (bo, Adam steps per fit, default 100).
 */
public final class Strategies {
  private Strategies() {}

  /** Default population of evolution. */
  public static final int DEFAULT_POPULATION = 20;
  /** Default tournament size of evolution. */
  public static final int DEFAULT_TOURNAMENT = 5;

  /** A fresh, mutable registry: name to factory, in the order help texts show them. */
  public static Map<String, StrategyFactory> registry() {
    Map<String, StrategyFactory> m = new LinkedHashMap<>();
    m.put("random", (space, seed, p) -> new RandomSearch(space, seed));
    m.put("evolution", (space, seed, p) -> new RegularizedEvolution(space, seed,
        p.integer("population", DEFAULT_POPULATION), p.integer("tournament", DEFAULT_TOURNAMENT), p.bool("aging", true)));
    m.put("reinforce", (space, seed, p) -> new ReinforceStrategy(space, seed));
    m.put("bo", (space, seed, p) -> new BayesianOptimization(space, seed, boConfig(p)));
    m.put("grid", (space, seed, p) -> new GridSearch(space));
    return m;
  }

  private static BayesianOptimization.Config boConfig(StrategyParams p) {
    String a = p.string("acquisition", "thompson");
    BayesianOptimization.Acquisition acq = switch (a) {
      case "thompson" -> BayesianOptimization.Acquisition.THOMPSON;
      case "ei" -> BayesianOptimization.Acquisition.EI;
      default -> throw new IllegalArgumentException("strategy parameter acquisition is '" + a + "', expected thompson or ei");
    };
    BayesianOptimization.Config d = BayesianOptimization.Config.DEFAULT;
    return d.withAcquisition(acq).withEnsemble(p.integer("ensemble", d.ensemble())).withSteps(p.integer("steps", d.steps()));
  }
}
