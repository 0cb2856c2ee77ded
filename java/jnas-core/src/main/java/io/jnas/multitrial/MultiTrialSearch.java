package io.jnas.multitrial;

import io.jnas.backend.Backends;
import io.jnas.objective.Objective;
import io.jnas.objective.ParetoFront;
import io.jnas.plot.ScatterPlot;
import io.jnas.search.RunDir;
import io.jnas.space.SearchSpace;
import io.jnas.strategy.RegularizedEvolution;
import io.jnas.strategy.Strategy;
import io.jnas.util.AtomicFiles;
import io.jnas.util.Json;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CancellationException;

/**
 * Multi-trial architecture search: a {@link Strategy} proposes decision vectors, a
 * {@link TrialEvaluator} builds, measures and trains each one (a {@link ProxyTrainer} for
 * real training), the validation accuracy goes back to the strategy as the reward.
 *
 * <p><b>A trial.</b> Built and measured first (parameters, FLOPs, latency); one that breaks a
 * constraint is {@code rejected} without training. Then trained epoch by epoch; after each
 * epoch the {@link EarlyStopping} rule may stop it ({@code stopped}, its last accuracy kept and
 * told to the strategy). Any exception makes it {@code failed} with the message as its
 * reason; the strategy hears {@link Strategy#tellFailure} (also for rejected ones) and the
 * search goes on. Every trial is kept, whatever its end.
 *
 * <p><b>Parallel trials.</b> Trials run in rounds of {@code parallel}: the strategy is asked
 * that many times, the trials train at once on Java threads, each with its own network, and
 * their results are told in trial order once the round is done. The early-stopping rule judges
 * a trial against the trials of earlier rounds only. So the same seed gives the same trials
 * whatever the threads' timing; the price is idle threads while a round's longest trial
 * finishes. The round runs on a {@link TrialExecutor}: by default an {@link InProcessExecutor},
 * which with {@code parallel > 1} gives each trial's thread one CPU kernel thread of its own
 * ({@link Backends#setThreadCpuThreads}; nothing process-wide changes, so two searches in one
 * JVM do not disturb each other): N trials then use N cores. With {@code parallel = 1} the one
 * trial runs on the calling thread with its kernel thread count ({@code -Djnas.threads}, or
 * the caller's own). Latency is measured while the other trials of the round train, so it is
 * noisier with {@code parallel > 1}. The {@code jnas-spark} module's executor runs the rounds
 * as Spark tasks instead; the strategy stays here.
 *
 * <p><b>Embedding.</b> A search without a run folder ({@code dir} null) writes nothing;
 * {@link #listener} hears steps, epochs and trials; {@link #cancel()} (from any thread) stops
 * it at the next training step: the unfinished round is dropped, the {@link Outcome} says
 * {@code cancelled}, and a fresh search with a fresh, same-seeded strategy continues it with
 * {@link #resume(List, double)} from the outcome's trials.
 *
 * <p><b>Outputs</b>, rewritten atomically after every round, into the run folder:
 * {@code trials.jsonl} (one {@link TrialResult#toMap()} per line), {@code pareto.json} (the
 * trials trained to the end that no other dominates on accuracy, max, and parameters, min;
 * with their FLOPs and latency), {@code pareto.png} (every trained trial, the front joined)
 * and {@code summary.json} (status, planned and finished trials, the best trial, counts by
 * status, the settings). Each line of {@code trials.jsonl} also names the trial's
 * {@code parent}: the trial that evolution mutated into it (null for random samples and other
 * strategies).
 *
 * <p><b>Status and resume.</b> {@code summary.json}'s {@code status} is {@code running} from
 * the start, {@code interrupted} where the run stopped on an exception or a signal that lets
 * the JVM shut down (SIGINT, SIGTERM), {@code done} after the last trial. A run killed outright
 * (SIGKILL, power loss) keeps {@code running}: a reader tells it from a live run by the run
 * folder's lock ({@link io.jnas.search.RunLock}): a live run holds it, a killed one left it
 * free. Either way {@link #resume} continues it with the trials an uninterrupted run makes.
 */
