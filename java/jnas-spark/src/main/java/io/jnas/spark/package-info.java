/**
 * Multi-trial search on Apache Spark: {@link io.jnas.spark.SparkTrialExecutor} runs each trial
 * as a Spark task ({@code jnas multitrial --executor spark --master local[2]}, or a cluster
 * through {@code spark-submit}); the strategy stays on the driver.
 */
package io.jnas.spark;
