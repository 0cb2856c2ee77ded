package io.jnas.spark;

import io.jnas.multitrial.TrialExecutor;
import io.jnas.multitrial.TrialExecutorFactory;
import io.jnas.multitrial.TrialSettings;
import java.util.Map;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code --executor spark}: registered for {@link java.util.ServiceLoader}; makes {@link SparkTrialExecutor}s. */
public final class SparkExecutorFactory implements TrialExecutorFactory {
  private static final Pattern LOCAL = Pattern.compile("local(?:\\[(\\d+|\\*)(?:,\\s*\\d+)?\\])?");

  @Override
  public String id() {
    return "spark";
  }

  /** The master: the {@code master} option, else spark-submit's {@code spark.master}, else null. */
  static String master(Map<String, String> options) {
    String m = options.get("master");
    return m != null ? m : System.getProperty("spark.master");
  }

  /** {@code local}: 1, {@code local[N]} and {@code local[N,F]}: N, {@code local[*]}: the cores; a cluster: empty. */
  @Override
  public OptionalInt parallelism(Map<String, String> options) {
    String m = master(options);
    if (m == null) return OptionalInt.empty();
    Matcher x = LOCAL.matcher(m.strip());
    if (!x.matches()) return OptionalInt.empty();
    if (x.group(1) == null) return OptionalInt.of(1);
    if (x.group(1).equals("*")) return OptionalInt.of(Runtime.getRuntime().availableProcessors());
    return OptionalInt.of(Integer.parseInt(x.group(1)));
  }

  @Override
  public TrialExecutor create(TrialSettings settings, Map<String, String> options) {
    return new SparkTrialExecutor(settings, master(options));
  }
}
