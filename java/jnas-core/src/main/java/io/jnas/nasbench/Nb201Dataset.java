package io.jnas.nasbench;

/** The three data sets of NAS-Bench-201 and the column prefix of each in the table. */
public enum Nb201Dataset {
  /** CIFAR-10. */
  CIFAR10("cifar10", "cifar10"),
  /** CIFAR-100. */
  CIFAR100("cifar100", "cifar100"),
  /** ImageNet16-120 (columns {@code imagenet-*}). */
  IMAGENET16("imagenet16", "imagenet");

  private final String id;
  private final String column;

  Nb201Dataset(String id, String column) {
    this.id = id;
    this.column = column;
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
