package io.jnas.multitrial;

/**
 * What a multi-trial search tells its caller while it runs; every method has a no-op default.
 * {@link MultiTrialSearch} calls a listener from one thread at a time (it serializes the calls
 * of parallel trials). Trials that run on another machine ({@code --executor spark}) report
 * only {@link #onTrial}: their steps and epochs stay where they ran.
 */
public interface TrialListener {
  /**
   * After each training step of a trial.
   *
   * @param trial the trial's id
   * @param epoch the epoch, from 1
   * @param step the step within the epoch, from 1
   * @param loss the step's training loss
   */
  default void onStep(int trial, int epoch, int step, double loss) {}

  /**
   * After each epoch of a trial, with its validation accuracy.
   *
   * @param epoch the epoch, from 1
   * @param epochs the trial's epochs in all
   */
  default void onEpoch(int trial, int epoch, int epochs, double accuracy) {}

  /** When a trial has ended, whatever its status (told in trial order). */
  default void onTrial(TrialResult result) {}

  /** A progress line (what the command line prints on standard error). */
  default void progress(String line) {}

  /** A listener that hears nothing. */
  TrialListener NONE = new TrialListener() {};
}
