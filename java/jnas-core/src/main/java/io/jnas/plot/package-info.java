/**
 * Plots written as PNG with Java2D (headless): {@link io.jnas.plot.LinePlot} (curves with
 * shaded bands, e.g. best-so-far accuracy against queries) and {@link io.jnas.plot.ScatterPlot}
 * (point clouds with a highlighted front, e.g. accuracy against parameters and its Pareto front).
 */
package io.jnas.plot;
