package io.jnas.backend;

import io.jnas.tensor.IntTensor;
import io.jnas.tensor.Tensor;
import java.util.List;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * The CPU kernels of {@code native/jnas.h}, one method per {@code jnas_cpu_*} function, same
 * argument order, tensors in place of pointers: the one public way to the single kernels
 * (the op API of {@code io.jnas.ops} and the benchmarks call them).
 *
 * <p>Before each call every size is checked to be positive and every tensor to hold at least
 * the elements the sizes imply, so no call from Java can read or write outside a tensor (a
 * wrong size is an {@link IllegalArgumentException} naming the kernel and the tensor, never a
 * crash). The shape rules of each op, with their friendlier messages, are checked one layer up,
 * in {@code io.jnas.ops}. Each method returns the kernel's code (0 on success).
 *
 * <p>Letters as in jnas.h: {@code B} batch, {@code C} channels, {@code H}/{@code W} input size,
 * {@code K} kernel size, {@code N} a flat element count, {@code V} classes.
 */
public final class Kernels {
  private Kernels() {
    NativeLib.load();
  }

  static {
    NativeLib.load();
  }

  /** Output size of a window along one axis: {@code (in + 2 pad - dilation (k-1) - 1) / stride + 1}. */
  public static int outSize(int in, int k, int stride, int pad, int dilation) {
    return (in + 2 * pad - dilation * (k - 1) - 1) / stride + 1;
  }

  // ------------------------------------------------------------------- conv2d

  /**
   * {@code jnas_cpu_conv2d_forward} ({@code reference}: {@code _ref}, the naive oracle);
   * {@code reluIn}: of ReLU(inp), the ReLU fused.
   */
  public static int conv2dForward(Tensor out, Tensor inp, Tensor weight, Tensor bias, int B, int cIn, int H, int W,
      int cOut, int kh, int kw, int stride, int padH, int padW, int dilation, int groups, boolean reluIn,
      boolean reference) {
    String op = reference ? "conv2d_forward_ref" : "conv2d_forward";
    long[] n = convSizes(op, B, cIn, H, W, cOut, kh, kw, stride, padH, padW, dilation, groups);
    fits(op, "out", out, n[2]);
    fits(op, "inp", inp, n[0]);
    fits(op, "weight", weight, n[1]);
    optional(op, "bias", bias, cOut);
    return reference
        ? NativeLib.jnas_cpu_conv2d_forward_ref(out.pointer(), inp.pointer(), weight.pointer(), p(bias), B, cIn, H, W,
            cOut, kh, kw, stride, padH, padW, dilation, groups, reluIn ? 1 : 0)
        : NativeLib.jnas_cpu_conv2d_forward(out.pointer(), inp.pointer(), weight.pointer(), p(bias), B, cIn, H, W,
            cOut, kh, kw, stride, padH, padW, dilation, groups, reluIn ? 1 : 0);
  }

  /** {@code jnas_cpu_conv2d_backward}: adds into the non-null gradients (through the fused ReLU where {@code reluIn}). */
  public static int conv2dBackward(Tensor dinp, Tensor dweight, Tensor dbias, Tensor dout, Tensor inp, Tensor weight,
      int B, int cIn, int H, int W, int cOut, int kh, int kw, int stride, int padH, int padW, int dilation, int groups,
      boolean reluIn, boolean reference) {
    String op = reference ? "conv2d_backward_ref" : "conv2d_backward";
    long[] n = convSizes(op, B, cIn, H, W, cOut, kh, kw, stride, padH, padW, dilation, groups);
    optional(op, "dinp", dinp, n[0]);
    optional(op, "dweight", dweight, n[1]);
    optional(op, "dbias", dbias, cOut);
    fits(op, "dout", dout, n[2]);
    fits(op, "inp", inp, n[0]);
    fits(op, "weight", weight, n[1]);
    return reference
        ? NativeLib.jnas_cpu_conv2d_backward_ref(p(dinp), p(dweight), p(dbias), dout.pointer(), inp.pointer(),
            weight.pointer(), B, cIn, H, W, cOut, kh, kw, stride, padH, padW, dilation, groups, reluIn ? 1 : 0)
        : NativeLib.jnas_cpu_conv2d_backward(p(dinp), p(dweight), p(dbias), dout.pointer(), inp.pointer(),
            weight.pointer(), B, cIn, H, W, cOut, kh, kw, stride, padH, padW, dilation, groups, reluIn ? 1 : 0);
  }

