/**
 * Search strategies behind one ask/tell interface ({@link io.jnas.strategy.Strategy}):
 * random, grid, regularized evolution, Bayesian optimization with an MLP-ensemble predictor;
 * {@link io.jnas.strategy.Strategies#registry()} names them for the commands. Every strategy
 * is seeded at construction: the same seed and the same rewards give the same proposals.
 */
package io.jnas.strategy;
