package io.jnas.multitrial;

import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Where the trials of a {@link MultiTrialSearch} run: the search (and its strategy) stays on
 * the calling thread, asks the strategy for a round of trials, hands them to the executor and
 * tells the strategy the results in trial order. {@link InProcessExecutor} runs them on Java
 * threads of this process; the {@code jnas-spark} module runs them as Apache Spark tasks.
 *
 * <p>Contract: {@link #run} returns one result per task, in the tasks' order; a trial that
 * fails (an exception, a lost machine after the executor's retries) is a result with status
 * {@link TrialResult.Status#FAILED} and the reason, never a missing one. The same round gives
 * the same results on every executor that runs each trial with the same kernel thread count
 * ({@link #threadsPerTrial()}).
 */
public interface TrialExecutor extends AutoCloseable {
  /** Short name: {@code inprocess}, {@code spark}. */
  String id();

  /**
   * CPU kernel threads each trial runs with (recorded in {@code summary.json}); results depend
   * on it (chunked sums), so it is part of what makes two runs equal.
   */
  int threadsPerTrial();

  /**
   * Runs a round of trials.
   *
   * @param round the trials, in id order
   * @param listener hears steps and epochs where the executor can report them, from any thread
   *     (the search serializes the calls)
   * @param cancelled polled while trials run; once true, the executor may stop early by throwing
   *     {@link java.util.concurrent.CancellationException} (the round is then dropped)
   * @return one result per task, in order
   * @throws java.util.concurrent.CancellationException where {@code cancelled} became true
   */
  List<TrialResult> run(List<TrialTask> round, TrialListener listener, BooleanSupplier cancelled) throws InterruptedException;

  /** Frees the executor's threads or connections; the default does nothing. */
  @Override
  default void close() {}
}
