package io.jnas.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnas.tensor.IntTensor;
import io.jnas.tensor.Tensor;
import io.jnas.testing.GradCheck;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PoolTest {
  /** {B, C, H, W, K, stride, pad}: odd sizes, stride 2, padding, batch 1, wider 3x3 s1 p1 planes. */
  private static final int[][] CONFIGS = {
      {1, 1, 5, 5, 3, 1, 1}, {2, 3, 7, 6, 3, 2, 1}, {1, 2, 4, 4, 2, 2, 0}, {2, 1, 5, 7, 3, 2, 0}, {1, 2, 6, 5, 5, 1, 2},
      {2, 2, 12, 19, 3, 1, 1}, {1, 1, 10, 10, 3, 1, 1}};

  /**
   * Distinct values 0.1 apart in shuffled order: a finite-difference step (1e-2) never flips
   * which element of a window is the maximum.
   */
  private static Tensor distinct(SplittableRandom rng, int... shape) {
    Tensor t = Tensor.zeros(shape);
    int n = Math.toIntExact(t.size());
    float[] v = new float[n];
    for (int i = 0; i < n; i++) v[i] = (i - n / 2) * 0.1f;
    for (int i = n - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      float x = v[i];
      v[i] = v[j];
      v[j] = x;
    }
    return t.copyFrom(v);
  }

  /** Max (max=true) or in-bounds average pooling, direct loops in double. */
  private static float[] reference(float[] x, int[] c, boolean max) {
    int b = c[0], ch = c[1], h = c[2], w = c[3], k = c[4], s = c[5], p = c[6];
    int oh = PoolOps.outSize(h, k, s, p), ow = PoolOps.outSize(w, k, s, p);
    float[] out = new float[b * ch * oh * ow];
    for (int pl = 0; pl < b * ch; pl++)
      for (int i = 0; i < oh; i++)
        for (int j = 0; j < ow; j++) {
          double acc = max ? Double.NEGATIVE_INFINITY : 0;
          int count = 0;
          for (int di = 0; di < k; di++)
            for (int dj = 0; dj < k; dj++) {
              int y = i * s - p + di, xx = j * s - p + dj;
              if (y < 0 || y >= h || xx < 0 || xx >= w) continue;
              double v = x[(pl * h + y) * w + xx];
              acc = max ? Math.max(acc, v) : acc + v;
              count++;
            }
          out[(pl * oh + i) * ow + j] = (float) (max ? acc : acc / count);
        }
    return out;
  }

  private static int[] outShape(int[] c) {
    return new int[] {c[0], c[1], PoolOps.outSize(c[2], c[4], c[5], c[6]), PoolOps.outSize(c[3], c[4], c[5], c[6])};
  }

  /** Ties: the first maximum in row-major window order wins, in the vectorized path too. */
  @Test
  void maxPoolTiesTakeTheFirstInWindowOrder() {
    int h = 6, w = 13;
    Tensor x = Tensor.zeros(1, 1, h, w);  // all equal
    Tensor out = Tensor.zeros(1, 1, h, w);
    IntTensor argmax = IntTensor.zeros(1, 1, h, w);
    PoolOps.maxPoolForward(out, argmax, x, 3, 1, 1);
    int[] a = argmax.toArray();
    for (int i = 0; i < h; i++)
      for (int j = 0; j < w; j++) {
        int first = Math.max(i - 1, 0) * w + Math.max(j - 1, 0);
        assertTrue(a[i * w + j] == first, "output (" + i + ", " + j + "): argmax " + a[i * w + j] + ", expected " + first);
      }
  }

  @Test
  void maxPoolGradientAndValues() {
    SplittableRandom rng = new SplittableRandom(11);
    for (int[] c : CONFIGS) {
      int k = c[4], s = c[5], p = c[6];
      Tensor x = distinct(rng, c[0], c[1], c[2], c[3]);
      Tensor dx = Tensor.zeros(x.shape());
      Tensor out = Tensor.zeros(outShape(c));
      IntTensor argmax = IntTensor.zeros(outShape(c));
      PoolOps.maxPoolForward(out, argmax, x, k, s, p);
      GradCheck.assertClose("maxpool forward", reference(x.toArray(), c, true), out.toArray());
      GradCheck.of("maxpool").wrt("inp", x, dx).run(() -> {
        PoolOps.maxPoolForward(out, argmax, x, k, s, p);
        return out;
      }, dout -> PoolOps.maxPoolBackward(dx, dout, argmax, k, s, p));
    }
  }

  @Test
  void maxPoolPaddingNeverWins() {
    // All inputs negative: a zero pad that took part would win every border window.
    Tensor x = Tensor.of(new float[] {-5, -4, -3, -2, -1, -6, -7, -8, -9}, 1, 1, 3, 3);
    Tensor out = Tensor.zeros(1, 1, 3, 3);
    IntTensor argmax = IntTensor.zeros(1, 1, 3, 3);
    PoolOps.maxPoolForward(out, argmax, x, 3, 1, 1);
    assertArrayEquals(new float[] {-1, -1, -1, -1, -1, -1, -1, -1, -1}, out.toArray());
    assertArrayEquals(new int[] {4, 4, 4, 4, 4, 4, 4, 4, 4}, argmax.toArray());
  }

  @Test
  void maxPoolTieGoesToTheFirstElement() {
    // A constant plane: every window ties; the first in-bounds element in row-major order wins.
    Tensor x = Tensor.zeros(1, 1, 4, 4).fill(2f);
    Tensor out = Tensor.zeros(1, 1, 2, 2);
    IntTensor argmax = IntTensor.zeros(1, 1, 2, 2);
    PoolOps.maxPoolForward(out, argmax, x, 3, 2, 1);
    assertArrayEquals(new int[] {0, 1, 4, 5}, argmax.toArray());
  }

  @Test
  void avgPoolGradientAndValues() {
    SplittableRandom rng = new SplittableRandom(12);
    for (int[] c : CONFIGS) {
      int k = c[4], s = c[5], p = c[6];
      Tensor x = Tensor.randn(rng, 1f, c[0], c[1], c[2], c[3]);
      Tensor dx = Tensor.zeros(x.shape());
      Tensor out = Tensor.zeros(outShape(c));
      PoolOps.avgPoolForward(out, x, k, s, p);
      GradCheck.assertClose("avgpool forward", reference(x.toArray(), c, false), out.toArray());
      GradCheck.of("avgpool").wrt("inp", x, dx).run(() -> {
        PoolOps.avgPoolForward(out, x, k, s, p);
        return out;
      }, dout -> PoolOps.avgPoolBackward(dx, dout, k, s, p));
    }
  }

  /**
   * The vectorized paths (stride 1 and 2, K up to 7, every padding, borders, widths that leave
   * a partial register) give the generic loops' results bit for bit: these Java loops are the
   * generic C loops (float sums in row-major window order, strict > from the first in-bounds
   * element), and the inputs hold ties, -inf and NaN.
   */
  @Test
  void vectorPathsEqualTheGenericLoopsBitForBit() {
    SplittableRandom rng = new SplittableRandom(13);
    int[][] sizes = {{5, 5}, {8, 8}, {7, 17}, {16, 16}, {3, 24}, {12, 9}, {1, 11}};
    int cases = 0;
    for (int[] hw : sizes)
      for (int k : new int[] {1, 2, 3, 5, 7})
        for (int s = 1; s <= 2; s++)
          for (int p = 0; p < k && p <= 3; p++) {
            int h = hw[0], w = hw[1];
            if (PoolOps.outSize(h, k, s, p) < 1 || PoolOps.outSize(w, k, s, p) < 1) continue;
            int[] c = {2, 3, h, w, k, s, p};
            float[] v = new float[2 * 3 * h * w];
            for (int i = 0; i < v.length; i++) {
              int r = rng.nextInt(40);
              v[i] = r == 0 ? Float.NEGATIVE_INFINITY : r == 1 ? Float.NaN : (rng.nextInt(7) - 3) * 0.5f;
            }
            Tensor x = Tensor.of(v, 2, 3, h, w);
            Tensor out = Tensor.zeros(outShape(c));
            IntTensor argmax = IntTensor.zeros(outShape(c));
            String name = "K" + k + " s" + s + " p" + p + " " + h + "x" + w;
            PoolOps.maxPoolForward(out, argmax, x, k, s, p);
            int[] am = new int[out.toArray().length];
            assertArrayEquals(generic(v, c, true, am), out.toArray(), name + ": max");
            assertArrayEquals(am, argmax.toArray(), name + ": argmax");
            PoolOps.avgPoolForward(out, x, k, s, p);
            float[] finite = v.clone();
            for (int i = 0; i < finite.length; i++) if (!Float.isFinite(finite[i])) finite[i] = 0.25f;
            Tensor xf = Tensor.of(finite, 2, 3, h, w);
            PoolOps.avgPoolForward(out, xf, k, s, p);
            assertArrayEquals(generic(finite, c, false, null), out.toArray(), name + ": avg");
            float[] dy = new float[out.toArray().length];
            for (int i = 0; i < dy.length; i++) dy[i] = (float) rng.nextGaussian();
            float[] dx0 = new float[v.length];
            for (int i = 0; i < dx0.length; i++) dx0[i] = (float) rng.nextGaussian();
            Tensor dx = Tensor.of(dx0.clone(), 2, 3, h, w);
            PoolOps.avgPoolBackward(dx, Tensor.of(dy, outShape(c)), k, s, p);
            assertArrayEquals(genericAvgBackward(dx0.clone(), dy, c), dx.toArray(), name + ": avg backward");
            cases++;
          }
    assertTrue(cases > 80, "cases run: " + cases);
  }

  /** jnas_cpu_maxpool_forward's and avgpool_forward's generic loops, in Java. */
  private static float[] generic(float[] x, int[] c, boolean max, int[] argmax) {
    int planes = c[0] * c[1], h = c[2], w = c[3], k = c[4], s = c[5], p = c[6];
    int oh = PoolOps.outSize(h, k, s, p), ow = PoolOps.outSize(w, k, s, p);
    float[] out = new float[planes * oh * ow];
    for (int pl = 0; pl < planes; pl++)
      for (int i = 0; i < oh; i++) {
        int h0 = Math.max(i * s - p, 0), h1 = Math.min(i * s - p + k, h);
        for (int j = 0; j < ow; j++) {
          int w0 = Math.max(j * s - p, 0), w1 = Math.min(j * s - p + k, w);
          int o = (pl * oh + i) * ow + j;
          if (max) {
            int best = h0 * w + w0;
            float m = x[pl * h * w + best];
            for (int y = h0; y < h1; y++)
              for (int z = w0; z < w1; z++)
                if (x[pl * h * w + y * w + z] > m) {
                  m = x[pl * h * w + y * w + z];
                  best = y * w + z;
                }
            out[o] = m;
            argmax[o] = best;
          } else {
            float sum = 0f;
            for (int y = h0; y < h1; y++)
              for (int z = w0; z < w1; z++) sum += x[pl * h * w + y * w + z];
            out[o] = sum / (float) ((h1 - h0) * (w1 - w0));
          }
        }
      }
    return out;
  }

  /** jnas_cpu_avgpool_backward's generic scatter, in Java. */
  private static float[] genericAvgBackward(float[] dx, float[] dy, int[] c) {
    int planes = c[0] * c[1], h = c[2], w = c[3], k = c[4], s = c[5], p = c[6];
    int oh = PoolOps.outSize(h, k, s, p), ow = PoolOps.outSize(w, k, s, p);
    for (int pl = 0; pl < planes; pl++)
      for (int i = 0; i < oh; i++) {
        int h0 = Math.max(i * s - p, 0), h1 = Math.min(i * s - p + k, h);
        for (int j = 0; j < ow; j++) {
          int w0 = Math.max(j * s - p, 0), w1 = Math.min(j * s - p + k, w);
          float g = dy[(pl * oh + i) * ow + j] / (float) ((h1 - h0) * (w1 - w0));
          for (int y = h0; y < h1; y++)
            for (int z = w0; z < w1; z++) dx[pl * h * w + y * w + z] += g;
        }
      }
    return dx;
  }

  @Test
  void avgPoolCountExcludesPadding() {
    Tensor x = Tensor.zeros(1, 1, 3, 3).fill(1f);
    Tensor out = Tensor.zeros(1, 1, 3, 3);
    PoolOps.avgPoolForward(out, x, 3, 1, 1);
    for (float v : out.toArray()) assertTrue(Math.abs(v - 1f) < 1e-6, "corner averaged over padding: " + v);
  }

  @Test
  void globalAvgPoolGradientAndValues() {
    SplittableRandom rng = new SplittableRandom(13);
    for (int[] shape : new int[][] {{1, 1, 1, 1}, {2, 3, 5, 7}, {3, 2, 4, 1}}) {
      Tensor x = Tensor.randn(rng, 1f, shape);
      Tensor dx = Tensor.zeros(shape);
      Tensor out = Tensor.zeros(shape[0], shape[1]);
      PoolOps.globalAvgPoolForward(out, x);
      float[] xv = x.toArray();
      int hw = shape[2] * shape[3];
      float[] expected = new float[shape[0] * shape[1]];
      for (int p = 0; p < expected.length; p++) {
        double sum = 0;
        for (int i = 0; i < hw; i++) sum += xv[p * hw + i];
        expected[p] = (float) (sum / hw);
      }
      GradCheck.assertClose("global avgpool forward", expected, out.toArray());
      GradCheck.of("global_avgpool").wrt("inp", x, dx).run(() -> {
        PoolOps.globalAvgPoolForward(out, x);
        return out;
      }, dout -> PoolOps.globalAvgPoolBackward(dx, dout));
    }
  }

  private static void assertBad(String expectedInMessage, Runnable r) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
    assertTrue(e.getMessage().contains(expectedInMessage), e.getMessage());
  }

  @Test
  void badArgumentsNameTheArgument() {
    Tensor x = Tensor.zeros(1, 2, 5, 5);
    Tensor out = Tensor.zeros(1, 2, 3, 3);
    IntTensor am = IntTensor.zeros(1, 2, 3, 3);
    assertBad("pad is 3", () -> PoolOps.maxPoolForward(out, am, x, 3, 1, 3));
    assertBad("stride is 0", () -> PoolOps.avgPoolForward(out, x, 3, 0, 0));
    assertBad("k is 0", () -> PoolOps.avgPoolForward(out, x, 0, 1, 0));
    assertBad("pad is -1", () -> PoolOps.avgPoolForward(out, x, 3, 1, -1));
    assertBad("expected H + 2*pad >= k", () -> PoolOps.avgPoolForward(out, Tensor.zeros(1, 2, 2, 5), 5, 1, 1));
    assertBad("out has shape [1, 2, 3, 3], expected [1, 2, 5, 5]", () -> PoolOps.avgPoolForward(out, x, 3, 1, 1));
    assertBad("argmax has shape", () -> PoolOps.maxPoolForward(Tensor.zeros(1, 2, 5, 5), am, x, 3, 1, 1));
    assertBad("inp has shape [2, 5], expected 4 dimensions", () -> PoolOps.avgPoolForward(out, Tensor.zeros(2, 5), 3, 1, 0));
    assertBad("inp is null", () -> PoolOps.maxPoolForward(out, am, null, 3, 1, 0));
    assertBad("out has shape", () -> PoolOps.globalAvgPoolForward(Tensor.zeros(2, 1), x));
    // An argmax not written by the forward would index outside the plane.
    IntTensor wild = IntTensor.zeros(1, 2, 3, 3);
    wild.copyFrom(new int[] {0, 1, 2, 3, 25, 5, 6, 7, 8, 0, 0, 0, 0, 0, 0, 0, 0, -1});
    assertBad("argmax[4] is 25", () -> PoolOps.maxPoolBackward(Tensor.zeros(1, 2, 5, 5), out, wild, 3, 1, 0));
  }
}
