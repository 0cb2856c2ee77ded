package io.jnas.ops;

import io.jnas.backend.Kernels;
import io.jnas.tensor.Tensor;
import java.util.List;

/**
 * Parameter updates (SGD with momentum and Nesterov, Adam) and gradient norms, each applied in
 * place to one parameter tensor and its state, with PyTorch's semantics.
 *
 * <p>State tensors (momentum buffer, Adam's moments) have the parameter's shape and start at
 * zero; the caller owns them and passes them back every step.
 */
public final class Optimizers {
  private Optimizers() {}

  /**
   * One SGD step, as {@code torch.optim.SGD} (dampening 0):
   * {@code g = grad + weightDecay*param; buf = momentum*buf + g;
   * g = nesterov ? g + momentum*buf : buf; param -= lr*g}.
   *
   * @param param parameters, any shape; updated in place
   * @param momentumBuf momentum buffer, the shape of {@code param}, zero before the first step;
   *     may be {@code null} only when {@code momentum} is 0
   * @param grad gradient, the shape of {@code param}
   * @param lr learning rate, finite and at least 0
   * @param momentum in [0, 1)
   * @param weightDecay L2 coefficient, finite and at least 0
   * @param nesterov Nesterov momentum; needs {@code momentum > 0}
   */
  public static void sgd(Tensor param, Tensor momentumBuf, Tensor grad, float lr, float momentum, float weightDecay,
      boolean nesterov) {
    String op = "sgd_update";
    Check.notNull(op, "param", param);
    Check.shape(op, "grad", grad, param.shape());
    nonNegative(op, "lr", lr);
    nonNegative(op, "weightDecay", weightDecay);
    unit(op, "momentum", momentum);
    if (momentum != 0f) {
      if (momentumBuf == null) {
        throw new IllegalArgumentException(op + ": momentumBuf is null with momentum " + momentum
            + ", expected a tensor of the shape of param");
      }
    }
    Check.optionalShape(op, "momentumBuf", momentumBuf, param.shape());
    if (nesterov && momentum == 0f) {
      throw new IllegalArgumentException(op + ": nesterov is true with momentum 0, expected momentum > 0 (as PyTorch)");
    }
    Check.distinct(op, "param", param, "grad", grad);
    Check.distinct(op, "param", param, "momentumBuf", momentumBuf);
    Check.distinct(op, "grad", grad, "momentumBuf", momentumBuf);
    Check.ok(op, Kernels.sgdUpdate(param, momentumBuf,
        grad, param.size(), lr, momentum, weightDecay, nesterov));
  }

  /**
   * One Adam step, as {@code torch.optim.Adam} with L2 weight decay added to the gradient:
   * {@code g = grad + weightDecay*param; m = beta1*m + (1-beta1)*g; v = beta2*v + (1-beta2)*g^2;
   * param -= lr/(1-beta1^step) * m / (sqrt(v)/sqrt(1-beta2^step) + eps)}.
   *
   * @param param parameters, any shape; updated in place
   * @param m first moment, the shape of {@code param}, zero before step 1; updated
   * @param v second moment, the shape of {@code param}, zero before step 1; updated
   * @param grad gradient, the shape of {@code param}
   * @param lr learning rate, finite and at least 0
   * @param beta1 in [0, 1)
   * @param beta2 in [0, 1)
   * @param eps finite and positive
   * @param weightDecay L2 coefficient, finite and at least 0
   * @param step this step's number, counting from 1
   */
  public static void adam(Tensor param, Tensor m, Tensor v, Tensor grad, float lr, float beta1, float beta2, float eps,
      float weightDecay, int step) {
    String op = "adam_update";
    Check.notNull(op, "param", param);
    Check.shape(op, "m", m, param.shape());
    Check.shape(op, "v", v, param.shape());
    Check.shape(op, "grad", grad, param.shape());
    nonNegative(op, "lr", lr);
    unit(op, "beta1", beta1);
    unit(op, "beta2", beta2);
    if (!(eps > 0f) || !Float.isFinite(eps)) {
      throw new IllegalArgumentException(op + ": eps is " + eps + ", expected a finite positive value");
    }
    nonNegative(op, "weightDecay", weightDecay);
    Check.positive(op, "step", step);
    Tensor[] all = {param, m, v, grad};
    String[] names = {"param", "m", "v", "grad"};
    for (int i = 0; i < all.length; i++)
      for (int j = i + 1; j < all.length; j++) Check.distinct(op, names[i], all[i], names[j], all[j]);
    Check.ok(op, Kernels.adamUpdate(param, m, v, grad, param.size(),
        lr, beta1, beta2, eps, weightDecay, step));
  }

  /**
   * The global L2 norm of several tensors, {@code sqrt(sum of every element squared)},
   * accumulated in double.
   *
   * @param bufs tensors of any shapes; an empty list has norm 0
   * @return the norm
   */
  public static float globalNorm(List<Tensor> bufs) {
    String op = "global_norm";
    if (bufs == null) throw new IllegalArgumentException(op + ": bufs is null, expected a list of tensors");
    for (int i = 0; i < bufs.size(); i++) Check.notNull(op, "bufs[" + i + "]", bufs.get(i));
    if (bufs.isEmpty()) return 0f;
    try (Tensor out = Tensor.zeros(1)) {
      Check.ok(op, Kernels.globalNorm(out, bufs));
      return out.get(0);
    }
  }

  /**
   * {@code buf *= s} in place.
   *
   * @param buf any shape
   * @param s finite factor
   */
  public static void scale(Tensor buf, float s) {
    String op = "scale";
    Check.notNull(op, "buf", buf);
    Check.finite(op, "s", s);
    Check.ok(op, Kernels.scale(buf, buf.size(), s));
  }

  /**
   * Clips gradients by their global norm, as {@code torch.nn.utils.clip_grad_norm_}: when the
   * norm exceeds {@code maxNorm}, every tensor is scaled by {@code maxNorm / (norm + 1e-6)}.
   *
   * @param grads gradients of any shapes, scaled in place
   * @param maxNorm finite and positive
   * @return the global norm before clipping
   */
  public static float clipGlobalNorm(List<Tensor> grads, float maxNorm) {
    String op = "clip_global_norm";
    if (!(maxNorm > 0f) || !Float.isFinite(maxNorm)) {
      throw new IllegalArgumentException(op + ": maxNorm is " + maxNorm + ", expected a finite positive value");
    }
    float norm = globalNorm(grads);
    double coef = maxNorm / (norm + 1e-6);
    if (coef < 1.0) {
      for (Tensor g : grads) scale(g, (float) coef);
    }
    return norm;
  }

  private static void nonNegative(String op, String name, float x) {
    if (!(x >= 0f) || !Float.isFinite(x)) {
      throw new IllegalArgumentException(op + ": " + name + " is " + x + ", expected a finite value >= 0");
    }
  }

  private static void unit(String op, String name, float x) {
    if (!(x >= 0f && x < 1f)) {
      throw new IllegalArgumentException(op + ": " + name + " is " + x + ", expected a value in [0, 1)");
    }
  }
}
