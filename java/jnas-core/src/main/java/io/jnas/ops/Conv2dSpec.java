package io.jnas.ops;

/**
 * The hyper-parameters of a 2-D convolution that the tensors' shapes do not carry.
 *
 * <p>Output size along each axis: {@code OH = (H + 2*padH - dilation*(KH-1) - 1)/stride + 1},
 * likewise {@code OW} with {@code padW}. {@code groups} must divide both channel counts;
 * {@code groups == C_in == C_out} is a depthwise convolution.
 *
 * @param stride the step of the window along both axes, at least 1
 * @param padH zero padding added above and below, at least 0
 * @param padW zero padding added left and right, at least 0
 * @param dilation the spacing of kernel taps along both axes, at least 1
 * @param groups the number of channel groups, at least 1
 */
public record Conv2dSpec(int stride, int padH, int padW, int dilation, int groups) {
  /** Stride 1, no padding, no dilation, one group. */
  public static final Conv2dSpec DEFAULT = new Conv2dSpec(1, 0, 0, 1, 1);

  /** Validates every field; a bad one is an {@link IllegalArgumentException} naming it. */
  public Conv2dSpec {
    Check.positive("Conv2dSpec", "stride", stride);
    Check.nonNegative("Conv2dSpec", "padH", padH);
    Check.nonNegative("Conv2dSpec", "padW", padW);
    Check.positive("Conv2dSpec", "dilation", dilation);
    Check.positive("Conv2dSpec", "groups", groups);
  }

  /** The given stride and the same padding on both axes; no dilation, one group. */
  public static Conv2dSpec of(int stride, int pad) {
    return new Conv2dSpec(stride, pad, pad, 1, 1);
  }

  /** This spec with another dilation. */
  public Conv2dSpec withDilation(int d) {
    return new Conv2dSpec(stride, padH, padW, d, groups);
  }

  /** This spec with another number of groups. */
  public Conv2dSpec withGroups(int g) {
    return new Conv2dSpec(stride, padH, padW, dilation, g);
  }
}
