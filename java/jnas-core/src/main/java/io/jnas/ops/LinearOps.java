package io.jnas.ops;

import io.jnas.backend.Kernels;
import io.jnas.tensor.Tensor;

/**
 * The fully connected layer (the classifier head): {@code out = inp x weight^T + bias}.
 *
 * <p>Letters: {@code B} batch, {@code IC} input features, {@code OC} output features;
 * {@code weight} is {@code (OC, IC)} as in PyTorch. Gradient rule: backward adds into its
 * gradient tensors; a {@code null} gradient is not computed. Every argument is checked before
 * the native call.
 */
public final class LinearOps {
  private LinearOps() {}

  /**
   * Forward, one sgemm.
   *
   * @param out {@code (B, OC)}, overwritten
   * @param inp {@code (B, IC)}
   * @param weight {@code (OC, IC)}
   * @param bias {@code (OC)} or {@code null}
   */
  public static void linearForward(Tensor out, Tensor inp, Tensor weight, Tensor bias) {
    String op = "linear_forward";
    Check.rank(op, "inp", inp, 2);
    Check.rank(op, "weight", weight, 2);
    int b = inp.dim(0), ic = inp.dim(1), oc = weight.dim(0);
    Check.shape(op, "weight", weight, oc, ic);
    Check.optionalShape(op, "bias", bias, oc);
    Check.shape(op, "out", out, b, oc);
    ConvOps.distinctOutputs(op, new String[] {"out"}, new Tensor[] {out}, new String[] {"inp", "weight", "bias"},
        new Tensor[] {inp, weight, bias});
    Check.ok(op, Kernels.linearForward(out, inp, weight,
        bias, b, ic, oc));
  }

  /**
   * Backward; adds into each non-null gradient.
   *
   * @param dinp {@code (B, IC)} or {@code null}; {@code dinp += dout x weight}
   * @param dweight {@code (OC, IC)} or {@code null}; {@code dweight += dout^T x inp}
   * @param dbias {@code (OC)} or {@code null}; {@code dbias += column sums of dout}
   * @param dout {@code (B, OC)}
   * @param inp {@code (B, IC)}
   * @param weight {@code (OC, IC)}
   */
  public static void linearBackward(Tensor dinp, Tensor dweight, Tensor dbias, Tensor dout, Tensor inp,
      Tensor weight) {
    String op = "linear_backward";
    Check.rank(op, "inp", inp, 2);
    Check.rank(op, "weight", weight, 2);
    int b = inp.dim(0), ic = inp.dim(1), oc = weight.dim(0);
    Check.shape(op, "weight", weight, oc, ic);
    Check.shape(op, "dout", dout, b, oc);
    Check.optionalShape(op, "dinp", dinp, b, ic);
    Check.optionalShape(op, "dweight", dweight, oc, ic);
    Check.optionalShape(op, "dbias", dbias, oc);
    ConvOps.distinctOutputs(op, new String[] {"dinp", "dweight", "dbias"}, new Tensor[] {dinp, dweight, dbias},
        new String[] {"dout", "inp", "weight"}, new Tensor[] {dout, inp, weight});
    Check.ok(op, Kernels.linearBackward(dinp, dweight, dbias,
        dout, inp, weight, b, ic, oc));
  }
}
