package io.jnas.multitrial;

import io.jnas.study.Pruner;
import io.jnas.study.Pruners;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * When to stop a trial before its last epoch, judged against the trials already finished
 * (trained to the end or stopped) that reached the same epoch; each rule is a study
 * {@link Pruner} ({@link #pruner()}). A rule never stops a trial at
 * its last epoch (nothing would be saved) and needs {@link #MIN_REFERENCE} finished trials at
 * that epoch before it stops anything.
 */
public enum EarlyStopping {
  /** Every trial trains for all its epochs. */
  NONE,
  /**
   * Median stopping (Golovin et al. 2017, Vizier): stop where the accuracy after epoch
   * {@code e} is below the median of the finished trials' accuracies after epoch {@code e}.
   */
  MEDIAN,
  /**
   * Asynchronous successive halving (Li et al. 2020, ASHA) with reduction factor
   * {@link #ETA}: at the rungs (after epochs 1, 3, 9, ...), keep going only where the accuracy
   * is in the top {@code 1/ETA} of the finished trials' accuracies at that rung, itself
   * counted.
   */
  HALVING;

  /** Finished trials needed at an epoch before a rule stops anything there. */
  public static final int MIN_REFERENCE = 3;
  /** Reduction factor of {@link #HALVING}. */
  public static final int ETA = 3;

  /** Lower-case name used on the command line and in files. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The rule of a name.
   *
   * @throws IllegalArgumentException naming the choices
   */
  public static EarlyStopping of(String id) {
    for (EarlyStopping e : values()) if (e.id().equals(id)) return e;
    throw new IllegalArgumentException("unknown early stopping '" + id + "', expected none, median or halving");
  }

  /**
   * Whether a trial stops after {@code epoch}.
   *
   * @param epoch the epoch just finished, from 0
   * @param epochs the trial's epochs in all
   * @param accuracy its validation accuracy after {@code epoch}
   * @param finished the accuracy curves of the finished trials (each a list by epoch)
   */
  public boolean shouldStop(int epoch, int epochs, double accuracy, List<List<Double>> finished) {
    if (this == NONE || epoch >= epochs - 1) return false;
    List<Double> ref = new ArrayList<>();
    for (List<Double> c : finished) if (c.size() > epoch) ref.add(c.get(epoch));
    return pruner().shouldPrune(epoch + 1, accuracy, ref, true);
  }

  /**
   * The rule as a {@link Pruner} over steps = epochs from 1 (the one interface of studies and
   * this search): {@link Pruners#median}{@code (MIN_REFERENCE, 0)},
   * {@link Pruners#successiveHalving}{@code (1, ETA, MIN_REFERENCE)} or {@link Pruners#none()}.
   */
  public Pruner pruner() {
    return switch (this) {
      case NONE -> Pruners.none();
      case MEDIAN -> Pruners.median(MIN_REFERENCE, 0);
      case HALVING -> Pruners.successiveHalving(1, ETA, MIN_REFERENCE);
    };
  }

  /** Whether {@code epochsDone} is a rung of halving: 1, ETA, ETA^2, ... */
  static boolean isRung(int epochsDone) {
    int r = 1;
    while (r < epochsDone) r *= ETA;
    return r == epochsDone;
  }
}
