package io.jnas.ops;

import io.jnas.backend.Kernels;
import io.jnas.tensor.Tensor;
import java.util.Arrays;

/**
 * Convolutions: 2-D convolution (dense, grouped, depthwise), separable convolution and
 * factorized reduce.
 *
 * <p>Layout NCHW float32. Letters: {@code B} batch, {@code C_in}/{@code C_out} channels,
 * {@code H}/{@code W} input size, {@code OH}/{@code OW} output size, {@code KH}/{@code KW}
 * kernel size. Gradient rule: a {@code *Backward} method adds into its gradient tensors (the
 * caller zeroes them); a {@code null} gradient is not computed. Forward methods overwrite
 * their outputs. Every argument is checked before the native call; a bad one is an
 * {@link IllegalArgumentException} naming the op, the argument, what it got and what was
 * expected.
 */
public final class ConvOps {
  private ConvOps() {}

  /** The sizes a convolution's tensors and spec imply, after validation. */
  private record Geom(int b, int cIn, int h, int w, int cOut, int kh, int kw, int oh, int ow) {
    int[] outShape() {
      return new int[] {b, cOut, oh, ow};
    }
  }

  // ------------------------------------------------------------------- conv2d

  /**
   * The output shape {@code (B, C_out, OH, OW)} of a convolution of {@code inp} with
   * {@code weight} under {@code spec}, after checking that they fit together.
   *
   * @param inp {@code (B, C_in, H, W)}
   * @param weight {@code (C_out, C_in/groups, KH, KW)}
   */
  public static int[] conv2dOutputShape(Tensor inp, Tensor weight, Conv2dSpec spec) {
    return conv2dGeom("conv2d", inp, weight, spec).outShape();
  }

  /**
   * Convolution forward, fast path (im2col + sgemm; a direct kernel for depthwise).
   *
   * @param out {@code (B, C_out, OH, OW)}, overwritten
   * @param inp {@code (B, C_in, H, W)}
   * @param weight {@code (C_out, C_in/groups, KH, KW)}
   * @param bias {@code (C_out)} or {@code null}
   * @param spec stride, padding, dilation, groups
   */
  public static void conv2dForward(Tensor out, Tensor inp, Tensor weight, Tensor bias, Conv2dSpec spec) {
    conv2dForward("conv2d_forward", false, out, inp, weight, bias, spec, false);
  }

  /**
   * Convolution forward of {@code ReLU(inp)}, the ReLU fused into the convolution (nothing
   * stores its output): what the networks run for ReLU-conv units. Arguments as
   * {@link #conv2dForward(Tensor, Tensor, Tensor, Tensor, Conv2dSpec)}.
   *
   * @param reluInput whether the convolution reads {@code ReLU(inp)}
   */
  public static void conv2dForward(Tensor out, Tensor inp, Tensor weight, Tensor bias, Conv2dSpec spec,
      boolean reluInput) {
    conv2dForward("conv2d_forward", false, out, inp, weight, bias, spec, reluInput);
  }

  /**
   * Convolution forward by the naive reference (direct loops, sums in double, one thread):
   * the oracle of {@link #conv2dForward}. Same arguments; slow, for tests.
   */
  public static void conv2dForwardReference(Tensor out, Tensor inp, Tensor weight, Tensor bias,
      Conv2dSpec spec) {
    conv2dForward("conv2d_forward_ref", true, out, inp, weight, bias, spec, false);
  }

  /** The naive reference of {@link #conv2dForward(Tensor, Tensor, Tensor, Tensor, Conv2dSpec, boolean)}. */
  public static void conv2dForwardReference(Tensor out, Tensor inp, Tensor weight, Tensor bias, Conv2dSpec spec,
      boolean reluInput) {
    conv2dForward("conv2d_forward_ref", true, out, inp, weight, bias, spec, reluInput);
  }

  /**
   * Convolution backward, fast path: adds the gradients of the loss with respect to the
   * input, weight and bias; each gradient may be {@code null} (not computed).
   *
   * @param dinp {@code (B, C_in, H, W)} or {@code null}; {@code dinp += ...}
   * @param dweight {@code (C_out, C_in/groups, KH, KW)} or {@code null}; {@code dweight += ...}
   * @param dbias {@code (C_out)} or {@code null}; {@code dbias += ...}
   * @param dout {@code (B, C_out, OH, OW)}
   * @param inp {@code (B, C_in, H, W)}, the forward's input
   * @param weight {@code (C_out, C_in/groups, KH, KW)}
   * @param spec the forward's spec
   */
  public static void conv2dBackward(Tensor dinp, Tensor dweight, Tensor dbias, Tensor dout, Tensor inp,
      Tensor weight, Conv2dSpec spec) {
    conv2dBackward("conv2d_backward", false, dinp, dweight, dbias, dout, inp, weight, spec, false);
  }

