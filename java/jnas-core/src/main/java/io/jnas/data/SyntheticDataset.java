package io.jnas.data;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * A generated 10-class, 3×32×32 image set: the default data, so that a search runs on a fresh
 * machine with no files. Image {@code i} of a stream is a pure function of
 * {@code (seed, stream, i)}, so any number of images can be made and the same seed always
 * gives the same images.
 *
 * <p><b>Recipe.</b> Class {@code c} combines an orientation {@code t = c / 2} (five, 36°
 * apart) and a blob position {@code p = c % 2} (upper or lower half). Each image, with its
 * own generator:
 * <ol>
 *   <li>background: a colour drawn per channel from U(0.25, 0.65) (colour jitter) plus a
 *       linear illumination ramp of random direction and strength U(0, 0.15);
 *   <li>texture: a sinusoidal grating {@code A·w[ch]·sin(2π f (x cos θ + y sin θ) + φ)} with
 *       θ = t·36° ± 6°, frequency f ~ U(0.15, 0.30) cycles/pixel, random phase φ (a random
 *       translation: its pixel mean is zero), amplitude A ~ U(0.10, 0.22) and per-channel
 *       weights w ~ U(0.5, 1);
 *   <li>blob: a bright soft disc of radius U(3.5, 6), colour offset U(0.2, 0.45) per channel,
 *       at x ~ U(6, 26) and y ~ U(5, 12) (p = 0) or U(20, 27) (p = 1), occluding the texture;
 *   <li>distractor: a smaller dark disc (radius U(2, 3.5)) anywhere;
 *   <li>noise: near-Gaussian (a sum of four uniforms), σ = 0.06 per pixel and channel;
 *       clipped to [0, 1] and stored as uint8.
 * </ol>
 *
 * <p><b>Why it needs the right ops.</b> The orientation is invisible to any linear function
 * of the pixels (the random phase averages the grating out), but a small convolution followed
 * by a non-linearity and pooling reads it at once (oriented edge energy). The blob position is
 * coarse, so it needs a large receptive field or pooling, and it is mixed up with a random
 * distractor and illumination. A nearest-class-mean classifier on raw pixels therefore sees
 * only the blob half: about 19% accuracy (chance 10%), and a softmax regression on pixels
 * (4,000 images, 30 epochs) fits its training images perfectly but reaches only about 24% on
 * new ones, while nearest class mean on a histogram of gradient orientation plus the
 * brightness of the two halves reaches about 87% (see the tests).
 */
public final class SyntheticDataset {
  /** Image side. */
  public static final int SIZE = 32;
  /** Channels. */
  public static final int CHANNELS = 3;
  /** Number of classes. */
  public static final int CLASSES = 10;

  /** Stream of the training files (train and validation are both cut from it). */
  public static final int TRAIN_STREAM = 1;
  /** Stream of the test files. */
  public static final int TEST_STREAM = 2;

  /** Noise σ 0.06 over the standard deviation of a sum of four uniforms, sqrt(1/3). */
  private static final float NOISE_SCALE = (float) (0.06 / Math.sqrt(1.0 / 3));

  /** Class names: orientation in degrees and blob half. */
  public static final List<String> CLASS_NAMES;

  static {
    List<String> names = new ArrayList<>();
    for (int c = 0; c < CLASSES; c++) names.add("orient" + (c / 2) * 36 + (c % 2 == 0 ? "-upper" : "-lower"));
    CLASS_NAMES = List.copyOf(names);
  }

  private SyntheticDataset() {}

  /**
   * Images {@code 0 .. n-1} of {@code stream} for {@code seed}.
   *
   * @param stream which independent stream ({@link #TRAIN_STREAM}, {@link #TEST_STREAM}, or
   *     any other number)
   */
  public static Dataset generate(String name, int n, long seed, int stream) {
    if (n <= 0) throw new IllegalArgumentException(name + ": number of images " + n + " must be positive");
    int per = CHANNELS * SIZE * SIZE;
    byte[] pixels = new byte[Math.multiplyExact(n, per)];
    int[] labels = new int[n];
    // each image depends only on (seed, stream, i): safe to make in parallel
    IntStream.range(0, n).parallel().forEach(i -> {
      float[] img = new float[per];
      SplittableRandom rng = new SplittableRandom(Seeds.mix(seed, 0x5E7L, stream, i));
      labels[i] = draw(rng, img);
      for (int k = 0; k < per; k++) {
        pixels[i * per + k] = (byte) Math.round(Math.max(0f, Math.min(1f, img[k])) * 255f);
      }
    });
    return Dataset.ofBytes(name, pixels, labels, CHANNELS, SIZE, SIZE, CLASS_NAMES);
  }

