package io.jnas.study;

import io.jnas.space.SearchSpace;
import io.jnas.strategy.Strategy;
import io.jnas.util.AtomicFiles;
import io.jnas.util.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;

/**
 * An ask/tell study with trial identity (Optuna's study/trial model over jnas's strategies):
 * {@link #ask()} gives a {@link Trial} with a number and a decision vector; the caller
 * evaluates it, {@link Trial#report reports} intermediate values, asks
 * {@link Trial#shouldPrune()}, and ends it with {@link #tell(Trial, double...)} (one value per
 * objective), {@link #tellPruned} or {@link #tellFailure}. Any number of trials may run at once
 * (several workers); the methods are thread-safe.
 *
 * <pre>{@code
 * Study study = Study.create(StudySpec.builder().space(Map.of("name", "nb201")).strategy("evolution")
 *     .objective(StudyObjective.maximize("accuracy")).pruner(Pruners.median(3, 1)).seed(1).build());
 * for (int i = 0; i < 50; i++) {
 *   Trial t = study.ask();
 *   double acc = 0;
 *   boolean pruned = false;
 *   for (int epoch = 1; epoch <= 12 && !pruned; epoch++) {
 *     acc = evaluate(t.decisions(), epoch);           // the caller's own training
 *     t.report(epoch, acc);
 *     pruned = t.shouldPrune();
 *   }
 *   if (pruned) study.tellPruned(t); else study.tell(t, acc);
 * }
 * Files.writeString(Path.of("study.json"), Json.pretty(study.toMap()));   // or study.save(path)
 * Study again = Study.load(Path.of("study.json"));                        // continues where it was
 * }</pre>
 *
 * <p><b>The strategy's reward</b> is the first objective's value (negated where it is
 * minimized); a pruned trial's reward is its last reported value; a failed trial, or a pruned
 * one that reported nothing, is a failure ({@link Strategy#tellFailure}).
 *
 * <p><b>State.</b> {@link #toMap()} holds the spec, every trial and the order in which the
 * strategy was asked and told; {@link #fromMap} rebuilds the study by replaying that order into
 * a fresh strategy with the same seed (checking that it proposes the recorded decisions), so a
 * restored study proposes exactly what the original would have: every strategy is a
 * deterministic function of its seed and the asks and tells it received.
 */
public final class Study {
  /** The format name of {@link #toMap()}. */
  public static final String FORMAT = "jnas-study-1";

  private final StudySpec spec;
  private final SearchSpace<?> space;
  private final Strategy strategy;
  private final List<Trial> trials = new ArrayList<>();
  /** The strategy's calls in order: {ASK or TELL, trial id}. */
  private final List<int[]> ops = new ArrayList<>();
  private static final int ASK = 0, TELL = 1;

  private Study(StudySpec spec) {
    this.spec = Objects.requireNonNull(spec, "spec");
    this.space = StudySpaces.fromMap(spec.space());
    this.strategy = StudySpec.createStrategy(space, spec.strategy(), spec.strategyParams(), spec.seed());
  }

  /** A new study with no trials. */
  public static Study create(StudySpec spec) {
    return new Study(spec);
  }

  /** The spec. */
  public StudySpec spec() {
    return spec;
  }

  /** The search space. */
  public SearchSpace<?> space() {
    return space;
  }

  /**
   * A new trial: the strategy's next proposal.
   *
   * @throws IllegalStateException where the strategy has nothing left to propose (grid search done)
   */
  public synchronized Trial ask() {
    int[] d;
    try {
      d = strategy.ask();
    } catch (NoSuchElementException e) {
      throw new IllegalStateException("the strategy has nothing left to propose: " + e.getMessage(), e);
    }
    Trial t = new Trial(this, trials.size() + 1, d);
    trials.add(t);
    ops.add(new int[] {ASK, t.id()});
    return t;
  }

  /**
   * The trial of a number.
   *
   * @throws NoSuchElementException where the study has no such trial
   */
  public synchronized Trial trial(int id) {
    if (id < 1 || id > trials.size()) throw new NoSuchElementException("no trial " + id + " (the study has " + trials.size() + ")");
    return trials.get(id - 1);
  }

