/**
 * Multi-trial architecture search: every proposed architecture is trained for real, from
 * scratch, with cheap proxies, and scored on held-out validation images.
 *
 * <ul>
 *   <li>{@link io.jnas.multitrial.MultiTrialSearch}: the loop; a {@link io.jnas.strategy.Strategy}
 *       asks, trials run (in parallel rounds), results are told; writes {@code trials.jsonl},
 *       {@code pareto.json}, {@code pareto.png} and {@code summary.json}.
 *   <li>{@link io.jnas.multitrial.TrialEvaluator}: build and measure, then train; the seam where
 *       tests inject failures. {@link io.jnas.multitrial.ProxyTrainer} is the real one: an ENAS
 *       micro architecture as a {@link io.jnas.train.FinalNetwork} on a subset of the images at a
 *       lower resolution, few epochs, small layers and channels, no auxiliary head.
 *   <li>{@link io.jnas.multitrial.EarlyStopping}: median stopping or asynchronous successive
 *       halving against the finished trials.
 *   <li>{@link io.jnas.multitrial.TrialSettings} and {@link io.jnas.multitrial.TrialResult}: what
 *       goes in, what comes out of each trial (ok, stopped, failed or rejected, with a reason).
 * </ul>
 */
package io.jnas.multitrial;
