package io.jnas.space;

/** The three operations of a NAS-Bench-101 interior vertex. */
public enum Nb101Op {
  /** 3x3 convolution, batch norm, ReLU. */
  CONV3X3_BN_RELU("conv3x3-bn-relu"),
  /** 1x1 convolution, batch norm, ReLU. */
  CONV1X1_BN_RELU("conv1x1-bn-relu"),
  /** 3x3 max pooling, stride 1. */
  MAXPOOL3X3("maxpool3x3");

  private final String token;

  Nb101Op(String token) {
    this.token = token;
  }

  /** The benchmark's name of the op, e.g. {@code conv3x3-bn-relu}. */
  public String token() {
    return token;
  }
}
