package io.jnas.api;

import io.jnas.data.Augmentation;
import io.jnas.data.DataSource;
import io.jnas.data.Dataset;
import io.jnas.data.Datasets;
import io.jnas.data.Normalization;
import io.jnas.search.RunDir;
import java.util.Objects;
import java.util.Optional;

/**
 * The data a search runs on: a folder or {@code synthetic[...]} spec, or images already in
 * memory ({@link Dataset} objects, e.g. decoded by the embedding program). A search trains on
 * the training images and scores architectures on the validation images; it never sees test
 * images.
 *
 * <pre>{@code
 * Dataset train = Dataset.ofBytes("mine-train", pixels, labels, 3, 32, 32, classNames);
 * Dataset val = Dataset.ofBytes("mine-val", valPixels, valLabels, 3, 32, 32, classNames);
 * SearchData data = SearchData.of(train, val);          // in memory, no files
 * SearchData mnist = SearchData.open("../shared/data/mnist");
 * }</pre>
 */
public final class SearchData {
  private final DataSource source;
  private final String spec;
  private final int validation;

  private SearchData(DataSource source, String spec, int validation) {
    this.source = source;
    this.spec = spec;
    this.validation = validation;
  }

  /**
   * Opens a data spec: a CIFAR-10 binary or MNIST-style IDX folder, or
   * {@code synthetic[:train=N,val=N,test=N,seed=S]}.
   *
   * @throws IllegalArgumentException naming the spec and what was expected
   */
  public static SearchData open(String spec) {
    return new SearchData(Datasets.open(spec), RunDir.portableData(spec), -1);
  }

  /** A data source opened or built by the caller; its default validation split is held out. */
  public static SearchData of(DataSource source) {
    return new SearchData(Objects.requireNonNull(source, "source"), null, -1);
  }

  /**
   * Training and validation images in memory, of the same image shape and classes. They are
   * joined into one set whose last {@code validation.size()} images are the validation split;
   * both are normalized by the training images' per-channel mean and standard deviation, and
   * trained without crops or flips (use {@link #of(DataSource)} to choose another transform).
   *
   * @throws IllegalArgumentException where the shapes or class names differ, or a set is empty
   */
  public static SearchData of(Dataset train, Dataset validation) {
    if (train.size() == 0 || validation.size() == 0) throw new IllegalArgumentException("data: training and validation sets must not be empty");
    if (train.channels() != validation.channels() || train.height() != validation.height() || train.width() != validation.width()) {
      throw new IllegalArgumentException("data: training images are " + shape(train) + ", validation images " + shape(validation)
          + "; expected the same shape");
    }
    if (!train.classNames().equals(validation.classNames())) {
      throw new IllegalArgumentException("data: training and validation sets have different class names");
    }
    Dataset all = join(train, validation);
    Normalization norm = Normalization.of(train);
    String desc = "in memory: " + train.size() + " training and " + validation.size() + " validation images, " + shape(train)
        + ", " + train.numClasses() + " classes";
    String name = train.name().endsWith("-train") ? train.name().substring(0, train.name().length() - 6) : train.name();
    DataSource src = new DataSource(name, desc, all, null, validation.size(), norm, Augmentation.eval(norm));
    return new SearchData(src, null, validation.size());
  }

  private static String shape(Dataset d) {
    return d.channels() + "x" + d.height() + "x" + d.width();
  }

  /** The two sets one after the other, as bytes where both are bytes, else as floats. */
  private static Dataset join(Dataset a, Dataset b) {
    int n = a.size() + b.size(), per = a.imageSize();
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) labels[i] = i < a.size() ? a.label(i) : b.label(i - a.size());
    String name = a.name() + "+" + b.name();
    if (a.isBytes() && b.isBytes()) {
      byte[] px = new byte[Math.multiplyExact(n, per)];
      int k = 0;
      for (int i = 0; i < n; i++) {
        Dataset d = i < a.size() ? a : b;
        int j = i < a.size() ? i : i - a.size();
        for (int c = 0; c < d.channels(); c++) {
          for (int y = 0; y < d.height(); y++) {
            for (int x = 0; x < d.width(); x++) px[k++] = (byte) d.rawByte(j, c, y, x);
          }
        }
      }
      return Dataset.ofBytes(name, px, labels, a.channels(), a.height(), a.width(), a.classNames());
    }
    float[] px = new float[Math.multiplyExact(n, per)];
    for (int i = 0; i < n; i++) {
      if (i < a.size()) a.readImage(i, px, i * per);
      else b.readImage(i - a.size(), px, i * per);
    }
    return Dataset.ofFloats(name, px, labels, a.channels(), a.height(), a.width(), a.classNames());
  }

  /** The opened data. */
  public DataSource source() {
    return source;
  }

  /** The spec it was opened from (folders absolute), or empty for data in memory. */
  public Optional<String> spec() {
    return Optional.ofNullable(spec);
  }

  /** Validation images held out: the given validation set's size, or -1 for the source's default. */
  public int validation() {
    return validation;
  }

  /** What a run folder records as its data: the spec, or {@code memory:NAME} for data in memory. */
  public String label() {
    return spec != null ? spec : "memory:" + source.name();
  }

  @Override
  public String toString() {
    return source.description();
  }
}
