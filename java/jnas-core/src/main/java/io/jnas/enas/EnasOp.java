package io.jnas.enas;

import io.jnas.genotype.Op;

/**
 * The five candidate operations of the ENAS micro search space, in the order of the official
 * code (melodyguan/enas, {@code micro_child.py} {@code _enas_cell} and the README): the ordinal
 * is the ENAS op id written in the architecture string, an index into this list. Each is an
 * entry of the one op registry ({@link #op()}); the supernet is built over exactly these
 * entries, so the ENAS ids are a choice index, not a second id space.
 *
 * <pre>
 *   id 0  sep_conv_3x3   two stacked ReLU-separable-conv-BN, 3x3
 *   id 1  sep_conv_5x5   the same, 5x5
 *   id 2  avg_pool_3x3
 *   id 3  max_pool_3x3
 *   id 4  identity
 * </pre>
 */
public enum EnasOp {
  /** Separable convolution 3x3 (ENAS id 0). */
  SEP_CONV_3X3("sep_conv_3x3", Op.SEP_CONV_3X3),
  /** Separable convolution 5x5 (ENAS id 1). */
  SEP_CONV_5X5("sep_conv_5x5", Op.SEP_CONV_5X5),
  /** Average pooling 3x3 (ENAS id 2). */
  AVG_POOL_3X3("avg_pool_3x3", Op.AVG_POOL_3X3),
  /** Max pooling 3x3 (ENAS id 3). */
  MAX_POOL_3X3("max_pool_3x3", Op.MAX_POOL_3X3),
  /** Identity (ENAS id 4): the registry's skip_connect. */
  IDENTITY("identity", Op.SKIP_CONNECT);

  private static final EnasOp[] BY_ID = values();

  private final String label;
  private final Op op;

  EnasOp(String label, Op op) {
    this.label = label;
    this.op = op;
  }

  /** The registry entry this candidate is. */
  public Op op() {
    return op;
  }

  /** The registry ids of the five candidates, in ENAS id order: the supernet's candidate list. */
  public static int[] registryIds() {
    int[] ids = new int[BY_ID.length];
    for (int i = 0; i < ids.length; i++) ids[i] = BY_ID[i].op.id();
    return ids;
  }

  /** The ENAS op id (0..4), as written in the architecture string. */
  public int id() {
    return ordinal();
  }

  /** The DARTS-style lower-case name, e.g. {@code sep_conv_3x3}. */
  public String label() {
    return label;
  }

  /** Number of ops (5). */
  public static int count() {
    return BY_ID.length;
  }

  /**
   * The op of an ENAS op id.
   *
   * @throws IllegalArgumentException if {@code id} is not in {@code [0, 5)}
   */
  public static EnasOp fromId(int id) {
    if (id < 0 || id >= BY_ID.length) {
      throw new IllegalArgumentException("ENAS op id " + id + " out of range [0, " + BY_ID.length + ")");
    }
    return BY_ID[id];
  }

  /**
   * The op of a label ({@link #label()}) or enum name, case-insensitive.
   *
   * @throws IllegalArgumentException naming the unknown label and the known ones
   */
  public static EnasOp fromLabel(String label) {
    for (EnasOp op : BY_ID) {
      if (op.label.equalsIgnoreCase(label) || op.name().equalsIgnoreCase(label)) return op;
    }
    throw new IllegalArgumentException("unknown ENAS op '" + label + "'; known: sep_conv_3x3, sep_conv_5x5, "
        + "avg_pool_3x3, max_pool_3x3, identity");
  }
}