public final class MultiTrialSearch {
  /** File of one JSON line per trial. */
  public static final String TRIALS = "trials.jsonl";
  /** File of the Pareto front. */
  public static final String PARETO_JSON = "pareto.json";
  /** Plot of the trials and the front. */
  public static final String PARETO_PNG = "pareto.png";
  /** File of the summary. */
  public static final String SUMMARY = "summary.json";

  /**
   * What a search produced.
   *
   * @param trials every trial, by id
   * @param front the Pareto front (accuracy max, parameters min) of the trials trained to the
   *     end, by parameters
   * @param best the trial trained to the end with the highest accuracy (fewer parameters on a
   *     tie), or null where none was
   * @param seconds wall time
   * @param cancelled whether {@link #cancel()} stopped the search before its last trial
   */
  public record Outcome(List<TrialResult> trials, List<TrialResult> front, TrialResult best, double seconds, boolean cancelled) {
    /** Number of trials of each status. */
    public Map<TrialResult.Status, Integer> counts() {
      Map<TrialResult.Status, Integer> m = new EnumMap<>(TrialResult.Status.class);
      for (TrialResult.Status st : TrialResult.Status.values()) m.put(st, 0);
      for (TrialResult t : trials) m.merge(t.status(), 1, Integer::sum);
      return m;
    }
  }

  private final TrialSettings s;
  private final SearchSpace<?> space;
  private final Strategy strategy;
  private final TrialEvaluator evaluator;
  private final Path dir;
  private final PrintStream progress;
  /** Guards the outputs and the list of finished trials against the shutdown hook. */
  private final Object writeLock = new Object();
  /** The shutdown hook has run: every later summary says "interrupted". */
  private boolean stopping;
  /** The run is over: the shutdown hook leaves the summary alone. */
  private boolean closed;
  /** Whether evolution has proposed its first mutation. */
  private boolean evolving;
  /** Trial id to the id of the trial it mutates (evolution). */
  private final Map<Integer, Integer> parents = new java.util.concurrent.ConcurrentHashMap<>();
  /** Where the trials run; null: an {@link InProcessExecutor} made (and closed) by the run. */
  private TrialExecutor executor;
  /** The executor of the run under way (for the summary). */
  private TrialExecutor active;
  private TrialListener listener = TrialListener.NONE;
  private volatile boolean cancelRequested;

  /**
   * A search over {@code space}.
   *
   * @param strategy proposes decision vectors of {@code space}
   * @param evaluator builds and trains them
   * @param dir where the outputs go
   * @param progress where progress lines go (System.err), or null for none
   */
  public MultiTrialSearch(TrialSettings settings, SearchSpace<?> space, Strategy strategy, TrialEvaluator evaluator,
      RunDir dir, PrintStream progress) {
    this(settings, space, strategy, evaluator, dir.path(), progress);
  }

  /**
   * A search over {@code space} writing into the folder {@code dir} (which must exist; the
   * caller holds its {@link io.jnas.search.RunLock}), or writing no files where {@code dir} is
   * null.
   *
   * @param strategy proposes decision vectors of {@code space}
   * @param evaluator builds and trains them
   * @param progress where progress lines go (System.err), or null for none
   */
  public MultiTrialSearch(TrialSettings settings, SearchSpace<?> space, Strategy strategy, TrialEvaluator evaluator,
      Path dir, PrintStream progress) {
    this.s = settings.check();
    this.space = Objects.requireNonNull(space, "space");
    this.strategy = Objects.requireNonNull(strategy, "strategy");
    this.evaluator = Objects.requireNonNull(evaluator, "evaluator");
    this.dir = dir;
    this.progress = progress;
  }

  /**
   * Runs the trials on {@code e} instead of an {@link InProcessExecutor} of
   * {@code settings.parallel} threads; the caller closes it.
   */
  public MultiTrialSearch executor(TrialExecutor e) {
    this.executor = Objects.requireNonNull(e, "executor");
    return this;
  }

  /** Tells {@code l} about steps, epochs, trials and progress lines. */
  public MultiTrialSearch listener(TrialListener l) {
    this.listener = Objects.requireNonNull(l, "listener");
    return this;
  }

