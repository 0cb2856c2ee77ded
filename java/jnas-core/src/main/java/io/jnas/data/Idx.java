package io.jnas.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads MNIST-style IDX files (MNIST, Fashion-MNIST): {@code train-images-idx3-ubyte},
 * {@code train-labels-idx1-ubyte}, {@code t10k-images-idx3-ubyte},
 * {@code t10k-labels-idx1-ubyte}, each raw or gzip-compressed ({@code .gz}; recognised by its
 * magic bytes, not only its name).
 *
 * <p>Format: a big-endian int magic (2051 for images, 2049 for labels), big-endian int sizes
 * (images: count, rows, columns; labels: count), then one unsigned byte per pixel or label.
 * Images become (1, rows, cols) uint8.
 */
public final class Idx {
  /** Magic number of an IDX image file (unsigned byte, 3 dimensions). */
  public static final int IMAGES_MAGIC = 2051;
  /** Magic number of an IDX label file (unsigned byte, 1 dimension). */
  public static final int LABELS_MAGIC = 2049;

  /** MNIST's class names. */
  public static final List<String> DIGITS = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");

  /** Fashion-MNIST's class names. */
  public static final List<String> FASHION = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
      "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

  private Idx() {}

  /** The file {@code base} or {@code base.gz} in {@code dir}, whichever exists, else {@code null}. */
  static Path find(Path dir, String base) {
    Path raw = dir.resolve(base);
    if (Files.isRegularFile(raw)) return raw;
    Path gz = dir.resolve(base + ".gz");
    return Files.isRegularFile(gz) ? gz : null;
  }

  /** Whether {@code dir} has {@code train-images-idx3-ubyte[.gz]}. */
  public static boolean recognises(Path dir) {
    return find(dir, "train-images-idx3-ubyte") != null;
  }

  /**
   * Opens an MNIST-style folder: training files, test files ({@code t10k-*}, if present),
   * a default of 5,000 held-out validation images, no flip. The folder's name decides
   * between MNIST and Fashion-MNIST (class names, normalization): "fashion" in it means
   * Fashion-MNIST.
   *
   * @throws DataFormatException naming the file and problem
   */
  public static DataSource open(Path dir) {
    boolean fashion = dir.toAbsolutePath().normalize().toString().toLowerCase(Locale.ROOT).contains("fashion");
    String name = fashion ? "fashion-mnist" : "mnist";
    List<String> classes = fashion ? FASHION : DIGITS;
    Path trainImages = require(dir, "train-images-idx3-ubyte");
    Path trainLabels = require(dir, "train-labels-idx1-ubyte");
    Dataset train = read(name + "-train", trainImages, trainLabels, classes);
    Path testImages = find(dir, "t10k-images-idx3-ubyte");
    Path testLabels = find(dir, "t10k-labels-idx1-ubyte");
    Dataset test = null;
    if (testImages != null || testLabels != null) {
      test = read(name + "-test", require(dir, "t10k-images-idx3-ubyte"), require(dir, "t10k-labels-idx1-ubyte"),
          classes);
    }
    Normalization norm = fashion ? Normalization.FASHION_MNIST : Normalization.MNIST;
    String desc = (fashion ? "Fashion-MNIST" : "MNIST") + " from " + dir + ": " + train.size()
        + " training images, " + (test == null ? "no t10k files" : test.size() + " test images");
    return new DataSource(name, desc, train, test, DataSource.defaultValidation(5000, train.size()), norm,
        Augmentation.eval(norm).withPadding(2));
  }

  private static Path require(Path dir, String base) {
    Path p = find(dir, base);
    if (p == null) throw new DataFormatException(dir.resolve(base), "file not found (nor " + base + ".gz)");
    return p;
  }

  /**
   * Reads an image file and its label file into one data set.
   *
   * @throws DataFormatException on a missing file, a bad magic number, a truncated file or
   *     trailing bytes, a corrupt gzip stream, a label out of range, or image and label
   *     counts that differ
   */
  public static Dataset read(String name, Path images, Path labelsFile, List<String> classNames) {
    int[] dims = new int[3];
    byte[] pixels = readFile(images, IMAGES_MAGIC, dims);
    int[] labelDims = new int[1];
    byte[] rawLabels = readFile(labelsFile, LABELS_MAGIC, labelDims);
    if (dims[0] != labelDims[0]) {
      throw new DataFormatException(labelsFile, labelDims[0] + " labels but " + images.getFileName() + " has "
          + dims[0] + " images; expected equal counts");
    }
    int[] labels = new int[rawLabels.length];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = rawLabels[i] & 0xFF;
      if (labels[i] >= classNames.size()) {
        throw new DataFormatException(labelsFile, "label " + i + " is " + labels[i] + ", expected 0.."
            + (classNames.size() - 1));
      }
    }
    return Dataset.ofBytes(name, pixels, labels, 1, dims[1], dims[2], classNames);
  }

  /** Reads one IDX file with the given magic; fills {@code dims} and returns the data bytes. */
  static byte[] readFile(Path file, int magic, int[] dims) {
    try (InputStream in = openStream(file); DataInputStream data = new DataInputStream(in)) {
      int m;
      try {
        m = data.readInt();
      } catch (EOFException e) {
        throw new DataFormatException(file, "shorter than the 4-byte IDX magic number");
      }
      if (m != magic) {
        String other = m == IMAGES_MAGIC ? " (an image file)" : m == LABELS_MAGIC ? " (a label file)" : "";
        throw new DataFormatException(file, "bad IDX magic number " + m + other + ", expected " + magic
            + (magic == IMAGES_MAGIC ? " (images)" : " (labels)"));
      }
      long total = 1;
      for (int d = 0; d < dims.length; d++) {
        try {
          dims[d] = data.readInt();
        } catch (EOFException e) {
          throw new DataFormatException(file, "truncated in the IDX header (dimension " + d + ")");
        }
        if (dims[d] <= 0) throw new DataFormatException(file, "IDX dimension " + d + " is " + dims[d]);
        total *= dims[d];
      }
      if (total > Integer.MAX_VALUE - 16) throw new DataFormatException(file, "too large (" + total + " bytes)");
      byte[] out = data.readNBytes((int) total);
      if (out.length != total) {
        throw new DataFormatException(file, "truncated: " + out.length + " of " + total + " data bytes ("
            + describe(dims) + ")");
      }
      if (data.read() != -1) {
        throw new DataFormatException(file, "has bytes after the " + total + " data bytes its header announces ("
            + describe(dims) + ")");
      }
      return out;
    } catch (NoSuchFileException e) {
      throw new DataFormatException(file, "file not found");
    } catch (ZipException | EOFException e) {
      throw new DataFormatException(file, "gzip stream is corrupt or truncated: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new DataFormatException(file, "cannot read: " + e.getMessage(), e);
    }
  }

  private static String describe(int[] dims) {
    return dims.length == 1 ? dims[0] + " labels" : dims[0] + " images of " + dims[1] + "x" + dims[2];
  }

  /** The file's bytes, gunzipped if it starts with the gzip magic 1f 8b. */
  private static InputStream openStream(Path file) throws IOException {
    InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
    in.mark(2);
    int b0 = in.read(), b1 = in.read();
    in.reset();
    if (b0 == 0x1f && b1 == 0x8b) return new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16);
    return in;
  }
}