  /** Input, weight and output element counts of a convolution, after checking the sizes. */
  private static long[] convSizes(String op, int B, int cIn, int H, int W, int cOut, int kh, int kw, int stride,
      int padH, int padW, int dilation, int groups) {
    positive(op, B, cIn, H, W, cOut, kh, kw, stride, dilation, groups);
    nonNegative(op, padH, padW);
    if (cIn % groups != 0 || cOut % groups != 0) throw new IllegalArgumentException("kernel " + op + ": groups " + groups + " does not divide the channels");
    int oh = outSize(H, kh, stride, padH, dilation), ow = outSize(W, kw, stride, padW, dilation);
    if (oh < 1 || ow < 1) throw new IllegalArgumentException("kernel " + op + ": empty output " + oh + "x" + ow);
    return new long[] {(long) B * cIn * H * W, (long) cOut * (cIn / groups) * kh * kw, (long) B * cOut * oh * ow};
  }

  // ----------------------------------------------------------- separable conv

  /**
   * {@code jnas_cpu_sepconv_forward}; {@code reluIn}: of ReLU(inp), the ReLU fused. {@code mid}
   * may be null in both calls: nothing is kept and backward recomputes it.
   */
  public static int sepconvForward(Tensor out, Tensor mid, Tensor inp, Tensor wDw, Tensor wPw, int B, int cIn, int H,
      int W, int cOut, int k, int stride, int pad, int dilation, boolean reluIn) {
    String op = "sepconv_forward";
    long[] n = sepSizes(op, B, cIn, H, W, cOut, k, stride, pad, dilation);
    fits(op, "out", out, n[0]);
    optional(op, "mid", mid, n[1]);
    fits(op, "inp", inp, n[2]);
    fits(op, "w_dw", wDw, n[3]);
    fits(op, "w_pw", wPw, n[4]);
    return NativeLib.jnas_cpu_sepconv_forward(out.pointer(), p(mid), inp.pointer(), wDw.pointer(), wPw.pointer(),
        B, cIn, H, W, cOut, k, stride, pad, dilation, reluIn ? 1 : 0);
  }

  /** {@code jnas_cpu_sepconv_backward}: adds into the non-null gradients (through the fused ReLU where {@code reluIn}). */
  public static int sepconvBackward(Tensor dinp, Tensor dwDw, Tensor dwPw, Tensor dout, Tensor mid, Tensor inp,
      Tensor wDw, Tensor wPw, int B, int cIn, int H, int W, int cOut, int k, int stride, int pad, int dilation,
      boolean reluIn) {
    String op = "sepconv_backward";
    long[] n = sepSizes(op, B, cIn, H, W, cOut, k, stride, pad, dilation);
    optional(op, "dinp", dinp, n[2]);
    optional(op, "dw_dw", dwDw, n[3]);
    optional(op, "dw_pw", dwPw, n[4]);
    fits(op, "dout", dout, n[0]);
    optional(op, "mid", mid, n[1]);
    fits(op, "inp", inp, n[2]);
    fits(op, "w_dw", wDw, n[3]);
    fits(op, "w_pw", wPw, n[4]);
    return NativeLib.jnas_cpu_sepconv_backward(p(dinp), p(dwDw), p(dwPw), dout.pointer(), p(mid), inp.pointer(),
        wDw.pointer(), wPw.pointer(), B, cIn, H, W, cOut, k, stride, pad, dilation, reluIn ? 1 : 0);
  }

  private static long[] sepSizes(String op, int B, int cIn, int H, int W, int cOut, int k, int stride, int pad,
      int dilation) {
    positive(op, B, cIn, H, W, cOut, k, stride, dilation);
    nonNegative(op, pad);
    int oh = outSize(H, k, stride, pad, dilation), ow = outSize(W, k, stride, pad, dilation);
    if (oh < 1 || ow < 1) throw new IllegalArgumentException("kernel " + op + ": empty output " + oh + "x" + ow);
    return new long[] {(long) B * cOut * oh * ow, (long) B * cIn * oh * ow, (long) B * cIn * H * W, (long) cIn * k * k,
        (long) cOut * cIn};
  }

  // -------------------------------------------------------------------- pools

  /** {@code jnas_cpu_maxpool_forward}. */
  public static int maxpoolForward(Tensor out, IntTensor argmax, Tensor inp, int B, int C, int H, int W, int k,
      int stride, int pad) {
    String op = "maxpool_forward";
    long[] n = poolSizes(op, B, C, H, W, k, stride, pad);
    fits(op, "out", out, n[1]);
    fits(op, "argmax", argmax, n[1]);
    fits(op, "inp", inp, n[0]);
    return NativeLib.jnas_cpu_maxpool_forward(out.pointer(), argmax.pointer(), inp.pointer(), B, C, H, W, k, stride, pad);
  }

