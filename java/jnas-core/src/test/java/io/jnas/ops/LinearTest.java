package io.jnas.ops;

import static io.jnas.ops.Conv2dTest.expect;

import io.jnas.testing.GradCheck;
import io.jnas.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LinearTest {
  private static Tensor rand(SplittableRandom rng, int... shape) {
    return Tensor.uniform(rng, -1f, 1f, shape);
  }

  /** (B, IC, OC, bias?): batch 1, odd sizes, no bias. */
  static final int[][] CASES = {{1, 5, 3, 1}, {4, 7, 10, 1}, {3, 16, 9, 0}, {17, 33, 10, 1}};

  @Test
  void gradientMatchesFiniteDifferences() {
    SplittableRandom rng = new SplittableRandom(31);
    for (int[] c : CASES) {
      Tensor x = rand(rng, c[0], c[1]);
      Tensor w = rand(rng, c[2], c[1]);
      Tensor b = c[3] == 1 ? rand(rng, c[2]) : null;
      Tensor out = Tensor.zeros(c[0], c[2]);
      Tensor dx = Tensor.zeros(x.shape()), dw = Tensor.zeros(w.shape());
      Tensor db = b == null ? null : Tensor.zeros(c[2]);
      GradCheck check = GradCheck.of("linear " + java.util.Arrays.toString(c)).wrt("inp", x, dx).wrt("weight", w, dw);
      if (b != null) check.wrt("bias", b, db);
      check.run(() -> {
        LinearOps.linearForward(out, x, w, b);
        return out;
      }, dout -> LinearOps.linearBackward(dx, dw, db, dout, x, w));
    }
  }

  /** Forward and backward against plain loops in double. */
  @Test
  void matchesNaiveLoops() {
    SplittableRandom rng = new SplittableRandom(32);
    for (int[] c : CASES) {
      int bs = c[0], ic = c[1], oc = c[2];
      Tensor x = rand(rng, bs, ic), w = rand(rng, oc, ic), b = rand(rng, oc);
      Tensor out = Tensor.zeros(bs, oc);
      LinearOps.linearForward(out, x, w, b);
      float[] xv = x.toArray(), wv = w.toArray(), bv = b.toArray();
      float[] expected = new float[bs * oc];
      for (int i = 0; i < bs; i++)
        for (int o = 0; o < oc; o++) {
          double s = bv[o];
          for (int k = 0; k < ic; k++) s += (double) xv[i * ic + k] * wv[o * ic + k];
          expected[i * oc + o] = (float) s;
        }
      GradCheck.assertClose("linear out", expected, out.toArray());
      Tensor dout = rand(rng, bs, oc);
      float[] dv = dout.toArray();
      Tensor dx = rand(rng, bs, ic), dw = rand(rng, oc, ic), db = rand(rng, oc);
      float[] ex = dx.toArray(), ew = dw.toArray(), eb = db.toArray();
      for (int i = 0; i < bs; i++)
        for (int o = 0; o < oc; o++) {
          eb[o] += dv[i * oc + o];
          for (int k = 0; k < ic; k++) {
            ex[i * ic + k] += dv[i * oc + o] * wv[o * ic + k];
            ew[o * ic + k] += dv[i * oc + o] * xv[i * ic + k];
          }
        }
      LinearOps.linearBackward(dx, dw, db, dout, x, w);
      GradCheck.assertClose("linear dinp", ex, dx.toArray());
      GradCheck.assertClose("linear dweight", ew, dw.toArray());
      GradCheck.assertClose("linear dbias", eb, db.toArray());
      // null gradients are skipped: dbias alone moves only dbias
      Tensor db2 = Tensor.zeros(oc);
      LinearOps.linearBackward(null, null, db2, dout, x, w);
      float[] colSums = new float[oc];
      for (int i = 0; i < bs; i++) for (int o = 0; o < oc; o++) colSums[o] += dv[i * oc + o];
      GradCheck.assertClose("linear dbias alone", colSums, db2.toArray());
    }
  }

  @Test
  void badArgumentsNameTheArgument() {
    Tensor x = Tensor.zeros(4, 6), w = Tensor.zeros(3, 6), out = Tensor.zeros(4, 3);
    expect(() -> LinearOps.linearForward(out, Tensor.zeros(4, 6, 1), w, null), "linear_forward", "inp", "2 dimensions");
    expect(() -> LinearOps.linearForward(out, x, Tensor.zeros(3, 5), null), "weight", "[3, 6]");
    expect(() -> LinearOps.linearForward(out, x, w, Tensor.zeros(4)), "bias", "[3]");
    expect(() -> LinearOps.linearForward(Tensor.zeros(3, 4), x, w, null), "out", "[4, 3]");
    expect(() -> LinearOps.linearForward(out, null, w, null), "inp is null");
    expect(() -> LinearOps.linearBackward(null, null, null, Tensor.zeros(4, 4), x, w), "linear_backward", "dout");
    expect(() -> LinearOps.linearBackward(Tensor.zeros(4, 5), null, null, out, x, w), "dinp", "[4, 6]");
    expect(() -> LinearOps.linearBackward(null, w, null, out, x, w), "dweight and weight", "distinct");
  }
}
