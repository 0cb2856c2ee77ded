package io.jnas.multitrial;

/**
 * Evaluates the architectures of a {@link MultiTrialSearch}, in two steps so that constraints
 * are checked before any training: {@link #prepare} builds the candidate and measures its
 * cost, then {@link Candidate#train} trains it epoch by epoch. {@link ProxyTrainer} is the
 * real one; tests inject others. {@link #prepare} is called from several threads at once when
 * trials run in parallel, each candidate on one thread.
 */
public interface TrialEvaluator {
  /**
   * Builds trial {@code id}'s candidate and measures its parameters, FLOPs and latency.
   *
   * @throws Exception recorded as the trial's failure; the search goes on
   */
  Candidate prepare(int id, int[] decisions) throws Exception;

  /** Called after each epoch of training; answers whether to stop there. */
  @FunctionalInterface
  interface EpochHook {
    /**
     * @param epoch the epoch just finished, from 0
     * @param accuracy validation accuracy after it
     * @return true to stop training now
     */
    boolean afterEpoch(int epoch, double accuracy);

    /**
     * Called after each training step; the default does nothing. May throw (a
     * {@link java.util.concurrent.CancellationException} cancels the trial).
     *
     * @param epoch the epoch, from 0
     * @param step the step within the epoch, from 0
     * @param loss the step's training loss
     */
    default void afterStep(int epoch, int step, double loss) {}
  }

  /** A built, measured, not yet trained candidate; owns its network. */
  interface Candidate extends AutoCloseable {
    /** The genotype it was built from (null where the evaluator has none). */
    io.jnas.genotype.Genotype genotype();

    /** Learned weights without the auxiliary head. */
    long params();

    /** Forward FLOPs per image. */
    double flops();

    /** Median milliseconds of one {@code predict} of a batch. */
    double latencyMs();

    /**
     * Trains for the settings' epochs, validating after each; stops early where
     * {@code hook} says so.
     *
     * @return the validation accuracy after each epoch run
     * @throws Exception recorded as the trial's failure
     */
    java.util.List<Double> train(EpochHook hook) throws Exception;

    /** Frees the network. */
    @Override
    void close();
  }
}
