package io.jnas.data;

import java.util.Arrays;

/**
 * Per-channel normalization {@code (x - mean[c]) / std[c]}, applied to pixels in [0, 1].
 *
 * @param mean (C)
 * @param std (C), each positive
 */
public record Normalization(float[] mean, float[] std) {
  /** CIFAR-10's usual training-set statistics (as in DARTS and ENAS). */
  public static final Normalization CIFAR10 = new Normalization(
      new float[] {0.49139968f, 0.48215827f, 0.44653124f},
      new float[] {0.24703233f, 0.24348505f, 0.26158768f});

  /**
   * MNIST's usual training-set statistics, as published (four decimals). An IDX folder computes
   * its own from its training images ({@link Idx#open}); for MNIST that gives mean 0.13066049
   * and std 0.30810782, which round to these.
   */
  public static final Normalization MNIST = new Normalization(new float[] {0.1307f}, new float[] {0.3081f});

  /** Fashion-MNIST's training-set statistics, as published (an IDX folder computes its own, see {@link Idx#open}). */
  public static final Normalization FASHION_MNIST = new Normalization(new float[] {0.2860f}, new float[] {0.3530f});

  /** Checks the two arrays and copies them. */
  public Normalization {
    if (mean.length != std.length || mean.length == 0) {
      throw new IllegalArgumentException("normalization: " + mean.length + " means and " + std.length
          + " stds, expected one of each per channel");
    }
    for (float s : std) {
      if (!(s > 0)) throw new IllegalArgumentException("normalization: std " + s + " must be positive");
    }
    mean = mean.clone();
    std = std.clone();
  }

  /** The identity (mean 0, std 1) for {@code channels} channels. */
  public static Normalization identity(int channels) {
    float[] m = new float[channels];
    float[] s = new float[channels];
    Arrays.fill(s, 1f);
    return new Normalization(m, s);
  }

  /**
   * Mean and population standard deviation of each channel over every pixel of every image of
   * {@code data}, as {@link Dataset#readImage} returns them (bytes scaled to [0, 1]), before
   * any augmentation; sums in double. A constant channel gets std 1e-6.
   */
  public static Normalization of(Dataset data) {
    int c = data.channels(), hw = data.height() * data.width();
    double[] sum = new double[c], sq = new double[c];
    float[] img = new float[data.imageSize()];
    for (int i = 0; i < data.size(); i++) {
      data.readImage(i, img, 0);
      for (int ch = 0; ch < c; ch++) {
        double s = 0, q = 0;
        for (int k = ch * hw; k < (ch + 1) * hw; k++) {
          s += img[k];
          q += (double) img[k] * img[k];
        }
        sum[ch] += s;
        sq[ch] += q;
      }
    }
    float[] m = new float[c], sd = new float[c];
    double n = Math.max(1.0, (double) data.size() * hw);
    for (int ch = 0; ch < c; ch++) {
      double mu = sum[ch] / n;
      m[ch] = (float) mu;
      sd[ch] = (float) Math.max(1e-6, Math.sqrt(Math.max(0, sq[ch] / n - mu * mu)));
    }
    return new Normalization(m, sd);
  }

  /**
   * The same statistics rounded to {@code decimals} decimal places (a std that would round to 0
   * keeps its smallest step), as such constants are usually published.
   */
  public Normalization rounded(int decimals) {
    double scale = Math.pow(10, decimals);
    float[] m = new float[mean.length], s = new float[std.length];
    for (int c = 0; c < m.length; c++) {
      m[c] = (float) (Math.round(mean[c] * scale) / scale);
      s[c] = (float) (Math.max(1, Math.round(std[c] * scale)) / scale);
    }
    return new Normalization(m, s);
  }

  /** Number of channels. */
  public int channels() {
    return mean.length;
  }

  /** Per-channel means, (C), a copy. */
  @Override
  public float[] mean() {
    return mean.clone();
  }

  /** Per-channel standard deviations, (C), a copy. */
  @Override
  public float[] std() {
    return std.clone();
  }

  /** Normalizes one (C, H, W) image in place at {@code dst[off ..]}. */
  void apply(float[] dst, int off, int c, int hw) {
    for (int ch = 0; ch < c; ch++) {
      float m = mean[ch], inv = 1f / std[ch];
      int b = off + ch * hw;
      for (int k = 0; k < hw; k++) dst[b + k] = (dst[b + k] - m) * inv;
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Normalization n && Arrays.equals(mean, n.mean) && Arrays.equals(std, n.std);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(mean) + Arrays.hashCode(std);
  }

  @Override
  public String toString() {
    return "Normalization[mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + "]";
  }
}
