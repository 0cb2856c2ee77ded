package io.jnas.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SyntheticDatasetTest {
  /** Raw-pixel features: the image as floats. */
  private static double[][] pixels(Dataset d) {
    double[][] f = new double[d.size()][d.imageSize()];
    float[] img = new float[d.imageSize()];
    for (int i = 0; i < d.size(); i++) {
      d.readImage(i, img, 0);
      for (int k = 0; k < img.length; k++) f[i][k] = img[k];
    }
    return f;
  }

  /**
   * Hand-made non-linear features standing in for a small CNN: a histogram of gradient
   * orientation (what a conv + ReLU + global pooling reads) and the brightness of the upper
   * and lower halves relative to the whole (what pooling over a large receptive field reads).
   */
  private static double[][] orientedEnergy(Dataset d) {
    int h = d.height(), w = d.width(), bins = 10;
    double[][] f = new double[d.size()][bins + 2];
    for (int i = 0; i < d.size(); i++) {
      double[][] g = new double[h][w];
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          for (int c = 0; c < d.channels(); c++) g[y][x] += d.pixel(i, c, y, x);
        }
      }
      double total = 1e-9, mean = 0, upper = 0, lower = 0;
      for (int y = 1; y < h - 1; y++) {
        for (int x = 1; x < w - 1; x++) {
          double gx = g[y][x + 1] - g[y][x - 1], gy = g[y + 1][x] - g[y - 1][x];
          double m = gx * gx + gy * gy;
          double a = Math.atan2(gy, gx); // gradient direction; orientation mod pi
          if (a < 0) a += Math.PI;
          f[i][(int) (a / Math.PI * bins) % bins] += m;
          total += m;
        }
      }
      for (int b = 0; b < bins; b++) f[i][b] /= total;
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          mean += g[y][x];
          if (y < h / 2) upper += g[y][x];
          else lower += g[y][x];
        }
      }
      mean /= h * w;
      f[i][bins] = upper / (h * w / 2) - mean;
      f[i][bins + 1] = lower / (h * w / 2) - mean;
    }
    return f;
  }

  /** Accuracy on (testF, testY) of the nearest class mean of (trainF, trainY), features standardized. */
  private static double nearestMeanAccuracy(double[][] trainF, int[] trainY, double[][] testF, int[] testY, int k) {
    int dim = trainF[0].length;
    double[] mu = new double[dim], sd = new double[dim];
    for (double[] r : trainF) for (int j = 0; j < dim; j++) mu[j] += r[j] / trainF.length;
    for (double[] r : trainF) for (int j = 0; j < dim; j++) sd[j] += (r[j] - mu[j]) * (r[j] - mu[j]) / trainF.length;
    for (int j = 0; j < dim; j++) sd[j] = Math.sqrt(sd[j]) + 1e-9;
    double[][] means = new double[k][dim];
    int[] counts = new int[k];
    for (int i = 0; i < trainF.length; i++) {
      counts[trainY[i]]++;
      for (int j = 0; j < dim; j++) means[trainY[i]][j] += (trainF[i][j] - mu[j]) / sd[j];
    }
    for (int c = 0; c < k; c++) for (int j = 0; j < dim; j++) means[c][j] /= Math.max(1, counts[c]);
    int right = 0;
    for (int i = 0; i < testF.length; i++) {
      int best = -1;
      double bestD = Double.MAX_VALUE;
      for (int c = 0; c < k; c++) {
        double dist = 0;
        for (int j = 0; j < dim; j++) {
          double v = (testF[i][j] - mu[j]) / sd[j] - means[c][j];
          dist += v * v;
        }
        if (dist < bestD) {
          bestD = dist;
          best = c;
        }
      }
      if (best == testY[i]) right++;
    }
    return (double) right / testF.length;
  }

  @Test
  void pixelsAloneAreNotEnoughButStructureIs() {
    Dataset train = SyntheticDataset.generate("t", 1500, 7, SyntheticDataset.TRAIN_STREAM);
    Dataset test = SyntheticDataset.generate("v", 400, 7, SyntheticDataset.TEST_STREAM);
    double pix = nearestMeanAccuracy(pixels(train), train.labels(), pixels(test), test.labels(), 10);
    double feat = nearestMeanAccuracy(orientedEnergy(train), train.labels(), orientedEnergy(test), test.labels(), 10);
    System.out.printf("synthetic: nearest class mean on pixels %.3f, on oriented energy + halves %.3f (chance 0.1)%n",
        pix, feat);
    assertTrue(pix > 0.13, "pixel nearest-mean accuracy " + pix + " should beat chance (0.10)");
    assertTrue(pix < 0.40, "pixel nearest-mean accuracy " + pix + " should be far from 100%");
    assertTrue(feat > pix + 0.25, "non-linear features (" + feat + ") should beat raw pixels (" + pix + ") clearly");
  }

  @Test
  void deterministicBySeedAndIndependentOfCount() {
    Dataset a = SyntheticDataset.generate("a", 50, 3, SyntheticDataset.TRAIN_STREAM);
    Dataset b = SyntheticDataset.generate("b", 80, 3, SyntheticDataset.TRAIN_STREAM);
    Dataset c = SyntheticDataset.generate("c", 50, 4, SyntheticDataset.TRAIN_STREAM);
    Dataset t = SyntheticDataset.generate("t", 50, 3, SyntheticDataset.TEST_STREAM);
    float[] x = new float[a.imageSize()], y = new float[a.imageSize()];
    for (int i = 0; i < 50; i++) {
      a.readImage(i, x, 0);
      b.readImage(i, y, 0);
      assertArrayEquals(x, y, "image " + i + " must not depend on how many images were made");
      assertEquals(a.label(i), b.label(i));
    }
    assertFalse(java.util.Arrays.equals(a.labels(), c.labels()) && sameImage(a, c, 0), "another seed, other images");
    assertFalse(sameImage(a, t, 0), "the test stream differs from the train stream");
  }

  private static boolean sameImage(Dataset a, Dataset b, int i) {
    float[] x = new float[a.imageSize()], y = new float[a.imageSize()];
    a.readImage(i, x, 0);
    b.readImage(i, y, 0);
    return java.util.Arrays.equals(x, y);
  }

  @Test
  void shapeClassesAndBalance() {
    DataSource src = Datasets.open("synthetic:train=900,val=100,test=50,seed=1");
    assertEquals("synthetic", src.name());
    assertEquals(1000, src.train().size());
    assertEquals(50, src.test().size());
    assertEquals(100, src.defaultValidation());
    Splits s = src.splits();
    assertEquals(900, s.train().size());
    assertEquals(100, s.validation().size());
    Dataset d = s.train();
    assertEquals(3, d.channels());
    assertEquals(32, d.height());
    assertEquals(32, d.width());
    assertEquals(10, d.numClasses());
    for (int n : d.classCounts()) assertTrue(n > 50 && n < 130, "class counts roughly balanced: " + n);
    assertThrows(IllegalArgumentException.class, () -> Datasets.open("synthetic:trian=5"));
    assertThrows(IllegalArgumentException.class, () -> Datasets.open("synthetic:train=x"));
  }

  @Test
  void trainingImagesAreNotMirrored() {
    // a mirror image turns the grating at theta into 180 - theta, another class: flipping would
    // cap every network at 0.6 training accuracy on this set
    DataSource src = SyntheticDataset.open(20, 0, 0, 0);
    assertTrue(!src.trainAugmentation().flip(), "the synthetic set's training transform must not flip");
    assertTrue(src.trainAugmentation().isRandom(), "it still crops");
  }
}
