package io.jnas.ops;

import io.jnas.internal.NativeLib;
import io.jnas.tensor.Tensor;

/**
 * Elementwise ops: ReLU, the sum of N inputs, channel concat.
 *
 * <p>Gradient rule (for every op class in this package): a {@code *Backward} method adds
 * into its gradient tensors; the caller zeroes them. A gradient argument that is
 * {@code null} is not computed. Forward methods overwrite their outputs.
 */
public final class ElementwiseOps {
  private ElementwiseOps() {}

  /** {@code out = max(inp, 0)}; any shape, {@code out} the same shape as {@code inp}. */
  public static void reluForward(Tensor out, Tensor inp) {
    String op = "relu_forward";
    Check.notNull(op, "inp", inp);
    Check.shape(op, "out", out, inp.shape());
    Check.ok(op, NativeLib.jnas_cpu_relu_forward(out.pointer(), inp.pointer(), inp.size()));
  }

  /** {@code dinp += dout * (inp > 0)}; all three of one shape. */
  public static void reluBackward(Tensor dinp, Tensor dout, Tensor inp) {
    String op = "relu_backward";
    Check.notNull(op, "inp", inp);
    Check.shape(op, "dinp", dinp, inp.shape());
    Check.shape(op, "dout", dout, inp.shape());
    Check.ok(op, NativeLib.jnas_cpu_relu_backward(dinp.pointer(), dout.pointer(), inp.pointer(), inp.size()));
  }
}
