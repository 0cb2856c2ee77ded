/**
 * Discrete architectures for final training: {@link io.jnas.genotype.Genotype} (a DARTS-style
 * genotype, two {@code (op, input)} genes per node and a concat list per cell), its
 * {@link io.jnas.genotype.Op}s, the published cells as named constants, and conversion from an
 * ENAS micro architecture.
 *
 * <p>{@code Genotype.resolve("darts-v2")}, {@code Genotype.resolve("my-arch.json")} and
 * {@code Genotype.resolve("0 2 0 0 ...")} (an ENAS integer string) all give a genotype that
 * {@link io.jnas.train.FinalNetwork} builds.
 */
package io.jnas.genotype;
