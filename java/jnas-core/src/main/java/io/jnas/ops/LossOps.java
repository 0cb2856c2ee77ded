package io.jnas.ops;

import io.jnas.backend.Kernels;
import io.jnas.tensor.IntTensor;
import io.jnas.tensor.Tensor;

/**
 * Softmax cross-entropy with label smoothing, averaged over the batch.
 *
 * <p>Targets are {@code t = (1 - ls) * onehot(label) + ls / V}; the loss is
 * {@code (1/B) * sum_b sum_v -t[b, v] * log softmax(logits[b])[v]}, computed with the maximum
 * subtracted so large logits do not overflow. Shapes: logits and probs (B, V), labels (B)
 * with values in [0, V), loss (1).
 *
 * <p>Gradient rule: {@link #softmaxXentBackward} adds into {@code dlogits}; the caller zeroes it.
 */
public final class LossOps {
  private LossOps() {}

  /**
   * Forward: writes the mean loss and the softmax probabilities.
   *
   * @param loss output, shape (1): the loss averaged over the batch
   * @param probs saved for backward, shape (B, V): softmax of each row of logits
   * @param logits shape (B, V)
   * @param labels shape (B), every value in [0, V)
   * @param labelSmoothing {@code ls} in [0, 1)
   * @return the loss, as written to {@code loss}
   */
  public static float softmaxXentForward(Tensor loss, Tensor probs, Tensor logits, IntTensor labels,
      float labelSmoothing) {
    String op = "softmax_xent_forward";
    Check.rank(op, "logits", logits, 2);
    int b = logits.dim(0), v = logits.dim(1);
    Check.shape(op, "loss", loss, 1);
    Check.shape(op, "probs", probs, b, v);
    Check.distinct(op, "probs", probs, "logits", logits);
    labels(op, labels, b, v);
    smoothing(op, labelSmoothing);
    Check.ok(op, Kernels.softmaxXentForward(loss, probs, logits,
        labels, b, v, labelSmoothing));
    return loss.get(0);
  }

  /**
   * Backward: {@code dlogits += dloss * (probs - t) / B}.
   *
   * @param dlogits shape (B, V); added into
   * @param probs from {@link #softmaxXentForward}, shape (B, V)
   * @param labels shape (B), every value in [0, V)
   * @param labelSmoothing the forward's {@code ls}, in [0, 1)
   * @param dloss gradient of the final objective with respect to the loss (1 for the loss
   *     itself), finite
   */
  public static void softmaxXentBackward(Tensor dlogits, Tensor probs, IntTensor labels, float labelSmoothing,
      float dloss) {
    String op = "softmax_xent_backward";
    Check.rank(op, "probs", probs, 2);
    int b = probs.dim(0), v = probs.dim(1);
    Check.shape(op, "dlogits", dlogits, b, v);
    Check.distinct(op, "dlogits", dlogits, "probs", probs);
    labels(op, labels, b, v);
    smoothing(op, labelSmoothing);
    Check.finite(op, "dloss", dloss);
    Check.ok(op, Kernels.softmaxXentBackward(dlogits, probs, labels,
        b, v, labelSmoothing, dloss));
  }

  /** Labels have shape (B) and values in [0, V): the native side indexes rows with them. */
  private static void labels(String op, IntTensor labels, int b, int v) {
    Check.shape(op, "labels", labels, b);
    int[] y = labels.toArray();
    for (int i = 0; i < y.length; i++) {
      if (y[i] < 0 || y[i] >= v) {
        throw new IllegalArgumentException(op + ": labels[" + i + "] is " + y[i] + ", expected a class in [0, " + v + ")");
      }
    }
  }

  private static void smoothing(String op, float ls) {
    if (!(ls >= 0f && ls < 1f)) {
      throw new IllegalArgumentException(op + ": labelSmoothing is " + ls + ", expected a value in [0, 1)");
    }
  }
}
