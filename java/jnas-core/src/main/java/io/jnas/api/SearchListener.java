package io.jnas.api;

import io.jnas.multitrial.TrialResult;

/**
 * Hears a {@link Search} while it runs; every method has a no-op default, so a listener
 * overrides what it needs. Calls come from the thread running the search, one at a time
 * (parallel trials are serialized). A listener may call {@link Search#cancel()}. Events of an
 * epoch that a cancellation cut short are heard again when a resumed search runs it again.
 *
 * <pre>{@code
 * search.addListener(new SearchListener() {
 *   public void onEpoch(EpochEvent e) { System.out.println("epoch " + e.epoch() + ": " + e.validationAccuracy()); }
 * });
 * }</pre>
 */
public interface SearchListener {
  /** After each training step. */
  default void onStep(StepEvent e) {}

  /** After each epoch (of the search, or of a trial). */
  default void onEpoch(EpochEvent e) {}

  /** After each trial of a multi-trial search, in trial order. */
  default void onTrial(TrialResult t) {}
}
