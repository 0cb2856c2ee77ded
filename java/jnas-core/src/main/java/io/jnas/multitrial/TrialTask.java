package io.jnas.multitrial;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One trial to run, as the driver hands it to a {@link TrialExecutor}: everything the trial
 * needs besides the search's {@link TrialSettings}, so that it can run on another thread or
 * another machine and come back as a {@link TrialResult}.
 *
 * @param id trial number, from 1
 * @param decisions the decision vector the strategy proposed
 * @param finished the accuracy curves (by epoch, from epoch 1) of the trials finished before
 *     this trial's round: what the early-stopping rule judges it against
 * @param origin how the trial came about, for progress lines (" (mutant of trial 8)"), or ""
 */
public record TrialTask(int id, int[] decisions, List<List<Double>> finished, String origin) {
  /** Copies the arrays and lists. */
  public TrialTask {
    decisions = decisions.clone();
    List<List<Double>> f = new ArrayList<>();
    for (List<Double> c : finished) f.add(List.copyOf(c));
    finished = List.copyOf(f);
    origin = origin == null ? "" : origin;
  }

  /** The JSON form ({@link #fromMap} reads it back exactly: doubles are written in full). */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", id);
    m.put("decisions", decisions);
    m.put("finished", finished);
    m.put("origin", origin);
    return m;
  }

  /**
   * The task of {@link #toMap()}.
   *
   * @throws IllegalArgumentException naming a missing or malformed field
   */
  public static TrialTask fromMap(Map<String, Object> m) {
    if (!(m.get("id") instanceof Number id)) throw new IllegalArgumentException("trial task: 'id' is " + m.get("id") + ", expected a number");
    if (!(m.get("decisions") instanceof List<?> dl)) throw new IllegalArgumentException("trial task: no 'decisions' list");
    int[] d = new int[dl.size()];
    for (int i = 0; i < d.length; i++) d[i] = ((Number) dl.get(i)).intValue();
    List<List<Double>> finished = new ArrayList<>();
    if (m.get("finished") instanceof List<?> fl) {
      for (Object c : fl) {
        List<Double> curve = new ArrayList<>();
        for (Object a : (List<?>) c) curve.add(((Number) a).doubleValue());
        finished.add(curve);
      }
    }
    return new TrialTask(id.intValue(), d, finished, m.get("origin") == null ? "" : String.valueOf(m.get("origin")));
  }
}
