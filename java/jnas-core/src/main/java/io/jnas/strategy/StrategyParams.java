package io.jnas.strategy;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Strategy hyperparameters by name (e.g. {@code population=20}), as given on a command line;
 * each factory reads the ones it knows, with its own defaults.
 */
public final class StrategyParams {
  private final Map<String, String> values;

  /** Parameters from a map of names to values. */
  public StrategyParams(Map<String, String> values) {
    this.values = new LinkedHashMap<>(values);
  }

  /** No parameters: every factory uses its defaults. */
  public static StrategyParams none() {
    return new StrategyParams(Map.of());
  }

  /** The parameters, in insertion order. */
  public Map<String, String> asMap() {
    return java.util.Collections.unmodifiableMap(values);
  }

  /**
   * An integer parameter, or {@code dflt} where absent.
   *
   * @throws IllegalArgumentException naming the parameter where it is no integer
   */
  public int integer(String name, int dflt) {
    String v = values.get(name);
    if (v == null) return dflt;
    try {
      return Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("strategy parameter " + name + " is '" + v + "', expected an integer");
    }
  }

  /** A boolean parameter ({@code true}/{@code false}), or {@code dflt} where absent. */
  public boolean bool(String name, boolean dflt) {
    String v = values.get(name);
    if (v == null) return dflt;
    if (v.equals("true") || v.equals("false")) return Boolean.parseBoolean(v);
    throw new IllegalArgumentException("strategy parameter " + name + " is '" + v + "', expected true or false");
  }

  /** A string parameter, or {@code dflt} where absent. */
  public String string(String name, String dflt) {
    return values.getOrDefault(name, dflt);
  }
}
