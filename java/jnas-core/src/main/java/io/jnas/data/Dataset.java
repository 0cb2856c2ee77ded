package io.jnas.data;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * An in-memory image classification set: {@code N} images of shape (C, H, W) with an
 * integer label each.
 *
 * <p>Pixels are kept compact, as {@code uint8} bytes (CIFAR-10's 20,000 training images are
 * 61 MB) or, for data that is not 8-bit, as floats; both are laid out (N, C, H, W), row-major.
 * {@link #readImage} returns an image as floats: bytes are scaled to [0, 1] ({@code b / 255}),
 * floats are returned as stored.
 *
 * <p>A data set is immutable. {@link #range}, {@link #select} and {@link #subset} return
 * views that share the pixel storage (only an index array is new), so splits cost nothing.
 * Views and the original are safe to read from many threads.
 */
public final class Dataset {
  private final String name;
  private final byte[] bytes; // (N0, C, H, W) uint8, or null
  private final float[] floats; // (N0, C, H, W), or null
  private final int[] labels; // (N0)
  private final int[] rows; // (N): rows of the storage this view holds, or null for all
  private final int channels;
  private final int height;
  private final int width;
  private final List<String> classNames;

  private Dataset(String name, byte[] bytes, float[] floats, int[] labels, int[] rows,
      int channels, int height, int width, List<String> classNames) {
    this.name = name;
    this.bytes = bytes;
    this.floats = floats;
    this.labels = labels;
    this.rows = rows;
    this.channels = channels;
    this.height = height;
    this.width = width;
    this.classNames = classNames;
  }

  /**
   * A data set over {@code pixels} (N, C, H, W) uint8, which it keeps (no copy).
   *
   * @param labels (N) each in [0, classNames.size())
   * @throws IllegalArgumentException on inconsistent sizes or a label out of range
   */
  public static Dataset ofBytes(String name, byte[] pixels, int[] labels, int channels, int height,
      int width, List<String> classNames) {
    check(name, pixels.length, labels, channels, height, width, classNames);
    return new Dataset(name, pixels, null, labels, null, channels, height, width, List.copyOf(classNames));
  }

  /**
   * A data set over {@code pixels} (N, C, H, W) float, which it keeps (no copy).
   *
   * @param labels (N) each in [0, classNames.size())
   * @throws IllegalArgumentException on inconsistent sizes or a label out of range
   */
  public static Dataset ofFloats(String name, float[] pixels, int[] labels, int channels, int height,
      int width, List<String> classNames) {
    check(name, pixels.length, labels, channels, height, width, classNames);
    return new Dataset(name, null, pixels, labels, null, channels, height, width, List.copyOf(classNames));
  }

  private static void check(String name, long pixels, int[] labels, int c, int h, int w, List<String> classNames) {
    if (c <= 0 || h <= 0 || w <= 0) {
      throw new IllegalArgumentException(name + ": image shape (" + c + ", " + h + ", " + w + ") must be positive");
    }
    if (classNames.isEmpty()) throw new IllegalArgumentException(name + ": at least one class name expected");
    long expected = (long) labels.length * c * h * w;
    if (pixels != expected) {
      throw new IllegalArgumentException(name + ": " + pixels + " pixel values for " + labels.length
          + " images of shape (" + c + ", " + h + ", " + w + "), expected " + expected);
    }
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] < 0 || labels[i] >= classNames.size()) {
        throw new IllegalArgumentException(name + ": image " + i + " has label " + labels[i]
            + ", expected 0.." + (classNames.size() - 1));
      }
    }
  }

  /** A short name for logs ("cifar10-train", "synthetic-val"). */
  public String name() {
    return name;
  }

  /** The same images under another name. */
  public Dataset withName(String newName) {
    return new Dataset(newName, bytes, floats, labels, rows, channels, height, width, classNames);
  }

  /** Number of images, N. */
  public int size() {
    return rows == null ? labels.length : rows.length;
  }

  /** Channels, C. */
  public int channels() {
    return channels;
  }

  /** Height, H. */
  public int height() {
    return height;
  }

  /** Width, W. */
  public int width() {
    return width;
  }

  /** Floats per image, C * H * W. */
  public int imageSize() {
    return channels * height * width;
  }

  /** Number of classes (labels are in [0, numClasses())). */
  public int numClasses() {
    return classNames.size();
  }

  /** Class names, indexed by label. */
  public List<String> classNames() {
    return classNames;
  }

  /** Whether pixels are stored as uint8 bytes (else as floats). */
  public boolean isBytes() {
    return bytes != null;
  }

  private int row(int i) {
    if (i < 0 || i >= size()) throw new IndexOutOfBoundsException(name + ": image " + i + ", size " + size());
    return rows == null ? i : rows[i];
  }

  /** Label of image {@code i}. */
  public int label(int i) {
    return labels[row(i)];
  }

  /** All labels, (N), a copy. */
  public int[] labels() {
    int[] out = new int[size()];
    for (int i = 0; i < out.length; i++) out[i] = labels[rows == null ? i : rows[i]];
    return out;
  }

  /** Images per class, (numClasses()). */
  public int[] classCounts() {
    int[] counts = new int[numClasses()];
    for (int i = 0; i < size(); i++) counts[label(i)]++;
    return counts;
  }

  /**
   * Writes image {@code i} as floats into {@code dst[off .. off + imageSize())}, layout (C, H, W);
   * bytes become {@code b / 255}.
   */
  public void readImage(int i, float[] dst, int off) {
    int n = imageSize();
    int base = row(i) * n;
    if (bytes != null) {
      for (int k = 0; k < n; k++) dst[off + k] = (bytes[base + k] & 0xFF) * (1f / 255f);
    } else {
      System.arraycopy(floats, base, dst, off, n);
    }
  }

  /** Pixel (c, y, x) of image {@code i} as a float (bytes scaled to [0, 1]). */
  public float pixel(int i, int c, int y, int x) {
    int k = (row(i) * channels + c) * height * width + y * width + x;
    return bytes != null ? (bytes[k] & 0xFF) * (1f / 255f) : floats[k];
  }

  /** Raw uint8 pixel (c, y, x) of image {@code i}; only for byte storage. */
  public int rawByte(int i, int c, int y, int x) {
    if (bytes == null) throw new IllegalStateException(name + ": pixels are floats, not bytes");
    return bytes[(row(i) * channels + c) * height * width + y * width + x] & 0xFF;
  }

  /** Images {@code from} (inclusive) to {@code to} (exclusive), a view. */
  public Dataset range(int from, int to) {
    if (from < 0 || to > size() || from > to) {
      throw new IndexOutOfBoundsException(name + ": range [" + from + ", " + to + ") of " + size() + " images");
    }
    int[] r = new int[to - from];
    for (int i = 0; i < r.length; i++) r[i] = rows == null ? from + i : rows[from + i];
    return new Dataset(name, bytes, floats, labels, r, channels, height, width, classNames);
  }

  /** The images at {@code indices}, in that order, a view. */
  public Dataset select(int[] indices) {
    int[] r = new int[indices.length];
    for (int i = 0; i < r.length; i++) r[i] = row(indices[i]);
    return new Dataset(name, bytes, floats, labels, r, channels, height, width, classNames);
  }

  /**
   * A random {@code fraction} of the images (at least one), chosen by {@code seed}, kept in
   * their original order: a cheap proxy for multi-trial search. {@code fraction == 1} returns
   * this set.
   */
  public Dataset subset(double fraction, long seed) {
    if (!(fraction > 0 && fraction <= 1)) {
      throw new IllegalArgumentException(name + ": subset fraction " + fraction + ", expected (0, 1]");
    }
    if (fraction == 1) return this;
    int k = Math.max(1, (int) Math.round(fraction * size()));
    int[] perm = Seeds.permutation(size(), new SplittableRandom(Seeds.mix(seed, 0x5B5E7L)));
    int[] pick = Arrays.copyOf(perm, k);
    Arrays.sort(pick);
    return select(pick);
  }

  /**
   * The images resampled to {@code newHeight x newWidth}, a new copy (not a view): a box
   * average where the size divides evenly (32 to 16), bilinear otherwise. Byte storage stays
   * bytes (rounded). Same size returns this set.
   */
  public Dataset resized(int newHeight, int newWidth) {
    if (newHeight <= 0 || newWidth <= 0) {
      throw new IllegalArgumentException(name + ": resolution " + newHeight + "x" + newWidth + " must be positive");
    }
    if (newHeight == height && newWidth == width) return this;
    int n = size();
    int outSize = channels * newHeight * newWidth;
    float[] src = new float[imageSize()];
    float[] dst = new float[outSize];
    byte[] outBytes = bytes != null ? new byte[Math.multiplyExact(n, outSize)] : null;
    float[] outFloats = bytes == null ? new float[Math.multiplyExact(n, outSize)] : null;
    for (int i = 0; i < n; i++) {
      readImage(i, src, 0);
      resample(src, channels, height, width, dst, newHeight, newWidth);
      if (outBytes != null) {
        for (int k = 0; k < outSize; k++) {
          outBytes[i * outSize + k] = (byte) Math.max(0, Math.min(255, Math.round(dst[k] * 255f)));
        }
      } else {
        System.arraycopy(dst, 0, outFloats, i * outSize, outSize);
      }
    }
    String newName = name + "@" + newHeight + "x" + newWidth;
    return new Dataset(newName, outBytes, outFloats, labels(), null, channels, newHeight, newWidth, classNames);
  }

  /** Resamples one (C, H, W) image to (C, h, w): box average on an even ratio, else bilinear. */
  static void resample(float[] src, int c, int H, int W, float[] dst, int h, int w) {
    if (H % h == 0 && W % w == 0) {
      int fy = H / h, fx = W / w;
      float inv = 1f / (fy * fx);
      for (int ch = 0; ch < c; ch++) {
        for (int y = 0; y < h; y++) {
          for (int x = 0; x < w; x++) {
            float s = 0;
            for (int dy = 0; dy < fy; dy++) {
              int base = (ch * H + y * fy + dy) * W + x * fx;
              for (int dx = 0; dx < fx; dx++) s += src[base + dx];
            }
            dst[(ch * h + y) * w + x] = s * inv;
          }
        }
      }
      return;
    }
    for (int ch = 0; ch < c; ch++) {
      for (int y = 0; y < h; y++) {
        float sy = Math.max(0, Math.min(H - 1, (y + 0.5f) * H / h - 0.5f));
        int y0 = (int) sy, y1 = Math.min(H - 1, y0 + 1);
        float ay = sy - y0;
        for (int x = 0; x < w; x++) {
          float sx = Math.max(0, Math.min(W - 1, (x + 0.5f) * W / w - 0.5f));
          int x0 = (int) sx, x1 = Math.min(W - 1, x0 + 1);
          float ax = sx - x0;
          int b = ch * H * W;
          float top = src[b + y0 * W + x0] * (1 - ax) + src[b + y0 * W + x1] * ax;
          float bot = src[b + y1 * W + x0] * (1 - ax) + src[b + y1 * W + x1] * ax;
          dst[(ch * h + y) * w + x] = top * (1 - ay) + bot * ay;
        }
      }
    }
  }

  @Override
  public String toString() {
    return name + " (" + size() + " images, " + channels + "x" + height + "x" + width + ", "
        + numClasses() + " classes)";
  }
}
