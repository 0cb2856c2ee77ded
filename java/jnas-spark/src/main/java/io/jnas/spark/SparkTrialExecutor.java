package io.jnas.spark;

import io.jnas.enas.EnasMicroSpace;
import io.jnas.genotype.Genotype;
import io.jnas.multitrial.TrialExecutor;
import io.jnas.multitrial.TrialListener;
import io.jnas.multitrial.TrialResult;
import io.jnas.multitrial.TrialSettings;
import io.jnas.multitrial.TrialTask;
import io.jnas.util.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function;

/**
 * Runs a multi-trial search's trials as Apache Spark tasks; the strategy stays on the driver
 * ({@link io.jnas.multitrial.MultiTrialSearch}). Each trial of a round is a one-task Spark job
 * submitted asynchronously, so a round's trials run at once on the executors' task slots and
 * one trial's failure fails only its own job. A task that throws or whose executor is lost is
 * retried by Spark ({@code spark.task.maxFailures}: 4 on a cluster, 1 in {@code local[N]}, F in
 * {@code local[N,F]}); a trial whose job fails after that is recorded {@code failed} with Spark's
 * reason, never lost.
 *
 * <p>Every trial runs with {@value #THREADS_PER_TRIAL} CPU kernel thread, as the in-process
 * executor runs parallel trials, so the same settings and seed give the same trials, to the
 * bit, on either. Trials report only their results back (no per-step events).
 *
 * <p>In {@code local[N]} mode the executors are threads of this JVM (the UI is off and the
 * driver binds to the loopback address); on a cluster, run the driver with {@code spark-submit}
 * (see the README): the executors load jnas's native library from the application jar.
 */
public final class SparkTrialExecutor implements TrialExecutor {
  /** CPU kernel threads of a trial on an executor. */
  static final int THREADS_PER_TRIAL = 1;

  private final TrialSettings settings;
  private final JavaSparkContext jsc;
  private final Function<String, String> task;

  /**
   * Starts a Spark context for the search.
   *
   * @param master the master URL ({@code local[2]}, {@code spark://host:7077}, {@code yarn}), or
   *     null for spark-submit's
   * @throws IllegalArgumentException where no master is given or set
   */
  public SparkTrialExecutor(TrialSettings settings, String master) {
    this(settings, master, new TrialFunction(Json.write(settings.toMap())));
  }

  /** As the public constructor, running {@code task} in each Spark task (tests wrap the real one). */
  SparkTrialExecutor(TrialSettings settings, String master, Function<String, String> task) {
    this.settings = settings.check();
    this.task = task;
    SparkConf conf = new SparkConf().setAppName("jnas multitrial");
    if (master != null) conf.setMaster(master);
    if (!conf.contains("spark.master")) {
      throw new IllegalArgumentException("no Spark master: give --master (local[2], spark://host:7077, yarn) or run the driver with spark-submit");
    }
    if (conf.get("spark.master").startsWith("local")) {
      conf.setIfMissing("spark.ui.enabled", "false");
      conf.setIfMissing("spark.driver.host", "127.0.0.1");
      conf.setIfMissing("spark.driver.bindAddress", "127.0.0.1");
    }
    this.jsc = new JavaSparkContext(conf);
  }

  @Override
  public String id() {
    return "spark";
  }

  @Override
  public int threadsPerTrial() {
    return THREADS_PER_TRIAL;
  }

  /** The Spark context (its master, its default parallelism). */
  public JavaSparkContext context() {
    return jsc;
  }

  @Override
  public List<TrialResult> run(List<TrialTask> round, TrialListener listener, BooleanSupplier cancelled) throws InterruptedException {
    List<JavaFutureAction<List<String>>> jobs = new ArrayList<>();
    long t0 = System.nanoTime();
    for (TrialTask t : round) {
      jsc.setJobDescription("jnas trial " + t.id() + "/" + settings.trials);
      jobs.add(jsc.parallelize(List.of(Json.write(t.toMap())), 1).map(task).collectAsync());
      listener.progress(String.format(Locale.ROOT, "trial %d/%d%s: sent to Spark (%s)", t.id(), settings.trials, t.origin(), jsc.master()));
    }
    List<TrialResult> out = new ArrayList<>();
    try {
      for (int i = 0; i < round.size(); i++) {
        TrialTask t = round.get(i);
        JavaFutureAction<List<String>> job = jobs.get(i);
        while (true) {
          if (cancelled.getAsBoolean()) throw new CancellationException("cancelled while trial " + t.id() + " ran on Spark");
          try {
            List<String> r = job.get(200, TimeUnit.MILLISECONDS);
            out.add(TrialResult.fromMap(Json.parseObject(r.get(0))));
            break;
          } catch (TimeoutException e) {
            // still running
          } catch (ExecutionException e) {
            out.add(failed(t, e.getCause() == null ? e : e.getCause(), t0));
            break;
          }
        }
      }
    } catch (CancellationException | InterruptedException e) {
      for (JavaFutureAction<List<String>> j : jobs) j.cancel(true);
      throw e;
    }
    return out;
  }

  /** The result of a trial whose Spark job failed after Spark's retries: Spark's reason, its first line. */
  private TrialResult failed(TrialTask t, Throwable e, long t0) {
    Genotype g = null;
    try {
      g = Genotype.of(new EnasMicroSpace(settings.nodes).decode(t.decisions()));
    } catch (RuntimeException ignored) {
      // a vector that does not decode: the genotype stays unknown
    }
    String msg = String.valueOf(e.getMessage()).lines().findFirst().orElse(e.toString());
    return new TrialResult(t.id(), t.decisions(), g, TrialResult.Status.FAILED, "spark: " + msg, List.of(), -1, Double.NaN, Double.NaN,
        (System.nanoTime() - t0) / 1e9);
  }

  /** Stops the Spark context. */
  @Override
  public void close() {
    jsc.stop();
  }
}
