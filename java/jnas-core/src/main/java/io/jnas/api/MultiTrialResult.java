package io.jnas.api;

import io.jnas.genotype.Genotype;
import io.jnas.multitrial.TrialResult;
import java.util.List;
import java.util.Optional;

/**
 * The result of a multi-trial search so far.
 *
 * @param status how the run ended
 * @param trials every finished trial, by id (a round cut short by a cancellation is not here:
 *     it runs again on resume)
 * @param front the Pareto front (accuracy max, parameters min) of the trials trained to the end
 * @param bestTrial the trial trained to the end with the highest accuracy, or null
 * @param seconds wall time of the search so far
 */
public record MultiTrialResult(Status status, List<TrialResult> trials, List<TrialResult> front, TrialResult bestTrial, double seconds)
    implements SearchResult {
  /** Copies the lists. */
  public MultiTrialResult {
    trials = List.copyOf(trials);
    front = List.copyOf(front);
  }

  @Override
  public Optional<Genotype> best() {
    return bestTrial == null ? Optional.empty() : Optional.ofNullable(bestTrial.genotype());
  }

  @Override
  public double bestAccuracy() {
    return bestTrial == null ? Double.NaN : bestTrial.accuracy();
  }
}
