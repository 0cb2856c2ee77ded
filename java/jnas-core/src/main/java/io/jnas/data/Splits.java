package io.jnas.data;

/**
 * The three sets of a search: {@code train} to fit weights, {@code validation} (held out of
 * the training files) to score architectures, {@code test} (separate files; may be
 * {@code null}) for the final report only. Train and validation are views on the same
 * storage.
 *
 * @param train the training images minus the validation ones
 * @param validation the last images of the training files
 * @param test the test files' images, or {@code null}
 */
public record Splits(Dataset train, Dataset validation, Dataset test) {
  /**
   * Holds the last {@code validation} images of {@code all} out as the validation set.
   *
   * @throws IllegalArgumentException if {@code validation} is negative or not smaller than
   *     {@code all.size()}
   */
  public static Splits holdOut(Dataset all, Dataset test, int validation) {
    if (validation < 0) {
      throw new IllegalArgumentException(all.name() + ": validation size " + validation + " must be >= 0");
    }
    if (validation >= all.size()) {
      throw new IllegalArgumentException(all.name() + ": validation size " + validation
          + " must be smaller than the " + all.size() + " training images (some must be left to train on);"
          + " pass a validation size below " + all.size());
    }
    int cut = all.size() - validation;
    String base = all.name().endsWith("-train") ? all.name().substring(0, all.name().length() - 6) : all.name();
    return new Splits(all.range(0, cut).withName(base + "-train"),
        all.range(cut, all.size()).withName(base + "-val"), test);
  }
}