  /**
   * The backward of {@link #conv2dForward(Tensor, Tensor, Tensor, Tensor, Conv2dSpec, boolean)}:
   * {@code dinp} gets the gradient through the fused ReLU (zero where {@code inp <= 0}), the
   * weight gradient is taken against {@code ReLU(inp)}.
   */
  public static void conv2dBackward(Tensor dinp, Tensor dweight, Tensor dbias, Tensor dout, Tensor inp,
      Tensor weight, Conv2dSpec spec, boolean reluInput) {
    conv2dBackward("conv2d_backward", false, dinp, dweight, dbias, dout, inp, weight, spec, reluInput);
  }

  /**
   * Convolution backward by the naive reference: the oracle of {@link #conv2dBackward}. Same
   * arguments; slow, for tests.
   */
  public static void conv2dBackwardReference(Tensor dinp, Tensor dweight, Tensor dbias, Tensor dout,
      Tensor inp, Tensor weight, Conv2dSpec spec) {
    conv2dBackward("conv2d_backward_ref", true, dinp, dweight, dbias, dout, inp, weight, spec, false);
  }

  /** The naive reference of {@link #conv2dBackward(Tensor, Tensor, Tensor, Tensor, Tensor, Tensor, Conv2dSpec, boolean)}. */
  public static void conv2dBackwardReference(Tensor dinp, Tensor dweight, Tensor dbias, Tensor dout, Tensor inp,
      Tensor weight, Conv2dSpec spec, boolean reluInput) {
    conv2dBackward("conv2d_backward_ref", true, dinp, dweight, dbias, dout, inp, weight, spec, reluInput);
  }

  private static void conv2dForward(String op, boolean ref, Tensor out, Tensor inp, Tensor weight,
      Tensor bias, Conv2dSpec spec, boolean relu) {
    Geom g = conv2dGeom(op, inp, weight, spec);
    Check.optionalShape(op, "bias", bias, g.cOut);
    Check.shape(op, "out", out, g.outShape());
    distinctOutputs(op, new String[] {"out"}, new Tensor[] {out}, new String[] {"inp", "weight", "bias"},
        new Tensor[] {inp, weight, bias});
    int code = ref
        ? Kernels.conv2dForward(out, inp, weight, bias,
            g.b, g.cIn, g.h, g.w, g.cOut, g.kh, g.kw, spec.stride(), spec.padH(), spec.padW(),
            spec.dilation(), spec.groups(), relu, true)
        : Kernels.conv2dForward(out, inp, weight, bias,
            g.b, g.cIn, g.h, g.w, g.cOut, g.kh, g.kw, spec.stride(), spec.padH(), spec.padW(),
            spec.dilation(), spec.groups(), relu, false);
    Check.ok(op, code);
  }

  private static void conv2dBackward(String op, boolean ref, Tensor dinp, Tensor dweight, Tensor dbias,
      Tensor dout, Tensor inp, Tensor weight, Conv2dSpec spec, boolean relu) {
    Geom g = conv2dGeom(op, inp, weight, spec);
    Check.shape(op, "dout", dout, g.outShape());
    Check.optionalShape(op, "dinp", dinp, inp.shape());
    Check.optionalShape(op, "dweight", dweight, weight.shape());
    Check.optionalShape(op, "dbias", dbias, g.cOut);
    distinctOutputs(op, new String[] {"dinp", "dweight", "dbias"}, new Tensor[] {dinp, dweight, dbias},
        new String[] {"dout", "inp", "weight"}, new Tensor[] {dout, inp, weight});
    int code = ref
        ? Kernels.conv2dBackward(dinp, dweight, dbias, dout,
            inp, weight, g.b, g.cIn, g.h, g.w, g.cOut, g.kh, g.kw, spec.stride(),
            spec.padH(), spec.padW(), spec.dilation(), spec.groups(), relu, true)
        : Kernels.conv2dBackward(dinp, dweight, dbias, dout,
            inp, weight, g.b, g.cIn, g.h, g.w, g.cOut, g.kh, g.kw, spec.stride(),
            spec.padH(), spec.padW(), spec.dilation(), spec.groups(), relu, false);
    Check.ok(op, code);
  }