  /** Every trial, by number. */
  public synchronized List<Trial> trials() {
    return List.copyOf(trials);
  }

  synchronized void report(int id, int step, double value) {
    Trial t = running(trial(id), "report to");
    if (!Double.isFinite(value)) throw new IllegalArgumentException("'value' is " + value + ", expected a finite number");
    t.reports.put(step, value);
  }

  synchronized boolean shouldPrune(int id) {
    Trial t = trial(id);
    if (t.state != TrialState.RUNNING || t.reports.isEmpty()) return false;
    Map.Entry<Integer, Double> last = t.reports.lastEntry();
    List<Double> others = new ArrayList<>();
    for (Trial u : trials) {
      if (u.state == TrialState.COMPLETE || u.state == TrialState.PRUNED) {
        Double v = u.reports.get(last.getKey());
        if (v != null) others.add(v);
      }
    }
    return spec.pruner().shouldPrune(last.getKey(), last.getValue(), others, spec.objectives().get(0).maximize());
  }

  /**
   * Ends a trial with its objective values, one per objective in the spec's order.
   *
   * @throws IllegalArgumentException where the number of values is wrong or one is not finite
   * @throws IllegalStateException where the trial has ended already
   */
  public synchronized void tell(Trial trial, double... values) {
    Trial t = running(own(trial), "tell");
    if (values.length != spec.objectives().size()) {
      throw new IllegalArgumentException("'values' has " + values.length + " value(s), expected " + spec.objectives().size() + " (one per objective: "
          + String.join(", ", spec.objectives().stream().map(StudyObjective::name).toList()) + ")");
    }
    for (double v : values) if (!Double.isFinite(v)) throw new IllegalArgumentException("'values' holds " + v + ", expected finite numbers");
    t.values = values.clone();
    t.state = TrialState.COMPLETE;
    told(t);
  }

  /**
   * Ends a trial as pruned: the strategy hears its last reported value (or a failure where it
   * reported none).
   *
   * @throws IllegalStateException where the trial has ended already
   */
  public synchronized void tellPruned(Trial trial) {
    Trial t = running(own(trial), "prune");
    t.state = TrialState.PRUNED;
    told(t);
  }

  /**
   * Ends a trial as failed, with the reason; the strategy hears a failure.
   *
   * @throws IllegalStateException where the trial has ended already
   */
  public synchronized void tellFailure(Trial trial, String reason) {
    Trial t = running(own(trial), "fail");
    t.state = TrialState.FAILED;
    t.reason = reason;
    told(t);
  }

  private Trial own(Trial t) {
    Objects.requireNonNull(t, "trial");
    Trial mine = trial(t.id());
    if (mine != t) throw new IllegalArgumentException("trial " + t.id() + " belongs to another study");
    return mine;
  }

  private static Trial running(Trial t, String what) {
    if (t.state != TrialState.RUNNING) throw new IllegalStateException("trial " + t.id() + " is " + t.state.id() + " already; cannot " + what + " it");
    return t;
  }

  /** Tells the strategy how {@code t} ended and records the call. */
  private void told(Trial t) {
    tellStrategy(t);
    ops.add(new int[] {TELL, t.id()});
  }

  private void tellStrategy(Trial t) {
    boolean max = spec.objectives().get(0).maximize();
    int[] d = t.decisions();
    switch (t.state) {
      case COMPLETE -> strategy.tell(d, max ? t.values[0] : -t.values[0]);
      case PRUNED -> {
        if (t.reports.isEmpty()) strategy.tellFailure(d);
        else strategy.tell(d, max ? t.reports.lastEntry().getValue() : -t.reports.lastEntry().getValue());
      }
      case FAILED -> strategy.tellFailure(d);
      case RUNNING -> throw new IllegalStateException("trial " + t.id() + " is running");
    }
  }

  /** The complete trials that no other complete trial dominates on every objective, by number. */
  public synchronized List<Trial> paretoFront() {
    List<Trial> done = trials.stream().filter(t -> t.state == TrialState.COMPLETE).toList();
    List<Trial> front = new ArrayList<>();
    for (Trial t : done) {
      boolean dominated = false;
      for (Trial u : done) {
        if (u != t && dominates(u.values, t.values)) {
          dominated = true;
          break;
        }
      }
      if (!dominated) front.add(t);
    }
    return front;
  }

