/**
 * Tabular benchmarks: the NAS-Bench-201 table ({@link io.jnas.nasbench.NasBench201Table}), the
 * runner that pits strategies against it over several seeds
 * ({@link io.jnas.nasbench.BenchmarkRunner}), and the run folder it writes
 * ({@link io.jnas.nasbench.BenchmarkReport}).
 */
package io.jnas.nasbench;