  /**
   * Asks the search to stop, from any thread: the running trials stop at their next step, their
   * round is dropped (a resume runs it again), and {@link #run}/{@link #resume} return an
   * outcome with {@code cancelled} true.
   */
  public void cancel() {
    cancelRequested = true;
  }

  /** Runs every trial and writes the outputs. */
  public Outcome run() throws IOException, InterruptedException {
    return resume(List.of(), 0);
  }

  /**
   * Continues a search that stopped, from the trials it had finished ({@link #readTrials}):
   * replays their whole rounds into the (fresh, same-seeded) strategy, asking and telling
   * exactly as the first run did and checking that it proposes the same decisions; trials of
   * an unfinished round are dropped and run again; then runs the remaining trials. So the
   * trials are the ones an uninterrupted run would have made, trial by trial, as long as the
   * evaluator is deterministic (the proxy trainer is, with the same thread count).
   *
   * @param earlier the finished trials, by id from 1
   * @param earlierSeconds wall time of the earlier sessions (added to this one's)
   * @throws IllegalArgumentException where {@code earlier} does not fit the settings (ids, count)
   * @throws IllegalStateException where the strategy proposes other decisions than {@code earlier}
   */
  public Outcome resume(List<TrialResult> earlier, double earlierSeconds) throws IOException, InterruptedException {
    long t0 = System.nanoTime();
    List<TrialResult> done = new ArrayList<>();
    Map<String, Integer> byDecisions = new HashMap<>();
    int next = replay(earlier, done, byDecisions);
    say(String.format(Locale.ROOT, "%d trials of %s over %s, %d at a time, %d epoch(s) each, early stopping %s",
        s.trials, strategy.name(), space.name(), s.parallel, s.epochs, s.earlyStopping.id()));
    if (!earlier.isEmpty()) {
      say(String.format(Locale.ROOT, "resuming: trials 1-%d were done (replayed into the strategy)%s; %s", next,
          earlier.size() > next ? ", trials " + (next + 1) + "-" + earlier.size() + " of an unfinished round run again" : "",
          next < s.trials ? "from trial " + (next + 1) + " on" : "nothing left to train"));
    }
    TrialExecutor ex = executor != null ? executor : new InProcessExecutor(new TrialRunner(s, evaluator), s.parallel);
    active = ex;
    TrialListener events = serialized(listener);
    Thread hook = dir == null ? null : new Thread(() -> {
      synchronized (writeLock) {
        if (closed) return;
        stopping = true;
        try {
          writeSummary(done, earlierSeconds + (System.nanoTime() - t0) / 1e9, "interrupted");
        } catch (IOException | RuntimeException e) {
          // the JVM is going down; summary.json keeps "running" and the lock file is free
        }
      }
    }, "jnas-multitrial-interrupted");
    String status = "interrupted";
    boolean cancelled = false;
    try {
      if (hook != null) Runtime.getRuntime().addShutdownHook(hook);
      write(done, earlierSeconds + (System.nanoTime() - t0) / 1e9, "running");
      while (next < s.trials) {
        if (cancelRequested) {
          cancelled = true;
          break;
        }
        int k = Math.min(s.parallel, s.trials - next);
        List<List<Double>> finished = new ArrayList<>();
        for (TrialResult t : done) if (t.trained()) finished.add(t.accuracies());
        List<TrialTask> tasks = new ArrayList<>();
        for (int i = 0; i < k; i++) {
          int id = next + i + 1;
          int[] d = ask(id, byDecisions, false);
          tasks.add(new TrialTask(id, d, finished, origin(id)));
        }
        List<TrialResult> round;
        try {
          round = ex.run(tasks, events, () -> cancelRequested);
        } catch (CancellationException e) {
          cancelled = true;
          break;
        }
        if (round.size() != k) throw new IllegalStateException(ex.id() + " executor returned " + round.size() + " results for " + k + " trials");
        for (int i = 0; i < k; i++) {
          TrialResult r = round.get(i);
          if (r.id() != tasks.get(i).id()) throw new IllegalStateException(ex.id() + " executor returned trial " + r.id() + " for trial " + tasks.get(i).id());
          synchronized (writeLock) {
            done.add(r);
          }
          tell(r, byDecisions);
          say(line(r));
          listener.onTrial(r);
        }
        next += k;
        write(done, earlierSeconds + (System.nanoTime() - t0) / 1e9, "running");
      }
      if (!cancelled) status = "done";
    } finally {
      if (executor == null) ex.close();
      if (hook != null) {
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException | IllegalArgumentException e) {
          // shutting down already (the hook runs or ran), or it was never added
        }
      }
      if (status.equals("interrupted")) {
        try {
          writeSummary(done, earlierSeconds + (System.nanoTime() - t0) / 1e9, status);
        } catch (IOException | RuntimeException e) {
          // keep the exception that got us here
        }
      }
    }
    double secs = earlierSeconds + (System.nanoTime() - t0) / 1e9;
    Outcome o = outcome(done, secs, cancelled);
    write(done, secs, status);
    synchronized (writeLock) {
      closed = true;
    }
    say(String.format(Locale.ROOT, "%s in %.1f s: %s; best %s; Pareto front of %d", cancelled ? "cancelled" : "done", secs, counts(o),
        o.best() == null ? "none" : String.format(Locale.ROOT, "trial %d, accuracy %.4f, %,d params", o.best().id(),
            o.best().accuracy(), o.best().params()), o.front().size()));
    return o;
  }

  /** {@code l} behind one lock (parallel trials call it from their threads), with progress lines also printed. */
  private TrialListener serialized(TrialListener l) {
    return new TrialListener() {
      @Override
      public synchronized void onStep(int trial, int epoch, int step, double loss) {
        l.onStep(trial, epoch, step, loss);
      }

      @Override
      public synchronized void onEpoch(int trial, int epoch, int epochs, double accuracy) {
        l.onEpoch(trial, epoch, epochs, accuracy);
      }

      @Override
      public synchronized void progress(String line) {
        say(line);
        l.progress(line);
      }
    };
  }

  /**
   * Replays the whole rounds of {@code earlier} into the strategy (asks checked against the
   * recorded decisions, then the tells); adds them to {@code done}; returns the next trial's
   * index (trials done).
   */
  private int replay(List<TrialResult> earlier, List<TrialResult> done, Map<String, Integer> byDecisions) {
    if (earlier.size() > s.trials) {
      throw new IllegalArgumentException(TRIALS + " holds " + earlier.size() + " trials, more than the " + s.trials + " planned");
    }
    for (int i = 0; i < earlier.size(); i++) {
      if (earlier.get(i).id() != i + 1) {
        throw new IllegalArgumentException(TRIALS + ": line " + (i + 1) + " is trial " + earlier.get(i).id() + ", expected trial " + (i + 1));
      }
    }
    int next = 0;
    while (next < s.trials) {
      int k = Math.min(s.parallel, s.trials - next);
      if (earlier.size() < next + k) break;  // an unfinished round (or none): run again
      for (int i = 0; i < k; i++) {
        int[] d = ask(next + i + 1, byDecisions, true);
        TrialResult t = earlier.get(next + i);
        if (!Arrays.equals(d, t.decisions())) {
          throw new IllegalStateException("trial " + t.id() + ": the strategy now proposes " + Arrays.toString(d) + ", the run had "
              + Arrays.toString(t.decisions()) + " (other settings, seed or version?); cannot resume");
        }
      }
      for (int i = 0; i < k; i++) {
        TrialResult t = earlier.get(next + i);
        done.add(t);
        tell(t, byDecisions);
      }
      next += k;
    }
    return next;
  }

  /** Asks the strategy for trial {@code id}; notes an evolution parent and, once, that evolution starts. */
  private int[] ask(int id, Map<String, Integer> byDecisions, boolean replaying) {
    int[] d = strategy.ask();
    if (strategy instanceof RegularizedEvolution e && e.lastParent() != null) {
      Integer parent = byDecisions.get(Arrays.toString(e.lastParent().decisions()));
      if (parent != null) parents.put(id, parent);
      if (!evolving && !replaying) {
        say(String.format(Locale.ROOT, "the population (%d) is full: evolution starts; from trial %d on each trial mutates one "
            + "decision of the best of %d members drawn at random, and the %s member dies", e.populationSize(), id,
            e.tournamentSize(), e.aging() ? "oldest" : "worst"));
      }
      evolving = true;
    }
    return d;
  }

  /** Tells the strategy how a trial ended. */
  private void tell(TrialResult r, Map<String, Integer> byDecisions) {
    if (r.trained()) {
      strategy.tell(r.decisions(), r.accuracy());
      byDecisions.put(Arrays.toString(r.decisions()), r.id());
    } else {
      strategy.tellFailure(r.decisions());
    }
  }

  /**
   * The finished trials of a run folder's {@value #TRIALS} (empty where the file is absent).
   *
   * @throws IllegalArgumentException naming the file and line of a malformed trial
   */
  public static List<TrialResult> readTrials(Path dir) throws IOException {
    Path f = dir.resolve(TRIALS);
    List<TrialResult> out = new ArrayList<>();
    if (!Files.exists(f)) return out;
    int n = 0;
    for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
      n++;
      if (line.isBlank()) continue;
      try {
        out.add(TrialResult.fromMap(Json.parseObject(line)));
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(f + ":" + n + ": " + e.getMessage(), e);
      }
    }
    return out;
  }

  /** " (mutant of trial N)" for evolution's mutations, else "". */
  private String origin(int id) {
    Integer p = parents.get(id);
    return p == null ? "" : " (mutant of trial " + p + ")";
  }

  private String line(TrialResult r) {
    String head = String.format(Locale.ROOT, "trial %d%s: %s", r.id(), origin(r.id()), r.status().id());
    if (r.trained()) {
      head += String.format(Locale.ROOT, ", val acc %.4f after %d epoch(s), %,d params, %.2f MFLOPs, %.2f ms/batch",
          r.accuracy(), r.accuracies().size(), r.params(), r.flops() / 1e6, r.latencyMs());
    }
    if (r.reason() != null) head += " (" + r.reason() + ")";
    return head + String.format(Locale.ROOT, " [%.1f s]", r.seconds());
  }

  private synchronized void say(String msg) {
    if (progress != null) progress.println("jnas multitrial: " + msg);
  }

  private static String counts(Outcome o) {
    List<String> parts = new ArrayList<>();
    o.counts().forEach((k, v) -> parts.add(v + " " + k.id()));
    return String.join(", ", parts);
  }

  // ------------------------------------------------------------------ outputs

  /** The front and the best trial of {@code trials}. */
  static Outcome outcome(List<TrialResult> trials, double seconds, boolean cancelled) {
    ParetoFront pf = new ParetoFront(List.of(Objective.ACCURACY, Objective.PARAMS), List.of());
    Map<String, TrialResult> byId = new LinkedHashMap<>();
    TrialResult best = null;
    for (TrialResult t : trials) {
      if (t.status() != TrialResult.Status.OK) continue;
      pf.add(String.valueOf(t.id()), t.accuracy(), t.params());
      byId.put(String.valueOf(t.id()), t);
      if (best == null || t.accuracy() > best.accuracy() || (t.accuracy() == best.accuracy() && t.params() < best.params())) best = t;
    }
    List<TrialResult> front = new ArrayList<>();
    for (ParetoFront.Point p : pf.front()) front.add(byId.get(p.id()));
    front.sort(Comparator.comparingLong(TrialResult::params).thenComparingInt(TrialResult::id));
    return new Outcome(List.copyOf(trials), front, best, seconds, cancelled);
  }

  /** Rewrites every output; {@code status}: running, interrupted or done. */
  private void write(List<TrialResult> done, double seconds, String status) throws IOException {
    if (dir == null) return;
    synchronized (writeLock) {
      List<TrialResult> trials = List.copyOf(done);
      StringBuilder sb = new StringBuilder();
      for (TrialResult t : trials) sb.append(Json.write(trialMap(t))).append('\n');
      AtomicFiles.writeString(dir.resolve(TRIALS), sb.toString());
      writePareto(trials, outcome(trials, seconds, false));
      writeSummary(trials, seconds, status);
    }
  }

  /** A line of {@value #TRIALS}: {@link TrialResult#toMap()} with the parent trial (evolution's mutations; else null). */
  private Map<String, Object> trialMap(TrialResult t) {
    Map<String, Object> m = new LinkedHashMap<>();
    Map<String, Object> base = t.toMap();
    m.put("id", base.remove("id"));
    m.put("parent", parents.get(t.id()));
    m.putAll(base);
    return m;
  }

  private void writePareto(List<TrialResult> trials, Outcome o) throws IOException {
    Map<String, Object> pj = new LinkedHashMap<>();
    pj.put("objectives", List.of(Map.of("name", "accuracy", "direction", "maximize"), Map.of("name", "params", "direction", "minimize")));
    pj.put("candidates", "trials trained to the end (status ok); stopped trials have fewer epochs and are left out");
    pj.put("num_candidates", (int) trials.stream().filter(t -> t.status() == TrialResult.Status.OK).count());
    List<Object> f = new ArrayList<>();
    for (TrialResult t : o.front()) f.add(brief(t));
    pj.put("front", f);
    AtomicFiles.writeString(dir.resolve(PARETO_JSON), Json.pretty(pj) + "\n");

    List<TrialResult> ok = new ArrayList<>(), stopped = new ArrayList<>();
    for (TrialResult t : trials) {
      if (t.status() == TrialResult.Status.OK) ok.add(t);
      else if (t.trained()) stopped.add(t);
    }
    if (!ok.isEmpty()) {
      ScatterPlot p = new ScatterPlot(String.format(Locale.ROOT, "%s: %d trials, accuracy against parameters", strategy.name(),
          trials.size()), "parameters", "validation accuracy").logX(true);
      p.points("trained (" + ok.size() + ")", xs(ok), ys(ok));
      if (!stopped.isEmpty()) p.points("stopped early (" + stopped.size() + ")", xs(stopped), ys(stopped));
      p.front("Pareto front (" + o.front().size() + ")", xs(o.front()), ys(o.front()), true);
      p.writePng(dir.resolve(PARETO_PNG), 900, 600);
    }
  }

  /**
   * Rewrites {@value #SUMMARY}. Its {@code status}: {@code running} while a run is live (or
   * after it was killed: then the lock file {@code .jnas.lock} is free), {@code interrupted}
   * where it stopped on a signal or an error, {@code done} after the last trial.
   */
  private void writeSummary(List<TrialResult> done, double seconds, String status) throws IOException {
    if (dir == null) return;
    synchronized (writeLock) {
      List<TrialResult> trials = List.copyOf(done);
      Outcome o = outcome(trials, seconds, false);
      if (stopping) status = "interrupted";
      Map<String, Object> sm = new LinkedHashMap<>();
      sm.put("status", status);
      sm.put("pid", ProcessHandle.current().pid());
      sm.put("strategy", strategy.name());
      sm.put("space", space.name());
      sm.put("planned_trials", s.trials);
      sm.put("trials", trials.size());
      Map<String, Object> counts = new LinkedHashMap<>();
      o.counts().forEach((k, v) -> counts.put(k.id(), v));
      sm.put("counts", counts);
      sm.put("best", o.best() == null ? null : brief(o.best()));
      sm.put("front_size", o.front().size());
      sm.put("wall_seconds", seconds);
      sm.put("trial_seconds", trials.stream().mapToDouble(TrialResult::seconds).sum());
      sm.put("backend", Backends.current().id());
      sm.put("executor", active == null ? null : active.id());
      sm.put("cpu_threads_per_trial", active == null ? null : active.threadsPerTrial());
      sm.put("settings", s.toMap());
      AtomicFiles.writeString(dir.resolve(SUMMARY), Json.pretty(sm) + "\n");
    }
  }

  private static Map<String, Object> brief(TrialResult t) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", t.id());
    m.put("accuracy", t.accuracy());
    m.put("params", t.params());
    m.put("flops", t.flops());
    m.put("latency_ms", t.latencyMs());
    m.put("decisions", t.decisionString());
    m.put("genotype", t.genotype() == null ? null : t.genotype().toMap());
    return m;
  }

  private static double[] xs(List<TrialResult> ts) {
    return ts.stream().mapToDouble(t -> Math.max(1, t.params())).toArray();
  }

  private static double[] ys(List<TrialResult> ts) {
    return ts.stream().mapToDouble(TrialResult::accuracy).toArray();
  }
}
