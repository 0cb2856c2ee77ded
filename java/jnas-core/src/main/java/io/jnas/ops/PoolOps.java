package io.jnas.ops;

import io.jnas.backend.Kernels;
import io.jnas.tensor.IntTensor;
import io.jnas.tensor.Tensor;

/**
 * Pooling: max pooling, average pooling (padding excluded from the count, as ENAS and DARTS
 * do) and global average pooling. NCHW float32.
 *
 * <p>Windows are square: kernel {@code k}, {@code stride}, zero {@code pad} on every side,
 * with {@code 0 <= pad < k}, so every window holds at least one real element. The output
 * size along each axis is {@link #outSize(int, int, int, int)}, which must be at least 1.
 *
 * <p>Gradient rule: a {@code *Backward} method adds into its gradient tensor; the caller
 * zeroes it. Forward methods overwrite their outputs.
 */
public final class PoolOps {
  private PoolOps() {}

  /** {@code (in + 2*pad - k) / stride + 1}: the output size of a window along one axis. */
  public static int outSize(int in, int k, int stride, int pad) {
    return Math.toIntExact(Math.floorDiv((long) in + 2L * pad - k, (long) stride) + 1);
  }

  /**
   * Max pooling; padding never wins and the first maximum in row-major window order wins a
   * tie.
   *
   * @param out output, shape (B, C, OH, OW)
   * @param argmax saved for backward, shape (B, C, OH, OW): for each output, the index of
   *     the winning element in its input's H*W plane
   * @param inp input, shape (B, C, H, W)
   */
  public static void maxPoolForward(Tensor out, IntTensor argmax, Tensor inp, int k, int stride, int pad) {
    String op = "maxpool_forward";
    int[] s = window(op, "inp", inp, k, stride, pad);
    int[] os = outShape(s, k, stride, pad);
    Check.shape(op, "out", out, os);
    Check.shape(op, "argmax", argmax, os);
    Check.distinct(op, "out", out, "inp", inp);
    Check.ok(op, Kernels.maxpoolForward(out, argmax, inp,
        s[0], s[1], s[2], s[3], k, stride, pad));
  }

  /**
   * Max pooling backward: {@code dinp[argmax] += dout}. The argmax values are checked to lie in
   * {@code [0, H*W)} (a copy to the Java heap) so a stray tensor cannot write out of bounds.
   *
   * @param dinp input gradient, shape (B, C, H, W); added into
   * @param dout output gradient, shape (B, C, OH, OW)
   * @param argmax from {@link #maxPoolForward}, shape (B, C, OH, OW)
   */
  public static void maxPoolBackward(Tensor dinp, Tensor dout, IntTensor argmax, int k, int stride, int pad) {
    String op = "maxpool_backward";
    int[] s = window(op, "dinp", dinp, k, stride, pad);
    int[] os = outShape(s, k, stride, pad);
    Check.shape(op, "dout", dout, os);
    Check.shape(op, "argmax", argmax, os);
    int plane = s[2] * s[3];
    int[] a = argmax.toArray();
    for (int i = 0; i < a.length; i++) {
      if (a[i] < 0 || a[i] >= plane) {
        throw new IllegalArgumentException(op + ": argmax[" + i + "] is " + a[i] + ", expected an index in [0, "
            + plane + ") (H*W); pass the argmax written by maxPoolForward");
      }
    }
    Check.ok(op, Kernels.maxpoolBackward(dinp, dout, argmax,
        s[0], s[1], s[2], s[3], k, stride, pad));
  }

  /**
   * Average pooling over each window's in-bounds elements only (count_include_pad=False).
   *
   * @param out output, shape (B, C, OH, OW)
   * @param inp input, shape (B, C, H, W)
   */
  public static void avgPoolForward(Tensor out, Tensor inp, int k, int stride, int pad) {
    String op = "avgpool_forward";
    int[] s = window(op, "inp", inp, k, stride, pad);
    Check.shape(op, "out", out, outShape(s, k, stride, pad));
    Check.distinct(op, "out", out, "inp", inp);
    Check.ok(op, Kernels.avgpoolForward(out, inp, s[0], s[1], s[2], s[3], k, stride, pad));
  }

  /**
   * Average pooling backward: each output's gradient, divided by its window's in-bounds
   * count, is added to the window's in-bounds elements.
   *
   * @param dinp input gradient, shape (B, C, H, W); added into
   * @param dout output gradient, shape (B, C, OH, OW)
   */
  public static void avgPoolBackward(Tensor dinp, Tensor dout, int k, int stride, int pad) {
    String op = "avgpool_backward";
    int[] s = window(op, "dinp", dinp, k, stride, pad);
    Check.shape(op, "dout", dout, outShape(s, k, stride, pad));
    Check.distinct(op, "dinp", dinp, "dout", dout);
    Check.ok(op, Kernels.avgpoolBackward(dinp, dout, s[0], s[1], s[2], s[3], k, stride, pad));
  }

  /**
   * Global average pooling: the mean of each (sample, channel) plane.
   *
   * @param out output, shape (B, C)
   * @param inp input, shape (B, C, H, W)
   */
  public static void globalAvgPoolForward(Tensor out, Tensor inp) {
    String op = "global_avgpool_forward";
    Check.rank(op, "inp", inp, 4);
    Check.shape(op, "out", out, inp.dim(0), inp.dim(1));
    Check.ok(op, Kernels.globalAvgpoolForward(out, inp,
        inp.dim(0), inp.dim(1), inp.dim(2) * inp.dim(3)));
  }

  /**
   * Global average pooling backward: {@code dinp[b, c, :, :] += dout[b, c] / (H*W)}.
   *
   * @param dinp input gradient, shape (B, C, H, W); added into
   * @param dout output gradient, shape (B, C)
   */
  public static void globalAvgPoolBackward(Tensor dinp, Tensor dout) {
    String op = "global_avgpool_backward";
    Check.rank(op, "dinp", dinp, 4);
    Check.shape(op, "dout", dout, dinp.dim(0), dinp.dim(1));
    Check.ok(op, Kernels.globalAvgpoolBackward(dinp, dout,
        dinp.dim(0), dinp.dim(1), dinp.dim(2) * dinp.dim(3)));
  }

  /** Checks the input's rank and the window; returns the input shape (B, C, H, W). */
  private static int[] window(String op, String name, Tensor t, int k, int stride, int pad) {
    Check.rank(op, name, t, 4);
    Check.positive(op, "k", k);
    Check.positive(op, "stride", stride);
    Check.nonNegative(op, "pad", pad);
    if (pad >= k) {
      throw new IllegalArgumentException(op + ": pad is " + pad + ", expected less than k = " + k
          + " (a window of padding only has no element)");
    }
    int[] s = t.shape();
    for (int axis = 2; axis < 4; axis++) {
      if ((long) s[axis] + 2L * pad < k) {
        String axisName = axis == 2 ? "H" : "W";
        throw new IllegalArgumentException(op + ": " + name + " has " + axisName + " = " + s[axis] + " with pad "
            + pad + ", expected " + axisName + " + 2*pad >= k = " + k + " (output size at least 1)");
      }
    }
    return s;
  }

  private static int[] outShape(int[] s, int k, int stride, int pad) {
    return new int[] {s[0], s[1], outSize(s[2], k, stride, pad), outSize(s[3], k, stride, pad)};
  }
}