  /** Checks inp, weight and spec together and derives every size. */
  private static Geom conv2dGeom(String op, Tensor inp, Tensor weight, Conv2dSpec spec) {
    Check.rank(op, "inp", inp, 4);
    Check.rank(op, "weight", weight, 4);
    if (spec == null) throw new IllegalArgumentException(op + ": spec is null, expected a Conv2dSpec");
    int b = inp.dim(0), cIn = inp.dim(1), h = inp.dim(2), w = inp.dim(3);
    int cOut = weight.dim(0), kh = weight.dim(2), kw = weight.dim(3);
    int groups = spec.groups();
    Check.that(cIn % groups == 0, op + ": groups is " + groups + ", expected a divisor of inp's channels "
        + cIn + " (inp shape " + Arrays.toString(inp.shape()) + ")");
    Check.that(cOut % groups == 0, op + ": groups is " + groups + ", expected a divisor of weight's "
        + "output channels " + cOut + " (weight shape " + Arrays.toString(weight.shape()) + ")");
    Check.that(weight.dim(1) == cIn / groups, op + ": weight has shape " + Arrays.toString(weight.shape())
        + ", expected dimension 1 = C_in/groups = " + cIn + "/" + groups + " = " + cIn / groups);
    Check.that((long) (cIn / groups) * kh * kw <= Integer.MAX_VALUE, op + ": weight has shape "
        + Arrays.toString(weight.shape()) + ", expected C_in/groups*KH*KW to fit in an int");
    int oh = outSize(op, "H", h, kh, spec.stride(), spec.padH(), spec.dilation());
    int ow = outSize(op, "W", w, kw, spec.stride(), spec.padW(), spec.dilation());
    return new Geom(b, cIn, h, w, cOut, kh, kw, oh, ow);
  }

  /** One axis's output size, checked to be at least 1 and computed without overflow. */
  private static int outSize(String op, String axis, int in, int k, int stride, int pad, int dilation) {
    long padded = (long) in + 2L * pad;
    long span = (long) dilation * (k - 1) + 1;
    Check.that(padded <= Integer.MAX_VALUE && span <= Integer.MAX_VALUE, op + ": padding or dilation "
        + "along " + axis + " is too large (" + axis + "=" + in + ", pad=" + pad + ", dilation=" + dilation + ")");
    if (padded < span) {
      throw new IllegalArgumentException(op + ": output " + axis + " size is below 1: input " + axis + " " + in
          + " + 2*pad " + pad + " is " + padded + ", expected at least the dilated kernel extent "
          + "dilation*(K-1)+1 = " + span + " (K=" + k + ", dilation=" + dilation + ")");
    }
    return (int) ((padded - span) / stride + 1);
  }

  // ------------------------------------------------------------ separable conv

  /**
   * Separable convolution forward: depthwise {@code K x K} (stride, pad, dilation; no bias)
   * then pointwise {@code 1 x 1} (no bias), as in ENAS and DARTS. With dilation > 1 this is
   * the dilated separable conv.
   *
   * @param out {@code (B, C_out, OH, OW)}, overwritten
   * @param mid {@code (B, C_in, OH, OW)}, overwritten with the depthwise output; keep it for
   *     backward
   * @param inp {@code (B, C_in, H, W)}
   * @param wDw {@code (C_in, 1, K, K)} depthwise weight
   * @param wPw {@code (C_out, C_in, 1, 1)} pointwise weight
   */
  public static void sepconvForward(Tensor out, Tensor mid, Tensor inp, Tensor wDw, Tensor wPw, int stride,
      int pad, int dilation) {
    sepconvForward(out, mid, inp, wDw, wPw, stride, pad, dilation, false);
  }

