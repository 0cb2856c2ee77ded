package io.jnas.objective;

import io.jnas.plot.ScatterPlot;
import io.jnas.util.AtomicFiles;
import io.jnas.util.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The non-dominated set of candidates under several objectives and constraints. A candidate
 * dominates another when it is at least as good on every objective and strictly better on one;
 * candidates violating a constraint are left out (they are neither on the front nor dominate).
 * Candidates with equal values are all kept. O(n^2) in the number of candidates.
 */
public final class ParetoFront {
  /**
   * A candidate: an identifier (a genotype string, a trial id) and its values, one per
   * objective in the front's order.
   *
   * @param id the candidate's identifier
   * @param values one value per objective
   */
  public record Point(String id, double[] values) {}

  private final List<Objective> objectives;
  private final List<Constraint> constraints;
  private final List<Point> points = new ArrayList<>();

  /**
   * A front over {@code objectives} (at least one, no repeats), keeping only candidates that meet
   * every constraint; a constraint's objective must be one of {@code objectives}.
   */
  public ParetoFront(List<Objective> objectives, List<Constraint> constraints) {
    if (objectives.isEmpty() || objectives.stream().distinct().count() != objectives.size()) {
      throw new IllegalArgumentException("pareto: objectives must be non-empty and distinct, got " + objectives);
    }
    for (Constraint c : constraints) {
      if (!objectives.contains(c.objective())) {
        throw new IllegalArgumentException("pareto: constraint " + c + " is on an objective not in " + objectives);
      }
    }
    this.objectives = List.copyOf(objectives);
    this.constraints = List.copyOf(constraints);
  }

  /** The objectives, in value order. */
  public List<Objective> objectives() {
    return objectives;
  }

  /**
   * Adds a candidate.
   *
   * @throws IllegalArgumentException where the number of values is wrong or one is not finite
   */
  public ParetoFront add(String id, double... values) {
    if (values.length != objectives.size()) {
      throw new IllegalArgumentException("pareto: " + id + " has " + values.length + " values, expected " + objectives.size());
    }
    for (double v : values) if (!Double.isFinite(v)) throw new IllegalArgumentException("pareto: " + id + " has a non-finite value");
    points.add(new Point(id, values.clone()));
    return this;
  }

  /** Every candidate added, in order. */
  public List<Point> all() {
    return List.copyOf(points);
  }

  /** Whether {@code p} meets every constraint. */
  public boolean feasible(Point p) {
    for (Constraint c : constraints) if (!c.test(p.values()[objectives.indexOf(c.objective())])) return false;
    return true;
  }

  /** Whether {@code a} dominates {@code b}. */
  public boolean dominates(Point a, Point b) {
    boolean strictly = false;
    for (int i = 0; i < objectives.size(); i++) {
      Objective o = objectives.get(i);
      if (o.better(b.values()[i], a.values()[i])) return false;
      if (o.better(a.values()[i], b.values()[i])) strictly = true;
    }
    return strictly;
  }

  /** The feasible candidates no feasible candidate dominates, in the order added. */
  public List<Point> front() {
    List<Point> feas = new ArrayList<>();
    for (Point p : points) if (feasible(p)) feas.add(p);
    List<Point> out = new ArrayList<>();
    for (Point p : feas) {
      boolean dominated = false;
      for (Point q : feas) {
        if (q != p && dominates(q, p)) {
          dominated = true;
          break;
        }
      }
      if (!dominated) out.add(p);
    }
    return out;
  }

  /**
   * The JSON form: {@code objectives: [{name, direction}], constraints: ["params<=1e6"],
   * front: [{id, <objective>: value, ...}], candidates: N, feasible: M}.
   */
  public Map<String, Object> toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    List<Object> os = new ArrayList<>();
    for (Objective o : objectives) os.add(Map.of("name", o.id(), "direction", o.direction().name().toLowerCase()));
    m.put("objectives", os);
    List<Object> cs = new ArrayList<>();
    for (Constraint c : constraints) cs.add(c.toString());
    m.put("constraints", cs);
    m.put("candidates", points.size());
    m.put("feasible", points.stream().filter(this::feasible).count());
    List<Object> f = new ArrayList<>();
    for (Point p : front()) {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("id", p.id());
      for (int i = 0; i < objectives.size(); i++) e.put(objectives.get(i).id(), p.values()[i]);
      f.add(e);
    }
    m.put("front", f);
    return m;
  }

  /** Writes {@link #toJson()} atomically. */
  public void writeJson(Path path) throws IOException {
    AtomicFiles.writeString(path, Json.pretty(toJson()) + "\n");
  }

  /**
   * A scatter plot of two objectives: all feasible candidates, with the front (computed on
   * those two objectives alone) highlighted. {@code x} is drawn on a log axis where it is
   * params or flops and every value is positive.
   */
  public ScatterPlot plot(Objective x, Objective y, String title) {
    int ix = objectives.indexOf(x), iy = objectives.indexOf(y);
    if (ix < 0 || iy < 0 || ix == iy) throw new IllegalArgumentException("pareto: plot needs two distinct objectives of " + objectives);
    ParetoFront two = new ParetoFront(List.of(x, y), List.of());
    List<Point> feas = new ArrayList<>();
    for (Point p : points) if (feasible(p)) feas.add(p);
    for (Point p : feas) two.add(p.id(), p.values()[ix], p.values()[iy]);
    double[] ax = new double[feas.size()], ay = new double[feas.size()];
    boolean positive = true;
    for (int k = 0; k < feas.size(); k++) {
      ax[k] = feas.get(k).values()[ix];
      ay[k] = feas.get(k).values()[iy];
      positive &= ax[k] > 0;
    }
    List<Point> f = two.front();
    double[] fx = new double[f.size()], fy = new double[f.size()];
    for (int k = 0; k < f.size(); k++) {
      fx[k] = f.get(k).values()[0];
      fy[k] = f.get(k).values()[1];
    }
    return new ScatterPlot(title, x.id(), y.id())
        .logX(positive && (x == Objective.PARAMS || x == Objective.FLOPS))
        .points("candidates (" + feas.size() + ")", ax, ay)
        .front("Pareto front (" + f.size() + ")", fx, fy, y.direction() == Objective.Direction.MAXIMIZE);
  }
}
