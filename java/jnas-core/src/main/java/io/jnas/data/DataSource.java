package io.jnas.data;

/**
 * An opened data set: the training files, the test files (if any), and the defaults that go
 * with them. {@link #splits(int)} holds a validation set out of the training files; the test
 * set stays separate and is never used by a search.
 *
 * @param name short name: "cifar10", "synthetic", or an IDX folder's name in lower case (e.g.
 *     "mnist", "fashion-mnist")
 * @param description one line for logs: where it came from and how many images
 * @param train all images of the training files
 * @param test the test images, or {@code null} where the test files are absent
 * @param defaultValidation how many of the last training images {@link #splits()} holds out
 * @param normalization the per-channel normalization of this data (CIFAR-10: the usual
 *     constants; IDX and synthetic: computed from the training images)
 * @param trainAugmentation the standard training transform (crop, flip where it makes
 *     sense, normalization)
 */
public record DataSource(String name, String description, Dataset train, Dataset test,
    int defaultValidation, Normalization normalization, Augmentation trainAugmentation) {

  /** Checks the arguments. */
  public DataSource {
    if (train == null) throw new IllegalArgumentException(name + ": no training images");
    if (defaultValidation < 0 || defaultValidation >= train.size()) {
      throw new IllegalArgumentException(name + ": default validation size " + defaultValidation
          + " is not in [0, " + train.size() + ")");
    }
  }

  /** {@code preferred}, or half the training images where there are fewer than twice that. */
  static int defaultValidation(int preferred, int trainSize) {
    return Math.min(preferred, trainSize / 2);
  }

  /** The split with {@link #defaultValidation()} images held out. */
  public Splits splits() {
    return splits(defaultValidation);
  }

  /**
   * Holds out the last {@code validation} training images as the validation set (as ENAS).
   *
   * @throws IllegalArgumentException if {@code validation} is negative or not smaller than
   *     the number of training images
   */
  public Splits splits(int validation) {
    return Splits.holdOut(train, test, validation);
  }

  /** The evaluation transform: normalization only. */
  public Augmentation evalAugmentation() {
    return Augmentation.eval(normalization);
  }
}
