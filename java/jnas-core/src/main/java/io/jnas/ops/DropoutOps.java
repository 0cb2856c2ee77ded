package io.jnas.ops;

import io.jnas.backend.Kernels;
import io.jnas.tensor.Tensor;

/**
 * Dropout (one draw per element) and drop-path (one draw per sample, as in NASNet, ENAS and
 * DARTS), inverted: a kept value is scaled by {@code 1/keepProb}, so the expectation of the
 * output is the input.
 *
 * <p>Masks hold 0 or {@code 1/keepProb} and are a pure function of {@code (seed, index)}
 * (SplitMix64, {@code native/cpu/rng.h}): the same seed gives the same mask on every thread count
 * and backend. Pass a fresh seed each step from the run's seeded generator, and different
 * seeds to different layers: dropout's element i and drop-path's sample i draw the same number
 * under one seed.
 *
 * <p>Gradient rule: a {@code *Backward} method adds into its gradient tensor; the caller
 * zeroes it.
 */
public final class DropoutOps {
  private DropoutOps() {}

  /**
   * Dropout forward: {@code mask = draw(seed, i)}, {@code out = inp * mask}.
   *
   * @param out output, the shape of {@code inp}
   * @param mask saved for backward, the shape of {@code inp}: 0 or {@code 1/keepProb}
   * @param inp input, any shape
   * @param keepProb probability of keeping an element, in (0, 1]
   * @param seed the draw's seed
   */
  public static void dropoutForward(Tensor out, Tensor mask, Tensor inp, float keepProb, long seed) {
    String op = "dropout_forward";
    Check.notNull(op, "inp", inp);
    Check.shape(op, "out", out, inp.shape());
    Check.shape(op, "mask", mask, inp.shape());
    Check.distinct(op, "mask", mask, "inp", inp);
    Check.distinct(op, "mask", mask, "out", out);
    keep(op, keepProb);
    Check.ok(op, Kernels.dropoutForward(out, mask, inp, inp.size(),
        keepProb, seed));
  }

  /**
   * Dropout backward: {@code dinp += dout * mask}; all three of one shape.
   *
   * @param dinp input gradient; added into
   * @param dout output gradient
   * @param mask from {@link #dropoutForward}
   */
  public static void dropoutBackward(Tensor dinp, Tensor dout, Tensor mask) {
    String op = "dropout_backward";
    Check.notNull(op, "mask", mask);
    Check.shape(op, "dinp", dinp, mask.shape());
    Check.shape(op, "dout", dout, mask.shape());
    Check.ok(op, Kernels.dropoutBackward(dinp, dout, mask, mask.size()));
  }

  /**
   * Drop-path forward: one draw per sample, {@code mask[b] = draw(seed, b)},
   * {@code out[b, ...] = inp[b, ...] * mask[b]}.
   *
   * @param out output, the shape of {@code inp}
   * @param mask saved for backward, shape (B): 0 or {@code 1/keepProb}
   * @param inp input, shape (B, ...)
   * @param keepProb probability of keeping a sample's path, in (0, 1]
   * @param seed the draw's seed
   */
  public static void dropPathForward(Tensor out, Tensor mask, Tensor inp, float keepProb, long seed) {
    String op = "drop_path_forward";
    Check.notNull(op, "inp", inp);
    Check.shape(op, "out", out, inp.shape());
    Check.shape(op, "mask", mask, inp.dim(0));
    Check.distinct(op, "mask", mask, "out", out);
    keep(op, keepProb);
    Check.ok(op, Kernels.dropPathForward(out, mask, inp, inp.dim(0),
        inp.size() / inp.dim(0), keepProb, seed));
  }

  /**
   * Drop-path backward: {@code dinp[b, ...] += dout[b, ...] * mask[b]}.
   *
   * @param dinp input gradient, shape (B, ...); added into
   * @param dout output gradient, the shape of {@code dinp}
   * @param mask from {@link #dropPathForward}, shape (B)
   */
  public static void dropPathBackward(Tensor dinp, Tensor dout, Tensor mask) {
    String op = "drop_path_backward";
    Check.notNull(op, "dinp", dinp);
    Check.shape(op, "dout", dout, dinp.shape());
    Check.shape(op, "mask", mask, dinp.dim(0));
    Check.ok(op, Kernels.dropPathBackward(dinp, dout, mask, dinp.dim(0),
        dinp.size() / dinp.dim(0)));
  }

  private static void keep(String op, float keepProb) {
    if (!(keepProb > 0f && keepProb <= 1f)) {
      throw new IllegalArgumentException(op + ": keepProb is " + keepProb + ", expected a probability in (0, 1]");
    }
  }
}
