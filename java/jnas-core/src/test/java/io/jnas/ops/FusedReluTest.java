package io.jnas.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.jnas.testing.GradCheck;
import io.jnas.tensor.Tensor;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Convolutions with a fused ReLU on their input ({@code relu_in}): the networks' ReLU-conv and
 * ReLU-sepconv units. A fused op must give, bit for bit, what ReLU followed by the plain op
 * gives (forward, and every gradient: the input's through the ReLU mask, added to what the
 * gradient buffer held), on every kernel path (pointwise, im2col GEMM, depthwise stride 1 and
 * the general depthwise kernel); and the naive reference with the ReLU must agree with it.
 * The plain ops and the ReLU have their own finite-difference tests, so this carries them over.
 */
class FusedReluTest {
  /** (b, cIn, h, w, cOut, kh, kw, stride, padH, padW, dilation, groups): every conv2d path. */
  static final int[][] CONVS = {
    {3, 6, 9, 7, 5, 1, 1, 1, 0, 0, 1, 1},   // pointwise fast path
    {2, 4, 9, 11, 4, 1, 7, 1, 0, 3, 1, 1},  // 1x7: im2col + sgemm
    {2, 3, 8, 8, 6, 3, 3, 2, 1, 1, 1, 1},   // dense 3x3 stride 2
    {2, 5, 10, 9, 5, 3, 3, 1, 1, 1, 1, 5},  // depthwise stride 1
    {2, 5, 8, 8, 5, 3, 3, 1, 1, 1, 1, 5},   // depthwise 8x8 "same": flat stencils on AVX-512
    {2, 3, 6, 16, 3, 5, 5, 1, 2, 2, 1, 3},  // depthwise 16 wide "same": rows in place
    {2, 4, 11, 10, 4, 5, 5, 1, 4, 4, 2, 4}, // depthwise dilated
    {2, 4, 9, 9, 4, 3, 3, 2, 1, 1, 1, 4},   // depthwise stride 2: the general kernel
  };

  private static Tensor rand(SplittableRandom rng, int... shape) {
    return Tensor.uniform(rng, -1f, 1f, shape);
  }

  private static Tensor relu(Tensor x) {
    Tensor r = Tensor.zeros(x.shape());
    ElementwiseOps.reluForward(r, x);
    return r;
  }

  @Test
  void fusedConvEqualsReluThenConvBitForBit() {
    SplittableRandom rng = new SplittableRandom(7);
    for (int[] c : CONVS) {
      String name = "conv2d " + Arrays.toString(c);
      int b = c[0], cIn = c[1], h = c[2], w = c[3], cOut = c[4], kh = c[5], kw = c[6];
      Conv2dSpec spec = new Conv2dSpec(c[7], c[8], c[9], c[10], c[11]);
      Tensor x = rand(rng, b, cIn, h, w), wt = rand(rng, cOut, cIn / c[11], kh, kw), bias = rand(rng, cOut);
      int[] os = ConvOps.conv2dOutputShape(x, wt, spec);
      Tensor plain = Tensor.zeros(os), fused = Tensor.zeros(os), ref = Tensor.zeros(os);
      Tensor r = relu(x);
      ConvOps.conv2dForward(plain, r, wt, bias, spec);
      ConvOps.conv2dForward(fused, x, wt, bias, spec, true);
      assertArrayEquals(plain.toArray(), fused.toArray(), name + ": forward");
      ConvOps.conv2dForwardReference(ref, x, wt, bias, spec, true);
      GradCheck.assertClose(name + ": forward vs reference", ref.toArray(), fused.toArray());

      Tensor dout = rand(rng, os);
      Tensor dx0 = rand(rng, x.shape()), dw0 = rand(rng, wt.shape()), db0 = rand(rng, cOut);
      // plain: the ReLU's output gradient from zero, then the ReLU backward adds it into dx
      Tensor dr = Tensor.zeros(x.shape()), dxP = dx0.copy(), dwP = dw0.copy(), dbP = db0.copy();
      ConvOps.conv2dBackward(dr, dwP, dbP, dout, r, wt, spec);
      ElementwiseOps.reluBackward(dxP, dr, x);
      Tensor dxF = dx0.copy(), dwF = dw0.copy(), dbF = db0.copy();
      ConvOps.conv2dBackward(dxF, dwF, dbF, dout, x, wt, spec, true);
      assertArrayEquals(dxP.toArray(), dxF.toArray(), name + ": dinp");
      assertArrayEquals(dwP.toArray(), dwF.toArray(), name + ": dweight");
      assertArrayEquals(dbP.toArray(), dbF.toArray(), name + ": dbias");
      Tensor dxR = dx0.copy(), dwR = dw0.copy(), dbR = db0.copy();
      ConvOps.conv2dBackwardReference(dxR, dwR, dbR, dout, x, wt, spec, true);
      GradCheck.assertClose(name + ": dinp vs reference", dxR.toArray(), dxF.toArray());
      GradCheck.assertClose(name + ": dweight vs reference", dwR.toArray(), dwF.toArray());
    }
  }

