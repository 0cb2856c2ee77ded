/**
 * The op library: forward and backward of every neural-network op jnas uses, checked at
 * the Java boundary and run by the native backend.
 *
 * <p>Layout is NCHW float32. Gradient rule: every {@code *Backward} adds into its gradient
 * tensors (the caller zeroes them); a {@code null} gradient is skipped. A bad argument is an
 * {@link java.lang.IllegalArgumentException} naming the op, the argument and what was
 * expected; nothing invalid reaches native code.
 */
package io.jnas.ops;
