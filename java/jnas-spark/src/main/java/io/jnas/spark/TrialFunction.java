package io.jnas.spark;

import io.jnas.backend.Backends;
import io.jnas.enas.EnasMicroSpace;
import io.jnas.data.Datasets;
import io.jnas.multitrial.ProxyTrainer;
import io.jnas.multitrial.TrialListener;
import io.jnas.multitrial.TrialRunner;
import io.jnas.multitrial.TrialSettings;
import io.jnas.multitrial.TrialTask;
import io.jnas.util.Json;
import org.apache.spark.api.java.function.Function;

/**
 * What a Spark task runs: one trial, from its {@link TrialTask} as JSON to its
 * {@link io.jnas.multitrial.TrialResult} as JSON (plain strings cross the wire; doubles are
 * written in full, so the result is the one the executor made, to the bit). On the executor the
 * first task of a search loads the native library (from the jnas jar, through JavaCPP) and
 * prepares the proxy data from the settings' data spec, which must name data readable there (a
 * shared folder, or {@code synthetic}); later tasks of the same search in that JVM reuse it. Each
 * trial runs with one CPU kernel thread, set for its task's thread only.
 */
final class TrialFunction implements Function<String, String> {
  private static final long serialVersionUID = 1L;
  /** The runner of the last settings this JVM saw (one search at a time per executor, typically). */
  private static String cachedSettings;
  private static TrialRunner cachedRunner;

  private final String settingsJson;

  TrialFunction(String settingsJson) {
    this.settingsJson = settingsJson;
  }

  /** The runner of these settings in this JVM, prepared once. */
  static synchronized TrialRunner runner(String settingsJson) {
    if (!settingsJson.equals(cachedSettings)) {
      cachedRunner = null;
      TrialSettings s = TrialSettings.fromMap(Json.parseObject(settingsJson));
      EnasMicroSpace space = new EnasMicroSpace(s.nodes);
      cachedRunner = new TrialRunner(s, new ProxyTrainer(s, Datasets.open(s.data), space));
      cachedSettings = settingsJson;
    }
    return cachedRunner;
  }

  @Override
  public String call(String taskJson) {
    TrialRunner runner = runner(settingsJson);
    TrialTask task = TrialTask.fromMap(Json.parseObject(taskJson));
    int before = Backends.setThreadCpuThreads(SparkTrialExecutor.THREADS_PER_TRIAL);
    try {
      return Json.write(runner.run(task, TrialListener.NONE, () -> false).toMap());
    } finally {
      Backends.setThreadCpuThreads(before);
    }
  }
}
