package io.jnas.ops;

import io.jnas.backend.Kernels;
import io.jnas.tensor.Tensor;

/**
 * Batch normalization per channel over the batch and spatial positions.
 *
 * <p>Shapes: {@code inp} and {@code out} are (B, C, H, W) (any rank of 2 or more: (B, C,
 * ...), the trailing dimensions flattened to HW); every per-channel vector is (C).
 * {@code xhat = (x - mean) * rstd} with {@code rstd = 1/sqrt(var + eps)};
 * {@code out = gamma * xhat + beta}, or {@code xhat} when {@code gamma} and {@code beta} are
 * both {@code null} (affine=False).
 *
 * <p>Training: batch statistics (biased variance) normalize, and the running statistics, when
 * given, move as {@code r = (1 - momentum) * r + momentum * batch} with the unbiased variance
 * (PyTorch's rule). Inference: the running statistics normalize and are not updated. Either
 * way {@code mean} and {@code rstd} receive the statistics used, which backward needs.
 *
 * <p>Gradient rule: {@link #backward} adds into its gradient tensors (the caller zeroes them);
 * a {@code null} gradient is skipped.
 */
public final class BatchNormOps {
  private BatchNormOps() {}

  /**
   * Batch normalization forward.
   *
   * @param out output, the shape of {@code inp}
   * @param mean saved for backward, shape (C): the mean used
   * @param rstd saved for backward, shape (C): {@code 1/sqrt(var + eps)} used
   * @param inp input, shape (B, C, ...) with at least 2 dimensions; in training B*HW must be
   *     at least 2 (a variance of one value is undefined)
   * @param gamma scale, shape (C), or {@code null} together with {@code beta}
   * @param beta shift, shape (C), or {@code null} together with {@code gamma}
   * @param runningMean running mean, shape (C); may be {@code null} (with
   *     {@code runningVar}) in training, required in inference
   * @param runningVar running variance, shape (C); as {@code runningMean}
   * @param eps added to the variance, finite and positive
   * @param momentum weight of the batch statistic in the running update, in [0, 1]
   * @param training batch statistics (true) or running statistics (false)
   */
  public static void forward(Tensor out, Tensor mean, Tensor rstd, Tensor inp, Tensor gamma, Tensor beta,
      Tensor runningMean, Tensor runningVar, float eps, float momentum, boolean training) {
    String op = "batchnorm_forward";
    int[] d = dims(op, "inp", inp);
    int b = d[0], c = d[1], hw = d[2];
    Check.shape(op, "out", out, inp.shape());
    stats(op, mean, rstd, c);
    affine(op, gamma, beta, c);
    Check.that((runningMean == null) == (runningVar == null), op + ": runningMean is "
        + (runningMean == null ? "null" : "given") + " and runningVar is " + (runningVar == null ? "null" : "given")
        + ", expected both or neither");
    Check.optionalShape(op, "runningMean", runningMean, c);
    Check.optionalShape(op, "runningVar", runningVar, c);
    if (!training && runningMean == null) {
      throw new IllegalArgumentException(op + ": runningMean is null in inference mode, expected a tensor of shape [" + c
          + "] (inference normalizes with the running statistics)");
    }
    if (training && (long) b * hw < 2) {
      throw new IllegalArgumentException(op + ": inp has 1 value per channel in training mode (B*H*W = 1), "
          + "expected at least 2");
    }
    if (!(eps > 0) || !Float.isFinite(eps)) {
      throw new IllegalArgumentException(op + ": eps is " + eps + ", expected a finite positive value");
    }
    Check.inRange(op, "momentum", momentum, 0, 1);
    Check.distinct(op, "mean", mean, "rstd", rstd);
    Check.distinct(op, "runningMean", runningMean, "runningVar", runningVar);
    Check.ok(op, Kernels.batchnormForward(out, mean, rstd, inp,
        gamma, beta, runningMean, runningVar, b, c, hw, eps, momentum, training));
  }