  /**
   * Separable convolution forward of {@code ReLU(inp)}, the ReLU fused into the depthwise stage
   * (the networks' ReLU-sepconv units); otherwise as
   * {@link #sepconvForward(Tensor, Tensor, Tensor, Tensor, Tensor, int, int, int)}.
   */
  public static void sepconvForward(Tensor out, Tensor mid, Tensor inp, Tensor wDw, Tensor wPw, int stride,
      int pad, int dilation, boolean reluInput) {
    String op = "sepconv_forward";
    Geom g = sepGeom(op, inp, wDw, wPw, stride, pad, dilation);
    Check.shape(op, "mid", mid, g.b, g.cIn, g.oh, g.ow);
    Check.shape(op, "out", out, g.outShape());
    distinctOutputs(op, new String[] {"out", "mid"}, new Tensor[] {out, mid},
        new String[] {"inp", "wDw", "wPw"}, new Tensor[] {inp, wDw, wPw});
    Check.ok(op, Kernels.sepconvForward(out, mid, inp, wDw,
        wPw, g.b, g.cIn, g.h, g.w, g.cOut, g.kh, stride, pad, dilation, reluInput));
  }

  /**
   * Separable convolution backward; adds into each non-null gradient.
   *
   * @param dinp {@code (B, C_in, H, W)} or {@code null}
   * @param dwDw {@code (C_in, 1, K, K)} or {@code null}
   * @param dwPw {@code (C_out, C_in, 1, 1)} or {@code null}
   * @param dout {@code (B, C_out, OH, OW)}
   * @param mid {@code (B, C_in, OH, OW)}, as left by the forward
   * @param inp {@code (B, C_in, H, W)}
   * @param wDw {@code (C_in, 1, K, K)}
   * @param wPw {@code (C_out, C_in, 1, 1)}
   */
  public static void sepconvBackward(Tensor dinp, Tensor dwDw, Tensor dwPw, Tensor dout, Tensor mid,
      Tensor inp, Tensor wDw, Tensor wPw, int stride, int pad, int dilation) {
    sepconvBackward(dinp, dwDw, dwPw, dout, mid, inp, wDw, wPw, stride, pad, dilation, false);
  }

  /** The backward of the fused-ReLU separable convolution: {@code dinp} gets the gradient through the ReLU. */
  public static void sepconvBackward(Tensor dinp, Tensor dwDw, Tensor dwPw, Tensor dout, Tensor mid,
      Tensor inp, Tensor wDw, Tensor wPw, int stride, int pad, int dilation, boolean reluInput) {
    String op = "sepconv_backward";
    Geom g = sepGeom(op, inp, wDw, wPw, stride, pad, dilation);
    Check.shape(op, "dout", dout, g.outShape());
    Check.shape(op, "mid", mid, g.b, g.cIn, g.oh, g.ow);
    Check.optionalShape(op, "dinp", dinp, inp.shape());
    Check.optionalShape(op, "dwDw", dwDw, wDw.shape());
    Check.optionalShape(op, "dwPw", dwPw, wPw.shape());
    distinctOutputs(op, new String[] {"dinp", "dwDw", "dwPw"}, new Tensor[] {dinp, dwDw, dwPw},
        new String[] {"dout", "mid", "inp", "wDw", "wPw"}, new Tensor[] {dout, mid, inp, wDw, wPw});
    Check.ok(op, Kernels.sepconvBackward(dinp, dwDw, dwPw, dout,
        mid, inp, wDw, wPw, g.b, g.cIn, g.h, g.w, g.cOut, g.kh,
        stride, pad, dilation, reluInput));
  }

  private static Geom sepGeom(String op, Tensor inp, Tensor wDw, Tensor wPw, int stride, int pad, int dilation) {
    Check.rank(op, "inp", inp, 4);
    Check.rank(op, "wDw", wDw, 4);
    Check.rank(op, "wPw", wPw, 4);
    Check.positive(op, "stride", stride);
    Check.nonNegative(op, "pad", pad);
    Check.positive(op, "dilation", dilation);
    int cIn = inp.dim(1), k = wDw.dim(2);
    Check.shape(op, "wDw", wDw, cIn, 1, k, k);
    int cOut = wPw.dim(0);
    Check.shape(op, "wPw", wPw, cOut, cIn, 1, 1);
    int oh = outSize(op, "H", inp.dim(2), k, stride, pad, dilation);
    int ow = outSize(op, "W", inp.dim(3), k, stride, pad, dilation);
    return new Geom(inp.dim(0), cIn, inp.dim(2), inp.dim(3), cOut, k, k, oh, ow);
  }

  // --------------------------------------------------------- factorized reduce

