package io.jnas.api;

import io.jnas.backend.Backends;
import io.jnas.enas.EnasMicroSpace;
import io.jnas.multitrial.InProcessExecutor;
import io.jnas.multitrial.MultiTrialSearch;
import io.jnas.multitrial.ProxyTrainer;
import io.jnas.multitrial.TrialListener;
import io.jnas.multitrial.TrialResult;
import io.jnas.multitrial.TrialRunner;
import io.jnas.multitrial.TrialSettings;
import io.jnas.search.RunDir;
import io.jnas.strategy.Strategies;
import io.jnas.strategy.Strategy;
import io.jnas.strategy.StrategyFactory;
import io.jnas.strategy.StrategyParams;
import io.jnas.util.AtomicFiles;
import io.jnas.util.Json;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * {@link Search#multiTrial}: a {@link MultiTrialSearch} behind the typed API. Every
 * {@link #run()} makes a fresh, same-seeded strategy and replays the finished trials into it
 * ({@link MultiTrialSearch#resume}), so a cancelled search continues with the trials an
 * uninterrupted one makes.
 */
final class MultiTrialApiSearch implements Search<MultiTrialResult> {
  /** The run's settings in its folder, as {@code jnas multitrial} writes them ({@code --resume} reads them). */
  static final String CONFIG = "config.json";

  private final MultiTrialSpec spec;
  private final TrialSettings settings;
  private final StrategyFactory factory;
  private final List<SearchListener> listeners = new CopyOnWriteArrayList<>();
  private PrintStream progress;
  private ProxyTrainer trainer;
  private RunDir dir;
  private final List<TrialResult> done = new ArrayList<>();
  private double seconds;
  private MultiTrialResult last;
  private volatile MultiTrialSearch current;
  private volatile boolean cancelRequested;
  private boolean closed;

  MultiTrialApiSearch(MultiTrialSpec spec) {
    this.spec = spec;
    this.settings = spec.toTrialSettings();
    this.factory = Strategies.registry().get(settings.strategy);
    if (factory == null) {
      throw new IllegalArgumentException("multitrial spec: strategy '" + settings.strategy + "' is unknown, expected one of "
          + String.join(", ", Strategies.registry().keySet()));
    }
  }

  @Override
  public synchronized MultiTrialResult run() throws IOException {
    if (closed) throw new IllegalStateException("search is closed");
    if (last != null && last.status() == SearchResult.Status.DONE) return last;
    EnasMicroSpace space = new EnasMicroSpace(settings.nodes);
    Strategy strategy = factory.create(space, settings.seed, new StrategyParams(settings.strategyParams));
    if (trainer == null) trainer = new ProxyTrainer(settings, spec.data().source(), space);
    if (dir == null && spec.runFolder() != null) {
      dir = RunDir.create(spec.runFolder(), "multitrial", progress);
      java.util.Map<String, Object> m = new java.util.LinkedHashMap<>(settings.toMap());
      AtomicFiles.writeString(dir.file(CONFIG), Json.pretty(m) + "\n");
    }
    MultiTrialSearch search = new MultiTrialSearch(settings, space, strategy, trainer, dir == null ? null : dir.path(), progress)
        .listener(adapter());
    int before = spec.threads() > 0 ? Backends.setThreadCpuThreads(spec.threads()) : -1;
    try (InProcessExecutor ex = new InProcessExecutor(new TrialRunner(settings, trainer), settings.parallel)) {
      search.executor(ex);
      current = search;
      if (cancelRequested) search.cancel();
      MultiTrialSearch.Outcome o;
      try {
        o = search.resume(List.copyOf(done), seconds);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
      done.clear();
      done.addAll(o.trials());
      seconds = o.seconds();
      if (o.cancelled()) cancelRequested = false;
      last = new MultiTrialResult(o.cancelled() ? SearchResult.Status.CANCELLED : SearchResult.Status.DONE, o.trials(), o.front(),
          o.best(), o.seconds());
      return last;
    } finally {
      current = null;
      if (before >= 0) Backends.setThreadCpuThreads(before);
    }
  }

  private TrialListener adapter() {
    int epochs = settings.epochs;
    return new TrialListener() {
      @Override
      public void onStep(int trial, int epoch, int step, double loss) {
        if (listeners.isEmpty()) return;
        StepEvent e = new StepEvent(StepEvent.Phase.TRIAL, trial, epoch, step, loss, Double.NaN);
        for (SearchListener l : listeners) l.onStep(e);
      }

      @Override
      public void onEpoch(int trial, int epoch, int ignored, double accuracy) {
        EpochEvent e = new EpochEvent(trial, epoch, epochs, Double.NaN, Double.NaN, accuracy);
        for (SearchListener l : listeners) l.onEpoch(e);
      }

      @Override
      public void onTrial(TrialResult result) {
        for (SearchListener l : listeners) l.onTrial(result);
      }
    };
  }

  @Override
  public void cancel() {
    cancelRequested = true;
    MultiTrialSearch s = current;
    if (s != null) s.cancel();
  }

  @Override
  public Search<MultiTrialResult> addListener(SearchListener listener) {
    listeners.add(java.util.Objects.requireNonNull(listener, "listener"));
    return this;
  }

  @Override
  public synchronized Search<MultiTrialResult> progress(PrintStream out) {
    this.progress = out;
    return this;
  }

  @Override
  public Optional<Path> runFolder() {
    return spec.folder();
  }

  @Override
  public void close() {
    cancel();
    synchronized (this) {
      if (closed) return;
      closed = true;
      if (dir != null) {
        try {
          dir.close();
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }
    }
  }
}
