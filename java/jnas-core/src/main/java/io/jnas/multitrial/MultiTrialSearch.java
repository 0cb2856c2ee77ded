package io.jnas.multitrial;

import io.jnas.backend.Backends;
import io.jnas.genotype.Genotype;
import io.jnas.objective.Constraint;
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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

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
 * finishes. The native thread pool is one per process and runs one parallel region at a time,
 * so with {@code parallel > 1} the CPU kernels and OpenBLAS are set to one thread each for the
 * search (restored afterwards): N trials then use N cores. With {@code parallel = 1} the one
 * trial uses every kernel thread ({@code -Djnas.threads}). Latency is measured while the other
 * trials of the round train, so it is noisier with {@code parallel > 1}.
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
   */
  public record Outcome(List<TrialResult> trials, List<TrialResult> front, TrialResult best, double seconds) {
    /** Number of trials of each status. */
    public Map<TrialResult.Status, Integer> counts() {
      Map<TrialResult.Status, Integer> m = new EnumMap<>(TrialResult.Status.class);
      for (TrialResult.Status st : TrialResult.Status.values()) m.put(st, 0);
      for (TrialResult t : trials) m.merge(t.status(), 1, Integer::sum);
      return m;
    }
  }

  private static final AtomicInteger THREADS = new AtomicInteger();

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
   * caller holds its {@link io.jnas.search.RunLock}).
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
    this.dir = Objects.requireNonNull(dir, "dir");
    this.progress = progress;
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
    int oldThreads = -1;
    ExecutorService pool = null;
    Thread hook = new Thread(() -> {
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
    try {
      Runtime.getRuntime().addShutdownHook(hook);
      write(done, earlierSeconds + (System.nanoTime() - t0) / 1e9, "running");
      if (s.parallel > 1 && next < s.trials) {
        oldThreads = Backends.cpuThreads();
        Backends.setCpuThreads(1);
        pool = Executors.newFixedThreadPool(s.parallel, r -> {
          Thread t = new Thread(r, "jnas-trial-" + THREADS.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
      }
      while (next < s.trials) {
        int k = Math.min(s.parallel, s.trials - next);
        List<List<Double>> finished = new ArrayList<>();
        for (TrialResult t : done) if (t.trained()) finished.add(t.accuracies());
        List<TrialResult> round = new ArrayList<>();
        if (pool == null) {
          int id = next + 1;
          round.add(runTrial(id, ask(id, byDecisions, false), finished));
        } else {
          List<Future<TrialResult>> fs = new ArrayList<>();
          for (int i = 0; i < k; i++) {
            int id = next + i + 1;
            int[] d = ask(id, byDecisions, false);
            fs.add(pool.submit(() -> runTrial(id, d, finished)));
          }
          for (Future<TrialResult> f : fs) {
            try {
              round.add(f.get());
            } catch (ExecutionException e) {  // runTrial catches everything; an Error lands here
              throw new IllegalStateException("trial thread died: " + e.getCause(), e.getCause());
            }
          }
        }
        for (TrialResult r : round) {
          synchronized (writeLock) {
            done.add(r);
          }
          tell(r, byDecisions);
          say(line(r));
        }
        next += k;
        write(done, earlierSeconds + (System.nanoTime() - t0) / 1e9, "running");
      }
      status = "done";
    } finally {
      if (pool != null) pool.shutdownNow();
      if (oldThreads > 0) Backends.setCpuThreads(oldThreads);
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException | IllegalArgumentException e) {
        // shutting down already (the hook runs or ran), or it was never added
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
    Outcome o = outcome(done, secs);
    write(done, secs, "done");
    synchronized (writeLock) {
      closed = true;
    }
    say(String.format(Locale.ROOT, "done in %.1f s: %s; best %s; Pareto front of %d", secs, counts(o),
        o.best() == null ? "none" : String.format(Locale.ROOT, "trial %d, accuracy %.4f, %,d params", o.best().id(),
            o.best().accuracy(), o.best().params()), o.front().size()));
    return o;
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

  /** One trial, start to end; never throws (a failure is a result). */
  private TrialResult runTrial(int id, int[] d, List<List<Double>> finished) {
    long t0 = System.nanoTime();
    Genotype g = null;
    long params = -1;
    double flops = Double.NaN, latency = Double.NaN;
    List<Double> acc = new ArrayList<>();
    String[] stopReason = {null};
    try (TrialEvaluator.Candidate c = evaluator.prepare(id, d)) {
      g = c.genotype();
      params = c.params();
      flops = c.flops();
      latency = c.latencyMs();
      String broken = broken(params, flops, latency);
      if (broken != null) return result(id, d, g, TrialResult.Status.REJECTED, broken, acc, params, flops, latency, t0);
      say(String.format(Locale.ROOT, "trial %d/%d%s: training (%,d params, %.2f MFLOPs, %.2f ms/batch)", id, s.trials,
          origin(id), params, flops / 1e6, latency));
      c.train((epoch, a) -> {
        acc.add(a);
        if (s.epochs > 1) say(String.format(Locale.ROOT, "trial %d/%d: epoch %d/%d val acc %.4f", id, s.trials, epoch + 1, s.epochs, a));
        if (!s.earlyStopping.shouldStop(epoch, s.epochs, a, finished)) return false;
        stopReason[0] = String.format(Locale.ROOT, "%s rule after epoch %d of %d: accuracy %.4f against %d finished trials",
            s.earlyStopping.id(), epoch + 1, s.epochs, a, count(finished, epoch));
        return true;
      });
      if (acc.isEmpty()) throw new IllegalStateException("training ran no epoch");
      TrialResult.Status st = stopReason[0] != null ? TrialResult.Status.STOPPED : TrialResult.Status.OK;
      return result(id, d, g, st, stopReason[0], acc, params, flops, latency, t0);
    } catch (Exception | StackOverflowError | AssertionError e) {
      String msg = e.getMessage() == null ? e.toString() : e.getClass().getSimpleName() + ": " + e.getMessage();
      return result(id, d, g, TrialResult.Status.FAILED, msg, acc, params, flops, latency, t0);
    }
  }

  private static int count(List<List<Double>> finished, int epoch) {
    int n = 0;
    for (List<Double> c : finished) if (c.size() > epoch) n++;
    return n;
  }

  private static TrialResult result(int id, int[] d, Genotype g, TrialResult.Status st, String reason, List<Double> acc,
      long params, double flops, double latency, long t0) {
    return new TrialResult(id, d, g, st, reason, acc, params, flops, latency, (System.nanoTime() - t0) / 1e9);
  }

  /** The first constraint broken, in words, or null. */
  private String broken(long params, double flops, double latency) {
    for (Constraint c : s.constraints) {
      double v = switch (c.objective()) {
        case PARAMS -> params;
        case FLOPS -> flops;
        case LATENCY -> latency;
        case ACCURACY -> throw new IllegalStateException("accuracy constraints are refused by the settings");
      };
      if (!c.test(v)) {
        return String.format(Locale.ROOT, "%s is %s, breaks the constraint %s%s%s", c.objective().id(), number(v),
            c.objective().id(), c.atMost() ? "<=" : ">=", number(c.bound()));
      }
    }
    return null;
  }

  /** A whole number without a fraction, else four significant digits. */
  private static String number(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : String.format(Locale.ROOT, "%.4g", v);
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

  private void say(String msg) {
    if (progress != null) progress.println("jnas multitrial: " + msg);
  }

  private static String counts(Outcome o) {
    List<String> parts = new ArrayList<>();
    o.counts().forEach((k, v) -> parts.add(v + " " + k.id()));
    return String.join(", ", parts);
  }

  // ------------------------------------------------------------------ outputs

  /** The front and the best trial of {@code trials}. */
  static Outcome outcome(List<TrialResult> trials, double seconds) {
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
    return new Outcome(List.copyOf(trials), front, best, seconds);
  }

  /** Rewrites every output; {@code status}: running, interrupted or done. */
  private void write(List<TrialResult> done, double seconds, String status) throws IOException {
    synchronized (writeLock) {
      List<TrialResult> trials = List.copyOf(done);
      StringBuilder sb = new StringBuilder();
      for (TrialResult t : trials) sb.append(Json.write(trialMap(t))).append('\n');
      AtomicFiles.writeString(dir.resolve(TRIALS), sb.toString());
      writePareto(trials, outcome(trials, seconds));
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
    synchronized (writeLock) {
      List<TrialResult> trials = List.copyOf(done);
      Outcome o = outcome(trials, seconds);
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
      sm.put("cpu_threads_per_trial", s.parallel > 1 ? 1 : Backends.cpuThreads());
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
