package io.jnas.api;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A neural architecture search embedded in a program: made from an immutable spec, run on the
 * calling thread, heard through {@link SearchListener}s, stopped from any thread with
 * {@link #cancel()} and continued by calling {@link #run()} again. A search changes no
 * process-wide state: its CPU kernel thread count is its own (set for the threads it runs on),
 * and two searches in one JVM with different counts give what each gives alone.
 *
 * <p>An ENAS micro search on images in memory, stopped after its first epoch and continued:
 *
 * <pre>{@code
 * SearchData data = SearchData.of(train, validation);               // io.jnas.data.Dataset objects
 * EnasSpec spec = EnasSpec.builder().data(data).epochs(3).layers(1).channels(8).nodes(3).batch(32).seed(7).build();
 * try (Search<EnasResult> search = Search.enas(spec)) {
 *   search.addListener(new SearchListener() {
 *     public void onEpoch(EpochEvent e) { if (e.epoch() == 1) search.cancel(); }
 *   });
 *   EnasResult first = search.run();                                  // status CANCELLED, epochsDone 1
 *   EnasResult done = search.run();                                   // continues: epochs 2 and 3
 *   System.out.println(done.found().toArcString() + " " + done.heldOutAccuracy());
 * }
 * }</pre>
 *
 * <p>A multi-trial search (every architecture trained with proxies), two trials at a time:
 *
 * <pre>{@code
 * MultiTrialSpec spec = MultiTrialSpec.builder().data(SearchData.open("synthetic")).trials(8).parallel(2).seed(1).build();
 * try (Search<MultiTrialResult> search = Search.multiTrial(spec)) {
 *   MultiTrialResult r = search.run();
 *   r.front().forEach(t -> System.out.println(t.id() + " " + t.accuracy() + " " + t.params()));
 * }
 * }</pre>
 *
 * @param <R> the result type
 */
public interface Search<R extends SearchResult> extends AutoCloseable {
  /**
   * An ENAS micro search (weight-shared supernet, LSTM controller, REINFORCE). It writes into
   * the spec's run folder, or into a temporary one removed at {@link #close()}; a cancelled
   * run continues from its last finished epoch, exactly.
   */
  static Search<EnasResult> enas(EnasSpec spec) {
    return new EnasApiSearch(spec);
  }

  /**
   * A multi-trial search over the ENAS micro space: every proposal trained with proxies. It
   * writes into the spec's run folder, or nowhere; a cancelled run continues with the trials an
   * uninterrupted run makes.
   */
  static Search<MultiTrialResult> multiTrial(MultiTrialSpec spec) {
    return new MultiTrialApiSearch(spec);
  }

  /**
   * Runs the search until it is done or cancelled, on the calling thread; after a
   * cancellation, continues it. Once done, returns the result again without work.
   *
   * @throws IOException where the run folder cannot be written
   * @throws IllegalArgumentException for settings the data does not fit (named)
   * @throws IllegalStateException after {@link #close()}
   */
  R run() throws IOException;

  /**
   * Stops the run under way at its next training step (or the next run, where none is under
   * way), from any thread; {@link #run()} then returns a result with status
   * {@link SearchResult.Status#CANCELLED}.
   */
  void cancel();

  /** Adds a listener (before or between runs). */
  Search<R> addListener(SearchListener listener);

  /** Where progress bars and messages go (for example {@code System.err}); none by default. */
  Search<R> progress(PrintStream out);

  /** The run folder, where the spec named one. */
  Optional<Path> runFolder();

  /** Frees the search's native memory and threads, releases its run folder's lock; removes a temporary folder. */
  @Override
  void close();
}
