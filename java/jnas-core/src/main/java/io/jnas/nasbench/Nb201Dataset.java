package io.jnas.nasbench;

/** The three data sets of NAS-Bench-201 and the column prefix of each in the table. */
public enum Nb201Dataset {
  /** CIFAR-10. */
  CIFAR10("cifar10", "cifar10", "CIFAR-10"),
  /** CIFAR-100. */
  CIFAR100("cifar100", "cifar100", "CIFAR-100"),
  /** ImageNet16-120 (columns {@code imagenet-*}). */
  IMAGENET16("imagenet16", "imagenet", "ImageNet16-120");

  private final String id;
  private final String column;
  private final String displayName;

  Nb201Dataset(String id, String column, String displayName) {
    this.id = id;
    this.column = column;
    this.displayName = displayName;
  }

  /** The data set's usual name, for titles: {@code CIFAR-10}, {@code CIFAR-100}, {@code ImageNet16-120}. */
  public String displayName() {
    return displayName;
  }

  /** The name used on the command line, e.g. {@code imagenet16}. */
  public String id() {
    return id;
  }

  /** The CSV column prefix, e.g. {@code imagenet} for {@code imagenet-val}. */
  public String column() {
    return column;
  }

  /**
   * The data set of a command-line name.
   *
   * @throws IllegalArgumentException naming the choices
   */
  public static Nb201Dataset of(String id) {
    for (Nb201Dataset d : values()) if (d.id.equals(id)) return d;
    throw new IllegalArgumentException("unknown NB201 dataset '" + id + "', expected cifar10, cifar100 or imagenet16");
  }
}
