package io.jnas.study;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The {@link Pruner}s: none, median stopping, asynchronous successive halving. */
public final class Pruners {
  private Pruners() {}

  /** Never prunes. */
  public static Pruner none() {
    return new None();
  }

  /**
   * Median stopping (Golovin et al. 2017, Vizier; Optuna's MedianPruner): prune where the value
   * at a step is worse than the median of the finished trials' values at that step.
   *
   * @param minTrials finished trials needed at the step before anything is pruned (at least 1)
   * @param warmupSteps steps below this are never pruned
   */
  public static Pruner median(int minTrials, int warmupSteps) {
    return new Median(minTrials, warmupSteps);
  }

  /**
   * Asynchronous successive halving (Li et al. 2020, ASHA): the rungs are the steps
   * {@code minResource * eta^k}; at a rung, a trial goes on only where its value is among the
   * best {@code 1/eta} (at least one) of the finished trials' values at that rung and its own;
   * between rungs nothing is pruned.
   *
   * @param minResource the first rung (at least 1)
   * @param eta the reduction factor (at least 2)
   * @param minTrials finished trials needed at a rung before anything is pruned there (at least 1)
   */
  public static Pruner successiveHalving(int minResource, int eta, int minTrials) {
    return new Halving(minResource, eta, minTrials);
  }

  private record None() implements Pruner {
    @Override
    public String id() {
      return "none";
    }

    @Override
    public boolean shouldPrune(int step, double value, List<Double> others, boolean maximize) {
      return false;
    }

    @Override
    public Map<String, Object> toMap() {
      return new LinkedHashMap<>(Map.of("name", "none"));
    }
  }

  private record Median(int minTrials, int warmupSteps) implements Pruner {
    Median {
      if (minTrials < 1) throw new IllegalArgumentException("median pruner: min_trials is " + minTrials + ", expected at least 1");
    }

    @Override
    public String id() {
      return "median";
    }

    @Override
    public boolean shouldPrune(int step, double value, List<Double> others, boolean maximize) {
      if (step < warmupSteps || others.size() < minTrials) return false;
      List<Double> ref = new ArrayList<>(others);
      ref.sort(null);
      int n = ref.size();
      double median = n % 2 == 1 ? ref.get(n / 2) : (ref.get(n / 2 - 1) + ref.get(n / 2)) / 2;
      return maximize ? value < median : value > median;
    }

    @Override
    public Map<String, Object> toMap() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", "median");
      m.put("min_trials", minTrials);
      m.put("warmup_steps", warmupSteps);
      return m;
    }
  }

  private record Halving(int minResource, int eta, int minTrials) implements Pruner {
    Halving {
      if (minResource < 1) throw new IllegalArgumentException("halving pruner: min_resource is " + minResource + ", expected at least 1");
      if (eta < 2) throw new IllegalArgumentException("halving pruner: eta is " + eta + ", expected at least 2");
      if (minTrials < 1) throw new IllegalArgumentException("halving pruner: min_trials is " + minTrials + ", expected at least 1");
    }

    @Override
    public String id() {
      return "halving";
    }

    @Override
    public boolean shouldPrune(int step, double value, List<Double> others, boolean maximize) {
      if (others.size() < minTrials || !isRung(step, minResource, eta)) return false;
      List<Double> ref = new ArrayList<>(others);
      ref.add(value);
      ref.sort(maximize ? java.util.Comparator.reverseOrder() : java.util.Comparator.naturalOrder());  // best first
      int keep = Math.max(1, ref.size() / eta);
      double threshold = ref.get(keep - 1);  // the keep-th best
      return maximize ? value < threshold : value > threshold;
    }

    @Override
    public Map<String, Object> toMap() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", "halving");
      m.put("min_resource", minResource);
      m.put("eta", eta);
      m.put("min_trials", minTrials);
      return m;
    }
  }

  /** Whether {@code step} is a rung {@code minResource * eta^k}. */
  static boolean isRung(int step, int minResource, int eta) {
    long r = minResource;
    while (r < step) r *= eta;
    return r == step;
  }

  /**
   * The pruner of {@link Pruner#toMap()}: {@code {"name": "median", "min_trials": 3,
   * "warmup_steps": 0}}, {@code {"name": "halving", "min_resource": 1, "eta": 3, "min_trials": 3}}
   * or {@code {"name": "none"}}; absent parameters take those defaults.
   *
   * @throws IllegalArgumentException naming the field ({@code pruner.eta}) that is wrong
   */
  public static Pruner fromMap(Map<String, Object> m) {
    Object name = m.get("name");
    if (!(name instanceof String n)) throw new IllegalArgumentException("'pruner.name' is " + describe(name) + ", expected \"none\", \"median\" or \"halving\"");
    for (String k : m.keySet()) {
      if (!List.of("name", "min_trials", "warmup_steps", "min_resource", "eta").contains(k)) {
        throw new IllegalArgumentException("'pruner." + k + "' is unknown, expected name, min_trials, warmup_steps, min_resource or eta");
      }
    }
    return switch (n) {
      case "none" -> none();
      case "median" -> median(integer(m, "min_trials", 3), integer(m, "warmup_steps", 0));
      case "halving" -> successiveHalving(integer(m, "min_resource", 1), integer(m, "eta", 3), integer(m, "min_trials", 3));
      default -> throw new IllegalArgumentException("'pruner.name' is \"" + n + "\", expected \"none\", \"median\" or \"halving\"");
    };
  }

  private static int integer(Map<String, Object> m, String key, int dflt) {
    Object v = m.get(key);
    if (v == null) return dflt;
    if (v instanceof Number x && x.doubleValue() == Math.rint(x.doubleValue()) && Math.abs(x.doubleValue()) < 1e9) return x.intValue();
    throw new IllegalArgumentException("'pruner." + key + "' is " + describe(v) + ", expected an integer");
  }

  static String describe(Object v) {
    return v instanceof String s ? "\"" + s + "\"" : String.valueOf(v);
  }
}