  /**
   * Batch normalization backward. In training the input gradient flows through the batch
   * statistics too: {@code dinp += gamma*rstd*(dout - mean(dout) - xhat*mean(dout*xhat))}; in
   * inference the statistics are constants: {@code dinp += gamma*rstd*dout}. Both modes:
   * {@code dgamma += sum(dout*xhat)}, {@code dbeta += sum(dout)}.
   *
   * @param dinp input gradient, the shape of {@code inp}, or {@code null}; added into
   * @param dgamma shape (C) or {@code null}; added into
   * @param dbeta shape (C) or {@code null}; added into
   * @param dout output gradient, the shape of {@code inp}
   * @param inp the forward's input, shape (B, C, ...)
   * @param mean the forward's saved mean, shape (C)
   * @param rstd the forward's saved rstd, shape (C)
   * @param gamma the forward's scale, shape (C), or {@code null} (affine=False)
   * @param training the mode the forward ran in
   */
  public static void backward(Tensor dinp, Tensor dgamma, Tensor dbeta, Tensor dout, Tensor inp, Tensor mean,
      Tensor rstd, Tensor gamma, boolean training) {
    String op = "batchnorm_backward";
    int[] d = dims(op, "inp", inp);
    int c = d[1];
    Check.optionalShape(op, "dinp", dinp, inp.shape());
    Check.optionalShape(op, "dgamma", dgamma, c);
    Check.optionalShape(op, "dbeta", dbeta, c);
    Check.shape(op, "dout", dout, inp.shape());
    stats(op, mean, rstd, c);
    Check.optionalShape(op, "gamma", gamma, c);
    Check.distinct(op, "dinp", dinp, "dout", dout);
    Check.distinct(op, "dinp", dinp, "inp", inp);
    Check.ok(op, Kernels.batchnormBackward(dinp, dgamma, dbeta, dout,
        inp, mean, rstd, gamma, d[0], c, d[2], training));
  }

  /**
   * A forward's output rebuilt from its statistics: {@code out = gamma*(inp - mean)*rstd + beta},
   * bit for bit what {@link #forward} wrote given the {@code mean} and {@code rstd} it saved. The
   * networks' tapes use it to rebuild a training batch norm's output in the backward instead of
   * keeping it.
   *
   * @param out output, the shape of {@code inp}
   * @param inp the forward's input, shape (B, C, ...)
   * @param mean the forward's saved mean, shape (C)
   * @param rstd the forward's saved rstd, shape (C)
   * @param gamma scale, shape (C), or {@code null} together with {@code beta}
   * @param beta shift, shape (C), or {@code null} together with {@code gamma}
   */
  public static void apply(Tensor out, Tensor inp, Tensor mean, Tensor rstd, Tensor gamma, Tensor beta) {
    String op = "batchnorm_apply";
    int[] d = dims(op, "inp", inp);
    int c = d[1];
    Check.shape(op, "out", out, inp.shape());
    stats(op, mean, rstd, c);
    affine(op, gamma, beta, c);
    Check.ok(op, Kernels.batchnormApply(out, inp, mean, rstd, gamma, beta, d[0], c, d[2]));
  }

  /** The saved statistics: mean and rstd, shape (C) each. */
  private static void stats(String op, Tensor mean, Tensor rstd, int c) {
    Check.shape(op, "mean", mean, c);
    Check.shape(op, "rstd", rstd, c);
  }

  /** (B, C, HW) of a tensor of rank 2 or more; HW must fit an int. */
  private static int[] dims(String op, String name, Tensor t) {
    Check.notNull(op, name, t);
    if (t.rank() < 2) {
      throw new IllegalArgumentException(op + ": " + name + " has shape " + java.util.Arrays.toString(t.shape())
          + ", expected at least 2 dimensions (B, C, ...)");
    }
    long hw = t.size() / ((long) t.dim(0) * t.dim(1));
    if (hw > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(op + ": " + name + " has " + hw + " values per sample and channel, expected at most "
          + Integer.MAX_VALUE);
    }
    return new int[] {t.dim(0), t.dim(1), (int) hw};
  }

  private static void affine(String op, Tensor gamma, Tensor beta, int c) {
    if ((gamma == null) != (beta == null)) {
      throw new IllegalArgumentException(op + ": gamma is " + (gamma == null ? "null" : "given") + " and beta is "
          + (beta == null ? "null" : "given") + ", expected both (affine) or neither");
    }
    Check.optionalShape(op, "gamma", gamma, c);
    Check.optionalShape(op, "beta", beta, c);
  }

}