  private boolean dominates(double[] a, double[] b) {
    boolean strictly = false;
    for (int i = 0; i < a.length; i++) {
      StudyObjective o = spec.objectives().get(i);
      if (o.better(b[i], a[i])) return false;
      if (o.better(a[i], b[i])) strictly = true;
    }
    return strictly;
  }

  /** The complete trial best on the first objective (the earliest among equals). */
  public synchronized Optional<Trial> best() {
    StudyObjective o = spec.objectives().get(0);
    Trial best = null;
    for (Trial t : trials) if (t.state == TrialState.COMPLETE && (best == null || o.better(t.values[0], best.values[0]))) best = t;
    return Optional.ofNullable(best);
  }

  /** Number of trials in each state. */
  public synchronized Map<TrialState, Integer> counts() {
    Map<TrialState, Integer> m = new EnumMap<>(TrialState.class);
    for (TrialState s : TrialState.values()) m.put(s, 0);
    for (Trial t : trials) m.merge(t.state, 1, Integer::sum);
    return m;
  }

  // ------------------------------------------------------------------ JSON

  /**
   * A trial as JSON: id, decisions, architecture (what they stand for), state, values (by
   * objective name; null until complete), reports ({@code [[step, value], ...]}), reason.
   */
  public synchronized Map<String, Object> trialMap(Trial t) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", t.id());
    m.put("decisions", t.decisions());
    m.put("architecture", t.architecture());
    m.put("state", t.state.id());
    Map<String, Object> vs = null;
    if (t.values != null) {
      vs = new LinkedHashMap<>();
      for (int i = 0; i < t.values.length; i++) vs.put(spec.objectives().get(i).name(), t.values[i]);
    }
    m.put("values", vs);
    m.put("reports", reportList(t));
    m.put("reason", t.reason);
    return m;
  }

  private static List<Object> reportList(Trial t) {
    List<Object> rs = new ArrayList<>();
    t.reports.forEach((s, v) -> rs.add(List.of(s, v)));
    return rs;
  }

  /** A summary: trials, counts by state, the best trial, the front's size, the spec. */
  public synchronized Map<String, Object> status() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("trials", trials.size());
    Map<String, Object> c = new LinkedHashMap<>();
    counts().forEach((k, v) -> c.put(k.id(), v));
    m.put("counts", c);
    m.put("best", best().map(this::trialMap).orElse(null));
    m.put("front_size", paretoFront().size());
    m.put("spec", spec.toMap());
    return m;
  }

  /** The study's whole state ({@link #fromMap} restores it): format, spec, trials, the strategy's calls in order. */
  public synchronized Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("format", FORMAT);
    m.put("spec", spec.toMap());
    List<Object> ts = new ArrayList<>();
    for (Trial t : trials) {
      Map<String, Object> tm = new LinkedHashMap<>();
      tm.put("id", t.id());
      tm.put("decisions", t.decisions());
      tm.put("state", t.state.id());
      tm.put("values", t.values);
      tm.put("reports", reportList(t));
      tm.put("reason", t.reason);
      ts.add(tm);
    }
    m.put("trials", ts);
    List<Object> os = new ArrayList<>();
    for (int[] op : ops) os.add(List.of(op[0] == ASK ? "ask" : "tell", op[1]));
    m.put("calls", os);
    return m;
  }

  /**
   * The study of {@link #toMap()}: a fresh strategy replays the recorded asks and tells in their
   * order, and must propose the recorded decisions.
   *
   * @throws IllegalArgumentException where the state is malformed or does not fit (named)
   * @throws IllegalStateException where the strategy now proposes other decisions (another version)
   */
  @SuppressWarnings("unchecked")
  public static Study fromMap(Map<String, Object> m) {
    if (!FORMAT.equals(m.get("format"))) throw new IllegalArgumentException("study state: format is " + m.get("format") + ", expected " + FORMAT);
    if (!(m.get("spec") instanceof Map<?, ?> sm)) throw new IllegalArgumentException("study state: no 'spec' object");
    Study s = new Study(StudySpec.fromMap((Map<String, Object>) sm));
    if (!(m.get("trials") instanceof List<?> tl)) throw new IllegalArgumentException("study state: no 'trials' list");
    if (!(m.get("calls") instanceof List<?> cl)) throw new IllegalArgumentException("study state: no 'calls' list");
    List<Map<String, Object>> recorded = new ArrayList<>();
    for (Object o : tl) recorded.add((Map<String, Object>) o);
    for (Object o : cl) {
      List<?> call = (List<?>) o;
      String kind = (String) call.get(0);
      int id = ((Number) call.get(1)).intValue();
      if (kind.equals("ask")) {
        if (id != s.trials.size() + 1 || id > recorded.size()) throw new IllegalArgumentException("study state: ask of trial " + id + " out of order");
        Map<String, Object> tm = recorded.get(id - 1);
        int[] want = ints(tm.get("decisions"));
        int[] got = s.strategy.ask();
        if (!Arrays.equals(want, got)) {
          throw new IllegalStateException("study state: trial " + id + " had " + Arrays.toString(want) + ", the strategy now proposes "
              + Arrays.toString(got) + " (another version or seed?); cannot restore");
        }
        Trial t = new Trial(s, id, got);
        t.state = TrialState.of(String.valueOf(tm.get("state")));
        if (tm.get("values") instanceof List<?> vl) {
          t.values = new double[vl.size()];
          for (int i = 0; i < vl.size(); i++) t.values[i] = ((Number) vl.get(i)).doubleValue();
        }
        if (tm.get("reports") instanceof List<?> rl) {
          for (Object r : rl) t.reports.put(((Number) ((List<?>) r).get(0)).intValue(), ((Number) ((List<?>) r).get(1)).doubleValue());
        }
        t.reason = tm.get("reason") == null ? null : String.valueOf(tm.get("reason"));
        if (t.state == TrialState.COMPLETE && (t.values == null || t.values.length != s.spec.objectives().size())) {
          throw new IllegalArgumentException("study state: trial " + id + " is complete without one value per objective");
        }
        s.trials.add(t);
        s.ops.add(new int[] {ASK, id});
      } else if (kind.equals("tell")) {
        if (id < 1 || id > s.trials.size() || !s.trials.get(id - 1).state.finished()) {
          throw new IllegalArgumentException("study state: tell of trial " + id + ", which is not asked or not finished");
        }
        s.tellStrategy(s.trials.get(id - 1));
        s.ops.add(new int[] {TELL, id});
      } else {
        throw new IllegalArgumentException("study state: unknown call '" + kind + "'");
      }
    }
    if (s.trials.size() != recorded.size()) throw new IllegalArgumentException("study state: " + recorded.size() + " trials but " + s.trials.size() + " asks");
    long finished = s.trials.stream().filter(t -> t.state.finished()).count();
    long tells = s.ops.stream().filter(op -> op[0] == TELL).count();
    if (finished != tells) throw new IllegalArgumentException("study state: " + finished + " finished trials but " + tells + " tells");
    return s;
  }

  private static int[] ints(Object v) {
    List<?> l = (List<?>) v;
    int[] d = new int[l.size()];
    for (int i = 0; i < d.length; i++) d[i] = ((Number) l.get(i)).intValue();
    return d;
  }

  /** Writes {@link #toMap()} to {@code file} atomically (temporary file, fsync, rename). */
  public void save(Path file) throws IOException {
    String text;
    synchronized (this) {
      text = Json.pretty(toMap()) + "\n";
    }
    AtomicFiles.writeString(file, text);
  }

  /**
   * The study saved in {@code file}.
   *
   * @throws IllegalArgumentException naming the file where it is no study state
   */
  public static Study load(Path file) throws IOException {
    try {
      return fromMap(Json.parseObject(Files.readString(file)));
    } catch (IllegalArgumentException | ClassCastException | IndexOutOfBoundsException | NullPointerException e) {
      throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
    }
  }
}
