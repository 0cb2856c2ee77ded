package io.jnas.multitrial;

import io.jnas.genotype.Genotype;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What one trial of a {@link MultiTrialSearch} came to: kept for every trial, whatever its
 * status, one line of {@code trials.jsonl}.
 *
 * @param id trial number, from 1, in the order the strategy proposed them
 * @param decisions the decision vector (for the ENAS micro space, the ENAS integer string)
 * @param genotype the cells trained, or null where decoding failed
 * @param status how it ended
 * @param reason why it was stopped, rejected or failed (null for {@link Status#OK})
 * @param accuracies validation accuracy after each epoch run, in [0, 1]
 * @param params learned weights without the auxiliary head (-1: unknown, the net was never built)
 * @param flops forward FLOPs per image (NaN: unknown)
 * @param latencyMs median milliseconds of one {@code predict} of a batch (NaN: unknown)
 * @param seconds wall time of the trial (building, measuring, training, validating)
 */
public record TrialResult(int id, int[] decisions, Genotype genotype, Status status, String reason,
    List<Double> accuracies, long params, double flops, double latencyMs, double seconds) {

  /** How a trial ended. */
  public enum Status {
    /** Trained for every epoch. */
    OK,
    /** Stopped early by the stopping rule; its accuracy is the last one measured. */
    STOPPED,
    /** Threw; {@code reason} holds the message. The search went on. */
    FAILED,
    /** Broke a constraint and was never trained. */
    REJECTED;

    /** Lower-case name used in files. */
    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Copies the arrays. */
  public TrialResult {
    decisions = decisions.clone();
    accuracies = List.copyOf(accuracies);
  }

  /** The last accuracy measured, or NaN where none was. */
  public double accuracy() {
    return accuracies.isEmpty() ? Double.NaN : accuracies.get(accuracies.size() - 1);
  }

  /** Whether it was trained and has an accuracy (OK or STOPPED). */
  public boolean trained() {
    return (status == Status.OK || status == Status.STOPPED) && !accuracies.isEmpty();
  }

  /** The decision vector as the space-separated string that ENAS prints. */
  public String decisionString() {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < decisions.length; i++) sb.append(i == 0 ? "" : " ").append(decisions[i]);
    return sb.toString();
  }

  /** The JSON object of {@code trials.jsonl}. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", id);
    List<Object> d = new ArrayList<>();
    for (int v : decisions) d.add(v);
    m.put("decisions", d);
    m.put("genotype", genotype == null ? null : genotype.toMap());
    m.put("status", status.id());
    m.put("reason", reason);
    m.put("accuracy", new ArrayList<Object>(accuracies));
    m.put("final_accuracy", accuracy());
    m.put("epochs_run", accuracies.size());
    m.put("params", params < 0 ? null : params);
    m.put("flops", flops);
    m.put("latency_ms", latencyMs);
    m.put("seconds", seconds);
    return m;
  }

  /**
   * The trial of a {@code trials.jsonl} line ({@link #toMap()}); unknown measures ({@code null})
   * become -1 and NaN.
   *
   * @throws IllegalArgumentException naming the field that is missing or malformed
   */
  public static TrialResult fromMap(Map<String, Object> m) {
    Object id = m.get("id");
    if (!(id instanceof Number)) throw new IllegalArgumentException("trial: 'id' is " + id + ", expected a number");
    if (!(m.get("decisions") instanceof List<?> dl)) throw new IllegalArgumentException("trial " + id + ": no 'decisions' list");
    int[] d = new int[dl.size()];
    for (int i = 0; i < d.length; i++) d[i] = ((Number) dl.get(i)).intValue();
    Genotype g = m.get("genotype") instanceof Map<?, ?> gm ? Genotype.fromMap(cast(gm)) : null;
    Status st = null;
    for (Status v : Status.values()) if (v.id().equals(m.get("status"))) st = v;
    if (st == null) throw new IllegalArgumentException("trial " + id + ": status is " + m.get("status") + ", expected ok, stopped, failed or rejected");
    List<Double> acc = new ArrayList<>();
    if (m.get("accuracy") instanceof List<?> al) for (Object a : al) acc.add(a == null ? Double.NaN : ((Number) a).doubleValue());
    return new TrialResult(((Number) id).intValue(), d, g, st, m.get("reason") == null ? null : String.valueOf(m.get("reason")), acc,
        m.get("params") instanceof Number p ? p.longValue() : -1, orNaN(m.get("flops")), orNaN(m.get("latency_ms")),
        orNaN(m.get("seconds")));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> cast(Map<?, ?> m) {
    return (Map<String, Object>) m;
  }

  private static double orNaN(Object v) {
    return v instanceof Number n ? n.doubleValue() : Double.NaN;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TrialResult t && id == t.id && Arrays.equals(decisions, t.decisions) && status == t.status
        && java.util.Objects.equals(reason, t.reason) && accuracies.equals(t.accuracies) && params == t.params
        && Double.compare(flops, t.flops) == 0;
  }

  @Override
  public int hashCode() {
    return 31 * id + Arrays.hashCode(decisions);
  }
}