  /** {@code jnas_cpu_maxpool_backward}. */
  public static int maxpoolBackward(Tensor dinp, Tensor dout, IntTensor argmax, int B, int C, int H, int W, int k,
      int stride, int pad) {
    String op = "maxpool_backward";
    long[] n = poolSizes(op, B, C, H, W, k, stride, pad);
    fits(op, "dinp", dinp, n[0]);
    fits(op, "dout", dout, n[1]);
    fits(op, "argmax", argmax, n[1]);
    int[] a = argmax.toArray();
    for (long i = 0; i < n[1]; i++) {
      if (a[(int) i] < 0 || a[(int) i] >= H * W) throw new IllegalArgumentException("kernel " + op + ": argmax[" + i + "] = " + a[(int) i] + " is outside the " + H + "x" + W + " plane");
    }
    return NativeLib.jnas_cpu_maxpool_backward(dinp.pointer(), dout.pointer(), argmax.pointer(), B, C, H, W, k, stride, pad);
  }

  /** {@code jnas_cpu_avgpool_forward}. */
  public static int avgpoolForward(Tensor out, Tensor inp, int B, int C, int H, int W, int k, int stride, int pad) {
    String op = "avgpool_forward";
    long[] n = poolSizes(op, B, C, H, W, k, stride, pad);
    fits(op, "out", out, n[1]);
    fits(op, "inp", inp, n[0]);
    return NativeLib.jnas_cpu_avgpool_forward(out.pointer(), inp.pointer(), B, C, H, W, k, stride, pad);
  }

  /** {@code jnas_cpu_avgpool_backward}. */
  public static int avgpoolBackward(Tensor dinp, Tensor dout, int B, int C, int H, int W, int k, int stride, int pad) {
    String op = "avgpool_backward";
    long[] n = poolSizes(op, B, C, H, W, k, stride, pad);
    fits(op, "dinp", dinp, n[0]);
    fits(op, "dout", dout, n[1]);
    return NativeLib.jnas_cpu_avgpool_backward(dinp.pointer(), dout.pointer(), B, C, H, W, k, stride, pad);
  }

  private static long[] poolSizes(String op, int B, int C, int H, int W, int k, int stride, int pad) {
    positive(op, B, C, H, W, k, stride);
    nonNegative(op, pad);
    int oh = outSize(H, k, stride, pad, 1), ow = outSize(W, k, stride, pad, 1);
    if (oh < 1 || ow < 1) throw new IllegalArgumentException("kernel " + op + ": empty output " + oh + "x" + ow);
    return new long[] {(long) B * C * H * W, (long) B * C * oh * ow};
  }

  /** {@code jnas_cpu_global_avgpool_forward}: out (B, C), inp (B, C, HW). */
  public static int globalAvgpoolForward(Tensor out, Tensor inp, int B, int C, int HW) {
    String op = "global_avgpool_forward";
    positive(op, B, C, HW);
    fits(op, "out", out, (long) B * C);
    fits(op, "inp", inp, (long) B * C * HW);
    return NativeLib.jnas_cpu_global_avgpool_forward(out.pointer(), inp.pointer(), B, C, HW);
  }

  /** {@code jnas_cpu_global_avgpool_backward}. */
  public static int globalAvgpoolBackward(Tensor dinp, Tensor dout, int B, int C, int HW) {
    String op = "global_avgpool_backward";
    positive(op, B, C, HW);
    fits(op, "dinp", dinp, (long) B * C * HW);
    fits(op, "dout", dout, (long) B * C);
    return NativeLib.jnas_cpu_global_avgpool_backward(dinp.pointer(), dout.pointer(), B, C, HW);
  }

  // ---------------------------------------------------------------- batchnorm

  /** {@code jnas_cpu_batchnorm_forward}; gamma/beta and the running statistics may be null. */
  public static int batchnormForward(Tensor out, Tensor mean, Tensor rstd, Tensor inp, Tensor gamma, Tensor beta,
      Tensor runningMean, Tensor runningVar, int B, int C, int HW, float eps, float momentum, boolean training) {
    String op = "batchnorm_forward";
    normalizeArgs(op, out, inp, mean, rstd, gamma, beta, B, C, HW);
    optional(op, "running_mean", runningMean, C);
    optional(op, "running_var", runningVar, C);
    if (!training && (runningMean == null || runningVar == null)) {
      throw new IllegalArgumentException("kernel " + op + ": inference needs the running statistics");
    }
    return NativeLib.jnas_cpu_batchnorm_forward(out.pointer(), mean.pointer(), rstd.pointer(), inp.pointer(), p(gamma),
        p(beta), p(runningMean), p(runningVar), B, C, HW, eps, momentum, training ? 1 : 0);
  }