  /**
   * A data source of {@code train + validation} training images (the last {@code validation}
   * held out by default) and {@code test} test images; normalization computed from the
   * training images; training transform: 4-pixel crop, <b>no flip</b>: a mirror image turns a
   * grating at θ into one at 180° - θ, another class (36° into 144°, 72° into 108°), so flipping
   * would cap the training accuracy at 0.6 (measured: every supernet and final network trained
   * on flipped images stopped there).
   */
  public static DataSource open(int train, int validation, int test, long seed) {
    if (train <= 0) throw new IllegalArgumentException("synthetic: train size " + train + " must be positive");
    if (validation < 0) throw new IllegalArgumentException("synthetic: validation size " + validation + " must be >= 0");
    Dataset all = generate("synthetic-train", train + validation, seed, TRAIN_STREAM);
    Dataset testSet = test > 0 ? generate("synthetic-test", test, seed, TEST_STREAM) : null;
    Normalization norm = Normalization.of(all.range(0, train));
    String desc = "synthetic (seed " + seed + "): " + train + " train, " + validation + " validation, " + test
        + " test images, 3x32x32, 10 classes";
    return new DataSource("synthetic", desc, all, testSet, validation, norm, Augmentation.standard(norm).withFlip(false));
  }

  /** Draws one image into {@code img} (C, H, W) and returns its label. */
  private static int draw(SplittableRandom rng, float[] img) {
    final int hw = SIZE * SIZE;
    int label = rng.nextInt(CLASSES);
    int t = label / 2, p = label % 2;
    // 1. background colour and illumination ramp
    float[] bg = new float[CHANNELS];
    for (int ch = 0; ch < CHANNELS; ch++) bg[ch] = (float) rng.nextDouble(0.25, 0.65);
    double rampAngle = rng.nextDouble(0, 2 * Math.PI);
    double ramp = rng.nextDouble(0, 0.15);
    double rx = Math.cos(rampAngle) * ramp / SIZE, ry = Math.sin(rampAngle) * ramp / SIZE;
    // 2. grating
    double theta = t * Math.PI / 5 + rng.nextDouble(-0.1, 0.1);
    double freq = rng.nextDouble(0.15, 0.30);
    double phase = rng.nextDouble(0, 2 * Math.PI);
    double amp = rng.nextDouble(0.10, 0.22);
    float[] w = new float[CHANNELS];
    for (int ch = 0; ch < CHANNELS; ch++) w[ch] = (float) (amp * rng.nextDouble(0.5, 1.0));
    double kx = 2 * Math.PI * freq * Math.cos(theta), ky = 2 * Math.PI * freq * Math.sin(theta);
    // 3. blob, 4. distractor
    double bx = rng.nextDouble(6, 26), by = p == 0 ? rng.nextDouble(5, 12) : rng.nextDouble(20, 27);
    double br = rng.nextDouble(3.5, 6);
    float[] bc = new float[CHANNELS];
    for (int ch = 0; ch < CHANNELS; ch++) bc[ch] = (float) rng.nextDouble(0.2, 0.45);
    double dx = rng.nextDouble(2, 30), dy = rng.nextDouble(2, 30), dr = rng.nextDouble(2, 3.5);
    float[] dc = new float[CHANNELS];
    for (int ch = 0; ch < CHANNELS; ch++) dc[ch] = (float) rng.nextDouble(0.15, 0.35);
    for (int y = 0; y < SIZE; y++) {
      for (int x = 0; x < SIZE; x++) {
        float s = (float) Math.sin(kx * x + ky * y + phase);
        float light = (float) (rx * (x - SIZE / 2.0) + ry * (y - SIZE / 2.0));
        float blob = soft(Math.sqrt((x - bx) * (x - bx) + (y - by) * (y - by)), br);
        float dist = soft(Math.sqrt((x - dx) * (x - dx) + (y - dy) * (y - dy)), dr);
        for (int ch = 0; ch < CHANNELS; ch++) {
          float v = bg[ch] + light + w[ch] * s;
          v = v * (1 - blob) + (bg[ch] + light + bc[ch]) * blob;
          v = v * (1 - dist) + (bg[ch] + light - dc[ch]) * dist;
          img[ch * hw + y * SIZE + x] = v;
        }
      }
    }
    // 5. noise
    for (int k = 0; k < img.length; k++) {
      // the sum of four 16-bit uniforms from one draw: near-Gaussian, much cheaper than nextGaussian
      long r = rng.nextLong();
      int sum = (int) (r & 0xFFFF) + (int) ((r >>> 16) & 0xFFFF) + (int) ((r >>> 32) & 0xFFFF) + (int) (r >>> 48);
      img[k] += (sum * (1f / 65536f) - 2f) * NOISE_SCALE;
    }
    return label;
  }

  /** Coverage of a disc of radius r at distance d from its centre, with a one-pixel soft edge. */
  private static float soft(double d, double r) {
    return (float) Math.max(0, Math.min(1, r - d + 0.5));
  }
}
