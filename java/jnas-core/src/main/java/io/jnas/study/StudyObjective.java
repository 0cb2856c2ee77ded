package io.jnas.study;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A quantity a study's trials are told, by name, with the direction that is better (e.g.
 * {@code accuracy} maximized, {@code params} minimized). The first objective of a study is the
 * strategy's reward and the one pruners judge.
 *
 * @param name the name (non-blank)
 * @param maximize whether larger is better
 */
public record StudyObjective(String name, boolean maximize) {
  /** Checks the name. */
  public StudyObjective {
    Objects.requireNonNull(name, "name");
    if (name.isBlank()) throw new IllegalArgumentException("objective name is blank");
  }

  /** A maximized objective. */
  public static StudyObjective maximize(String name) {
    return new StudyObjective(name, true);
  }

  /** A minimized objective. */
  public static StudyObjective minimize(String name) {
    return new StudyObjective(name, false);
  }

  /** Whether {@code a} is strictly better than {@code b}. */
  public boolean better(double a, double b) {
    return maximize ? a > b : a < b;
  }

  /** {@code {"name": ..., "direction": "maximize"|"minimize"}}. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", name);
    m.put("direction", maximize ? "maximize" : "minimize");
    return m;
  }

  /**
   * The objective of {@link #toMap()}; {@code field} names it in messages.
   *
   * @throws IllegalArgumentException naming the field
   */
  static StudyObjective fromMap(Object v, String field) {
    if (!(v instanceof Map<?, ?> m)) throw new IllegalArgumentException("'" + field + "' is " + Pruners.describe(v) + ", expected an object {name, direction}");
    if (!(m.get("name") instanceof String n) || n.isBlank()) {
      throw new IllegalArgumentException("'" + field + ".name' is " + Pruners.describe(m.get("name")) + ", expected a non-empty string");
    }
    Object d = m.get("direction");
    if (d == null || "maximize".equals(d)) return new StudyObjective(n, true);
    if ("minimize".equals(d)) return new StudyObjective(n, false);
    throw new IllegalArgumentException("'" + field + ".direction' is " + Pruners.describe(d) + ", expected \"maximize\" or \"minimize\"");
  }
}
