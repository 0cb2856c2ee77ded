package io.jnas.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the CIFAR-10 binary version ({@code cifar-10-batches-bin/}).
 *
 * <p>Each file is a sequence of 3,073-byte records: one label byte (0–9), then the 1,024 red,
 * 1,024 green and 1,024 blue bytes of a 32×32 image, row-major; that is already (C, H, W)
 * order, so records are copied as they are. The training set is every
 * {@code data_batch_N.bin} present in the folder, in order of N (the official release has
 * 1–5; a partial copy may have fewer), the test set is {@code test_batch.bin}, the class
 * names are the non-empty lines of {@code batches.meta.txt}.
 */
public final class Cifar10 {
  /** Bytes per record: 1 label + 3·32·32 pixels. */
  public static final int RECORD = 1 + 3 * 32 * 32;

  /** The class names of the official release, used when {@code batches.meta.txt} is absent. */
  public static final List<String> CLASS_NAMES = List.of(
      "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck");

  private static final Pattern TRAIN_FILE = Pattern.compile("data_batch_(\\d+)\\.bin");

  private Cifar10() {}

  /** Whether {@code dir} looks like a CIFAR-10 binary folder (has a {@code data_batch_N.bin}). */
  public static boolean recognises(Path dir) {
    return !trainFiles(dir).isEmpty();
  }

  /** The {@code data_batch_N.bin} files in {@code dir}, in order of N (empty if none or no folder). */
  public static List<Path> trainFiles(Path dir) {
    TreeMap<Integer, Path> found = new TreeMap<>();
    if (!Files.isDirectory(dir)) return List.of();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) {
        Matcher m = TRAIN_FILE.matcher(p.getFileName().toString());
        if (m.matches() && Files.isRegularFile(p)) found.put(Integer.parseInt(m.group(1)), p);
      }
    } catch (IOException e) {
      throw new DataFormatException(dir, "cannot list the folder: " + e.getMessage(), e);
    }
    return new ArrayList<>(found.values());
  }

  /**
   * Opens the folder: the training files (all {@code data_batch_N.bin}), the test file if
   * present, class names, CIFAR-10's standard normalization and a default of 5,000 held-out
   * validation images (as ENAS; half the training images if there are fewer than 10,000).
   *
   * @throws DataFormatException naming the file and problem
   */
  public static DataSource open(Path dir) {
    List<Path> train = trainFiles(dir);
    if (train.isEmpty()) {
      throw new DataFormatException(dir, Files.isDirectory(dir)
          ? "no data_batch_N.bin file, expected the CIFAR-10 binary version (cifar-10-batches-bin)"
          : "folder not found");
    }
    List<String> names = classNames(dir);
    Dataset trainSet = read("cifar10-train", train, names);
    Path testFile = dir.resolve("test_batch.bin");
    Dataset test = Files.exists(testFile) ? read("cifar10-test", List.of(testFile), names) : null;
    List<String> fileNames = new ArrayList<>();
    for (Path p : train) fileNames.add(p.getFileName().toString());
    String desc = "CIFAR-10 from " + dir + ": " + trainSet.size() + " training images in " + train.size()
        + " file(s) " + fileNames + ", " + (test == null ? "no test_batch.bin" : test.size() + " test images");
    return new DataSource("cifar10", desc, trainSet, test, DataSource.defaultValidation(5000, trainSet.size()),
        Normalization.CIFAR10, Augmentation.standard(Normalization.CIFAR10));
  }

  /** Class names from {@code batches.meta.txt}, or {@link #CLASS_NAMES} if the file is absent. */
  static List<String> classNames(Path dir) {
    Path meta = dir.resolve("batches.meta.txt");
    if (!Files.exists(meta)) return CLASS_NAMES;
    List<String> names = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(meta, StandardCharsets.UTF_8)) {
        if (!line.isBlank()) names.add(line.strip());
      }
    } catch (IOException e) {
      throw new DataFormatException(meta, "cannot read: " + e.getMessage(), e);
    }
    if (names.size() != 10) {
      throw new DataFormatException(meta, names.size() + " class names, expected 10 (one a line)");
    }
    return names;
  }

  /**
   * Reads the records of {@code files}, in order, into one data set.
   *
   * @throws DataFormatException on a missing file, a size that is not a whole number of
   *     records, or a label byte above 9
   */
  public static Dataset read(String name, List<Path> files, List<String> classNames) {
    long total = 0;
    long[] counts = new long[files.size()];
    for (int f = 0; f < files.size(); f++) {
      Path p = files.get(f);
      long size;
      try {
        size = Files.size(p);
      } catch (NoSuchFileException e) {
        throw new DataFormatException(p, "file not found");
      } catch (IOException e) {
        throw new DataFormatException(p, "cannot read: " + e.getMessage(), e);
      }
      if (size == 0 || size % RECORD != 0) {
        throw new DataFormatException(p, size + " bytes is not a whole number of " + RECORD
            + "-byte records (1 label byte + 3072 pixel bytes); the file is truncated or not CIFAR-10");
      }
      counts[f] = size / RECORD;
      total += counts[f];
    }
    if (total > Integer.MAX_VALUE / (RECORD - 1)) throw new IllegalArgumentException(name + ": too many images");
    int n = (int) total;
    byte[] pixels = new byte[n * (RECORD - 1)];
    int[] labels = new int[n];
    int at = 0;
    for (int f = 0; f < files.size(); f++) {
      Path p = files.get(f);
      byte[] raw;
      try {
        raw = Files.readAllBytes(p);
      } catch (IOException e) {
        throw new DataFormatException(p, "cannot read: " + e.getMessage(), e);
      }
      if (raw.length != counts[f] * RECORD) throw new DataFormatException(p, "changed size while being read");
      for (int r = 0; r < counts[f]; r++) {
        int label = raw[r * RECORD] & 0xFF;
        if (label >= classNames.size()) {
          throw new DataFormatException(p, "record " + r + " (byte offset " + (long) r * RECORD + ") has label "
              + label + ", expected 0.." + (classNames.size() - 1));
        }
        labels[at] = label;
        System.arraycopy(raw, r * RECORD + 1, pixels, at * (RECORD - 1), RECORD - 1);
        at++;
      }
    }
    return Dataset.ofBytes(name, pixels, labels, 3, 32, 32, classNames);
  }
}
