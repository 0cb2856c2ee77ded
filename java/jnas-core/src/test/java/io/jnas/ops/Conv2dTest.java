package io.jnas.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnas.testing.GradCheck;
import io.jnas.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class Conv2dTest {
  /** One convolution case: input (b, cIn, h, w), weight (cOut, cIn/groups, kh, kw). */
  record Case(String name, int b, int cIn, int h, int w, int cOut, int kh, int kw, Conv2dSpec spec, boolean bias) {
    int[] inShape() {
      return new int[] {b, cIn, h, w};
    }

    int[] wShape() {
      return new int[] {cOut, cIn / spec.groups(), kh, kw};
    }

    @Override
    public String toString() {
      return name;
    }
  }

  /** Odd sizes, stride 2, padding, dilation 2, groups, depthwise, rectangular kernels, batch 1. */
  static final Case[] GRAD_CASES = {
    new Case("3x3 s1 p1 bias", 2, 3, 7, 5, 4, 3, 3, Conv2dSpec.of(1, 1), true),
    new Case("3x3 s2 p1 groups=2 batch1", 1, 4, 9, 9, 6, 3, 3, Conv2dSpec.of(2, 1).withGroups(2), true),
    new Case("3x3 dilation2 p2", 2, 3, 8, 7, 2, 3, 3, Conv2dSpec.of(1, 2).withDilation(2), false),
    new Case("depthwise 5x5 p2", 2, 5, 7, 6, 5, 5, 5, Conv2dSpec.of(1, 2).withGroups(5), true),
    new Case("depthwise 3x3 s2 d2 p2", 1, 3, 9, 8, 3, 3, 3, new Conv2dSpec(2, 2, 2, 2, 3), true),
    new Case("1x7 p(0,3)", 1, 3, 6, 9, 3, 1, 7, new Conv2dSpec(1, 0, 3, 1, 1), true),
    new Case("7x1 s2 p(3,0)", 2, 2, 9, 5, 3, 7, 1, new Conv2dSpec(2, 3, 0, 1, 1), false),
    new Case("1x1 pointwise", 2, 4, 5, 3, 6, 1, 1, Conv2dSpec.DEFAULT, true),
    new Case("depthwise 3x3 d2 p2 stride 1", 2, 3, 7, 9, 3, 3, 3, Conv2dSpec.of(1, 2).withDilation(2).withGroups(3), true),
    new Case("channel multiplier (groups=C_in, C_out=2*C_in)", 1, 3, 6, 5, 6, 3, 3, Conv2dSpec.of(1, 1).withGroups(3), true),
  };

  /** Larger cases for fast vs reference; the first spans two batch blocks of the fast path. */
  static final Case[] REF_CASES = {
    new Case("two batch blocks 3x3", 30, 16, 32, 32, 8, 3, 3, Conv2dSpec.of(1, 1), true),
    new Case("5x5 s2 p2 odd", 3, 6, 13, 11, 10, 5, 5, Conv2dSpec.of(2, 2), true),
    new Case("groups=4 dilation2", 2, 8, 12, 12, 12, 3, 3, Conv2dSpec.of(1, 2).withDilation(2).withGroups(4), true),
    new Case("depthwise 3x3 ENAS-like", 4, 20, 16, 16, 20, 3, 3, Conv2dSpec.of(1, 1).withGroups(20), true),
    new Case("depthwise 5x5 s2", 3, 7, 15, 13, 7, 5, 5, Conv2dSpec.of(2, 2).withGroups(7), true),
    new Case("pointwise", 4, 12, 10, 10, 9, 1, 1, Conv2dSpec.DEFAULT, false),
    new Case("1x7 then wide pad", 2, 5, 9, 10, 4, 1, 7, new Conv2dSpec(1, 2, 3, 1, 1), true),
    new Case("7x1 s2", 2, 5, 11, 7, 4, 7, 1, new Conv2dSpec(2, 3, 0, 1, 1), true),
    // the AVX2 paths of conv_fast.cpp: odd tails of every loop
    new Case("pointwise odd sizes (tail rows, columns)", 3, 7, 9, 7, 6, 1, 1, Conv2dSpec.DEFAULT, true),
    new Case("pointwise ENAS 20ch 32x32", 2, 20, 32, 32, 20, 1, 1, Conv2dSpec.DEFAULT, false),
    new Case("depthwise 3x3 d2 p2 stride 1", 2, 6, 11, 13, 6, 3, 3, Conv2dSpec.of(1, 2).withDilation(2).withGroups(6), true),
    new Case("depthwise 7x7 p3", 2, 4, 12, 9, 4, 7, 7, Conv2dSpec.of(1, 3).withGroups(4), false),
    new Case("depthwise 3x3 no padding", 2, 3, 10, 9, 3, 3, 3, Conv2dSpec.of(1, 0).withGroups(3), true),
    new Case("depthwise 1x5 p(0,2)", 2, 4, 6, 11, 4, 1, 5, new Conv2dSpec(1, 0, 2, 1, 4), true),
  };

  private static Tensor rand(SplittableRandom rng, int... shape) {
    return Tensor.uniform(rng, -1f, 1f, shape);
  }

  @Test
  void gradientMatchesFiniteDifferences() {
    SplittableRandom rng = new SplittableRandom(7);
    for (Case c : GRAD_CASES) {
      Tensor x = rand(rng, c.inShape());
      Tensor w = rand(rng, c.wShape());
      Tensor bias = c.bias ? rand(rng, c.cOut) : null;
      Tensor out = Tensor.zeros(ConvOps.conv2dOutputShape(x, w, c.spec));
      Tensor dx = Tensor.zeros(x.shape());
      Tensor dw = Tensor.zeros(w.shape());
      Tensor db = c.bias ? Tensor.zeros(c.cOut) : null;
      GradCheck check = GradCheck.of("conv2d " + c).wrt("inp", x, dx).wrt("weight", w, dw);
      if (c.bias) check.wrt("bias", bias, db);
      check.run(() -> {
        ConvOps.conv2dForward(out, x, w, bias, c.spec);
        return out;
      }, dout -> ConvOps.conv2dBackward(dx, dw, db, dout, x, w, c.spec));
    }
  }

  /** The reference itself against finite differences (the bottom of the testing ladder). */
  @Test
  void referenceGradientMatchesFiniteDifferences() {
    SplittableRandom rng = new SplittableRandom(8);
    for (Case c : new Case[] {GRAD_CASES[1], GRAD_CASES[2], GRAD_CASES[4], GRAD_CASES[6]}) {
      Tensor x = rand(rng, c.inShape());
      Tensor w = rand(rng, c.wShape());
      Tensor bias = rand(rng, c.cOut);
      Tensor out = Tensor.zeros(ConvOps.conv2dOutputShape(x, w, c.spec));
      Tensor dx = Tensor.zeros(x.shape());
      Tensor dw = Tensor.zeros(w.shape());
      Tensor db = Tensor.zeros(c.cOut);
      GradCheck.of("conv2d_ref " + c).wrt("inp", x, dx).wrt("weight", w, dw).wrt("bias", bias, db).run(() -> {
        ConvOps.conv2dForwardReference(out, x, w, bias, c.spec);
        return out;
      }, dout -> ConvOps.conv2dBackwardReference(dx, dw, db, dout, x, w, c.spec));
    }
  }

  @Test
  void fastPathMatchesReference() {
    SplittableRandom rng = new SplittableRandom(9);
    for (Case c : concat(REF_CASES, GRAD_CASES)) {
      Tensor x = rand(rng, c.inShape());
      Tensor w = rand(rng, c.wShape());
      Tensor bias = c.bias ? rand(rng, c.cOut) : null;
      int[] os = ConvOps.conv2dOutputShape(x, w, c.spec);
      Tensor out = Tensor.zeros(os);
      Tensor outRef = Tensor.zeros(os);
      ConvOps.conv2dForward(out, x, w, bias, c.spec);
      ConvOps.conv2dForwardReference(outRef, x, w, bias, c.spec);
      GradCheck.assertClose(c + ": out", outRef.toArray(), out.toArray());

      Tensor dout = rand(rng, os);
      // gradients start non-zero: both paths must add into them
      Tensor dx = rand(rng, x.shape());
      Tensor dw = rand(rng, w.shape());
      Tensor db = rand(rng, c.cOut);
      Tensor dxRef = dx.copy();
      Tensor dwRef = dw.copy();
      Tensor dbRef = db.copy();
      ConvOps.conv2dBackward(dx, dw, db, dout, x, w, c.spec);
      ConvOps.conv2dBackwardReference(dxRef, dwRef, dbRef, dout, x, w, c.spec);
      GradCheck.assertClose(c + ": dinp", dxRef.toArray(), dx.toArray());
      GradCheck.assertClose(c + ": dweight", dwRef.toArray(), dw.toArray());
      GradCheck.assertClose(c + ": dbias", dbRef.toArray(), db.toArray());
    }
  }

  /** Each gradient alone (the others null) equals its value when all are computed. */
  @Test
  void nullGradientsAreSkipped() {
    SplittableRandom rng = new SplittableRandom(10);
    for (Case c : new Case[] {REF_CASES[1], REF_CASES[3]}) {
      Tensor x = rand(rng, c.inShape());
      Tensor w = rand(rng, c.wShape());
      Tensor dout = rand(rng, ConvOps.conv2dOutputShape(x, w, c.spec));
      Tensor dx = Tensor.zeros(x.shape());
      Tensor dw = Tensor.zeros(w.shape());
      Tensor db = Tensor.zeros(c.cOut);
      ConvOps.conv2dBackward(dx, dw, db, dout, x, w, c.spec);
      Tensor dx1 = Tensor.zeros(x.shape());
      Tensor dw1 = Tensor.zeros(w.shape());
      Tensor db1 = Tensor.zeros(c.cOut);
      ConvOps.conv2dBackward(dx1, null, null, dout, x, w, c.spec);
      ConvOps.conv2dBackward(null, dw1, null, dout, x, w, c.spec);
      ConvOps.conv2dBackward(null, null, db1, dout, x, w, c.spec);
      ConvOps.conv2dBackward(null, null, null, dout, x, w, c.spec);
      assertArrayEquals(dx.toArray(), dx1.toArray(), c + ": dinp alone");
      assertArrayEquals(dw.toArray(), dw1.toArray(), c + ": dweight alone");
      assertArrayEquals(db.toArray(), db1.toArray(), c + ": dbias alone");
    }
  }

  /** The weight gradient over the batch is bitwise the same from run to run. */
  @Test
  void weightGradientIsDeterministic() {
    SplittableRandom rng = new SplittableRandom(11);
    for (Case c : new Case[] {REF_CASES[0], REF_CASES[3]}) {
      Tensor x = rand(rng, c.inShape());
      Tensor w = rand(rng, c.wShape());
      Tensor dout = rand(rng, ConvOps.conv2dOutputShape(x, w, c.spec));
      Tensor dw1 = Tensor.zeros(w.shape());
      Tensor dw2 = Tensor.zeros(w.shape());
      ConvOps.conv2dBackward(null, dw1, null, dout, x, w, c.spec);
      ConvOps.conv2dBackward(null, dw2, null, dout, x, w, c.spec);
      assertArrayEquals(dw1.toArray(), dw2.toArray(), c + ": dweight differs between runs");
    }
  }

  /** A value worked by hand: 3x3 input 1..9, 2x2 kernel [[1,2],[3,4]], bias 0.5. */
  @Test
  void forwardValues() {
    Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, 1, 1, 3, 3);
    Tensor w = Tensor.of(new float[] {1, 2, 3, 4}, 1, 1, 2, 2);
    Tensor b = Tensor.of(new float[] {0.5f}, 1);
    float[] expected = {37.5f, 47.5f, 67.5f, 77.5f};
    Tensor out = Tensor.zeros(1, 1, 2, 2);
    ConvOps.conv2dForward(out, x, w, b, Conv2dSpec.DEFAULT);
    assertArrayEquals(expected, out.toArray(), "fast path");
    ConvOps.conv2dForwardReference(out, x, w, b, Conv2dSpec.DEFAULT);
    assertArrayEquals(expected, out.toArray(), "reference");
    // padding 1, stride 2: corners of the padded input; out[0,0] sees only x[0,0] at tap (1,1)
    Tensor out2 = Tensor.zeros(1, 1, 2, 2);
    ConvOps.conv2dForward(out2, x, w, null, Conv2dSpec.of(2, 1));
    assertArrayEquals(new float[] {4 * 1, 3 * 2 + 4 * 3, 2 * 4 + 4 * 7, 1 * 5 + 2 * 6 + 3 * 8 + 4 * 9}, out2.toArray());
  }

  @Test
  void badArgumentsNameTheArgument() {
    Tensor x = Tensor.zeros(2, 4, 5, 5);
    Tensor w = Tensor.zeros(6, 4, 3, 3);
    Tensor out = Tensor.zeros(2, 6, 3, 3);
    Conv2dSpec s = Conv2dSpec.DEFAULT;
    expect(() -> ConvOps.conv2dForward(out, null, w, null, s), "conv2d_forward", "inp is null");
    expect(() -> ConvOps.conv2dForward(out, x, null, null, s), "conv2d_forward", "weight is null");
    expect(() -> ConvOps.conv2dForward(out, x, w, null, null), "conv2d_forward", "spec is null");
    expect(() -> ConvOps.conv2dForward(out, Tensor.zeros(2, 4, 5), w, null, s), "inp", "4 dimensions");
    expect(() -> ConvOps.conv2dForward(Tensor.zeros(2, 6, 5, 5), x, w, null, s), "out", "[2, 6, 3, 3]");
    expect(() -> ConvOps.conv2dForward(null, x, w, null, s), "out is null");
    expect(() -> ConvOps.conv2dForward(out, x, w, Tensor.zeros(5), s), "bias", "[6]");
    expect(() -> ConvOps.conv2dForward(out, x, Tensor.zeros(6, 3, 3, 3), null, s), "weight", "C_in/groups");
    expect(() -> ConvOps.conv2dForward(out, x, Tensor.zeros(6, 4, 3, 3), null, s.withGroups(3)), "groups", "divisor");
    expect(() -> ConvOps.conv2dForward(out, x, Tensor.zeros(5, 2, 3, 3), null, s.withGroups(2)), "groups", "output channels");
    expect(() -> ConvOps.conv2dForward(out, x, Tensor.zeros(6, 4, 7, 3), null, s), "output H", "at least");
    expect(() -> ConvOps.conv2dForward(out, x, Tensor.zeros(6, 4, 3, 3), null, s.withDilation(3)), "output H", "dilation");
    expect(() -> ConvOps.conv2dForward(out, x, Tensor.zeros(6, 4, 3, 7), null, s), "output W", "at least");
    expect(() -> ConvOps.conv2dForward(x, x, Tensor.zeros(4, 4, 1, 1), null, s), "out and inp", "distinct");
    expect(() -> new Conv2dSpec(0, 0, 0, 1, 1), "stride", "positive");
    expect(() -> new Conv2dSpec(1, -1, 0, 1, 1), "padH", "0 or more");
    expect(() -> new Conv2dSpec(1, 0, 0, 0, 1), "dilation");
    expect(() -> new Conv2dSpec(1, 0, 0, 1, 0), "groups");
    expect(() -> ConvOps.conv2dForward(out, x, w, null, new Conv2dSpec(1, Integer.MAX_VALUE / 2, 0, 1, 1)), "too large");
    Tensor dout = Tensor.zeros(2, 6, 3, 3);
    expect(() -> ConvOps.conv2dBackward(null, null, null, Tensor.zeros(2, 6, 4, 3), x, w, s), "conv2d_backward", "dout");
    expect(() -> ConvOps.conv2dBackward(Tensor.zeros(2, 4, 5, 4), null, null, dout, x, w, s), "dinp", "[2, 4, 5, 5]");
    expect(() -> ConvOps.conv2dBackward(null, Tensor.zeros(6, 4, 3, 2), null, dout, x, w, s), "dweight");
    expect(() -> ConvOps.conv2dBackward(null, null, Tensor.zeros(7), dout, x, w, s), "dbias", "[6]");
    expect(() -> ConvOps.conv2dBackward(x, null, null, dout, x, w, s), "dinp and inp", "distinct");
    expect(() -> ConvOps.conv2dBackwardReference(null, w, null, dout, x, w, s), "conv2d_backward_ref", "dweight and weight");
  }

  static void expect(Executable call, String... fragments) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
    for (String f : fragments) assertTrue(e.getMessage().contains(f), "message lacks '" + f + "': " + e.getMessage());
  }

  private static Case[] concat(Case[] a, Case[] b) {
    Case[] r = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }
}
