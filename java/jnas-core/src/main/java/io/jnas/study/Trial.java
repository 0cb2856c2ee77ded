package io.jnas.study;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A trial of a {@link Study}: an identity (its number, from 1), the decision vector the
 * strategy proposed, the intermediate values reported so far, and how it ended. A snapshot:
 * the study's methods change the trial they hold; {@link #report}, {@link #shouldPrune} and
 * the study's {@code tell} methods take this trial by its id.
 *
 * <pre>{@code
 * Trial t = study.ask();
 * for (int epoch = 1; epoch <= 10; epoch++) {
 *   double acc = train(t.decisions(), epoch);
 *   t.report(epoch, acc);
 *   if (t.shouldPrune()) { study.tellPruned(t); break; }
 * }
 * if (!study.trial(t.id()).state().finished()) study.tell(t, acc);
 * }</pre>
 */
public final class Trial {
  private final Study study;
  private final int id;
  private final int[] decisions;
  final TreeMap<Integer, Double> reports = new TreeMap<>();
  TrialState state = TrialState.RUNNING;
  double[] values;
  String reason;

  Trial(Study study, int id, int[] decisions) {
    this.study = study;
    this.id = id;
    this.decisions = decisions.clone();
  }

  /** The trial's number in its study, from 1, in the order the strategy proposed them. */
  public int id() {
    return id;
  }

  /** The decision vector to evaluate (a copy). */
  public int[] decisions() {
    return decisions.clone();
  }

  /** What the decisions stand for in the study's space (an ENAS string, a cell, decisions by name). */
  public Map<String, Object> architecture() {
    return StudySpaces.describe(study.space(), decisions);
  }

  /** Where the trial stands. */
  public TrialState state() {
    synchronized (study) {
      return state;
    }
  }

  /** The objective values told (complete trials), else empty. */
  public List<Double> values() {
    synchronized (study) {
      if (values == null) return List.of();
      Double[] v = new Double[values.length];
      for (int i = 0; i < v.length; i++) v[i] = values[i];
      return List.of(v);
    }
  }

  /** Why it failed, or null. */
  public String reason() {
    synchronized (study) {
      return reason;
    }
  }

  /** The intermediate values by step. */
  public SortedMap<Integer, Double> reports() {
    synchronized (study) {
      return Collections.unmodifiableSortedMap(new TreeMap<>(reports));
    }
  }

  /**
   * Reports the first objective's intermediate value at {@code step} (e.g. the validation
   * accuracy after an epoch); a later report at the same step replaces it.
   *
   * @throws IllegalStateException where the trial has ended
   * @throws IllegalArgumentException where the value is not finite
   */
  public void report(int step, double value) {
    study.report(id, step, value);
  }

  /** Whether the study's pruner advises stopping this trial now, from its latest report. */
  public boolean shouldPrune() {
    return study.shouldPrune(id);
  }

  @Override
  public String toString() {
    return "trial " + id + " (" + state() + ")";
  }
}