  /**
   * Factorized reduce forward, without its batch norm (the caller applies it): {@code x =
   * relu(inp)}; the first {@code C_out/2} output channels are a stride-2 {@code 1x1} conv of
   * {@code x} with {@code w1}, the rest a stride-2 {@code 1x1} conv with {@code w2} of
   * {@code x} shifted one pixel down-right (zero past the edge). {@code OH = (H+1)/2},
   * {@code OW = (W+1)/2}; odd sizes are fine.
   *
   * @param out {@code (B, C_out, OH, OW)}, overwritten; {@code C_out >= 2}
   * @param inp {@code (B, C_in, H, W)}
   * @param w1 {@code (C_out/2, C_in, 1, 1)}
   * @param w2 {@code (C_out - C_out/2, C_in, 1, 1)}
   */
  public static void factorizedReduceForward(Tensor out, Tensor inp, Tensor w1, Tensor w2) {
    String op = "factorized_reduce_forward";
    Check.rank(op, "out", out, 4);
    int cOut = out.dim(1);
    Geom g = frGeom(op, "out", cOut, inp, w1, w2);
    Check.shape(op, "out", out, g.outShape());
    distinctOutputs(op, new String[] {"out"}, new Tensor[] {out}, new String[] {"inp", "w1", "w2"},
        new Tensor[] {inp, w1, w2});
    Check.ok(op, Kernels.factorizedReduceForward(out, inp, w1,
        w2, g.b, g.cIn, g.h, g.w, cOut));
  }

  /**
   * Factorized reduce backward; adds into each non-null gradient.
   *
   * @param dinp {@code (B, C_in, H, W)} or {@code null}
   * @param dw1 {@code (C_out/2, C_in, 1, 1)} or {@code null}
   * @param dw2 {@code (C_out - C_out/2, C_in, 1, 1)} or {@code null}
   * @param dout {@code (B, C_out, OH, OW)}
   * @param inp {@code (B, C_in, H, W)}, the forward's input (before the ReLU)
   * @param w1 {@code (C_out/2, C_in, 1, 1)}
   * @param w2 {@code (C_out - C_out/2, C_in, 1, 1)}
   */
  public static void factorizedReduceBackward(Tensor dinp, Tensor dw1, Tensor dw2, Tensor dout, Tensor inp,
      Tensor w1, Tensor w2) {
    String op = "factorized_reduce_backward";
    Check.rank(op, "dout", dout, 4);
    int cOut = dout.dim(1);
    Geom g = frGeom(op, "dout", cOut, inp, w1, w2);
    Check.shape(op, "dout", dout, g.outShape());
    Check.optionalShape(op, "dinp", dinp, inp.shape());
    Check.optionalShape(op, "dw1", dw1, w1.shape());
    Check.optionalShape(op, "dw2", dw2, w2.shape());
    distinctOutputs(op, new String[] {"dinp", "dw1", "dw2"}, new Tensor[] {dinp, dw1, dw2},
        new String[] {"dout", "inp", "w1", "w2"}, new Tensor[] {dout, inp, w1, w2});
    Check.ok(op, Kernels.factorizedReduceBackward(dinp, dw1, dw2, dout,
        inp, w1, w2, g.b, g.cIn, g.h, g.w, cOut));
  }

  private static Geom frGeom(String op, String outName, int cOut, Tensor inp, Tensor w1, Tensor w2) {
    Check.rank(op, "inp", inp, 4);
    Check.that(cOut >= 2, op + ": " + outName + " has " + cOut + " channels, expected at least 2 (two halves)");
    int cIn = inp.dim(1);
    Check.shape(op, "w1", w1, cOut / 2, cIn, 1, 1);
    Check.shape(op, "w2", w2, cOut - cOut / 2, cIn, 1, 1);
    int h = inp.dim(2), w = inp.dim(3);
    return new Geom(inp.dim(0), cIn, h, w, cOut, 1, 1, (h + 1) / 2, (w + 1) / 2);
  }

  // ------------------------------------------------------------------- helpers


  /** Every written tensor (output or gradient) distinct from every other one and from every input. */
  static void distinctOutputs(String op, String[] gradNames, Tensor[] grads, String[] inNames, Tensor[] ins) {
    for (int i = 0; i < grads.length; i++) {
      for (int j = i + 1; j < grads.length; j++) Check.distinct(op, gradNames[i], grads[i], gradNames[j], grads[j]);
      for (int j = 0; j < ins.length; j++) Check.distinct(op, gradNames[i], grads[i], inNames[j], ins[j]);
    }
  }
}
