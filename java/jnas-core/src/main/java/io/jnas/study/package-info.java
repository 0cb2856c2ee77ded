/**
 * Ask/tell studies with trial identity, for programs that evaluate architectures themselves
 * (and for {@code jnas serve}, which exposes them over HTTP).
 *
 * <ul>
 *   <li>{@link io.jnas.study.Study}: {@code ask()} a {@link io.jnas.study.Trial},
 *       {@link io.jnas.study.Trial#report report} intermediate values,
 *       {@link io.jnas.study.Trial#shouldPrune()}, then {@code tell} values, pruned or failed;
 *       the Pareto front of several {@link io.jnas.study.StudyObjective}s; a state that
 *       restores exactly ({@link io.jnas.study.Study#toMap()}, {@link io.jnas.study.Study#load}).
 *   <li>{@link io.jnas.study.StudySpec}: space, strategy, objectives, seed, pruner; its JSON form
 *       names the field that is wrong.
 *   <li>{@link io.jnas.study.Pruner}: median stopping and asynchronous successive halving
 *       ({@link io.jnas.study.Pruners}); {@link io.jnas.multitrial.EarlyStopping}'s rules are
 *       these pruners.
 *   <li>Spaces by description ({@link io.jnas.study.StudySpaces}): ENAS micro, NAS-Bench-201,
 *       NAS-Bench-101, and {@link io.jnas.study.CategoricalSpace} for any categorical decisions.
 * </ul>
 */
package io.jnas.study;
