package io.jnas.objective;

import java.util.Locale;

/**
 * A bound on one objective, e.g. {@code params <= 1e6} or {@code accuracy >= 90}.
 *
 * @param objective the bounded objective
 * @param atMost true for {@code <=}, false for {@code >=}
 * @param bound the bound (inclusive)
 */
public record Constraint(Objective objective, boolean atMost, double bound) {
  /** Whether {@code value} satisfies the bound. */
  public boolean test(double value) {
    return atMost ? value <= bound : value >= bound;
  }

  /**
   * Parses {@code NAME<=X} or {@code NAME>=X} (spaces allowed).
   *
   * @throws IllegalArgumentException naming the text and the expected form
   */
  public static Constraint parse(String text) {
    String s = text.replace(" ", "");
    int le = s.indexOf("<="), ge = s.indexOf(">=");
    int at = le >= 0 ? le : ge;
    if (at <= 0 || at + 2 >= s.length()) {
      throw new IllegalArgumentException("constraint '" + text + "': expected NAME<=NUMBER or NAME>=NUMBER");
    }
    Objective o = Objective.of(s.substring(0, at));
    try {
      return new Constraint(o, le >= 0, Double.parseDouble(s.substring(at + 2)));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("constraint '" + text + "': '" + s.substring(at + 2) + "' is no number");
    }
  }

  @Override
  public String toString() {
    return objective.id() + (atMost ? "<=" : ">=") + String.format(Locale.ROOT, "%s", bound);
  }
}
