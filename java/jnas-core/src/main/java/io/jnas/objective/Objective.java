package io.jnas.objective;

/** A quantity an architecture is judged by, with the direction that is better. */
public enum Objective {
  /** Accuracy (percent or fraction), maximized. */
  ACCURACY("accuracy", Direction.MAXIMIZE),
  /** Number of parameters, minimized. */
  PARAMS("params", Direction.MINIMIZE),
  /** Floating-point operations of one forward pass, minimized. */
  FLOPS("flops", Direction.MINIMIZE),
  /** Latency of one forward pass (seconds or milliseconds), minimized. */
  LATENCY("latency", Direction.MINIMIZE);

  /** Which way is better. */
  public enum Direction {
    /** Larger is better. */
    MAXIMIZE,
    /** Smaller is better. */
    MINIMIZE
  }

  private final String id;
  private final Direction direction;

  Objective(String id, Direction direction) {
    this.id = id;
    this.direction = direction;
  }

  /** The name used in files and on the command line, e.g. {@code params}. */
  public String id() {
    return id;
  }

  /** Which way is better. */
  public Direction direction() {
    return direction;
  }

  /** Whether {@code a} is strictly better than {@code b} on this objective. */
  public boolean better(double a, double b) {
    return direction == Direction.MAXIMIZE ? a > b : a < b;
  }

  /**
   * The objective of a name.
   *
   * @throws IllegalArgumentException naming the choices
   */
  public static Objective of(String id) {
    for (Objective o : values()) if (o.id.equals(id)) return o;
    throw new IllegalArgumentException("unknown objective '" + id + "', expected accuracy, params, flops or latency");
  }
}
