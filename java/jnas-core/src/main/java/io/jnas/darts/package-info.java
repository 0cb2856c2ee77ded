/**
 * Differentiable architecture search: DARTS (Liu et al. 2019, first and second order) and
 * GDAS (Dong &amp; Yang 2019) on any {@link io.jnas.darts.RelaxedNetwork} (the NAS-Bench-201
 * search network, DARTS's own search network {@link io.jnas.darts.DartsSearchNetwork}); the
 * architecture gradients ({@link io.jnas.darts.Relaxation}) and the search on DARTS's cell space
 * ending in a genotype ({@link io.jnas.darts.DartsSearch}). See docs/oneshot.md.
 */
package io.jnas.darts;
