package io.jnas.genotype;

/**
 * The op registry, by DARTS's names ({@code operations.py}): one id space for every network.
 * The ordinal is the registry id of {@code native/graph/ops.h}, which states what each op
 * computes and which parameters it has; the final network's genotype ints and the supernet's
 * candidate lists ({@code io.jnas.enas.EnasOp#op()}) both use it. A test checks this enum
 * against the native registry (names and ids, through a network plan). New ops are appended:
 * an id never changes meaning.
 *
 * <p>NASNet's 13 ops (Zoph et al. 2018) are {@link #SKIP_CONNECT} (identity),
 * {@link #CONV_3X1_1X3}, {@link #CONV_7X1_1X7}, {@link #DIL_CONV_3X3} (its "3x3 dilated
 * convolution", as NDS and NNI write it), {@link #AVG_POOL_3X3}, {@link #MAX_POOL_3X3},
 * {@link #MAX_POOL_5X5}, {@link #MAX_POOL_7X7}, {@link #CONV_1X1}, {@link #CONV_3X3} and the
 * three separable convolutions; AmoebaNet's 8 add {@link #DIL_SEP_CONV_3X3}. The {@code MACRO_*}
 * ops are the six branches of ENAS's macro space ({@code io.jnas.enas.MacroArch}), in ENAS's
 * branch order.
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
  CONV_7X1_1X7("conv_7x1_1x7"),
  /** ReLU, conv 1x3, conv 3x1, BN (NASNet's "1x3 then 3x1 convolution"). */
  CONV_3X1_1X3("conv_3x1_1x3"),
  /** 5x5 max pooling (NASNet). */
  MAX_POOL_5X5("max_pool_5x5"),
  /** 7x7 max pooling (NASNet). */
  MAX_POOL_7X7("max_pool_7x7"),
  /** ReLU, conv 1x1, BN (NASNet). */
  CONV_1X1("conv_1x1"),
  /** ReLU, conv 3x3, BN (NASNet). */
  CONV_3X3("conv_3x3"),
  /** Two stacked ReLU, dilated (2) separable 3x3, BN (AmoebaNet's "3x3 dilated sep. conv"). */
  DIL_SEP_CONV_3X3("dil_sep_conv_3x3"),
  /** ENAS macro branch: conv 1x1, BN, ReLU, conv 3x3, BN, ReLU. */
  MACRO_CONV_3X3("macro_conv_3x3"),
  /** ENAS macro branch: conv 1x1, BN, ReLU, separable 3x3, BN, ReLU. */
  MACRO_SEP_CONV_3X3("macro_sep_conv_3x3"),
  /** ENAS macro branch: conv 1x1, BN, ReLU, conv 5x5, BN, ReLU. */
  MACRO_CONV_5X5("macro_conv_5x5"),
  /** ENAS macro branch: conv 1x1, BN, ReLU, separable 5x5, BN, ReLU. */
  MACRO_SEP_CONV_5X5("macro_sep_conv_5x5"),
  /** ENAS macro branch: conv 1x1, BN, ReLU, 3x3 average pooling. */
  MACRO_AVG_POOL_3X3("macro_avg_pool_3x3"),
  /** ENAS macro branch: conv 1x1, BN, ReLU, 3x3 max pooling. */
  MACRO_MAX_POOL_3X3("macro_max_pool_3x3");

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

}