  /** {@code jnas_cpu_batchnorm_backward}: adds into the non-null gradients. */
  public static int batchnormBackward(Tensor dinp, Tensor dgamma, Tensor dbeta, Tensor dout, Tensor inp, Tensor mean,
      Tensor rstd, Tensor gamma, int B, int C, int HW, boolean training) {
    String op = "batchnorm_backward";
    positive(op, B, C, HW);
    long n = (long) B * C * HW;
    optional(op, "dinp", dinp, n);
    optional(op, "dgamma", dgamma, C);
    optional(op, "dbeta", dbeta, C);
    fits(op, "dout", dout, n);
    fits(op, "inp", inp, n);
    fits(op, "mean", mean, C);
    fits(op, "rstd", rstd, C);
    optional(op, "gamma", gamma, C);
    return NativeLib.jnas_cpu_batchnorm_backward(p(dinp), p(dgamma), p(dbeta), dout.pointer(), inp.pointer(),
        mean.pointer(), rstd.pointer(), p(gamma), B, C, HW, training ? 1 : 0);
  }

  /** {@code jnas_cpu_batchnorm_apply}: a forward's output again from its statistics. */
  public static int batchnormApply(Tensor out, Tensor inp, Tensor mean, Tensor rstd, Tensor gamma, Tensor beta, int B,
      int C, int HW) {
    String op = "batchnorm_apply";
    normalizeArgs(op, out, inp, mean, rstd, gamma, beta, B, C, HW);
    return NativeLib.jnas_cpu_batchnorm_apply(out.pointer(), inp.pointer(), mean.pointer(), rstd.pointer(), p(gamma),
        p(beta), B, C, HW);
  }

  /** The tensors a batch-norm normalize reads and writes (forward, apply), checked against (B, C, HW). */
  private static void normalizeArgs(String op, Tensor out, Tensor inp, Tensor mean, Tensor rstd, Tensor gamma,
      Tensor beta, int B, int C, int HW) {
    positive(op, B, C, HW);
    long n = (long) B * C * HW;
    fits(op, "out", out, n);
    fits(op, "mean", mean, C);
    fits(op, "rstd", rstd, C);
    fits(op, "inp", inp, n);
    optional(op, "gamma", gamma, C);
    optional(op, "beta", beta, C);
  }

  // -------------------------------------------------------------- elementwise

  /** {@code jnas_cpu_relu_forward}. */
  public static int reluForward(Tensor out, Tensor inp, long N) {
    String op = "relu_forward";
    positive(op, N);
    fits(op, "out", out, N);
    fits(op, "inp", inp, N);
    return NativeLib.jnas_cpu_relu_forward(out.pointer(), inp.pointer(), N);
  }

  /** {@code jnas_cpu_relu_backward}: dinp += dout where inp > 0. */
  public static int reluBackward(Tensor dinp, Tensor dout, Tensor inp, long N) {
    String op = "relu_backward";
    positive(op, N);
    fits(op, "dinp", dinp, N);
    fits(op, "dout", dout, N);
    fits(op, "inp", inp, N);
    return NativeLib.jnas_cpu_relu_backward(dinp.pointer(), dout.pointer(), inp.pointer(), N);
  }

  /** {@code jnas_cpu_sum_forward}: out = the sum of the inputs (N elements each). */
  public static int sumForward(Tensor out, List<Tensor> inps, long N) {
    String op = "sum_forward";
    positive(op, N, inps.size());
    fits(op, "out", out, N);
    for (int i = 0; i < inps.size(); i++) fits(op, "inps[" + i + "]", inps.get(i), N);
    try (PointerPointer<FloatPointer> pp = pointers(inps)) {
      return NativeLib.jnas_cpu_sum_forward(out.pointer(), pp, inps.size(), N);
    }
  }

  /** {@code jnas_cpu_sum_backward}: every non-null dinps[i] += dout. */
  public static int sumBackward(List<Tensor> dinps, Tensor dout, long N) {
    String op = "sum_backward";
    positive(op, N, dinps.size());
    fits(op, "dout", dout, N);
    for (int i = 0; i < dinps.size(); i++) optional(op, "dinps[" + i + "]", dinps.get(i), N);
    try (PointerPointer<FloatPointer> pp = pointers(dinps)) {
      return NativeLib.jnas_cpu_sum_backward(pp, dout.pointer(), dinps.size(), N);
    }
  }

  /** {@code jnas_cpu_concat_forward}: channel concat, inps[i] (B, channels[i], HW). */
  public static int concatForward(Tensor out, List<Tensor> inps, int[] channels, int B, int HW) {
    String op = "concat_forward";
    long c = concatChannels(op, inps.size(), channels, B, HW);
    fits(op, "out", out, B * c * HW);
    for (int i = 0; i < inps.size(); i++) fits(op, "inps[" + i + "]", inps.get(i), (long) B * channels[i] * HW);
    try (PointerPointer<FloatPointer> pp = pointers(inps); IntPointer ch = new IntPointer(channels)) {
      return NativeLib.jnas_cpu_concat_forward(out.pointer(), pp, ch, inps.size(), B, HW);
    }
  }

