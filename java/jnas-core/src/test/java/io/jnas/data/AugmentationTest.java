package io.jnas.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AugmentationTest {
  /** Two 2x6x6 images with distinct pixel values k / 255. */
  static Dataset tiny() {
    byte[] px = new byte[2 * 2 * 6 * 6];
    for (int k = 0; k < px.length; k++) px[k] = (byte) (k + 1);
    return Dataset.ofBytes("tiny", px, new int[] {0, 1}, 2, 6, 6, List.of("a", "b"));
  }

  private static float[] run(Augmentation a, Dataset d, int i, SplittableRandom rng) {
    float[] out = new float[d.imageSize()];
    a.apply(d, i, rng, new float[d.imageSize()], out, 0);
    return out;
  }

  @Test
  void cropAndFlipMoveThePixelsTheDrawsSay() {
    Dataset d = tiny();
    Augmentation a = Augmentation.none().withPadding(2).withFlip(true);
    for (int trial = 0; trial < 40; trial++) {
      SplittableRandom rng = Augmentation.rngFor(11, 0, trial);
      SplittableRandom twin = Augmentation.rngFor(11, 0, trial);
      float[] out = run(a, d, 1, rng);
      int oy = twin.nextInt(5) - 2, ox = twin.nextInt(5) - 2;
      boolean mirror = twin.nextBoolean();
      for (int c = 0; c < 2; c++) {
        for (int y = 0; y < 6; y++) {
          for (int x = 0; x < 6; x++) {
            int sy = y + oy, sx = (mirror ? 5 - x : x) + ox;
            float want = sy < 0 || sy >= 6 || sx < 0 || sx >= 6 ? 0f : d.pixel(1, c, sy, sx);
            assertEquals(want, out[(c * 6 + y) * 6 + x], "trial " + trial + " c" + c + " y" + y + " x" + x);
          }
        }
      }
    }
  }

  @Test
  void normalizationAndCutout() {
    Dataset d = tiny();
    Normalization n = new Normalization(new float[] {0.5f, 0.25f}, new float[] {2f, 0.5f});
    float[] plain = run(Augmentation.eval(n), d, 0, null);
    assertEquals((d.pixel(0, 1, 2, 3) - 0.25f) / 0.5f, plain[(6 + 2) * 6 + 3], 1e-6);
    // padded zeros become -mean/std
    Augmentation pad = Augmentation.eval(n).withPadding(6);
    boolean sawPad = false;
    for (int t = 0; t < 20 && !sawPad; t++) {
      float[] out = run(pad, d, 0, Augmentation.rngFor(1, 0, t));
      for (float v : out) sawPad |= v == -0.25f;
    }
    assertTrue(sawPad, "padding is zero before normalization");
    // cutout: a clipped L x L square of exact zeros, same place in every channel
    Augmentation cut = Augmentation.eval(n).withCutout(3);
    for (int t = 0; t < 20; t++) {
      float[] out = run(cut, d, 0, Augmentation.rngFor(2, 1, t));
      int zeros = 0;
      for (int k = 0; k < 36; k++) {
        boolean z = out[k] == 0f;
        assertEquals(z, out[36 + k] == 0f, "cutout covers both channels alike");
        if (z) zeros++;
        else assertEquals(plain[k], out[k]);
      }
      assertTrue(zeros >= 1 && zeros <= 9, zeros + " pixels cut out");
    }
  }

  @Test
  void dependsOnlyOnSeedEpochAndBatch() {
    Dataset d = tiny();
    Augmentation a = Augmentation.standard(Normalization.identity(2)).withCutout(2);
    float[] x = run(a, d, 0, Augmentation.rngFor(5, 3, 7));
    assertArrayEquals(x, run(a, d, 0, Augmentation.rngFor(5, 3, 7)));
    int differ = 0;
    for (int b = 0; b < 10; b++) differ += Arrays.equals(x, run(a, d, 0, Augmentation.rngFor(5, 3, 100 + b))) ? 0 : 1;
    assertTrue(differ >= 8, "other batches draw other crops: " + differ + "/10 differ");
    assertFalse(Arrays.equals(x, run(a, d, 0, Augmentation.rngFor(5, 4, 7))), "another epoch, another draw");
  }

  @Test
  void computedNormalizationWhitens() {
    Dataset d = SyntheticDataset.generate("s", 200, 1, 1);
    Normalization n = Normalization.of(d);
    assertEquals(3, n.channels());
    double[] sum = new double[3], sq = new double[3];
    float[] img = new float[d.imageSize()];
    for (int i = 0; i < d.size(); i++) {
      Augmentation.eval(n).apply(d, i, null, null, img, 0);
      for (int k = 0; k < img.length; k++) {
        sum[k / 1024] += img[k];
        sq[k / 1024] += img[k] * img[k];
      }
    }
    for (int c = 0; c < 3; c++) {
      double count = 200 * 1024.0;
      assertEquals(0, sum[c] / count, 1e-3);
      assertEquals(1, sq[c] / count, 1e-3);
    }
  }
}
