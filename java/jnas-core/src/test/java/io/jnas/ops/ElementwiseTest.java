package io.jnas.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnas.tensor.Tensor;
import io.jnas.testing.GradCheck;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Sum of N inputs and channel concat (ReLU has its own ReluTest). */
class ElementwiseTest {
  @Test
  void sumGradientAndValues() {
    SplittableRandom rng = new SplittableRandom(31);
    for (int[] shape : new int[][] {{1, 1, 1, 1}, {2, 3, 5, 7}, {3, 1, 9}}) {
      for (int n : new int[] {1, 3}) {
        List<Tensor> xs = new ArrayList<>(), dxs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          xs.add(Tensor.randn(rng, 1f, shape));
          dxs.add(Tensor.zeros(shape));
        }
        Tensor out = Tensor.zeros(shape);
        ElementwiseOps.sumForward(out, xs);
        float[] expected = new float[Math.toIntExact(out.size())];
        for (Tensor x : xs) {
          float[] v = x.toArray();
          for (int i = 0; i < v.length; i++) expected[i] += v[i];
        }
        GradCheck.assertClose("sum forward", expected, out.toArray());
        GradCheck g = GradCheck.of("sum of " + n);
        for (int i = 0; i < n; i++) g.wrt("inps[" + i + "]", xs.get(i), dxs.get(i));
        g.run(() -> {
          ElementwiseOps.sumForward(out, xs);
          return out;
        }, dout -> ElementwiseOps.sumBackward(dxs, dout));
      }
    }
  }

  @Test
  void sumInPlaceAndNullGradients() {
    Tensor a = Tensor.of(new float[] {1, 2, 3}, 3), b = Tensor.of(new float[] {10, 20, 30}, 3);
    ElementwiseOps.sumForward(b, List.of(a, b, a));  // out is also an input
    assertArrayEquals(new float[] {12, 24, 36}, b.toArray());
    Tensor da = Tensor.of(new float[] {1, 1, 1}, 3);
    Tensor dout = Tensor.of(new float[] {0.5f, 1, 2}, 3);
    // a null gradient is skipped; a tensor listed twice receives dout twice
    ElementwiseOps.sumBackward(Arrays.asList(da, null, da), dout);
    assertArrayEquals(new float[] {2, 3, 5}, da.toArray());
  }

  @Test
  void concatGradientAndValues() {
    SplittableRandom rng = new SplittableRandom(32);
    int[][] channelSets = {{1}, {1, 3, 2}, {2, 2}};
    int[][] rest = {{3, 5}, {1, 1}, {4, 1}};
    for (int t = 0; t < channelSets.length; t++) {
      int[] ch = channelSets[t];
      int b = t == 1 ? 1 : 2, h = rest[t][0], w = rest[t][1];
      List<Tensor> xs = new ArrayList<>(), dxs = new ArrayList<>();
      int total = 0;
      for (int c : ch) {
        xs.add(Tensor.randn(rng, 1f, b, c, h, w));
        dxs.add(Tensor.zeros(b, c, h, w));
        total += c;
      }
      Tensor out = Tensor.zeros(b, total, h, w);
      ElementwiseOps.concatForward(out, xs);
      float[] expected = new float[Math.toIntExact(out.size())];
      int off = 0;
      for (int i = 0; i < ch.length; i++) {
        float[] v = xs.get(i).toArray();
        for (int s = 0; s < b; s++)
          for (int c = 0; c < ch[i]; c++)
            for (int p = 0; p < h * w; p++) expected[((s * total) + off + c) * h * w + p] = v[((s * ch[i]) + c) * h * w + p];
        off += ch[i];
      }
      GradCheck.assertClose("concat forward", expected, out.toArray());
      GradCheck g = GradCheck.of("concat " + Arrays.toString(ch));
      for (int i = 0; i < ch.length; i++) g.wrt("inps[" + i + "]", xs.get(i), dxs.get(i));
      g.run(() -> {
        ElementwiseOps.concatForward(out, xs);
        return out;
      }, dout -> ElementwiseOps.concatBackward(dxs, dout, ch));
    }
  }

  @Test
  void concatBackwardSkipsNull() {
    Tensor dout = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3, 1);  // (B=2, C=1+2, HW=1)
    Tensor d1 = Tensor.zeros(2, 2, 1);
    ElementwiseOps.concatBackward(Arrays.asList(null, d1), dout, 1, 2);
    assertArrayEquals(new float[] {2, 3, 5, 6}, d1.toArray());
  }

  private static void assertBad(String expectedInMessage, Runnable r) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
    assertTrue(e.getMessage().contains(expectedInMessage), e.getMessage());
  }

  @Test
  void badArgumentsNameTheArgument() {
    Tensor a = Tensor.zeros(2, 3), b = Tensor.zeros(3, 2);
    assertBad("inps is empty", () -> ElementwiseOps.sumForward(a, List.of()));
    assertBad("inps[1] has shape [3, 2], expected [2, 3]", () -> ElementwiseOps.sumForward(a, List.of(a, b)));
    assertBad("out has shape", () -> ElementwiseOps.sumForward(b, List.of(a)));
    assertBad("inps[1] is null", () -> ElementwiseOps.sumForward(a, Arrays.asList(a, null)));
    assertBad("dinps[0] has shape", () -> ElementwiseOps.sumBackward(List.of(b), a));
    Tensor x1 = Tensor.zeros(2, 1, 3, 3), x2 = Tensor.zeros(2, 2, 3, 4);
    assertBad("inps[1] has shape [2, 2, 3, 4], expected [2, any, 3, 3]",
        () -> ElementwiseOps.concatForward(Tensor.zeros(2, 3, 3, 3), List.of(x1, x2)));
    assertBad("out has shape [2, 2, 3, 3], expected [2, 3, 3, 3]",
        () -> ElementwiseOps.concatForward(Tensor.zeros(2, 2, 3, 3), List.of(x1, Tensor.zeros(2, 2, 3, 3))));
    assertBad("channels sum to 4, expected dout's channel count 3",
        () -> ElementwiseOps.concatBackward(List.of(x1, x1), Tensor.zeros(2, 3, 3, 3), 1, 3));
    assertBad("channels has 1 entries, expected 2",
        () -> ElementwiseOps.concatBackward(List.of(x1, x1), Tensor.zeros(2, 3, 3, 3), 3));
    assertBad("channels[0] is 0", () -> ElementwiseOps.concatBackward(List.of(x1), Tensor.zeros(2, 3, 3, 3), 0));
  }
}
