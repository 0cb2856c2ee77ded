package io.jnas.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoadersTest {
  @TempDir Path tmp;

  static Path dataRoot() {
    return Path.of(System.getProperty("jnas.data", "../shared/data"));
  }

  static Path requireData(String sub) {
    Path p = dataRoot().resolve(sub);
    Assumptions.assumeTrue(Files.isDirectory(p), "real data not found at " + p.toAbsolutePath()
        + " (set -Djnas.data=DIR)");
    return p;
  }

  /** n CIFAR records: label = i % 10, pixel k of record i = (i + k) mod 256. */
  static byte[] cifarRecords(int n, int firstLabel) {
    byte[] b = new byte[n * Cifar10.RECORD];
    for (int i = 0; i < n; i++) {
      b[i * Cifar10.RECORD] = (byte) ((firstLabel + i) % 10);
      for (int k = 0; k < 3072; k++) b[i * Cifar10.RECORD + 1 + k] = (byte) (i + k);
    }
    return b;
  }

  static byte[] idxImages(int n, int rows, int cols) {
    ByteBuffer bb = ByteBuffer.allocate(16 + n * rows * cols);
    bb.putInt(Idx.IMAGES_MAGIC).putInt(n).putInt(rows).putInt(cols);
    for (int i = 0; i < n * rows * cols; i++) bb.put((byte) (i * 7));
    return bb.array();
  }

  static byte[] idxLabels(int n) {
    ByteBuffer bb = ByteBuffer.allocate(8 + n);
    bb.putInt(Idx.LABELS_MAGIC).putInt(n);
    for (int i = 0; i < n; i++) bb.put((byte) (i % 10));
    return bb.array();
  }

  static byte[] gzip(byte[] raw) throws IOException {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    try (OutputStream out = new GZIPOutputStream(bos)) {
      out.write(raw);
    }
    return bos.toByteArray();
  }

  private static void assertProblem(Path file, String words, Runnable r) {
    DataFormatException e = assertThrows(DataFormatException.class, r::run);
    assertTrue(e.getMessage().contains(file.getFileName().toString()), "names the file: " + e.getMessage());
    assertTrue(e.getMessage().contains(words), "says '" + words + "': " + e.getMessage());
  }

  // ---- CIFAR-10, small files ----

  @Test
  void cifarFolderLoadsBatchesInOrder() throws IOException {
    Files.write(tmp.resolve("data_batch_2.bin"), cifarRecords(3, 5));
    Files.write(tmp.resolve("data_batch_1.bin"), cifarRecords(4, 0));
    Files.write(tmp.resolve("test_batch.bin"), cifarRecords(2, 9));
    Files.writeString(tmp.resolve("batches.meta.txt"), "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n\n");
    DataSource src = Datasets.open(tmp);
    assertEquals("cifar10", src.name());
    assertTrue(src.description().contains("7 training images in 2 file(s)"), src.description());
    Dataset d = src.train();
    assertEquals(7, d.size());
    assertEquals(List.of("a", "b", "c", "d", "e", "f", "g", "h", "i", "j"), d.classNames());
    assertEquals(0, d.label(0));
    assertEquals(3, d.label(3));
    assertEquals(5, d.label(4), "batch 1 comes before batch 2");
    assertEquals(2, d.rawByte(2, 0, 0, 0));
    assertEquals((1 + 1024 + 33) & 0xFF, d.rawByte(1, 1, 1, 1));
    assertEquals(2, src.test().size());
    assertEquals(9, src.test().label(0));
    assertEquals(3, src.defaultValidation(), "half of a small train set");
  }

  @Test
  void cifarBrokenFiles() throws IOException {
    Path dir = Files.createDirectory(tmp.resolve("cifar"));
    Path f = dir.resolve("data_batch_1.bin");
    byte[] good = cifarRecords(3, 0);
    Files.write(f, Arrays.copyOf(good, good.length - 100));
    assertProblem(f, "not a whole number of 3073-byte records", () -> Datasets.open(dir));
    byte[] bad = good.clone();
    bad[2 * Cifar10.RECORD] = 10;
    Files.write(f, bad);
    assertProblem(f, "record 2 (byte offset 6146) has label 10, expected 0..9", () -> Datasets.open(dir));
    Files.write(f, good);
    Files.writeString(dir.resolve("batches.meta.txt"), "a\nb\n");
    assertProblem(dir.resolve("batches.meta.txt"), "2 class names, expected 10", () -> Datasets.open(dir));
    Files.delete(dir.resolve("batches.meta.txt"));
    Path missing = dir.resolve("data_batch_9.bin");
    assertProblem(missing, "file not found", () -> Cifar10.read("x", List.of(missing), Cifar10.CLASS_NAMES));
    DataSource src = Datasets.open(dir);
    assertNull(src.test(), "no test_batch.bin: no test set");
    assertEquals(Cifar10.CLASS_NAMES, src.train().classNames());
  }

  // ---- IDX, small files ----

  static byte[] idxLabelsOf(int... labels) {
    ByteBuffer bb = ByteBuffer.allocate(8 + labels.length);
    bb.putInt(Idx.LABELS_MAGIC).putInt(labels.length);
    for (int l : labels) bb.put((byte) l);
    return bb.array();
  }

  /** Mean and population std of all bytes / 255, in double: the oracle for the computed normalization. */
  private static double[] byteStats(byte[] idx, int header) {
    double s = 0, q = 0;
    int n = idx.length - header;
    for (int i = header; i < idx.length; i++) {
      double v = (idx[i] & 0xFF) / 255.0;
      s += v;
      q += v * v;
    }
    double m = s / n;
    return new double[] {m, Math.sqrt(q / n - m * m)};
  }

  @Test
  void idxRawAndGzip() throws IOException {
    Path dir = Files.createDirectory(tmp.resolve("My-Digits"));
    byte[] images = idxImages(12, 4, 5);
    Files.write(dir.resolve("train-images-idx3-ubyte.gz"), gzip(images));
    Files.write(dir.resolve("train-labels-idx1-ubyte"), idxLabels(12));
    Files.write(dir.resolve("t10k-images-idx3-ubyte"), idxImages(3, 4, 5));
    Files.write(dir.resolve("t10k-labels-idx1-ubyte.gz"), gzip(idxLabels(3)));
    DataSource src = Datasets.open(dir.toString());
    assertEquals("my-digits", src.name(), "the folder's name");
    Dataset d = src.train();
    assertEquals(12, d.size());
    assertEquals(1, d.channels());
    assertEquals(4, d.height());
    assertEquals(5, d.width());
    assertEquals(7, d.label(7));
    assertEquals((20 * 2 + 5 + 3) * 7 & 0xFF, d.rawByte(2, 0, 1, 3));
    assertEquals(3, src.test().size());
    assertEquals(Idx.DIGITS, d.classNames(), "labels 0..9, no classes.txt: ten numbered classes");
    assertEquals(Idx.DIGITS, src.test().classNames());
    double[] oracle = byteStats(images, 16);
    assertEquals(Math.round(oracle[0] * 1e4) / 1e4, src.normalization().mean()[0], 1e-7, "mean of the training pixels, 4 decimals");
    assertEquals(Math.round(oracle[1] * 1e4) / 1e4, src.normalization().std()[0], 1e-7, "std of the training pixels, 4 decimals");
    assertEquals(oracle[0], Normalization.of(d).mean()[0], 1e-6, "unrounded: the byte oracle");
    assertEquals(oracle[1], Normalization.of(d).std()[0], 1e-6, "unrounded: the byte oracle");
    Normalization tiny = new Normalization(new float[] {0.123456f, 0.5f}, new float[] {0.00002f, 0.25004f}).rounded(4);
    assertEquals(new Normalization(new float[] {0.1235f, 0.5f}, new float[] {0.0001f, 0.25f}), tiny, "a std never rounds to 0");
    assertTrue(!src.trainAugmentation().flip(), "no flip for digits");
    assertTrue(src.description().contains("10 classes (numbered, no classes.txt)"), src.description());

    // "fashion" in the path changes nothing but the name
    Path fashion = Files.createDirectory(tmp.resolve("fashion-mnist"));
    Files.write(fashion.resolve("train-images-idx3-ubyte"), idxImages(4, 2, 2));
    Files.write(fashion.resolve("train-labels-idx1-ubyte"), idxLabels(4));
    DataSource f = Datasets.open(fashion);
    assertEquals("fashion-mnist", f.name());
    assertEquals(List.of("0", "1", "2", "3"), f.train().classNames(), "labels 0..3: four classes");
    assertNull(f.test());
  }

  /** A hand-written 12-class set: names from classes.txt, every label kept. */
  @Test
  void idxTwelveClassesWithClassesTxt() throws IOException {
    Path dir = Files.createDirectory(tmp.resolve("twelve"));
    int[] train = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 11, 3};
    Files.write(dir.resolve("train-images-idx3-ubyte"), idxImages(train.length, 3, 3));
    Files.write(dir.resolve("train-labels-idx1-ubyte"), idxLabelsOf(train));
    Files.write(dir.resolve("t10k-images-idx3-ubyte"), idxImages(3, 3, 3));
    Files.write(dir.resolve("t10k-labels-idx1-ubyte"), idxLabelsOf(11, 0, 10));
    List<String> names = List.of("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec");
    Files.writeString(dir.resolve("classes.txt"), String.join("\n", names) + "\n\n");
    DataSource src = Datasets.open(dir);
    assertEquals(names, src.train().classNames());
    assertEquals(12, src.train().numClasses());
    assertEquals(names, src.test().classNames());
    assertEquals(11, src.train().label(11));
    assertEquals(10, src.test().label(2));
    assertArrayEquals(new int[] {1, 1, 1, 2, 1, 1, 1, 1, 1, 1, 1, 2}, src.train().classCounts());
    assertTrue(src.description().contains("12 classes (names from classes.txt)"), src.description());

    // more names than the labels use: fine, the classes are the file's
    Files.writeString(dir.resolve("classes.txt"), String.join("\n", names) + "\nextra\n");
    assertEquals(13, Datasets.open(dir).train().numClasses());
    // fewer names than the labels need: the training labels are named, and the file
    Files.writeString(dir.resolve("classes.txt"), String.join("\n", names.subList(0, 11)));
    assertProblem(dir.resolve("train-labels-idx1-ubyte"), "label 11 is 11, expected 0..10 (" + dir.resolve("classes.txt")
        + " names 11 classes)", () -> Datasets.open(dir));
    // a test label beyond the classes
    Files.writeString(dir.resolve("classes.txt"), String.join("\n", names));
    Files.write(dir.resolve("t10k-labels-idx1-ubyte"), idxLabelsOf(1, 12, 0));
    assertProblem(dir.resolve("t10k-labels-idx1-ubyte"), "label 1 is 12, expected 0..11 (" + dir.resolve("classes.txt")
        + " names 12 classes)", () -> Datasets.open(dir));
  }

  /** Without classes.txt: K = largest training label + 1, numbered names; test labels must be below K. */
  @Test
  void idxWithoutClassesTxt() throws IOException {
    Path dir = Files.createDirectory(tmp.resolve("plain"));
    Files.write(dir.resolve("train-images-idx3-ubyte"), idxImages(5, 2, 2));
    Files.write(dir.resolve("train-labels-idx1-ubyte"), idxLabelsOf(0, 11, 4, 4, 200));
    DataSource src = Datasets.open(dir);
    assertEquals(201, src.train().numClasses(), "any label a byte holds");
    assertEquals("200", src.train().classNames().get(200));
    Files.write(dir.resolve("train-labels-idx1-ubyte"), idxLabelsOf(0, 11, 4, 4, 3));
    Files.write(dir.resolve("t10k-images-idx3-ubyte"), idxImages(2, 2, 2));
    Files.write(dir.resolve("t10k-labels-idx1-ubyte"), idxLabelsOf(11, 12));
    assertProblem(dir.resolve("t10k-labels-idx1-ubyte"),
        "label 1 is 12, expected 0..11 (the training labels (train-labels-idx1-ubyte) hold 12 classes)", () -> Datasets.open(dir));
    Files.write(dir.resolve("t10k-labels-idx1-ubyte"), idxLabelsOf(11, 0));
    assertEquals(12, Datasets.open(dir).test().numClasses());
    // a single class in the labels still makes a two-class problem
    Files.write(dir.resolve("train-labels-idx1-ubyte"), idxLabelsOf(0, 0, 0, 0, 0));
    Files.write(dir.resolve("t10k-labels-idx1-ubyte"), idxLabelsOf(0, 1));
    assertEquals(List.of("0", "1"), Datasets.open(dir).train().classNames());
    // test images of another size
    Files.write(dir.resolve("t10k-images-idx3-ubyte"), idxImages(2, 3, 2));
    assertProblem(dir.resolve("t10k-images-idx3-ubyte"), "images are 3x2 but the training images (train-images-idx3-ubyte) are 2x2",
        () -> Datasets.open(dir));
  }

  @Test
  void idxBadClassesTxt() throws IOException {
    Path dir = Files.createDirectory(tmp.resolve("bad"));
    Files.write(dir.resolve("train-images-idx3-ubyte"), idxImages(3, 2, 2));
    Files.write(dir.resolve("train-labels-idx1-ubyte"), idxLabelsOf(0, 1, 2));
    Path names = dir.resolve("classes.txt");
    Files.writeString(names, "a\n\nb\nc\n");
    assertProblem(names, "line 2 is blank; expected one class name per line", () -> Datasets.open(dir));
    Files.writeString(names, "a\nb\n a \n");
    assertProblem(names, "class name 'a' on lines 1 and 3; expected distinct names", () -> Datasets.open(dir));
    Files.writeString(names, "only\n");
    assertProblem(names, "1 class names; expected at least 2", () -> Datasets.open(dir));
    Files.write(names, new byte[] {(byte) 0xC3, (byte) 0x28, '\n'});
    assertProblem(names, "cannot read", () -> Datasets.open(dir));
    Files.writeString(names, "\uFEFFcat \r\ndog\r\nbird\r\n");
    assertEquals(List.of("cat", "dog", "bird"), Datasets.open(dir).train().classNames(), "BOM, CRLF and blanks stripped");
  }

  @Test
  void idxBrokenFiles() throws IOException {
    Path images = tmp.resolve("train-images-idx3-ubyte");
    Path labels = tmp.resolve("train-labels-idx1-ubyte");
    Files.write(images, idxImages(6, 3, 3));
    Files.write(labels, idxLabels(6));
    Idx.read("ok", images, labels, Idx.DIGITS);

    Files.write(images, idxLabels(6));
    assertProblem(images, "bad IDX magic number 2049 (a label file), expected 2051", () -> Datasets.open(tmp));
    byte[] img = idxImages(6, 3, 3);
    Files.write(images, Arrays.copyOf(img, img.length - 5));
    assertProblem(images, "truncated: 49 of 54 data bytes", () -> Datasets.open(tmp));
    Files.write(images, Arrays.copyOf(img, img.length + 1));
    assertProblem(images, "has bytes after the 54 data bytes", () -> Datasets.open(tmp));
    Files.write(images, img);

    Files.write(labels, idxLabels(5));
    assertProblem(labels, "5 labels but train-images-idx3-ubyte has 6 images", () -> Datasets.open(tmp));
    Files.write(labels, idxLabels(6));
    assertProblem(labels, "label 4 is 4, expected 0..3", () -> Idx.read("x", images, labels, List.of("a", "b", "c", "d")));

    Files.delete(images);
    byte[] gz = gzip(img);
    Path gzImages = tmp.resolve("train-images-idx3-ubyte.gz");
    Files.write(gzImages, Arrays.copyOf(gz, gz.length / 2));
    assertProblem(gzImages, "gzip stream is corrupt or truncated", () -> Datasets.open(tmp));
    byte[] garbled = gz.clone();
    for (int i = 12; i < garbled.length - 8; i++) garbled[i] ^= 0x5A;
    Files.write(gzImages, garbled);
    assertProblem(gzImages, "gzip stream is corrupt or truncated", () -> Datasets.open(tmp));

    Files.delete(labels);
    Files.write(gzImages, gz);
    assertProblem(labels, "file not found", () -> Datasets.open(tmp));
  }

  @Test
  void unknownFolderListsWhatWasExpected() throws IOException {
    Path empty = Files.createDirectory(tmp.resolve("nothing"));
    assertProblem(empty, "expected a CIFAR-10 binary folder (data_batch_N.bin", () -> Datasets.open(empty));
    Path sub = Files.createDirectories(empty.resolve("cifar-10-batches-bin"));
    Files.write(sub.resolve("data_batch_1.bin"), cifarRecords(1, 0));
    assertProblem(empty, "these subfolders would do: " + sub, () -> Datasets.open(empty));
    Path none = tmp.resolve("absent");
    assertProblem(none, "not found", () -> Datasets.open(none.toString()));
  }

  @Test
  void validationMustLeaveTrainingImages() throws IOException {
    Files.write(tmp.resolve("data_batch_1.bin"), cifarRecords(20, 0));
    DataSource src = Datasets.open(tmp);
    Splits s = src.splits(5);
    assertEquals(15, s.train().size());
    assertEquals(5, s.validation().size());
    assertEquals(15 % 10, s.validation().label(0), "validation is the last images");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> src.splits(20));
    assertTrue(e.getMessage().contains("validation size 20 must be smaller than the 20 training images"),
        e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> src.splits(-1));
  }

  // ---- the real files ----

  @Test
  void realCifarFirstRecords() throws IOException {
    Path dir = requireData("cifar-10-batches-bin");
    // a few hundred records, copied to a temp folder, keep the test fast
    Path small = Files.createDirectory(tmp.resolve("cifar-small"));
    try (InputStream in = Files.newInputStream(dir.resolve("data_batch_1.bin"))) {
      Files.write(small.resolve("data_batch_1.bin"), in.readNBytes(300 * Cifar10.RECORD));
    }
    Files.copy(dir.resolve("batches.meta.txt"), small.resolve("batches.meta.txt"));
    Dataset d = Datasets.open(small).train();
    assertEquals(300, d.size());
    assertEquals(6, d.label(0), "the first image of data_batch_1 is a frog");
    assertEquals("frog", d.classNames().get(d.label(0)));
    assertEquals(9, d.label(1));
    assertEquals(59, d.rawByte(0, 0, 0, 0), "red (0,0)");
    assertEquals(43, d.rawByte(0, 0, 0, 1), "red (0,1)");
    assertEquals(62, d.rawByte(0, 1, 0, 0), "green (0,0)");
    assertEquals(63, d.rawByte(0, 2, 0, 0), "blue (0,0)");
    assertEquals(59 / 255f, d.pixel(0, 0, 0, 0), 1e-7);
  }

  @Test
  void realCifarFolderShape() throws IOException {
    Path dir = requireData("cifar-10-batches-bin");
    // 200 records of each real file, so that the test stays fast; the layout is the real one
    Path small = Files.createDirectory(tmp.resolve("cifar-head"));
    for (String f : List.of("data_batch_1.bin", "data_batch_2.bin", "test_batch.bin")) {
      try (InputStream in = Files.newInputStream(dir.resolve(f))) {
        Files.write(small.resolve(f), in.readNBytes(200 * Cifar10.RECORD));
      }
    }
    Files.copy(dir.resolve("batches.meta.txt"), small.resolve("batches.meta.txt"));
    DataSource src = Datasets.open(small);
    assertTrue(src.description().contains("400 training images in 2 file(s) [data_batch_1.bin, data_batch_2.bin]"),
        src.description());
    assertEquals(6, src.train().label(0));
    assertEquals(200, src.test().size());
    assertEquals(3, src.test().label(0), "the first test image is a cat");
    assertEquals(158, src.test().rawByte(0, 0, 0, 0));
    assertEquals(200, src.defaultValidation(), "half of a small train set");
  }

  @Test
  void realMnistCounts() {
    Path dir = requireData("mnist");
    long t0 = System.nanoTime();
    DataSource src = Datasets.open(dir);
    long ms = (System.nanoTime() - t0) / 1_000_000;
    System.out.println("mnist: " + src.description() + ", loaded in " + ms + " ms");
    assertEquals(60000, src.train().size());
    assertEquals(10000, src.test().size());
    assertEquals(28, src.train().height());
    assertEquals(List.of(5, 0, 4, 1, 9), Arrays.stream(src.train().range(0, 5).labels()).boxed().toList());
    assertEquals(7, src.test().label(0));
    assertEquals(240, src.train().rawByte(0, 0, 14, 14));
    assertEquals(55000, src.splits().train().size());
    assertEquals(Idx.DIGITS, src.train().classNames());
    Normalization exact = Normalization.of(src.train());
    float mean = exact.mean()[0], std = exact.std()[0];
    System.out.printf(java.util.Locale.ROOT, "mnist normalization computed: mean %.8f std %.8f (published %s %s)%n", mean, std,
        Normalization.MNIST.mean()[0], Normalization.MNIST.std()[0]);
    assertEquals(0.1306605, mean, 1e-6, "the mean of MNIST's 47,040,000 training pixels");
    assertEquals(0.3081078, std, 1e-6, "their population std");
    assertEquals(Normalization.MNIST, src.normalization(), "rounded to four decimals: exactly the published values");
  }

  @Test
  void fashionMnistIfInstalled() {
    Path dir = Path.of("/usr/share/datasets/fashion-mnist");
    Assumptions.assumeTrue(Files.isDirectory(dir), "Fashion-MNIST not found at " + dir
        + " (apt-get install dataset-fashion-mnist)");
    DataSource src = Datasets.open(dir);
    assertEquals("fashion-mnist", src.name());
    assertEquals(60000, src.train().size());
    assertEquals(Idx.DIGITS, src.train().classNames(), "no classes.txt there: numbered classes");
    System.out.println("fashion-mnist normalization computed: " + Normalization.of(src.train()));
    assertEquals(Normalization.FASHION_MNIST, src.normalization(), "rounded to four decimals: exactly the published values");
  }
}
