/**
 * Plots written as PNG with Java2D (headless): {@link io.jnas.plot.LinePlot} (curves with
 * shaded bands, e.g. best-so-far accuracy against queries), {@link io.jnas.plot.ScatterPlot}
 * (point clouds with a highlighted front, e.g. accuracy against parameters and its Pareto front),
 * {@link io.jnas.plot.ConfusionPlot}, and cell diagrams: {@link io.jnas.plot.CellPicture} draws a
 * {@link io.jnas.plot.CellGraph} (a cell described without any search space's types) as SVG or
 * PNG, with a layered layout in the manner of graphviz's dot.
 */
package io.jnas.plot;
