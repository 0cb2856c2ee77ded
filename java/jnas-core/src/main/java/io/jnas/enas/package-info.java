/**
 * ENAS (Pham et al. 2018). The micro space: ops ({@link io.jnas.enas.EnasOp}), cells and
 * architectures as records that round-trip to the ENAS integer string, JSON and a readable
 * form ({@link io.jnas.enas.EnasArch}), the space as a {@link io.jnas.space.SearchSpace}
 * ({@link io.jnas.enas.EnasMicroSpace}), its weight-shared {@link io.jnas.enas.Supernet}, and cell
 * pictures ({@link io.jnas.enas.CellDiagram}, for ENAS and genotype cells). The macro space:
 * architectures ({@link io.jnas.enas.MacroArch}), the space ({@link io.jnas.enas.EnasMacroSpace}),
 * the fixed and weight-shared networks ({@link io.jnas.enas.MacroNetwork},
 * {@link io.jnas.enas.MacroSupernet}), their final training ({@link io.jnas.enas.MacroTrainer}) and
 * trained weights on disk ({@link io.jnas.enas.MacroWeightsFile}), and layer graphs
 * ({@link io.jnas.enas.MacroDiagram}). The
 * search of either space: {@link io.jnas.enas.EnasSearch} with {@link io.jnas.enas.SearchSettings}.
 */
package io.jnas.enas;
