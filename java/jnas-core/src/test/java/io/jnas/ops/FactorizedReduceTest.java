package io.jnas.ops;

import static io.jnas.ops.Conv2dTest.expect;

import io.jnas.testing.GradCheck;
import io.jnas.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FactorizedReduceTest {
  /** (B, C_in, H, W, C_out): odd H/W, odd C_out (unequal halves), batch 1, a 1x1 input. */
  static final int[][] CASES = {{2, 3, 7, 5, 4}, {1, 4, 8, 6, 5}, {2, 2, 1, 1, 2}, {3, 5, 9, 10, 7}};

  /** Values at least 0.1 away from ReLU's kink, so finite differences are exact there. */
  private static Tensor awayFromZero(SplittableRandom rng, int... shape) {
    Tensor t = Tensor.zeros(shape);
    float[] v = new float[Math.toIntExact(t.size())];
    for (int i = 0; i < v.length; i++) {
      double m = 0.1 + rng.nextDouble();
      v[i] = (float) (rng.nextBoolean() ? m : -m);
    }
    return t.copyFrom(v);
  }

  @Test
  void gradientMatchesFiniteDifferences() {
    SplittableRandom rng = new SplittableRandom(41);
    for (int[] c : CASES) {
      int b = c[0], cIn = c[1], h = c[2], w = c[3], cOut = c[4];
      Tensor x = awayFromZero(rng, b, cIn, h, w);
      Tensor w1 = Tensor.uniform(rng, -1f, 1f, cOut / 2, cIn, 1, 1);
      Tensor w2 = Tensor.uniform(rng, -1f, 1f, cOut - cOut / 2, cIn, 1, 1);
      Tensor out = Tensor.zeros(b, cOut, (h + 1) / 2, (w + 1) / 2);
      Tensor dx = Tensor.zeros(x.shape()), dw1 = Tensor.zeros(w1.shape()), dw2 = Tensor.zeros(w2.shape());
      GradCheck.of("factorized_reduce " + java.util.Arrays.toString(c)).wrt("inp", x, dx).wrt("w1", w1, dw1)
          .wrt("w2", w2, dw2).run(() -> {
            ConvOps.factorizedReduceForward(out, x, w1, w2);
            return out;
          }, dout -> ConvOps.factorizedReduceBackward(dx, dw1, dw2, dout, x, w1, w2));
    }
  }

  /** Forward against the definition written as plain loops in double. */
  @Test
  void forwardMatchesDefinition() {
    SplittableRandom rng = new SplittableRandom(42);
    for (int[] c : CASES) {
      int b = c[0], cIn = c[1], h = c[2], w = c[3], cOut = c[4], c1 = cOut / 2;
      int oh = (h + 1) / 2, ow = (w + 1) / 2;
      Tensor x = Tensor.uniform(rng, -1f, 1f, b, cIn, h, w);
      Tensor w1 = Tensor.uniform(rng, -1f, 1f, c1, cIn, 1, 1);
      Tensor w2 = Tensor.uniform(rng, -1f, 1f, cOut - c1, cIn, 1, 1);
      Tensor out = Tensor.zeros(b, cOut, oh, ow);
      ConvOps.factorizedReduceForward(out, x, w1, w2);
      float[] xv = x.toArray(), w1v = w1.toArray(), w2v = w2.toArray();
      float[] expected = new float[b * cOut * oh * ow];
      for (int n = 0; n < b; n++)
        for (int co = 0; co < cOut; co++)
          for (int i = 0; i < oh; i++)
            for (int j = 0; j < ow; j++) {
              boolean second = co >= c1;
              int s = second ? 1 : 0;
              int ih = 2 * i + s, iw = 2 * j + s;
              double sum = 0;
              if (ih < h && iw < w) {
                for (int ci = 0; ci < cIn; ci++) {
                  double v = Math.max(0, xv[((n * cIn + ci) * h + ih) * w + iw]);
                  sum += v * (second ? w2v[(co - c1) * cIn + ci] : w1v[co * cIn + ci]);
                }
              }
              expected[((n * cOut + co) * oh + i) * ow + j] = (float) sum;
            }
      GradCheck.assertClose("factorized_reduce " + java.util.Arrays.toString(c), expected, out.toArray());
    }
  }

  @Test
  void badArgumentsNameTheArgument() {
    Tensor x = Tensor.zeros(2, 3, 7, 7);
    Tensor w1 = Tensor.zeros(2, 3, 1, 1), w2 = Tensor.zeros(2, 3, 1, 1);
    Tensor out = Tensor.zeros(2, 4, 4, 4);
    expect(() -> ConvOps.factorizedReduceForward(Tensor.zeros(2, 4, 3, 3), x, w1, w2), "factorized_reduce_forward",
        "out", "[2, 4, 4, 4]");
    expect(() -> ConvOps.factorizedReduceForward(Tensor.zeros(2, 1, 4, 4), x, Tensor.zeros(1, 3, 1, 1), w2), "out",
        "at least 2");
    expect(() -> ConvOps.factorizedReduceForward(out, x, Tensor.zeros(2, 4, 1, 1), w2), "w1", "[2, 3, 1, 1]");
    expect(() -> ConvOps.factorizedReduceForward(out, x, w1, Tensor.zeros(3, 3, 1, 1)), "w2", "[2, 3, 1, 1]");
    expect(() -> ConvOps.factorizedReduceForward(out, null, w1, w2), "inp is null");
    expect(() -> ConvOps.factorizedReduceBackward(null, null, null, Tensor.zeros(2, 4, 3, 4), x, w1, w2),
        "factorized_reduce_backward", "dout");
    expect(() -> ConvOps.factorizedReduceBackward(null, w1, null, out, x, w1, w2), "dw1 and w1", "distinct");
    expect(() -> ConvOps.factorizedReduceBackward(Tensor.zeros(2, 3, 7, 6), null, null, out, x, w1, w2), "dinp");
  }
}
