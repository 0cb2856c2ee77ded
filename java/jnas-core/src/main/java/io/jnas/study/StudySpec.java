package io.jnas.study;

import io.jnas.space.SearchSpace;
import io.jnas.strategy.Strategies;
import io.jnas.strategy.StrategyParams;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a {@link Study} is created with: the space (its JSON description, {@link StudySpaces}),
 * the strategy by name with its parameters, the objectives (the first is the strategy's
 * reward), the seed and the pruner. Immutable; {@link #builder()} makes one, {@link #toMap()}
 * and {@link #fromMap} give its JSON form (what {@code jnas serve} takes to create a study).
 *
 * <pre>{@code
 * StudySpec spec = StudySpec.builder()
 *     .space(Map.of("name", "nb201"))
 *     .strategy("evolution").strategyParam("population", "10")
 *     .objective(StudyObjective.maximize("accuracy")).objective(StudyObjective.minimize("params"))
 *     .pruner(Pruners.median(3, 1))
 *     .seed(42)
 *     .build();
 * }</pre>
 *
 * @param space the space's description
 * @param strategy a name of {@link Strategies#registry()}
 * @param strategyParams its parameters
 * @param objectives one or more, distinct names
 * @param seed the strategy's seed
 * @param pruner the pruner of {@link Trial#shouldPrune()}
 */
public record StudySpec(Map<String, Object> space, String strategy, Map<String, String> strategyParams, List<StudyObjective> objectives,
    long seed, Pruner pruner) {
  /** Copies the collections and checks that the space and strategy can be made. */
  public StudySpec {
    space = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(space));
    Objects.requireNonNull(strategy, "strategy");
    strategyParams = Map.copyOf(strategyParams);
    objectives = List.copyOf(objectives);
    Objects.requireNonNull(pruner, "pruner");
    if (objectives.isEmpty()) throw new IllegalArgumentException("'objectives' is empty, expected at least one objective");
    if (objectives.stream().map(StudyObjective::name).distinct().count() != objectives.size()) {
      throw new IllegalArgumentException("'objectives' names an objective twice");
    }
    if (!Strategies.registry().containsKey(strategy)) {
      throw new IllegalArgumentException("'strategy' is \"" + strategy + "\", expected one of " + String.join(", ", Strategies.registry().keySet()));
    }
    createStrategy(StudySpaces.fromMap(space), strategy, strategyParams, seed);  // a bad parameter fails here, named
  }

  static io.jnas.strategy.Strategy createStrategy(SearchSpace<?> sp, String strategy, Map<String, String> params, long seed) {
    return Strategies.registry().get(strategy).create(sp, seed, new StrategyParams(new java.util.TreeMap<>(params)));
  }

  /** A builder: space required; strategy {@code random}, objective {@code value} maximized, seed 0, no pruner by default. */
  public static Builder builder() {
    return new Builder();
  }

  /** The JSON form. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("space", new LinkedHashMap<>(space));
    m.put("strategy", strategy);
    m.put("strategy_params", new LinkedHashMap<>(new java.util.TreeMap<>(strategyParams)));
    List<Object> os = new ArrayList<>();
    for (StudyObjective o : objectives) os.add(o.toMap());
    m.put("objectives", os);
    m.put("seed", seed);
    m.put("pruner", pruner.toMap());
    return m;
  }

  /**
   * The spec of a JSON object: {@code space} (required), {@code strategy} (default random),
   * {@code strategy_params} (strings, numbers or booleans), {@code objectives} (default one,
   * {@code value} maximized), {@code seed} (an integer, default 0), {@code pruner} (default none).
   *
   * @throws IllegalArgumentException naming the field that is missing, unknown or malformed
   */
  @SuppressWarnings("unchecked")
  public static StudySpec fromMap(Map<String, Object> m) {
    for (String k : m.keySet()) {
      if (!List.of("space", "strategy", "strategy_params", "objectives", "seed", "pruner").contains(k)) {
        throw new IllegalArgumentException("'" + k + "' is unknown, expected space, strategy, strategy_params, objectives, seed or pruner");
      }
    }
    Builder b = builder();
    if (!(m.get("space") instanceof Map<?, ?> sp)) {
      throw new IllegalArgumentException("'space' is " + Pruners.describe(m.get("space")) + ", expected an object such as {\"name\": \"nb201\"}");
    }
    b.space((Map<String, Object>) sp);
    Object st = m.get("strategy");
    if (st != null) {
      if (!(st instanceof String s)) throw new IllegalArgumentException("'strategy' is " + Pruners.describe(st) + ", expected a string");
      b.strategy(s);
    }
    Object params = m.get("strategy_params");
    if (params != null) {
      if (!(params instanceof Map<?, ?> pm)) throw new IllegalArgumentException("'strategy_params' is " + Pruners.describe(params) + ", expected an object");
      for (Map.Entry<?, ?> e : pm.entrySet()) {
        Object v = e.getValue();
        String text;
        if (v instanceof String s) text = s;
        else if (v instanceof Boolean x) text = x.toString();
        else if (v instanceof Number x && x.doubleValue() == Math.rint(x.doubleValue()) && Math.abs(x.doubleValue()) < 1e15) text = String.valueOf(x.longValue());
        else if (v instanceof Number x) text = x.toString();
        else throw new IllegalArgumentException("'strategy_params." + e.getKey() + "' is " + Pruners.describe(v) + ", expected a string, number or boolean");
        b.strategyParam(String.valueOf(e.getKey()), text);
      }
    }
    Object os = m.get("objectives");
    if (os != null) {
      if (!(os instanceof List<?> ol) || ol.isEmpty() || ol.size() > 16) {
        throw new IllegalArgumentException("'objectives' is " + Pruners.describe(os) + ", expected a list of 1 to 16 objects {name, direction}");
      }
      for (int i = 0; i < ol.size(); i++) b.objective(StudyObjective.fromMap(ol.get(i), "objectives[" + i + "]"));
    }
    Object seed = m.get("seed");
    if (seed != null) {
      if (!(seed instanceof Number x) || x.doubleValue() != Math.rint(x.doubleValue()) || Math.abs(x.doubleValue()) > (double) (1L << 53)) {
        throw new IllegalArgumentException("'seed' is " + Pruners.describe(seed) + ", expected an integer (at most 2^53 in magnitude)");
      }
      b.seed(x.longValue());
    }
    Object pr = m.get("pruner");
    if (pr != null) {
      if (!(pr instanceof Map<?, ?> pm)) throw new IllegalArgumentException("'pruner' is " + Pruners.describe(pr) + ", expected an object such as {\"name\": \"median\"}");
      b.pruner(Pruners.fromMap((Map<String, Object>) pm));
    }
    return b.build();
  }

  /** Builds a {@link StudySpec}; every setter returns the builder. */
  public static final class Builder {
    private Map<String, Object> space;
    private String strategy = "random";
    private final Map<String, String> strategyParams = new LinkedHashMap<>();
    private final List<StudyObjective> objectives = new ArrayList<>(List.of(StudyObjective.maximize("value")));
    private boolean objectivesGiven;
    private long seed;
    private Pruner pruner = Pruners.none();

    private Builder() {}

    /** The space's description (see {@link StudySpaces}), e.g. {@code Map.of("name", "enas-micro", "nodes", 5)}. */
    public Builder space(Map<String, Object> description) {
      this.space = Objects.requireNonNull(description, "space");
      return this;
    }

    /** The strategy by name. */
    public Builder strategy(String name) {
      this.strategy = Objects.requireNonNull(name, "strategy");
      return this;
    }

    /** A strategy parameter. */
    public Builder strategyParam(String name, String value) {
      strategyParams.put(name, value);
      return this;
    }

    /** One more objective; the first one given replaces the default {@code value}. */
    public Builder objective(StudyObjective o) {
      if (!objectivesGiven) objectives.clear();
      objectivesGiven = true;
      objectives.add(Objects.requireNonNull(o, "objective"));
      return this;
    }

    /** The strategy's seed. */
    public Builder seed(long s) {
      this.seed = s;
      return this;
    }

    /** The pruner. */
    public Builder pruner(Pruner p) {
      this.pruner = Objects.requireNonNull(p, "pruner");
      return this;
    }

    /**
     * The spec.
     *
     * @throws IllegalArgumentException naming the field that is missing or wrong
     */
    public StudySpec build() {
      if (space == null) throw new IllegalArgumentException("'space' is missing, expected an object such as {\"name\": \"nb201\"}");
      return new StudySpec(space, strategy, strategyParams, objectives, seed, pruner);
    }
  }
}