  /** {@code jnas_cpu_concat_backward}: every non-null dinps[i] += its slice of dout. */
  public static int concatBackward(List<Tensor> dinps, Tensor dout, int[] channels, int B, int HW) {
    String op = "concat_backward";
    long c = concatChannels(op, dinps.size(), channels, B, HW);
    fits(op, "dout", dout, B * c * HW);
    for (int i = 0; i < dinps.size(); i++) optional(op, "dinps[" + i + "]", dinps.get(i), (long) B * channels[i] * HW);
    try (PointerPointer<FloatPointer> pp = pointers(dinps); IntPointer ch = new IntPointer(channels)) {
      return NativeLib.jnas_cpu_concat_backward(pp, dout.pointer(), ch, dinps.size(), B, HW);
    }
  }

  private static long concatChannels(String op, int n, int[] channels, int B, int HW) {
    positive(op, n, B, HW);
    if (channels == null || channels.length != n) throw new IllegalArgumentException("kernel " + op + ": channels must hold one count per input");
    long c = 0;
    for (int ch : channels) {
      positive(op, ch);
      c += ch;
    }
    return c;
  }

  /** {@code jnas_cpu_factorized_reduce_forward}: out (B, C_out, ceil(H/2), ceil(W/2)). */
  public static int factorizedReduceForward(Tensor out, Tensor inp, Tensor w1, Tensor w2, int B, int cIn, int H, int W,
      int cOut) {
    String op = "factorized_reduce_forward";
    long[] n = frSizes(op, B, cIn, H, W, cOut);
    fits(op, "out", out, n[1]);
    fits(op, "inp", inp, n[0]);
    fits(op, "w1", w1, n[2]);
    fits(op, "w2", w2, n[3]);
    return NativeLib.jnas_cpu_factorized_reduce_forward(out.pointer(), inp.pointer(), w1.pointer(), w2.pointer(), B, cIn,
        H, W, cOut);
  }

  /** {@code jnas_cpu_factorized_reduce_backward}: adds into the non-null gradients. */
  public static int factorizedReduceBackward(Tensor dinp, Tensor dw1, Tensor dw2, Tensor dout, Tensor inp, Tensor w1,
      Tensor w2, int B, int cIn, int H, int W, int cOut) {
    String op = "factorized_reduce_backward";
    long[] n = frSizes(op, B, cIn, H, W, cOut);
    optional(op, "dinp", dinp, n[0]);
    optional(op, "dw1", dw1, n[2]);
    optional(op, "dw2", dw2, n[3]);
    fits(op, "dout", dout, n[1]);
    fits(op, "inp", inp, n[0]);
    fits(op, "w1", w1, n[2]);
    fits(op, "w2", w2, n[3]);
    return NativeLib.jnas_cpu_factorized_reduce_backward(p(dinp), p(dw1), p(dw2), dout.pointer(), inp.pointer(),
        w1.pointer(), w2.pointer(), B, cIn, H, W, cOut);
  }

  private static long[] frSizes(String op, int B, int cIn, int H, int W, int cOut) {
    positive(op, B, cIn, H, W, cOut);
    if (cOut < 2) throw new IllegalArgumentException("kernel " + op + ": C_out " + cOut + " < 2");
    return new long[] {(long) B * cIn * H * W, (long) B * cOut * ((H + 1) / 2) * ((W + 1) / 2),
        (long) (cOut / 2) * cIn, (long) (cOut - cOut / 2) * cIn};
  }

  // ------------------------------------------------------ classifier and loss

  /** {@code jnas_cpu_linear_forward}: out (B, OC) = inp (B, IC) weight^T (OC, IC) + bias. */
  public static int linearForward(Tensor out, Tensor inp, Tensor weight, Tensor bias, int B, int ic, int oc) {
    String op = "linear_forward";
    positive(op, B, ic, oc);
    fits(op, "out", out, (long) B * oc);
    fits(op, "inp", inp, (long) B * ic);
    fits(op, "weight", weight, (long) oc * ic);
    optional(op, "bias", bias, oc);
    return NativeLib.jnas_cpu_linear_forward(out.pointer(), inp.pointer(), weight.pointer(), p(bias), B, ic, oc);
  }

