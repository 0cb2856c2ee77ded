package io.jnas.genotype;

import io.jnas.enas.EnasOp;

/**
 * The operations of final (from-scratch) networks, DARTS's names ({@code operations.py}). The
 * ordinal is the op id of the native genotype ints ({@code jnas_cpu_final_create} in
 * {@code native/jnas.h}); {@code native/final_net.cpp} states what each computes.
 */
public enum Op {
  /** Zero output (no connection). */
  NONE("none"),
  /** Identity; FactorizedReduce + BN on a stride-2 edge. */
  SKIP_CONNECT("skip_connect"),
  /** 3x3 average pooling, padding not counted. */
  AVG_POOL_3X3("avg_pool_3x3"),
  /** 3x3 max pooling. */
  MAX_POOL_3X3("max_pool_3x3"),
  /** Two stacked ReLU, separable 3x3, BN. */
  SEP_CONV_3X3("sep_conv_3x3"),
  /** Two stacked ReLU, separable 5x5, BN. */
  SEP_CONV_5X5("sep_conv_5x5"),
  /** Two stacked ReLU, separable 7x7, BN (NASNet-A, AmoebaNet-A). */
  SEP_CONV_7X7("sep_conv_7x7"),
  /** ReLU, dilated (2) separable 3x3, BN. */
  DIL_CONV_3X3("dil_conv_3x3"),
  /** ReLU, dilated (2) separable 5x5, BN. */
  DIL_CONV_5X5("dil_conv_5x5"),
  /** ReLU, conv 1x7, conv 7x1, BN (AmoebaNet-A). */
  CONV_7X1_1X7("conv_7x1_1x7");

  private static final Op[] BY_ID = values();
  private final String label;

  Op(String label) {
    this.label = label;
  }

  /** The native op id. */
  public int id() {
    return ordinal();
  }

  /** The DARTS name, e.g. {@code sep_conv_3x3}. */
  public String label() {
    return label;
  }

  /**
   * The op of a DARTS name or enum name, case-insensitive.
   *
   * @throws IllegalArgumentException naming the unknown name and listing the known ones
   */
  public static Op fromLabel(String label) {
    for (Op op : BY_ID) {
      if (op.label.equalsIgnoreCase(label) || op.name().equalsIgnoreCase(label)) return op;
    }
    StringBuilder known = new StringBuilder();
    for (Op op : BY_ID) known.append(known.length() == 0 ? "" : ", ").append(op.label);
    throw new IllegalArgumentException("unknown op '" + label + "'; known: " + known);
  }

  /** The final-network op of an ENAS op (identity becomes skip_connect). */
  public static Op of(EnasOp op) {
    return switch (op) {
      case SEP_CONV_3X3 -> SEP_CONV_3X3;
      case SEP_CONV_5X5 -> SEP_CONV_5X5;
      case AVG_POOL_3X3 -> AVG_POOL_3X3;
      case MAX_POOL_3X3 -> MAX_POOL_3X3;
      case IDENTITY -> SKIP_CONNECT;
    };
  }
}
