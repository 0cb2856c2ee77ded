package io.jnas.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnas.testing.GradCheck;
import io.jnas.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ReluTest {
  /** Inputs kept at least 0.1 away from the kink at 0, so finite differences are exact there. */
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
    SplittableRandom rng = new SplittableRandom(1);
    for (int[] shape : new int[][] {{1, 1, 1, 1}, {3, 5, 7, 7}, {2, 3, 1, 9}}) {
      Tensor x = awayFromZero(rng, shape);
      Tensor dx = Tensor.zeros(shape);
      Tensor out = Tensor.zeros(shape);
      GradCheck.of("relu").wrt("inp", x, dx).run(() -> {
        ElementwiseOps.reluForward(out, x);
        return out;
      }, dout -> ElementwiseOps.reluBackward(dx, dout, x));
    }
  }

  @Test
  void forwardValues() {
    Tensor x = Tensor.of(new float[] {-2f, -0f, 0.5f, 3f}, 4);
    Tensor out = Tensor.zeros(4);
    ElementwiseOps.reluForward(out, x);
    assertEquals(0f, out.get(0));
    assertEquals(0f, out.get(1));
    assertEquals(0.5f, out.get(2));
    assertEquals(3f, out.get(3));
  }

  @Test
  void badArgumentsNameTheArgument() {
    Tensor x = Tensor.zeros(2, 3);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ElementwiseOps.reluForward(Tensor.zeros(3, 2), x));
    assertTrue(e.getMessage().contains("out") && e.getMessage().contains("[2, 3]"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> ElementwiseOps.reluForward(null, x));
    assertTrue(e.getMessage().contains("out is null"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(2, -1));
    assertTrue(e.getMessage().contains("-1"), e.getMessage());
  }
}
