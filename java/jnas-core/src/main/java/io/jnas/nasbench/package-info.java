/**
 * NAS-Bench-201: the table ({@link io.jnas.nasbench.NasBench201Table}), the runner that pits
 * strategies against it over several seeds ({@link io.jnas.nasbench.BenchmarkRunner}) and its
 * run folder ({@link io.jnas.nasbench.BenchmarkReport}); the benchmark's network, natively
 * ({@link io.jnas.nasbench.Nb201Network}: one cell, or the weight-shared search network) and its
 * training recipe ({@link io.jnas.nasbench.Nb201Trainer}); one-shot searches on the search
 * network checked against the table ({@link io.jnas.nasbench.OneShot201}); zero-cost proxies
 * ({@link io.jnas.nasbench.ZeroCost}), their benchmark ({@link io.jnas.nasbench.ProxyBenchmark})
 * and a training-free search ({@link io.jnas.nasbench.ProxySearch}). See docs/oneshot.md.
 */
package io.jnas.nasbench;
