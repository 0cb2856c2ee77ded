package io.jnas.multitrial;

import java.util.Map;
import java.util.OptionalInt;
import java.util.ServiceLoader;

/**
 * Makes {@link TrialExecutor}s of one kind by name, found with {@link ServiceLoader}: a module
 * on the class path that runs trials elsewhere (the {@code jnas-spark} module: {@code spark})
 * registers one in {@code META-INF/services/io.jnas.multitrial.TrialExecutorFactory}, and
 * {@code jnas multitrial --executor NAME} finds it without jnas-core depending on it.
 */
public interface TrialExecutorFactory {
  /** The name {@code --executor} selects, e.g. {@code spark}. */
  String id();

  /**
   * Trials per round that suit the executor's options (e.g. {@code local[4]}: 4), or empty
   * where the caller must say ({@code --parallel}).
   */
  OptionalInt parallelism(Map<String, String> options);

  /**
   * An executor for a search with {@code settings} (its data spec must be readable where the
   * trials run).
   *
   * @param options executor options by name (for Spark: {@code master})
   * @throws IllegalArgumentException for a bad option, named
   */
  TrialExecutor create(TrialSettings settings, Map<String, String> options);

  /** The factory of a name on the class path (the context class loader's), or null. */
  static TrialExecutorFactory find(String id) {
    ClassLoader cl = Thread.currentThread().getContextClassLoader();
    for (TrialExecutorFactory f : ServiceLoader.load(TrialExecutorFactory.class, cl != null ? cl : TrialExecutorFactory.class.getClassLoader())) {
      if (f.id().equals(id)) return f;
    }
    return null;
  }
}
