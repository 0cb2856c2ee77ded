/**
 * jnas as a library: typed, embeddable searches.
 *
 * <ul>
 *   <li>{@link io.jnas.api.Search}: {@link io.jnas.api.Search#enas} (ENAS micro, weight sharing)
 *       and {@link io.jnas.api.Search#multiTrial} (every proposal trained with proxies); run on
 *       the calling thread, cancel from any thread, run again to continue.
 *   <li>Specs, immutable and built with builders: {@link io.jnas.api.EnasSpec},
 *       {@link io.jnas.api.MultiTrialSpec}; data as a spec or in memory:
 *       {@link io.jnas.api.SearchData}.
 *   <li>Results, typed: {@link io.jnas.api.EnasResult}, {@link io.jnas.api.MultiTrialResult}.
 *   <li>Listeners: {@link io.jnas.api.SearchListener} hears {@link io.jnas.api.StepEvent}s,
 *       {@link io.jnas.api.EpochEvent}s and trials.
 * </ul>
 *
 * <p>A search changes no process-wide state: its kernel thread count is set per thread
 * ({@link io.jnas.backend.Backends#setThreadCpuThreads}), so two searches in one JVM run side by
 * side, each as it would alone. Ask/tell studies with trial objects and pruners are in
 * {@code io.jnas.study}.
 */
package io.jnas.api;
