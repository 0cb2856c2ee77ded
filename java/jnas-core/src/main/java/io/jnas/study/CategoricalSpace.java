package io.jnas.study;

import io.jnas.space.SearchSpace;
import java.util.List;

/**
 * A search space of independent categorical decisions, any number of choices each: the space
 * of a study whose trials are evaluated outside jnas (hyperparameters, a program's own
 * architecture choices). An architecture is its decision vector.
 */
public final class CategoricalSpace implements SearchSpace<int[]> {
  private final int[] choices;
  private final List<String> names;

  /**
   * A space of {@code choices.length} decisions.
   *
   * @param choices choices of each decision (each at least 1)
   * @param names a name per decision, or null for {@code d0, d1, ...}
   */
  public CategoricalSpace(int[] choices, List<String> names) {
    if (choices.length == 0) throw new IllegalArgumentException("categorical space: no decisions");
    for (int i = 0; i < choices.length; i++) {
      if (choices[i] < 1) throw new IllegalArgumentException("categorical space: decision " + i + " has " + choices[i] + " choices, expected at least 1");
    }
    if (names != null && names.size() != choices.length) {
      throw new IllegalArgumentException("categorical space: " + names.size() + " names for " + choices.length + " decisions");
    }
    this.choices = choices.clone();
    this.names = names == null ? null : List.copyOf(names);
  }

  @Override
  public String name() {
    return "categorical";
  }

  @Override
  public int numDecisions() {
    return choices.length;
  }

  @Override
  public int numChoices(int i) {
    return choices[i];
  }

  @Override
  public String decisionName(int i) {
    return names == null ? "d" + i : names.get(i);
  }

  /** The choices of every decision. */
  public int[] choices() {
    return choices.clone();
  }

  /** The decisions' names, or null. */
  public List<String> names() {
    return names;
  }

  @Override
  public int[] decode(int[] decisions) {
    return decisions.clone();
  }

  @Override
  public int[] encode(int[] architecture) {
    return architecture.clone();
  }
}
