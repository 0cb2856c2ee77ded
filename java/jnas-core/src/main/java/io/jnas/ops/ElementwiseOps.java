package io.jnas.ops;

import io.jnas.backend.Kernels;
import io.jnas.tensor.Tensor;
import java.util.Arrays;
import java.util.List;

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
    Check.ok(op, Kernels.reluForward(out, inp, inp.size()));
  }

  /** {@code dinp += dout * (inp > 0)}; all three of one shape. */
  public static void reluBackward(Tensor dinp, Tensor dout, Tensor inp) {
    String op = "relu_backward";
    Check.notNull(op, "inp", inp);
    Check.shape(op, "dinp", dinp, inp.shape());
    Check.shape(op, "dout", dout, inp.shape());
    Check.ok(op, Kernels.reluBackward(dinp, dout, inp, inp.size()));
  }

  /**
   * {@code out = inps[0] + ... + inps[n-1]}: the sum of a node's incoming edges.
   *
   * @param out output, the shape of every input; it may be one of the inputs
   * @param inps one or more tensors, all of one shape
   */
  public static void sumForward(Tensor out, List<Tensor> inps) {
    String op = "sum_forward";
    nonEmpty(op, "inps", inps);
    Check.notNull(op, "inps[0]", inps.get(0));
    int[] shape = inps.get(0).shape();
    for (int i = 0; i < inps.size(); i++) Check.shape(op, "inps[" + i + "]", inps.get(i), shape);
    Check.shape(op, "out", out, shape);
    Check.ok(op, Kernels.sumForward(out, inps, out.size()));
  }

  /**
   * Sum backward: {@code dinps[i] += dout} for every non-null {@code dinps[i]} (a tensor listed
   * twice receives {@code dout} twice).
   *
   * @param dinps one gradient per input, each the shape of {@code dout} or {@code null}
   * @param dout output gradient, any shape
   */
  public static void sumBackward(List<Tensor> dinps, Tensor dout) {
    String op = "sum_backward";
    nonEmpty(op, "dinps", dinps);
    Check.notNull(op, "dout", dout);
    for (int i = 0; i < dinps.size(); i++) {
      Check.optionalShape(op, "dinps[" + i + "]", dinps.get(i), dout.shape());
      Check.distinct(op, "dinps[" + i + "]", dinps.get(i), "dout", dout);
    }
    Check.ok(op, Kernels.sumBackward(dinps, dout, dout.size()));
  }

  /**
   * Channel concat: {@code out[:, off_i : off_i + C_i] = inps[i]}, in list order.
   *
   * @param out output, shape (B, C_0 + ... + C_{n-1}, ...); distinct from every input
   * @param inps one or more tensors of shape (B, C_i, ...) with at least 2 dimensions, the
   *     same B and trailing dimensions
   */
  public static void concatForward(Tensor out, List<Tensor> inps) {
    String op = "concat_forward";
    nonEmpty(op, "inps", inps);
    int[] channels = new int[inps.size()];
    int[] outShape = concatShape(op, "inps", inps, channels);
    Check.shape(op, "out", out, outShape);
    for (int i = 0; i < inps.size(); i++) Check.distinct(op, "out", out, "inps[" + i + "]", inps.get(i));
    Check.ok(op, Kernels.concatForward(out, inps, channels, outShape[0], hw(op, outShape)));
  }

  /**
   * Channel concat backward: {@code dinps[i] += dout[:, off_i : off_i + C_i]} for every
   * non-null {@code dinps[i]}.
   *
   * @param dinps one gradient per input, shape (B, channels[i], ...) or {@code null}
   * @param dout output gradient, shape (B, channels[0] + ... + channels[n-1], ...)
   * @param channels the channel count C_i of each input, positive, one per entry of
   *     {@code dinps} (needed where a gradient is {@code null})
   */
  public static void concatBackward(List<Tensor> dinps, Tensor dout, int... channels) {
    String op = "concat_backward";
    nonEmpty(op, "dinps", dinps);
    Check.notNull(op, "channels", channels);
    if (channels.length != dinps.size()) {
      throw new IllegalArgumentException(op + ": channels has " + channels.length + " entries, expected "
          + dinps.size() + " (one per entry of dinps)");
    }
    Check.notNull(op, "dout", dout);
    if (dout.rank() < 2) {
      throw new IllegalArgumentException(op + ": dout has shape " + Arrays.toString(dout.shape())
          + ", expected at least 2 dimensions (B, C, ...)");
    }
    long total = 0;
    for (int i = 0; i < channels.length; i++) {
      Check.positive(op, "channels[" + i + "]", channels[i]);
      total += channels[i];
    }
    if (total != dout.dim(1)) {
      throw new IllegalArgumentException(op + ": channels sum to " + total + ", expected dout's channel count "
          + dout.dim(1) + " (dout shape " + Arrays.toString(dout.shape()) + ")");
    }
    for (int i = 0; i < dinps.size(); i++) {
      int[] expected = dout.shape();
      expected[1] = channels[i];
      Check.optionalShape(op, "dinps[" + i + "]", dinps.get(i), expected);
      Check.distinct(op, "dinps[" + i + "]", dinps.get(i), "dout", dout);
    }
    Check.ok(op, Kernels.concatBackward(dinps, dout, channels, dout.dim(0), hw(op, dout.shape())));
  }

  private static void nonEmpty(String op, String name, List<Tensor> list) {
    if (list == null) throw new IllegalArgumentException(op + ": " + name + " is null, expected a list of tensors");
    if (list.isEmpty()) throw new IllegalArgumentException(op + ": " + name + " is empty, expected at least one tensor");
  }

  /** The concat of the inputs' shapes along dimension 1; fills channels. */
  private static int[] concatShape(String op, String name, List<Tensor> inps, int[] channels) {
    Tensor first = inps.get(0);
    Check.notNull(op, name + "[0]", first);
    if (first.rank() < 2) {
      throw new IllegalArgumentException(op + ": " + name + "[0] has shape " + Arrays.toString(first.shape())
          + ", expected at least 2 dimensions (B, C, ...)");
    }
    long total = 0;
    for (int i = 0; i < inps.size(); i++) {
      Tensor t = inps.get(i);
      Check.notNull(op, name + "[" + i + "]", t);
      int[] expected = first.shape();
      expected[1] = t.rank() == first.rank() ? t.dim(1) : -1;
      if (!t.hasShape(expected)) {
        expected[1] = -1;
        throw new IllegalArgumentException(op + ": " + name + "[" + i + "] has shape " + Arrays.toString(t.shape())
            + ", expected " + Arrays.toString(expected).replace("-1", "any") + " (the shape of " + name
            + "[0] but for the channels)");
      }
      channels[i] = t.dim(1);
      total += t.dim(1);
    }
    if (total > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(op + ": " + name + " hold " + total + " channels in all, expected at most "
          + Integer.MAX_VALUE);
    }
    int[] out = first.shape();
    out[1] = (int) total;
    return out;
  }

  /** Product of the dimensions after (B, C). */
  private static int hw(String op, int[] shape) {
    long hw = 1;
    for (int i = 2; i < shape.length; i++) hw *= shape[i];
    if (hw > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(op + ": " + hw + " values per sample and channel, expected at most "
          + Integer.MAX_VALUE);
    }
    return (int) hw;
  }

  /** A native array of the tensors' pointers ({@code null} entries stay NULL). */
}
