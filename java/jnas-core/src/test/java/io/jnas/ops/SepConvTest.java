package io.jnas.ops;

import static io.jnas.ops.Conv2dTest.expect;

import io.jnas.testing.GradCheck;
import io.jnas.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SepConvTest {
  /** (b, cIn, h, w, cOut, k, stride, pad, dilation): odd sizes, stride 2, dilated, batch 1. */
  static final int[][] CASES = {
    {2, 3, 7, 7, 4, 3, 1, 1, 1},
    {1, 4, 9, 8, 5, 5, 2, 2, 1},
    {2, 3, 8, 7, 2, 3, 1, 2, 2},
    {1, 2, 11, 9, 3, 5, 1, 4, 2},
    {2, 3, 8, 8, 4, 3, 1, 1, 1},  // 8x8 "same": the flat stencils, geometry known at compile time
    {1, 3, 8, 8, 3, 5, 1, 4, 2},
    {1, 2, 5, 16, 3, 3, 1, 1, 1},  // whole-register rows read in place
  };

  private static Tensor rand(SplittableRandom rng, int... shape) {
    return Tensor.uniform(rng, -1f, 1f, shape);
  }

  @Test
  void gradientMatchesFiniteDifferences() {
    SplittableRandom rng = new SplittableRandom(21);
    for (int[] c : CASES) {
      int b = c[0], cIn = c[1], h = c[2], w = c[3], cOut = c[4], k = c[5], s = c[6], p = c[7], d = c[8];
      Tensor x = rand(rng, b, cIn, h, w);
      Tensor wDw = rand(rng, cIn, 1, k, k);
      Tensor wPw = rand(rng, cOut, cIn, 1, 1);
      int oh = (h + 2 * p - d * (k - 1) - 1) / s + 1, ow = (w + 2 * p - d * (k - 1) - 1) / s + 1;
      Tensor mid = Tensor.zeros(b, cIn, oh, ow);
      Tensor out = Tensor.zeros(b, cOut, oh, ow);
      Tensor dx = Tensor.zeros(x.shape());
      Tensor dwDw = Tensor.zeros(wDw.shape());
      Tensor dwPw = Tensor.zeros(wPw.shape());
      GradCheck.of("sepconv " + java.util.Arrays.toString(c)).wrt("inp", x, dx).wrt("w_dw", wDw, dwDw)
          .wrt("w_pw", wPw, dwPw).run(() -> {
            ConvOps.sepconvForward(out, mid, x, wDw, wPw, s, p, d);
            return out;
          }, dout -> ConvOps.sepconvBackward(dx, dwDw, dwPw, dout, mid, x, wDw, wPw, s, p, d));
    }
  }

  /** Sepconv equals the reference depthwise conv followed by the reference pointwise conv. */
  @Test
  void matchesComposedReferenceConvs() {
    SplittableRandom rng = new SplittableRandom(22);
    for (int[] c : CASES) {
      int b = c[0] + 2, cIn = c[1] * 3, h = c[2], w = c[3], cOut = c[4] * 2, k = c[5], s = c[6], p = c[7], d = c[8];
      Tensor x = rand(rng, b, cIn, h, w);
      Tensor wDw = rand(rng, cIn, 1, k, k);
      Tensor wPw = rand(rng, cOut, cIn, 1, 1);
      Conv2dSpec dw = new Conv2dSpec(s, p, p, d, cIn);
      int[] ms = ConvOps.conv2dOutputShape(x, wDw, dw);
      Tensor mid = Tensor.zeros(ms);
      Tensor out = Tensor.zeros(b, cOut, ms[2], ms[3]);
      Tensor midRef = Tensor.zeros(ms);
      Tensor outRef = Tensor.zeros(out.shape());
      ConvOps.sepconvForward(out, mid, x, wDw, wPw, s, p, d);
      ConvOps.conv2dForwardReference(midRef, x, wDw, null, dw);
      ConvOps.conv2dForwardReference(outRef, midRef, wPw, null, Conv2dSpec.DEFAULT);
      String name = "sepconv " + java.util.Arrays.toString(c);
      GradCheck.assertClose(name + ": mid", midRef.toArray(), mid.toArray());
      GradCheck.assertClose(name + ": out", outRef.toArray(), out.toArray());

      Tensor dout = rand(rng, out.shape());
      Tensor dx = rand(rng, x.shape()), dwDw = rand(rng, wDw.shape()), dwPw = rand(rng, wPw.shape());
      Tensor dxRef = dx.copy(), dwDwRef = dwDw.copy(), dwPwRef = dwPw.copy();
      ConvOps.sepconvBackward(dx, dwDw, dwPw, dout, mid, x, wDw, wPw, s, p, d);
      Tensor dmid = Tensor.zeros(ms);
      ConvOps.conv2dBackwardReference(dmid, dwPwRef, null, dout, midRef, wPw, Conv2dSpec.DEFAULT);
      ConvOps.conv2dBackwardReference(dxRef, dwDwRef, null, dmid, x, wDw, dw);
      GradCheck.assertClose(name + ": dinp", dxRef.toArray(), dx.toArray());
      GradCheck.assertClose(name + ": dw_dw", dwDwRef.toArray(), dwDw.toArray());
      GradCheck.assertClose(name + ": dw_pw", dwPwRef.toArray(), dwPw.toArray());
      // only the pointwise gradient: the depthwise part is skipped
      Tensor dwPw2 = dwPwRef.copy();
      ConvOps.sepconvBackward(null, null, dwPw2, dout, mid, x, wDw, wPw, s, p, d);
      Tensor expected = dwPwRef.copy();
      ConvOps.conv2dBackwardReference(null, expected, null, dout, midRef, wPw, Conv2dSpec.DEFAULT);
      GradCheck.assertClose(name + ": dw_pw alone", expected.toArray(), dwPw2.toArray());
    }
  }

  @Test
  void badArgumentsNameTheArgument() {
    Tensor x = Tensor.zeros(2, 4, 6, 6);
    Tensor wDw = Tensor.zeros(4, 1, 3, 3);
    Tensor wPw = Tensor.zeros(5, 4, 1, 1);
    Tensor mid = Tensor.zeros(2, 4, 6, 6);
    Tensor out = Tensor.zeros(2, 5, 6, 6);
    expect(() -> ConvOps.sepconvForward(out, mid, x, Tensor.zeros(4, 1, 3, 2), wPw, 1, 1, 1), "sepconv_forward", "wDw");
    expect(() -> ConvOps.sepconvForward(out, mid, x, Tensor.zeros(3, 1, 3, 3), wPw, 1, 1, 1), "wDw", "[3, 1, 3, 3]");
    expect(() -> ConvOps.sepconvForward(out, mid, x, wDw, Tensor.zeros(5, 3, 1, 1), 1, 1, 1), "wPw", "[5, 4, 1, 1]");
    expect(() -> ConvOps.sepconvForward(out, Tensor.zeros(2, 4, 3, 3), x, wDw, wPw, 1, 1, 1), "mid", "[2, 4, 6, 6]");
    expect(() -> ConvOps.sepconvForward(out, mid, x, wDw, wPw, 2, 1, 1), "mid", "[2, 4, 3, 3]");
    expect(() -> ConvOps.sepconvForward(out, mid, x, wDw, wPw, 0, 1, 1), "stride", "positive");
    expect(() -> ConvOps.sepconvForward(out, mid, x, wDw, wPw, 1, -1, 1), "pad");
    expect(() -> ConvOps.sepconvForward(out, mid, x, wDw, wPw, 1, 0, 4), "output H", "at least");
    Tensor sq = Tensor.zeros(2, 4, 6, 6);  // C_out == C_in, so out and mid have one shape
    expect(() -> ConvOps.sepconvForward(sq, sq, x, wDw, Tensor.zeros(4, 4, 1, 1), 1, 1, 1), "out and mid", "distinct");
    expect(() -> ConvOps.sepconvForward(out, mid, null, wDw, wPw, 1, 1, 1), "inp is null");
    expect(() -> ConvOps.sepconvBackward(null, null, null, Tensor.zeros(2, 5, 6, 5), mid, x, wDw, wPw, 1, 1, 1),
        "sepconv_backward", "dout");
    expect(() -> ConvOps.sepconvBackward(null, Tensor.zeros(4, 1, 5, 5), null, out, mid, x, wDw, wPw, 1, 1, 1), "dwDw");
    expect(() -> ConvOps.sepconvBackward(mid, null, null, out, mid, x, wDw, wPw, 1, 1, 1), "dinp and mid", "distinct");
    expect(() -> ConvOps.sepconvBackward(Tensor.zeros(2, 4, 6, 5), null, null, out, mid, x, wDw, wPw, 1, 1, 1), "dinp", "[2, 4, 6, 6]");
    Tensor dx = Tensor.zeros(x.shape());
    expect(() -> ConvOps.sepconvBackward(dx, null, null, out, mid, dx, wDw, wPw, 1, 1, 1), "dinp and inp", "distinct");
  }
}
