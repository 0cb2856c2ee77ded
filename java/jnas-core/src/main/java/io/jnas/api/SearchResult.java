package io.jnas.api;

import io.jnas.genotype.Genotype;
import java.util.Optional;

/**
 * What a {@link Search} produced so far: {@link EnasResult} for an ENAS search,
 * {@link MultiTrialResult} for a multi-trial search.
 */
public sealed interface SearchResult permits EnasResult, MultiTrialResult {
  /** How the run that returned this result ended. */
  enum Status {
    /** Every epoch or trial is done. */
    DONE,
    /** {@link Search#cancel()} stopped it; {@link Search#run()} again continues it. */
    CANCELLED
  }

  /** How the run ended. */
  Status status();

  /** The best architecture found so far, as a genotype (empty before the first one). */
  Optional<Genotype> best();

  /** Its validation accuracy (NaN before the first one). */
  double bestAccuracy();

  /** Wall time of the search so far, in seconds (every run of it). */
  double seconds();
}
