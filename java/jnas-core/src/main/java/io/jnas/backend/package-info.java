/**
 * The engine layer, and the only package that reaches native code: the backends a network
 * runs on ({@link io.jnas.backend.Backend}, chosen by {@link io.jnas.backend.Backends}: cpu,
 * cuda, hostblind, dry), the base of the native networks ({@link io.jnas.backend.NativeNetwork},
 * with {@link io.jnas.backend.NetworkPlan}), and the checked single kernels
 * ({@link io.jnas.backend.Kernels}) that the op API ({@code io.jnas.ops}) and the benchmarks
 * call. The JavaCPP binding of {@code native/jnas.h} is package-private; every method here
 * checks its arguments before it calls in, so no call from Java crashes the JVM.
 * {@code docs/engine.md} describes the whole design.
 */
package io.jnas.backend;
