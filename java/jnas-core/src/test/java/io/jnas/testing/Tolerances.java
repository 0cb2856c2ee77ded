package io.jnas.testing;

/**
 * Every numeric tolerance of the test suite, each with its reason. Change them here only.
 */
public final class Tolerances {
  private Tolerances() {}

  /**
   * Finite-difference step. The ops run in float32; the loss is a dot product with a
   * random tensor summed in double. With h = 1e-2 the truncation error of the central
   * difference, O(h^2 f'''), stays under 1e-4 for our smooth ops, and float32 rounding
   * of the loss (about 1e-7 relative of |L|) divided by 2h stays under 1e-3.
   */
  public static final double FD_STEP = 1e-2;

  /**
   * Finite-difference step for whole networks (the supernet test). Through a dozen layers of
   * batch norm over small batches the loss curves much more than one op does, and a step of
   * 1e-2 moved some gradients by 10-20% (measured); 1e-3 and 1e-4 both pass. Rounding stays
   * small: the loss (about 1.4) in float32 is off by about 1e-7 relative, i.e. 1e-4 after
   * dividing by 2h, under FD_ATOL.
   */
  public static final double SUPERNET_FD_STEP = 1e-3;

  /** Gradient check: |analytic - numeric| <= FD_ATOL + FD_RTOL * max(|analytic|, |numeric|). */
  public static final double FD_RTOL = 2e-2;

  /** Absolute floor for near-zero gradients: the float32 rounding noise above. */
  public static final double FD_ATOL = 2e-3;

  /**
   * Fast path against the naive reference, both float32: summation order differs (sgemm
   * blocks, threads), so errors grow like sqrt(K) * 6e-8 * |terms|; K is at most a few
   * thousand in the tests.
   */
  public static final double REF_RTOL = 1e-4;

  /** Absolute floor of the fast-vs-reference check. */
  public static final double REF_ATOL = 1e-4;

  /**
   * Dropout masks: the kept fraction of N independent draws is binomial, with standard
   * deviation sqrt(p(1-p)/N). Five of them bound a fair generator's miss at about 6e-7 per
   * check, while a biased or stuck generator (off by a few percent at N = 20000) still fails.
   */
  public static final double KEEP_FRACTION_SIGMAS = 5;

  /**
   * jnas's own ops against ONNX Runtime running the exported model, both float32: the same
   * sums in another order (ORT's MLAS GEMM and its Conv+BN fusion against jnas's im2col and
   * OpenBLAS), so errors are a few float32 ulps of the partial sums. With weights scaled by
   * 1/sqrt(fan_in), values stay O(1) and K at most a few hundred in the tests, so about 1e-6
   * is expected; 1e-4 absolute leaves room while a wrong pad, shift or layout (errors of
   * order 0.1) still fails.
   */
  public static final double ONNX_ATOL = 1e-4;
}