  /** {@code jnas_cpu_linear_backward}: adds into the non-null gradients. */
  public static int linearBackward(Tensor dinp, Tensor dweight, Tensor dbias, Tensor dout, Tensor inp, Tensor weight,
      int B, int ic, int oc) {
    String op = "linear_backward";
    positive(op, B, ic, oc);
    optional(op, "dinp", dinp, (long) B * ic);
    optional(op, "dweight", dweight, (long) oc * ic);
    optional(op, "dbias", dbias, oc);
    fits(op, "dout", dout, (long) B * oc);
    fits(op, "inp", inp, (long) B * ic);
    fits(op, "weight", weight, (long) oc * ic);
    return NativeLib.jnas_cpu_linear_backward(p(dinp), p(dweight), p(dbias), dout.pointer(), inp.pointer(),
        weight.pointer(), B, ic, oc);
  }

  /** {@code jnas_cpu_softmax_xent_forward}: loss (1), probs (B, V) saved. */
  public static int softmaxXentForward(Tensor loss, Tensor probs, Tensor logits, IntTensor labels, int B, int V,
      float labelSmoothing) {
    String op = "softmax_xent_forward";
    positive(op, B, V);
    fits(op, "loss", loss, 1);
    fits(op, "probs", probs, (long) B * V);
    fits(op, "logits", logits, (long) B * V);
    labels(op, labels, B, V);
    return NativeLib.jnas_cpu_softmax_xent_forward(loss.pointer(), probs.pointer(), logits.pointer(), labels.pointer(),
        B, V, labelSmoothing);
  }

  /** {@code jnas_cpu_softmax_xent_backward}: dlogits += dloss (probs - targets) / B. */
  public static int softmaxXentBackward(Tensor dlogits, Tensor probs, IntTensor labels, int B, int V,
      float labelSmoothing, float dloss) {
    String op = "softmax_xent_backward";
    positive(op, B, V);
    fits(op, "dlogits", dlogits, (long) B * V);
    fits(op, "probs", probs, (long) B * V);
    labels(op, labels, B, V);
    return NativeLib.jnas_cpu_softmax_xent_backward(dlogits.pointer(), probs.pointer(), labels.pointer(), B, V,
        labelSmoothing, dloss);
  }

  /** {@code jnas_cpu_argmax_hits}: hits (1) = rows whose argmax equals the label. */
  public static int argmaxHits(IntTensor hits, Tensor logits, IntTensor labels, int B, int V) {
    String op = "argmax_hits";
    positive(op, B, V);
    fits(op, "hits", hits, 1);
    fits(op, "logits", logits, (long) B * V);
    labels(op, labels, B, V);
    return NativeLib.jnas_cpu_argmax_hits(hits.pointer(), logits.pointer(), labels.pointer(), B, V);
  }

  private static void labels(String op, IntTensor labels, int B, int V) {
    fits(op, "labels", labels, B);
    int[] l = labels.toArray();
    for (int b = 0; b < B; b++) {
      if (l[b] < 0 || l[b] >= V) throw new IllegalArgumentException("kernel " + op + ": labels[" + b + "] = " + l[b] + ", expected [0, " + V + ")");
    }
  }

  // ------------------------------------------------------ dropout, drop-path

  /** {@code jnas_cpu_dropout_forward}: mask (N) 0 or 1/keep_prob, drawn from (seed, index). */
  public static int dropoutForward(Tensor out, Tensor mask, Tensor inp, long N, float keepProb, long seed) {
    String op = "dropout_forward";
    positive(op, N);
    fits(op, "out", out, N);
    fits(op, "mask", mask, N);
    fits(op, "inp", inp, N);
    return NativeLib.jnas_cpu_dropout_forward(out.pointer(), mask.pointer(), inp.pointer(), N, keepProb, seed);
  }

  /** {@code jnas_cpu_dropout_backward}. */
  public static int dropoutBackward(Tensor dinp, Tensor dout, Tensor mask, long N) {
    String op = "dropout_backward";
    positive(op, N);
    fits(op, "dinp", dinp, N);
    fits(op, "dout", dout, N);
    fits(op, "mask", mask, N);
    return NativeLib.jnas_cpu_dropout_backward(dinp.pointer(), dout.pointer(), mask.pointer(), N);
  }

  /** {@code jnas_cpu_drop_path_forward}: one draw per sample; inp (B, perSample). */
  public static int dropPathForward(Tensor out, Tensor mask, Tensor inp, int B, long perSample, float keepProb, long seed) {
    String op = "drop_path_forward";
    positive(op, B, perSample);
    fits(op, "out", out, B * perSample);
    fits(op, "mask", mask, B);
    fits(op, "inp", inp, B * perSample);
    return NativeLib.jnas_cpu_drop_path_forward(out.pointer(), mask.pointer(), inp.pointer(), B, perSample, keepProb, seed);
  }

