package io.jnas.data;

import java.util.SplittableRandom;

/**
 * The per-image transform a {@link BatchLoader} applies: zero padding and a random crop back
 * to the original size, a random horizontal flip, normalization, then optional cutout. With
 * padding 0, no flip and no cutout it is deterministic (the evaluation transform).
 *
 * <p>Steps, in the order of torchvision's {@code RandomCrop(padding) → RandomHorizontalFlip →
 * ToTensor → Normalize → Cutout} as in DARTS:
 * <ol>
 *   <li>crop: pad the image with {@code padding} zeros on each side and take an H×W window at
 *       offsets {@code (oy, ox)} drawn uniformly from [0, 2·padding];
 *   <li>flip: mirror left-right with probability 1/2 (off for digits);
 *   <li>normalize: {@code (x - mean[c]) / std[c]} (the padded zeros become {@code -mean/std});
 *   <li>cutout: set an L×L square (clipped at the border) centred at a uniform pixel to 0.
 * </ol>
 *
 * <p>All randomness comes from the {@link SplittableRandom} passed in, drawn in a fixed order
 * (oy, ox, flip, cutout centre y, x), so the result depends only on that generator's state.
 * {@link #rngFor} gives the generator for batch k of epoch e, so an augmented batch depends
 * only on (seed, epoch, k). Instances are immutable and thread-safe.
 */
public final class Augmentation {
  private final int padding;
  private final boolean flip;
  private final int cutout;
  private final Normalization normalization; // null: none

  private Augmentation(int padding, boolean flip, int cutout, Normalization normalization) {
    if (padding < 0) throw new IllegalArgumentException("augmentation: padding " + padding + " must be >= 0");
    if (cutout < 0) throw new IllegalArgumentException("augmentation: cutout " + cutout + " must be >= 0");
    this.padding = padding;
    this.flip = flip;
    this.cutout = cutout;
    this.normalization = normalization;
  }

  /** No change at all: pixels in [0, 1]. */
  public static Augmentation none() {
    return new Augmentation(0, false, 0, null);
  }

  /** The evaluation transform: normalization only. */
  public static Augmentation eval(Normalization normalization) {
    return new Augmentation(0, false, 0, normalization);
  }

  /** The standard CIFAR training transform: 4-pixel padding and crop, flip, normalization. */
  public static Augmentation standard(Normalization normalization) {
    return new Augmentation(4, true, 0, normalization);
  }

  /** This transform with {@code pixels} of zero padding before the random crop (0: no crop). */
  public Augmentation withPadding(int pixels) {
    return new Augmentation(pixels, flip, cutout, normalization);
  }

  /** This transform with the random horizontal flip on or off. */
  public Augmentation withFlip(boolean on) {
    return new Augmentation(padding, on, cutout, normalization);
  }

  /** This transform with cutout of an L×L square ({@code length} 0: off; DARTS uses 16). */
  public Augmentation withCutout(int length) {
    return new Augmentation(padding, flip, length, normalization);
  }

  /** This transform with another normalization ({@code null}: none). */
  public Augmentation withNormalization(Normalization n) {
    return new Augmentation(padding, flip, cutout, n);
  }

  /** Padding before the crop, in pixels. */
  public int padding() {
    return padding;
  }

  /** Whether images are flipped at random. */
  public boolean flip() {
    return flip;
  }

  /** Cutout side length (0: off). */
  public int cutout() {
    return cutout;
  }

  /** The normalization, or {@code null}. */
  public Normalization normalization() {
    return normalization;
  }

  /** Whether the transform draws random numbers. */
  public boolean isRandom() {
    return padding > 0 || flip || cutout > 0;
  }

  /** The generator for batch {@code batch} of epoch {@code epoch} of a run seeded {@code seed}. */
  public static SplittableRandom rngFor(long seed, int epoch, int batch) {
    return new SplittableRandom(Seeds.mix(seed, 0xA06L, epoch, batch));
  }

  /**
   * Transforms image {@code i} of {@code data} into {@code dst[off .. off + imageSize())},
   * layout (C, H, W).
   *
   * @param scratch at least {@code data.imageSize()} floats, overwritten
   */
  public void apply(Dataset data, int i, SplittableRandom rng, float[] scratch, float[] dst, int off) {
    int c = data.channels(), h = data.height(), w = data.width();
    if (normalization != null && normalization.channels() != c) {
      throw new IllegalArgumentException("augmentation: normalization has " + normalization.channels()
          + " channels, data set " + data.name() + " has " + c);
    }
    if (padding == 0 && !flip) {
      data.readImage(i, dst, off);
    } else {
      data.readImage(i, scratch, 0);
      int oy = 0, ox = 0;
      if (padding > 0) {
        oy = rng.nextInt(2 * padding + 1) - padding;
        ox = rng.nextInt(2 * padding + 1) - padding;
      }
      boolean mirror = flip && rng.nextBoolean();
      for (int ch = 0; ch < c; ch++) {
        for (int y = 0; y < h; y++) {
          int sy = y + oy;
          int d = off + (ch * h + y) * w;
          if (sy < 0 || sy >= h) {
            for (int x = 0; x < w; x++) dst[d + x] = 0f;
            continue;
          }
          int s = (ch * h + sy) * w;
          for (int x = 0; x < w; x++) {
            int sx = (mirror ? w - 1 - x : x) + ox;
            dst[d + x] = sx < 0 || sx >= w ? 0f : scratch[s + sx];
          }
        }
      }
    }
    if (normalization != null) normalization.apply(dst, off, c, h * w);
    if (cutout > 0) {
      int cy = rng.nextInt(h), cx = rng.nextInt(w);
      int y0 = Math.max(0, cy - cutout / 2), y1 = Math.min(h, cy + (cutout + 1) / 2);
      int x0 = Math.max(0, cx - cutout / 2), x1 = Math.min(w, cx + (cutout + 1) / 2);
      for (int ch = 0; ch < c; ch++) {
        for (int y = y0; y < y1; y++) {
          int d = off + (ch * h + y) * w;
          for (int x = x0; x < x1; x++) dst[d + x] = 0f;
        }
      }
    }
  }

  @Override
  public String toString() {
    return "Augmentation[padding=" + padding + ", flip=" + flip + ", cutout=" + cutout
        + ", normalization=" + normalization + "]";
  }
}
