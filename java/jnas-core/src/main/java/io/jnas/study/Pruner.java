package io.jnas.study;

import java.util.List;
import java.util.Map;

/**
 * Decides whether a trial whose intermediate value at a step is {@code value} should stop,
 * judged against the values that finished trials reported at the same step. Implementations:
 * {@link Pruners#median} (median stopping) and {@link Pruners#successiveHalving} (asynchronous
 * successive halving, ASHA); {@link Pruners#none} never prunes. A pruner holds no state: the
 * same reports give the same answer, so a restored study prunes as the original one did.
 *
 * <pre>{@code
 * Pruner p = Pruners.median(3, 1);   // at least 3 finished trials at the step, never before step 1
 * boolean stop = p.shouldPrune(2, 0.61, List.of(0.70, 0.64, 0.58), true);   // below the median 0.64: true
 * }</pre>
 */
public interface Pruner {
  /** Short name: {@code none}, {@code median}, {@code halving}. */
  String id();

  /**
   * Whether to prune.
   *
   * @param step the trial's latest reported step (any integer, typically epochs from 1)
   * @param value its value at {@code step}
   * @param others the values of the finished trials (complete or pruned) at {@code step}
   * @param maximize whether larger values are better
   */
  boolean shouldPrune(int step, double value, List<Double> others, boolean maximize);

  /** The JSON form: {@code {"name": id, ...parameters}}; {@link Pruners#fromMap} reads it. */
  Map<String, Object> toMap();
}