  /** {@code jnas_cpu_drop_path_backward}. */
  public static int dropPathBackward(Tensor dinp, Tensor dout, Tensor mask, int B, long perSample) {
    String op = "drop_path_backward";
    positive(op, B, perSample);
    fits(op, "dinp", dinp, B * perSample);
    fits(op, "dout", dout, B * perSample);
    fits(op, "mask", mask, B);
    return NativeLib.jnas_cpu_drop_path_backward(dinp.pointer(), dout.pointer(), mask.pointer(), B, perSample);
  }

  // ------------------------------------------------------------------ updates

  /** {@code jnas_cpu_sgd_update}; the momentum buffer may be null when momentum is 0. */
  public static int sgdUpdate(Tensor param, Tensor momentumBuf, Tensor grad, long N, float lr, float momentum,
      float weightDecay, boolean nesterov) {
    String op = "sgd_update";
    positive(op, N);
    fits(op, "param", param, N);
    if (momentum != 0f) fits(op, "momentum_buf", momentumBuf, N);
    else optional(op, "momentum_buf", momentumBuf, N);
    fits(op, "grad", grad, N);
    return NativeLib.jnas_cpu_sgd_update(param.pointer(), p(momentumBuf), grad.pointer(), N, lr, momentum, weightDecay,
        nesterov ? 1 : 0);
  }

  /** {@code jnas_cpu_adam_update}; step counts from 1. */
  public static int adamUpdate(Tensor param, Tensor m, Tensor v, Tensor grad, long N, float lr, float beta1, float beta2,
      float eps, float weightDecay, int step) {
    String op = "adam_update";
    positive(op, N, step);
    fits(op, "param", param, N);
    fits(op, "m", m, N);
    fits(op, "v", v, N);
    fits(op, "grad", grad, N);
    return NativeLib.jnas_cpu_adam_update(param.pointer(), m.pointer(), v.pointer(), grad.pointer(), N, lr, beta1, beta2,
        eps, weightDecay, step);
  }

  /** {@code jnas_cpu_global_norm}: out (1) = the norm of the buffers together (each whole). */
  public static int globalNorm(Tensor out, List<Tensor> bufs) {
    String op = "global_norm";
    fits(op, "out", out, 1);
    long[] sizes = new long[bufs.size()];
    for (int i = 0; i < sizes.length; i++) {
      if (bufs.get(i) == null) throw new IllegalArgumentException("kernel " + op + ": bufs[" + i + "] is null");
      sizes[i] = bufs.get(i).size();
    }
    try (PointerPointer<FloatPointer> pp = pointers(bufs); LongPointer sz = new LongPointer(sizes)) {
      return NativeLib.jnas_cpu_global_norm(out.pointer(), pp, sz, bufs.size());
    }
  }

  /** {@code jnas_cpu_scale}: buf *= s. */
  public static int scale(Tensor buf, long N, float s) {
    String op = "scale";
    positive(op, N);
    fits(op, "buf", buf, N);
    return NativeLib.jnas_cpu_scale(buf.pointer(), N, s);
  }

  /** {@code jnas_cpu_fill}: buf = v. */
  public static int fill(Tensor buf, long N, float v) {
    String op = "fill";
    positive(op, N);
    fits(op, "buf", buf, N);
    return NativeLib.jnas_cpu_fill(buf.pointer(), N, v);
  }

  /**
   * {@code jnas_cpu_weighted_sum_forward}: out = sum_k w[k] inps[k]; a null input is not
   * computed (adds nothing).
   */
  public static int weightedSumForward(Tensor out, List<Tensor> inps, float[] w, long N) {
    String op = "weighted_sum_forward";
    positive(op, N, inps.size());
    fits(op, "out", out, N);
    if (w == null || w.length != inps.size()) throw new IllegalArgumentException("kernel " + op + ": w needs " + inps.size() + " floats");
    for (int i = 0; i < inps.size(); i++) optional(op, "inps[" + i + "]", inps.get(i), N);
    try (PointerPointer<FloatPointer> pp = pointers(inps); FloatPointer wp = new FloatPointer(w)) {
      return NativeLib.jnas_cpu_weighted_sum_forward(out.pointer(), pp, wp, inps.size(), N);
    }
  }

