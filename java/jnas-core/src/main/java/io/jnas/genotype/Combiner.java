package io.jnas.genotype;

import java.util.Locale;

/**
 * How a node combines the results of its two genes (Zoph et al. 2018, step 5 of a block):
 * {@link #ADD} (every DARTS, ENAS and NASNet-A cell) or {@link #CONCAT}, NASNet's second
 * choice. A concat node concatenates the two results (2C channels) and maps them back to C with
 * ReLU, conv 1x1 and BN, so every state of a cell keeps C channels (the paper's networks let a
 * concatenated state keep 2C and project it where it is read; jnas projects it once, at the
 * node).
 */
public enum Combiner {
  /** Elementwise sum. */
  ADD,
  /** Channel concat, then ReLU-conv1x1-BN back to C channels. */
  CONCAT;

  /** The lower-case name written in JSON: {@code add} or {@code concat}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The combiner of a label, case-insensitive.
   *
   * @throws IllegalArgumentException naming the label and the two known ones
   */
  public static Combiner fromLabel(String label) {
    for (Combiner c : values()) if (c.label().equalsIgnoreCase(label)) return c;
    throw new IllegalArgumentException("unknown combiner '" + label + "'; known: add, concat");
  }
}
