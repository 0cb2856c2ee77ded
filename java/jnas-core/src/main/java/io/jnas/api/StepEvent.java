package io.jnas.api;

/**
 * One training step of a search, as a {@link SearchListener} hears it.
 *
 * @param phase what was trained
 * @param trial the trial's id (multi-trial search), or 0 (ENAS)
 * @param epoch the epoch, from 1
 * @param step the step within the epoch, from 1
 * @param loss the step's training loss (NaN for a controller step)
 * @param accuracy the step's accuracy: the minibatch's training accuracy (child), the mean
 *     reward of the step's samples (controller), NaN (trial)
 */
public record StepEvent(Phase phase, int trial, int epoch, int step, double loss, double accuracy) {
  /** What a step trained. */
  public enum Phase {
    /** ENAS: the supernet's shared weights, on one sampled architecture. */
    CHILD,
    /** ENAS: the controller, by REINFORCE on validation accuracy. */
    CONTROLLER,
    /** Multi-trial: one trial's network. */
    TRIAL
  }
}
