/**
 * Search spaces and their decision-vector encoding ({@link io.jnas.space.SearchSpace}), by name
 * in {@link io.jnas.space.Spaces}: the cell spaces of the final network
 * ({@link io.jnas.space.CellSpace}: ENAS micro, NASNet and AmoebaNet, {@link io.jnas.space.NasNetSpace}),
 * NAS-Bench-201 ({@link io.jnas.space.NasBench201Space}, cells {@link io.jnas.space.Nb201Cell})
 * and NAS-Bench-101 ({@link io.jnas.space.NasBench101Space}, cells
 * {@link io.jnas.space.Nb101Cell}); ops are enums.
 */
package io.jnas.space;
