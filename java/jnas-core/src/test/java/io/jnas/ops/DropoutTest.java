package io.jnas.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnas.tensor.Tensor;
import io.jnas.testing.GradCheck;
import io.jnas.testing.Tolerances;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DropoutTest {
  private static float[] dropoutMask(int n, float keep, long seed) {
    Tensor x = Tensor.zeros(n), out = Tensor.zeros(n), mask = Tensor.zeros(n);
    DropoutOps.dropoutForward(out, mask, x, keep, seed);
    return mask.toArray();
  }

  private static float[] dropPathMask(int b, float keep, long seed) {
    Tensor x = Tensor.zeros(b, 1), out = Tensor.zeros(b, 1), mask = Tensor.zeros(b);
    DropoutOps.dropPathForward(out, mask, x, keep, seed);
    return mask.toArray();
  }

  private static void assertKeptFraction(String what, float[] mask, float keep) {
    int kept = 0;
    for (float m : mask) {
      assertTrue(m == 0f || m == 1f / keep, what + ": mask value " + m + ", expected 0 or " + (1f / keep));
      if (m != 0f) kept++;
    }
    double frac = (double) kept / mask.length;
    double bound = Tolerances.KEEP_FRACTION_SIGMAS * Math.sqrt(keep * (1.0 - keep) / mask.length);
    assertTrue(Math.abs(frac - keep) <= bound, what + ": kept fraction " + frac + ", expected " + keep + " +- " + bound);
  }

  @Test
  void dropoutMasks() {
    int n = 20000;
    for (float keep : new float[] {0.7f, 0.2f}) {
      float[] a = dropoutMask(n, keep, 7), b = dropoutMask(n, keep, 7), c = dropoutMask(n, keep, 8);
      assertArrayEquals(a, b, "same seed, different masks");
      assertFalse(Arrays.equals(a, c), "different seeds, same mask");
      assertKeptFraction("dropout keep=" + keep, a, keep);
      assertKeptFraction("dropout keep=" + keep + " seed 8", c, keep);
    }
    for (float m : dropoutMask(100, 1f, 3)) assertEquals(1f, m, "keepProb 1 dropped an element");
  }

  /** The formula of native/cpu/rng.h in Java (SplitMix64): what a CUDA twin must reproduce too. */
  private static float javaMask(long seed, long index, float keep) {
    long golden = 0x9e3779b97f4a7c15L;
    long h = mix64(mix64(seed + golden) + (index + 1) * golden);
    float u = (float) (h >>> 40) * (1.0f / 16777216.0f);
    return u < keep ? 1f / keep : 0f;
  }

  private static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  @Test
  void masksFollowTheDocumentedFormula() {
    for (long seed : new long[] {0L, 42L, -1L}) {
      float[] m = dropoutMask(257, 0.5f, seed), p = dropPathMask(33, 0.8f, seed);
      for (int i = 0; i < m.length; i++) assertEquals(javaMask(seed, i, 0.5f), m[i], "dropout seed " + seed + " index " + i);
      for (int i = 0; i < p.length; i++) assertEquals(javaMask(seed, i, 0.8f), p[i], "drop_path seed " + seed + " sample " + i);
    }
  }

  @Test
  void dropPathMasks() {
    int b = 20000;
    float keep = 0.6f;
    float[] a = dropPathMask(b, keep, 9), a2 = dropPathMask(b, keep, 9), c = dropPathMask(b, keep, 10);
    assertArrayEquals(a, a2, "same seed, different masks");
    assertFalse(Arrays.equals(a, c), "different seeds, same mask");
    assertKeptFraction("drop_path", a, keep);
    // One draw per sample: a sample is all kept (scaled) or all zero.
    SplittableRandom rng = new SplittableRandom(51);
    Tensor x = Tensor.randn(rng, 1f, 16, 3, 2, 2), out = Tensor.zeros(16, 3, 2, 2), mask = Tensor.zeros(16);
    DropoutOps.dropPathForward(out, mask, x, 0.5f, 11);
    float[] xv = x.toArray(), ov = out.toArray(), mv = mask.toArray();
    for (int s = 0; s < 16; s++)
      for (int i = 0; i < 12; i++) assertEquals(xv[s * 12 + i] * mv[s], ov[s * 12 + i], "sample " + s + " element " + i);
  }

  @Test
  void dropoutGradient() {
    SplittableRandom rng = new SplittableRandom(52);
    for (int[] shape : new int[][] {{1, 1, 1, 1}, {2, 3, 5, 7}, {3, 1, 9}}) {
      Tensor x = Tensor.randn(rng, 1f, shape), dx = Tensor.zeros(shape);
      Tensor out = Tensor.zeros(shape), mask = Tensor.zeros(shape);
      GradCheck.of("dropout").wrt("inp", x, dx).run(() -> {
        DropoutOps.dropoutForward(out, mask, x, 0.6f, 1234);  // fixed seed: a fixed mask
        return out;
      }, dout -> DropoutOps.dropoutBackward(dx, dout, mask));
    }
  }

  @Test
  void dropPathGradient() {
    SplittableRandom rng = new SplittableRandom(53);
    for (int[] shape : new int[][] {{1, 2, 3, 3}, {8, 3, 5, 3}, {5, 7}}) {
      Tensor x = Tensor.randn(rng, 1f, shape), dx = Tensor.zeros(shape);
      Tensor out = Tensor.zeros(shape), mask = Tensor.zeros(shape[0]);
      GradCheck.of("drop_path").wrt("inp", x, dx).run(() -> {
        DropoutOps.dropPathForward(out, mask, x, 0.5f, 99);
        return out;
      }, dout -> DropoutOps.dropPathBackward(dx, dout, mask));
    }
  }

  private static void assertBad(String expectedInMessage, Runnable r) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
    assertTrue(e.getMessage().contains(expectedInMessage), e.getMessage());
  }

  @Test
  void badArgumentsNameTheArgument() {
    Tensor x = Tensor.zeros(4, 3), out = Tensor.zeros(4, 3), mask = Tensor.zeros(4, 3);
    assertBad("keepProb is 0.0, expected a probability in (0, 1]", () -> DropoutOps.dropoutForward(out, mask, x, 0f, 1));
    assertBad("keepProb is 1.5", () -> DropoutOps.dropoutForward(out, mask, x, 1.5f, 1));
    assertBad("keepProb is NaN", () -> DropoutOps.dropPathForward(out, Tensor.zeros(4), x, Float.NaN, 1));
    assertBad("mask has shape [4, 3], expected [4]", () -> DropoutOps.dropPathForward(out, mask, x, 0.5f, 1));
    assertBad("mask has shape [4], expected [4, 3]", () -> DropoutOps.dropoutForward(out, Tensor.zeros(4), x, 0.5f, 1));
    assertBad("dout has shape", () -> DropoutOps.dropoutBackward(x, Tensor.zeros(3, 4), mask));
    assertBad("mask has shape [4, 3], expected [4]", () -> DropoutOps.dropPathBackward(x, out, mask));
    assertBad("inp is null", () -> DropoutOps.dropoutForward(out, mask, null, 0.5f, 1));
  }
}
