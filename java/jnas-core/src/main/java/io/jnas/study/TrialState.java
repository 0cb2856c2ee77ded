package io.jnas.study;

import java.util.Locale;

/** Where a {@link Trial} stands. */
public enum TrialState {
  /** Asked, not yet told. */
  RUNNING,
  /** Told its objective values. */
  COMPLETE,
  /** Stopped early on its pruner's advice; its last reported value is what the strategy heard. */
  PRUNED,
  /** Failed; the strategy heard a failure. */
  FAILED;

  /** Lower-case name used in JSON. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The state of a lower-case name. */
  static TrialState of(String id) {
    for (TrialState s : values()) if (s.id().equals(id)) return s;
    throw new IllegalArgumentException("trial state '" + id + "', expected running, complete, pruned or failed");
  }

  /** Whether the trial has ended (any state but {@link #RUNNING}). */
  public boolean finished() {
    return this != RUNNING;
  }
}