  /**
   * {@code jnas_cpu_weighted_sum_backward}: dinps[k] += w[k] dout (null skipped); dw (may be
   * null) += sum dout * inps[k], or sum dout where inps[k] is null.
   */
  public static int weightedSumBackward(List<Tensor> dinps, Tensor dw, Tensor dout, List<Tensor> inps, float[] w, long N) {
    String op = "weighted_sum_backward";
    positive(op, N, inps.size());
    if (dinps.size() != inps.size() || w == null || w.length != inps.size()) {
      throw new IllegalArgumentException("kernel " + op + ": dinps, inps and w differ in length");
    }
    fits(op, "dout", dout, N);
    optional(op, "dw", dw, inps.size());
    for (int i = 0; i < inps.size(); i++) {
      optional(op, "inps[" + i + "]", inps.get(i), N);
      optional(op, "dinps[" + i + "]", dinps.get(i), N);
    }
    try (PointerPointer<FloatPointer> dp = pointers(dinps); PointerPointer<FloatPointer> pp = pointers(inps);
        FloatPointer wp = new FloatPointer(w)) {
      return NativeLib.jnas_cpu_weighted_sum_backward(dp, p(dw), dout.pointer(), pp, wp, inps.size(), N);
    }
  }

  /** {@code jnas_cpu_binary_code_gram}: K (B, B) += per pair the features of x (B, F) of equal sign (> 0 or not). */
  public static int binaryCodeGram(Tensor K, Tensor x, int B, long F) {
    String op = "binary_code_gram";
    positive(op, B, F);
    fits(op, "K", K, (long) B * B);
    fits(op, "x", x, B * F);
    return NativeLib.jnas_cpu_binary_code_gram(K.pointer(), x.pointer(), B, F);
  }

  /** {@code jnas_cpu_clip_by_norm}: buf *= maxNorm / norm where norm (1) exceeds maxNorm > 0. */
  public static int clipByNorm(Tensor buf, long N, Tensor norm, float maxNorm) {
    String op = "clip_by_norm";
    positive(op, N);
    fits(op, "buf", buf, N);
    fits(op, "norm", norm, 1);
    return NativeLib.jnas_cpu_clip_by_norm(buf.pointer(), N, norm.pointer(), maxNorm);
  }

  // -------------------------------------------------------------------- BLAS

  /**
   * {@code jnas_cpu_sgemm} (OpenBLAS, row-major): C = alpha op(A) op(B) + beta C. For the
   * benchmarks, which report every kernel beside sgemm's rate.
   */
  public static void sgemm(boolean transA, boolean transB, int M, int N, int K, float alpha, Tensor a, int lda,
      Tensor b, int ldb, float beta, Tensor c, int ldc) {
    String op = "sgemm";
    positive(op, M, N, K);
    int aRows = transA ? K : M, aCols = transA ? M : K, bRows = transB ? N : K, bCols = transB ? K : N;
    if (lda < aCols || ldb < bCols || ldc < N) throw new IllegalArgumentException("kernel sgemm: a leading dimension is smaller than its row");
    fits(op, "A", a, (long) (aRows - 1) * lda + aCols);
    fits(op, "B", b, (long) (bRows - 1) * ldb + bCols);
    fits(op, "C", c, (long) (M - 1) * ldc + N);
    NativeLib.jnas_cpu_sgemm(transA ? 1 : 0, transB ? 1 : 0, M, N, K, alpha, a.pointer(), lda, b.pointer(), ldb, beta,
        c.pointer(), ldc);
  }

  // ------------------------------------------------------------------ checks

  private static FloatPointer p(Tensor t) {
    return t == null ? null : t.pointer();
  }

  private static PointerPointer<FloatPointer> pointers(List<Tensor> ts) {
    PointerPointer<FloatPointer> pp = new PointerPointer<>(ts.size());
    for (int i = 0; i < ts.size(); i++) pp.put(i, ts.get(i) == null ? null : ts.get(i).pointer());
    return pp;
  }

  private static void positive(String op, long... v) {
    for (long x : v) if (x < 1) throw new IllegalArgumentException("kernel " + op + ": a size is " + x + ", expected a positive value");
  }

  private static void nonNegative(String op, int... v) {
    for (int x : v) if (x < 0) throw new IllegalArgumentException("kernel " + op + ": a padding is " + x + ", expected 0 or more");
  }

  private static void fits(String op, String name, Tensor t, long n) {
    if (t == null) throw new IllegalArgumentException("kernel " + op + ": " + name + " is null");
    if (t.size() < n) throw new IllegalArgumentException("kernel " + op + ": " + name + " holds " + t.size() + " floats, the sizes need " + n);
  }

  private static void fits(String op, String name, IntTensor t, long n) {
    if (t == null) throw new IllegalArgumentException("kernel " + op + ": " + name + " is null");
    if (t.size() < n) throw new IllegalArgumentException("kernel " + op + ": " + name + " holds " + t.size() + " ints, the sizes need " + n);
  }

  private static void optional(String op, String name, Tensor t, long n) {
    if (t != null) fits(op, name, t, n);
  }
}
