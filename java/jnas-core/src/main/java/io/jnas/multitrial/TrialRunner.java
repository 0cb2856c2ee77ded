package io.jnas.multitrial;

import io.jnas.genotype.Genotype;
import io.jnas.objective.Constraint;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

/**
 * Runs one trial start to end with an evaluator: build and measure, reject on a constraint,
 * train epoch by epoch under the early-stopping rule. The same code runs a trial on the
 * driver's threads ({@link InProcessExecutor}) and on a Spark executor, so both make the same
 * {@link TrialResult} for the same task.
 */
public final class TrialRunner {
  private final TrialSettings s;
  private final TrialEvaluator evaluator;

  /** A runner of trials under {@code settings}, built and trained by {@code evaluator}. */
  public TrialRunner(TrialSettings settings, TrialEvaluator evaluator) {
    this.s = settings.check();
    this.evaluator = Objects.requireNonNull(evaluator, "evaluator");
  }

  /** The settings. */
  public TrialSettings settings() {
    return s;
  }

  /**
   * One trial, start to end. A failure is a result ({@link TrialResult.Status#FAILED} with the
   * message), never an exception, except cancellation.
   *
   * @param listener hears the trial's steps, epochs and progress lines
   * @param cancelled polled after every step
   * @throws CancellationException where {@code cancelled} became true while the trial ran
   */
  public TrialResult run(TrialTask task, TrialListener listener, BooleanSupplier cancelled) {
    long t0 = System.nanoTime();
    int id = task.id();
    int[] d = task.decisions();
    Genotype g = null;
    long params = -1;
    double flops = Double.NaN, latency = Double.NaN;
    List<Double> acc = new ArrayList<>();
    String[] stopReason = {null};
    List<List<Double>> finished = task.finished();
    try (TrialEvaluator.Candidate c = evaluator.prepare(id, d)) {
      g = c.genotype();
      params = c.params();
      flops = c.flops();
      latency = c.latencyMs();
      String broken = broken(params, flops, latency);
      if (broken != null) return result(id, d, g, TrialResult.Status.REJECTED, broken, acc, params, flops, latency, t0);
      listener.progress(String.format(Locale.ROOT, "trial %d/%d%s: training (%,d params, %.2f MFLOPs, %.2f ms/batch)", id, s.trials,
          task.origin(), params, flops / 1e6, latency));
      c.train(new TrialEvaluator.EpochHook() {
        @Override
        public boolean afterEpoch(int epoch, double a) {
          acc.add(a);
          listener.onEpoch(id, epoch + 1, s.epochs, a);
          if (s.epochs > 1) {
            listener.progress(String.format(Locale.ROOT, "trial %d/%d: epoch %d/%d val acc %.4f", id, s.trials, epoch + 1, s.epochs, a));
          }
          if (!s.earlyStopping.shouldStop(epoch, s.epochs, a, finished)) return false;
          stopReason[0] = String.format(Locale.ROOT, "%s rule after epoch %d of %d: accuracy %.4f against %d finished trials",
              s.earlyStopping.id(), epoch + 1, s.epochs, a, count(finished, epoch));
          return true;
        }

        @Override
        public void afterStep(int epoch, int step, double loss) {
          listener.onStep(id, epoch + 1, step + 1, loss);
          if (cancelled.getAsBoolean()) throw new CancellationException("trial " + id + " cancelled in epoch " + (epoch + 1));
        }
      });
      if (acc.isEmpty()) throw new IllegalStateException("training ran no epoch");
      TrialResult.Status st = stopReason[0] != null ? TrialResult.Status.STOPPED : TrialResult.Status.OK;
      return result(id, d, g, st, stopReason[0], acc, params, flops, latency, t0);
    } catch (CancellationException e) {
      throw e;
    } catch (Exception | StackOverflowError | AssertionError e) {
      return failed(id, d, g, e, acc, params, flops, latency, t0);
    }
  }

  /** A failed trial's result: the exception's message as the reason. */
  static TrialResult failed(int id, int[] d, Genotype g, Throwable e, List<Double> acc, long params, double flops, double latency,
      long t0) {
    String msg = e.getMessage() == null ? e.toString() : e.getClass().getSimpleName() + ": " + e.getMessage();
    return result(id, d, g, TrialResult.Status.FAILED, msg, acc, params, flops, latency, t0);
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
}
