/**
 * The ENAS micro search space (Pham et al. 2018): ops ({@link io.jnas.enas.EnasOp}), cells and
 * architectures as records that round-trip to the ENAS integer string, JSON and a readable
 * form ({@link io.jnas.enas.EnasArch}), the space as a {@link io.jnas.space.SearchSpace}
 * ({@link io.jnas.enas.EnasMicroSpace}), and cell pictures ({@link io.jnas.enas.CellDiagram}, for
 * ENAS and genotype cells).
 */
package io.jnas.enas;
