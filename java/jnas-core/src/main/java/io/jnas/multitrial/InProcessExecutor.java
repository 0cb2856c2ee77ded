package io.jnas.multitrial;

import io.jnas.backend.Backends;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * Runs a round's trials in this process: one trial on the calling thread (with the caller's
 * kernel thread count), or several at once, each on its own Java thread with its own network
 * and {@code threadsPerTrial} CPU kernel threads set for that thread alone
 * ({@link Backends#setThreadCpuThreads}): nothing process-wide changes, so two searches in one
 * JVM do not disturb each other. With one kernel thread per trial, a kernel runs on its
 * caller's thread and never enters the shared native pool: N trials use N cores.
 */
public final class InProcessExecutor implements TrialExecutor {
  private static final AtomicInteger THREADS = new AtomicInteger();

  private final TrialRunner runner;
  private final int parallel;
  private final int threadsPerTrial;
  private ExecutorService pool;

  /**
   * Trials {@code parallel} at a time; with more than one, each with one kernel thread.
   *
   * @param parallel trials at once, at least 1
   */
  public InProcessExecutor(TrialRunner runner, int parallel) {
    this(runner, parallel, parallel > 1 ? 1 : 0);
  }

  /**
   * Trials {@code parallel} at a time, each with {@code threadsPerTrial} kernel threads (0:
   * the calling thread's count, only with {@code parallel} 1).
   */
  public InProcessExecutor(TrialRunner runner, int parallel, int threadsPerTrial) {
    if (parallel < 1) throw new IllegalArgumentException("parallel is " + parallel + ", expected at least 1");
    if (threadsPerTrial < 0 || (threadsPerTrial == 0 && parallel > 1)) {
      throw new IllegalArgumentException("threads per trial is " + threadsPerTrial + ", expected at least 1 with parallel trials");
    }
    this.runner = Objects.requireNonNull(runner, "runner");
    this.parallel = parallel;
    this.threadsPerTrial = threadsPerTrial;
  }

  @Override
  public String id() {
    return "inprocess";
  }

  @Override
  public int threadsPerTrial() {
    return threadsPerTrial > 0 ? threadsPerTrial : Backends.cpuThreads();
  }

  @Override
  public List<TrialResult> run(List<TrialTask> round, TrialListener listener, BooleanSupplier cancelled) throws InterruptedException {
    List<TrialResult> out = new ArrayList<>();
    if (parallel == 1 || round.size() == 1 && threadsPerTrial == 0) {
      for (TrialTask t : round) out.add(onThisThread(t, listener, cancelled));
      return out;
    }
    if (pool == null) {
      pool = Executors.newFixedThreadPool(parallel, r -> {
        Thread t = new Thread(r, "jnas-trial-" + THREADS.incrementAndGet());
        t.setDaemon(true);
        return t;
      });
    }
    List<Future<TrialResult>> fs = new ArrayList<>();
    for (TrialTask t : round) fs.add(pool.submit(() -> onThisThread(t, listener, cancelled)));
    CancellationException cancel = null;
    for (Future<TrialResult> f : fs) {
      try {
        out.add(f.get());
      } catch (ExecutionException e) {
        if (e.getCause() instanceof CancellationException c) {
          cancel = c;
          continue;
        }
        // TrialRunner turns every exception into a result; an Error lands here
        throw new IllegalStateException("trial thread died: " + e.getCause(), e.getCause());
      }
    }
    if (cancel != null) throw cancel;
    return out;
  }

  /** One trial on the calling thread, with this executor's kernel thread count for it. */
  private TrialResult onThisThread(TrialTask t, TrialListener listener, BooleanSupplier cancelled) {
    if (threadsPerTrial == 0) return runner.run(t, listener, cancelled);
    int before = Backends.setThreadCpuThreads(threadsPerTrial);
    try {
      return runner.run(t, listener, cancelled);
    } finally {
      Backends.setThreadCpuThreads(before);
    }
  }

  @Override
  public void close() {
    if (pool != null) pool.shutdownNow();
    pool = null;
  }
}
