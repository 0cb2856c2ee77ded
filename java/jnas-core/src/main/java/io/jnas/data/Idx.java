package io.jnas.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads MNIST-style IDX folders (MNIST, Fashion-MNIST, or any set in that format):
 * {@code train-images-idx3-ubyte}, {@code train-labels-idx1-ubyte}, {@code t10k-images-idx3-ubyte},
 * {@code t10k-labels-idx1-ubyte}, each raw or gzip-compressed ({@code .gz}; recognised by its
 * magic bytes, not only its name), and an optional {@code classes.txt}.
 *
 * <p>Format: a big-endian int magic (2051 for images, 2049 for labels), big-endian int sizes
 * (images: count, rows, columns; labels: count), then one unsigned byte per pixel or label.
 * Images become (1, rows, cols) uint8.
 *
 * <p>Nothing depends on the folder's name but the data set's name: the classes come from the
 * labels and {@code classes.txt}, the normalization from the training images (see
 * {@link #open(Path)}).
 */
public final class Idx {
  /** Magic number of an IDX image file (unsigned byte, 3 dimensions). */
  public static final int IMAGES_MAGIC = 2051;
  /** Magic number of an IDX label file (unsigned byte, 1 dimension). */
  public static final int LABELS_MAGIC = 2049;
  /** The optional side file of class names, one per line, in the data folder. */
  public static final String CLASSES_FILE = "classes.txt";

  /** MNIST's class names (what a ten-class folder without {@value #CLASSES_FILE} gets). */
  public static final List<String> DIGITS = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");

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
   * Opens an MNIST-style folder: training files, test files ({@code t10k-*}, if present), a
   * default of 5,000 held-out validation images, no flip, padding 2 for the random crop.
   *
   * <ul>
   *   <li><b>Name</b>: the folder's name in lower case (e.g. {@code mnist}, {@code fashion-mnist}).
   *   <li><b>Classes</b>: the lines of {@value #CLASSES_FILE} in the folder, if present (one
   *       name per line; blank lines at the end are ignored); otherwise {@code "0" .. "K-1"} with
   *       {@code K} = the largest training label + 1 (at least 2). Every training and test
   *       label must be below the number of classes.
   *   <li><b>Normalization</b>: the mean and (population) standard deviation of every pixel of
   *       every image in the training files, scaled to [0, 1], before any augmentation, rounded
   *       to four decimals as such constants are published; the images a search later holds
   *       out for validation are included, the test files never (so it does not depend on
   *       {@code --validation}, and it is how the published values were computed: MNIST gets
   *       exactly 0.1307 and 0.3081, Fashion-MNIST 0.2860 and 0.3530, and their results stay as
   *       they were). Computed on every open; nothing is cached.
   * </ul>
   *
   * @throws DataFormatException naming the file and problem
   */
  public static DataSource open(Path dir) {
    Path folder = dir.toAbsolutePath().normalize().getFileName();
    String name = folder == null ? "idx" : folder.toString().toLowerCase(Locale.ROOT);
    Path trainImages = require(dir, "train-images-idx3-ubyte");
    Path trainLabels = require(dir, "train-labels-idx1-ubyte");
    int[] dims = new int[3];
    byte[] pixels = readFile(trainImages, IMAGES_MAGIC, dims);
    int[] labels = readLabels(trainLabels, trainImages, dims[0]);
    Path classFile = dir.resolve(CLASSES_FILE);
    boolean named = Files.exists(classFile);
    List<String> classes;
    if (named) {
      classes = readClassNames(classFile);
    } else {
      int max = 0;
      for (int l : labels) max = Math.max(max, l);
      classes = numbered(Math.max(2, max + 1));
    }
    String why = named ? classFile + " names " + classes.size() + " classes"
        : "the training labels (" + trainLabels.getFileName() + ") hold " + classes.size() + " classes";
    checkLabels(trainLabels, labels, classes.size(), why);
    Dataset train = Dataset.ofBytes(name + "-train", pixels, labels, 1, dims[1], dims[2], classes);
    Path testImages = find(dir, "t10k-images-idx3-ubyte");
    Path testLabels = find(dir, "t10k-labels-idx1-ubyte");
    Dataset test = null;
    if (testImages != null || testLabels != null) {
      Path ti = require(dir, "t10k-images-idx3-ubyte"), tl = require(dir, "t10k-labels-idx1-ubyte");
      int[] tdims = new int[3];
      byte[] tpix = readFile(ti, IMAGES_MAGIC, tdims);
      if (tdims[1] != dims[1] || tdims[2] != dims[2]) {
        throw new DataFormatException(ti, "images are " + tdims[1] + "x" + tdims[2] + " but the training images ("
            + trainImages.getFileName() + ") are " + dims[1] + "x" + dims[2]);
      }
      int[] tlab = readLabels(tl, ti, tdims[0]);
      checkLabels(tl, tlab, classes.size(), why);
      test = Dataset.ofBytes(name + "-test", tpix, tlab, 1, tdims[1], tdims[2], classes);
    }
    Normalization norm = Normalization.of(train).rounded(4);
    String desc = String.format(Locale.ROOT, "IDX folder %s: %d training images, %s, %d classes (%s),"
        + " normalization mean %.4f std %.4f (of the training images)", dir, train.size(),
        test == null ? "no t10k files" : test.size() + " test images", classes.size(),
        named ? "names from " + CLASSES_FILE : "numbered, no " + CLASSES_FILE, norm.mean()[0],
        norm.std()[0]);
    return new DataSource(name, desc, train, test, DataSource.defaultValidation(5000, train.size()), norm,
        Augmentation.eval(norm).withPadding(2));
  }

  /** {@code "0" .. "k-1"}. */
  static List<String> numbered(int k) {
    List<String> names = new ArrayList<>(k);
    for (int i = 0; i < k; i++) names.add(String.valueOf(i));
    return List.copyOf(names);
  }

  /**
   * The class names in {@code file}: one per line, surrounding blanks stripped, blank lines at
   * the end ignored.
   *
   * @throws DataFormatException on a blank line among the names, a name given twice, fewer
   *     than two names, or a file that cannot be read as UTF-8
   */
  static List<String> readClassNames(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException | UncheckedIOException e) {
      throw new DataFormatException(file, "cannot read: " + e.getMessage(), e);
    }
    int n = lines.size();
    while (n > 0 && lines.get(n - 1).isBlank()) n--;
    List<String> names = new ArrayList<>();
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < n; i++) {
      String s = lines.get(i).strip();
      if (i == 0 && s.startsWith("\uFEFF")) s = s.substring(1).strip();
      if (s.isEmpty()) throw new DataFormatException(file, "line " + (i + 1) + " is blank; expected one class name per line");
      Integer before = seen.put(s, i + 1);
      if (before != null) {
        throw new DataFormatException(file, "class name '" + s + "' on lines " + before + " and " + (i + 1) + "; expected distinct names");
      }
      names.add(s);
    }
    if (names.size() < 2) throw new DataFormatException(file, names.size() + " class names; expected at least 2, one per line");
    return List.copyOf(names);
  }

  /** The labels of {@code labelsFile}, whose count must equal the image count of {@code images}. */
  private static int[] readLabels(Path labelsFile, Path images, int imageCount) {
    int[] labelDims = new int[1];
    byte[] raw = readFile(labelsFile, LABELS_MAGIC, labelDims);
    if (imageCount != labelDims[0]) {
      throw new DataFormatException(labelsFile, labelDims[0] + " labels but " + images.getFileName() + " has "
          + imageCount + " images; expected equal counts");
    }
    int[] labels = new int[raw.length];
    for (int i = 0; i < labels.length; i++) labels[i] = raw[i] & 0xFF;
    return labels;
  }

  /** Checks every label is below {@code k}, naming the label file and where {@code k} came from. */
  private static void checkLabels(Path labelsFile, int[] labels, int k, String why) {
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] >= k) {
        throw new DataFormatException(labelsFile, "label " + i + " is " + labels[i] + ", expected 0.." + (k - 1) + " (" + why + ")");
      }
    }
  }

  private static Path require(Path dir, String base) {
    Path p = find(dir, base);
    if (p == null) throw new DataFormatException(dir.resolve(base), "file not found (nor " + base + ".gz)");
    return p;
  }

  /**
   * Reads an image file and its label file into one data set with the given class names.
   *
   * @throws DataFormatException on a missing file, a bad magic number, a truncated file or
   *     trailing bytes, a corrupt gzip stream, a label out of range, or image and label
   *     counts that differ
   */
  public static Dataset read(String name, Path images, Path labelsFile, List<String> classNames) {
    int[] dims = new int[3];
    byte[] pixels = readFile(images, IMAGES_MAGIC, dims);
    int[] labels = readLabels(labelsFile, images, dims[0]);
    for (int i = 0; i < labels.length; i++) {
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