  @Test
  void fusedSepconvEqualsReluThenSepconvBitForBit() {
    SplittableRandom rng = new SplittableRandom(8);
    for (int[] c : SepConvTest.CASES) {
      String name = "sepconv " + Arrays.toString(c);
      int b = c[0] + 1, cIn = c[1] * 2, h = c[2], w = c[3], cOut = c[4] + 3, k = c[5], s = c[6], p = c[7], d = c[8];
      Tensor x = rand(rng, b, cIn, h, w), wDw = rand(rng, cIn, 1, k, k), wPw = rand(rng, cOut, cIn, 1, 1);
      int oh = (h + 2 * p - d * (k - 1) - 1) / s + 1, ow = (w + 2 * p - d * (k - 1) - 1) / s + 1;
      Tensor midP = Tensor.zeros(b, cIn, oh, ow), outP = Tensor.zeros(b, cOut, oh, ow);
      Tensor midF = Tensor.zeros(b, cIn, oh, ow), outF = Tensor.zeros(b, cOut, oh, ow);
      Tensor r = relu(x);
      ConvOps.sepconvForward(outP, midP, r, wDw, wPw, s, p, d);
      ConvOps.sepconvForward(outF, midF, x, wDw, wPw, s, p, d, true);
      assertArrayEquals(midP.toArray(), midF.toArray(), name + ": mid");
      assertArrayEquals(outP.toArray(), outF.toArray(), name + ": out");

      Tensor dout = rand(rng, outP.shape());
      Tensor dx0 = rand(rng, x.shape()), dd0 = rand(rng, wDw.shape()), dp0 = rand(rng, wPw.shape());
      Tensor dr = Tensor.zeros(x.shape()), dxP = dx0.copy(), ddP = dd0.copy(), dpP = dp0.copy();
      ConvOps.sepconvBackward(dr, ddP, dpP, dout, midP, r, wDw, wPw, s, p, d);
      ElementwiseOps.reluBackward(dxP, dr, x);
      Tensor dxF = dx0.copy(), ddF = dd0.copy(), dpF = dp0.copy();
      ConvOps.sepconvBackward(dxF, ddF, dpF, dout, midF, x, wDw, wPw, s, p, d, true);
      assertArrayEquals(dxP.toArray(), dxF.toArray(), name + ": dinp");
      assertArrayEquals(ddP.toArray(), ddF.toArray(), name + ": dw_dw");
      assertArrayEquals(dpP.toArray(), dpF.toArray(), name + ": dw_pw");

      // no mid kept (what the networks do): the same output; backward recomputes mid (the fused
      // per-sample kernel at stride 1): the same input gradient, weight gradients summed per
      // chunk of samples (equal to float rounding)
      Tensor outN = Tensor.zeros(outP.shape());
      io.jnas.backend.Kernels.sepconvForward(outN, null, x, wDw, wPw, b, cIn, h, w, cOut, k, s, p, d, true);
      assertArrayEquals(outF.toArray(), outN.toArray(), name + ": out without mid");
      Tensor dxN = dx0.copy(), ddN = dd0.copy(), dpN = dp0.copy();
      io.jnas.backend.Kernels.sepconvBackward(dxN, ddN, dpN, dout, null, x, wDw, wPw, b, cIn, h, w, cOut, k, s, p, d, true);
      assertArrayEquals(dxF.toArray(), dxN.toArray(), name + ": dinp without mid");
      GradCheck.assertClose(name + ": dw_dw without mid", ddF.toArray(), ddN.toArray());
      GradCheck.assertClose(name + ": dw_pw without mid", dpF.toArray(), dpN.toArray());
    }
  }
}
