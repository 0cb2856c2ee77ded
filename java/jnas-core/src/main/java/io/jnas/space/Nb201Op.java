package io.jnas.space;

/** The five candidate operations on a NAS-Bench-201 edge, in the benchmark's own order. */
public enum Nb201Op {
  /** No connection (the edge contributes zeros). */
  NONE("none"),
  /** Identity. */
  SKIP_CONNECT("skip_connect"),
  /** ReLU, 1x1 convolution, batch norm. */
  NOR_CONV_1X1("nor_conv_1x1"),
  /** ReLU, 3x3 convolution, batch norm. */
  NOR_CONV_3X3("nor_conv_3x3"),
  /** 3x3 average pooling, stride 1. */
  AVG_POOL_3X3("avg_pool_3x3");

  private final String token;

  Nb201Op(String token) {
    this.token = token;
  }

  /** The name used in NAS-Bench-201 cell strings, e.g. {@code nor_conv_3x3}. */
  public String token() {
    return token;
  }

  /** The op with this cell-string token, or null where there is none. */
  public static Nb201Op ofToken(String token) {
    for (Nb201Op o : values()) if (o.token.equals(token)) return o;
    return null;
  }
}
