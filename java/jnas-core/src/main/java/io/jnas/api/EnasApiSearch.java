package io.jnas.api;

import io.jnas.backend.Backends;
import io.jnas.enas.EnasSearch;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

/**
 * {@link Search#enas}: an {@link EnasSearch} behind the typed API. Cancellation stops the run at
 * the next step; the search is then reopened from its run folder's last checkpoint (the end of
 * the last finished epoch), so that the next {@link #run()} continues exactly as an
 * uninterrupted run.
 */
final class EnasApiSearch implements Search<EnasResult> {
  private final EnasSpec spec;
  private final List<SearchListener> listeners = new CopyOnWriteArrayList<>();
  private final Path folder;
  private final boolean temporary;
  private PrintStream progress;
  private EnasSearch search;
  private volatile boolean cancelRequested;
  private boolean closed;
  private EnasResult last;
  private double seconds;

  EnasApiSearch(EnasSpec spec) {
    this.spec = spec;
    this.temporary = spec.runFolder() == null;
    try {
      this.folder = temporary ? Files.createTempDirectory("jnas-search-").resolve("run") : spec.runFolder();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot make a temporary run folder: " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized EnasResult run() throws IOException {
    if (closed) throw new IllegalStateException("search is closed");
    if (last != null && last.status() == SearchResult.Status.DONE) return last;
    int before = spec.threads() > 0 ? Backends.setThreadCpuThreads(spec.threads()) : -1;
    long t0 = System.nanoTime();
    try {
      if (search == null) search = attach(EnasSearch.start(spec.settings(), spec.data().source(), folder, progress));
      SearchResult.Status status = SearchResult.Status.DONE;
      Map<String, Object> r;
      try {
        if (cancelRequested) throw new CancellationException("cancelled before the run");
        r = search.run();
      } catch (CancellationException e) {
        status = SearchResult.Status.CANCELLED;
        cancelRequested = false;
        search.close();
        search = null;
        // the folder holds everything up to the last finished epoch: continue from there
        search = attach(EnasSearch.resume(folder, spec.data().source(), progress));
        r = search.runUntil(search.epochsDone());
      }
      seconds += (System.nanoTime() - t0) / 1e9;
      last = EnasResult.of(r, spec.settings().net().nodes(), status, seconds);
      return last;
    } finally {
      if (before >= 0) Backends.setThreadCpuThreads(before);
    }
  }

  private EnasSearch attach(EnasSearch s) {
    return s.stopWhen(() -> cancelRequested).onEvent(this::dispatch);
  }

  /** Turns a log event into listener calls. */
  private void dispatch(Map<String, Object> ev) {
    if (listeners.isEmpty()) return;
    Object kind = ev.get("event");
    int epochs = spec.settings().child().epochs();
    if ("child_step".equals(kind)) {
      StepEvent e = new StepEvent(StepEvent.Phase.CHILD, 0, num(ev, "epoch"), num(ev, "step") + 1, dbl(ev, "loss"), dbl(ev, "accuracy"));
      for (SearchListener l : listeners) l.onStep(e);
    } else if ("controller_step".equals(kind)) {
      StepEvent e = new StepEvent(StepEvent.Phase.CONTROLLER, 0, num(ev, "epoch"), num(ev, "step") + 1, Double.NaN, dbl(ev, "reward"));
      for (SearchListener l : listeners) l.onStep(e);
    } else if ("epoch".equals(kind)) {
      EpochEvent e = new EpochEvent(0, num(ev, "epoch"), epochs, dbl(ev, "train_loss"), dbl(ev, "train_accuracy"), dbl(ev, "reward_mean"));
      for (SearchListener l : listeners) l.onEpoch(e);
    }
  }

  private static int num(Map<String, Object> ev, String k) {
    return ((Number) ev.get(k)).intValue();
  }

  private static double dbl(Map<String, Object> ev, String k) {
    return ev.get(k) instanceof Number n ? n.doubleValue() : Double.NaN;
  }

  @Override
  public void cancel() {
    cancelRequested = true;
  }

  @Override
  public Search<EnasResult> addListener(SearchListener listener) {
    listeners.add(java.util.Objects.requireNonNull(listener, "listener"));
    return this;
  }

  @Override
  public synchronized Search<EnasResult> progress(PrintStream out) {
    this.progress = out;
    return this;
  }

  @Override
  public Optional<Path> runFolder() {
    return spec.folder();
  }

  @Override
  public void close() {
    cancelRequested = true;  // a run under way on another thread stops at its next step
    synchronized (this) {
      if (closed) return;
      closed = true;
      try {
        if (search != null) search.close();
      } finally {
        search = null;
        if (temporary) deleteTree(folder.getParent());
      }
    }
  }

  private static void deleteTree(Path root) {
    try (Stream<Path> st = Files.walk(root)) {
      for (Path p : (Iterable<Path>) st.sorted(Comparator.reverseOrder())::iterator) Files.deleteIfExists(p);
    } catch (IOException e) {
      // a temporary folder left behind is harmless
    }
  }
}
