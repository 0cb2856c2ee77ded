/**
 * Objectives with their direction ({@link io.jnas.objective.Objective}), bounds on them
 * ({@link io.jnas.objective.Constraint}) and the non-dominated set of candidates
 * ({@link io.jnas.objective.ParetoFront}) with JSON export and a scatter plot.
 */
package io.jnas.objective;
