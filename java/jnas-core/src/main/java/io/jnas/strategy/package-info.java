/**
 * Search strategies behind one ask/tell interface ({@link io.jnas.strategy.Strategy}):
 * random, grid, regularized evolution, REINFORCE, Bayesian optimization.
 */
package io.jnas.strategy;
