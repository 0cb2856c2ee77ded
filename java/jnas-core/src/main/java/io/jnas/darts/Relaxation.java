package io.jnas.darts;

import io.jnas.tensor.IntTensor;
import io.jnas.tensor.Tensor;
import java.util.SplittableRandom;

/**
 * The architecture gradients of DARTS (Liu et al. 2019) and GDAS (Dong &amp; Yang 2019) on a
 * {@link RelaxedNetwork}, with alpha the architecture parameters (one logit per edge and op):
 *
 * <ul>
 *   <li>{@link #firstOrder}: d L_val / d alpha at the current weights (DARTS-V1);
 *   <li>{@link #secondOrder}: d/d alpha of L_val(w - xi (grad_w L_train + wd w), alpha), the
 *       second-order term by the finite-difference Hessian-vector product
 *       (grad_alpha L_train(w+) - grad_alpha L_train(w-)) / 2 eps, w+- = w +- eps grad_w' L_val,
 *       eps = 0.01 / |grad_w' L_val| (DARTS-V2; DARTS's virtual step also adds the momentum
 *       buffer, this one is plain SGD);
 *   <li>{@link #gdas}: one Gumbel draw per edge at temperature tau; only the arg-max op is
 *       computed (weight 1) and the straight-through gradient reaches every alpha through the
 *       soft sample.
 * </ul>
 */
public final class Relaxation {
  private Relaxation() {}

  /** Per group of {@code k}: softmax(alpha / t), as floats. */
  public static float[] softmax(double[] alpha, double t, int k) {
    float[] w = new float[alpha.length];
    for (int e = 0; e < alpha.length / k; e++) {
      double mx = Double.NEGATIVE_INFINITY, z = 0;
      for (int i = 0; i < k; i++) mx = Math.max(mx, alpha[e * k + i] / t);
      double[] v = new double[k];
      for (int i = 0; i < k; i++) z += v[i] = Math.exp(alpha[e * k + i] / t - mx);
      for (int i = 0; i < k; i++) w[e * k + i] = (float) (v[i] / z);
    }
    return w;
  }

  /** d/d alpha of a loss whose gradient with respect to w = softmax(alpha / t) (per group of k) is g. */
  public static double[] softmaxBackward(float[] w, float[] g, double t, int k) {
    double[] d = new double[w.length];
    for (int e = 0; e < w.length / k; e++) {
      double dot = 0;
      for (int i = 0; i < k; i++) dot += (double) w[e * k + i] * g[e * k + i];
      for (int i = 0; i < k; i++) d[e * k + i] = w[e * k + i] * (g[e * k + i] - dot) / t;
    }
    return d;
  }

  /** Per group of k the index of the largest alpha among those allowed ({@code skip} excluded, -1 for none). */
  public static int[] argmax(double[] alpha, int k, int skip) {
    int[] d = new int[alpha.length / k];
    for (int e = 0; e < d.length; e++) {
      int best = -1;
      for (int i = 0; i < k; i++) {
        if (i == skip) continue;
        if (best < 0 || alpha[e * k + i] > alpha[e * k + best]) best = i;
      }
      d[e] = best;
    }
    return d;
  }

  /** DARTS first order: d L_val / d alpha at the current weights. */
  public static double[] firstOrder(RelaxedNetwork net, double[] alpha, Tensor vx, IntTensor vy) {
    int k = net.opsPerEdge();
    float[] w = softmax(alpha, 1, k);
    net.setArchWeights(w);
    net.lossAndGradients(vx, vy);
    return softmaxBackward(w, net.archGradient(), 1, k);
  }

  /** DARTS second order (the unrolled model); the weights are the same afterwards. */
  public static double[] secondOrder(RelaxedNetwork net, double[] alpha, Tensor x, IntTensor y, Tensor vx, IntTensor vy,
      double xi, double wd) {
    int k = net.opsPerEdge();
    float[] sw = softmax(alpha, 1, k);
    net.setArchWeights(sw);
    float[] w0 = net.weights();
    net.lossAndGradients(x, y);
    float[] g = net.gradients();
    float[] w1 = new float[w0.length];
    for (int i = 0; i < w0.length; i++) w1[i] = (float) (w0[i] - xi * (g[i] + wd * w0[i]));
    net.setWeights(w1);
    net.lossAndGradients(vx, vy);
    float[] dAlphaVal = net.archGradient();
    float[] dw = net.gradients();
    double norm = 0;
    for (float v : dw) norm += (double) v * v;
    norm = Math.sqrt(norm);
    float[] dAlpha = dAlphaVal.clone();
    if (norm > 0) {
      double eps = 0.01 / norm;
      float[] wp = new float[w0.length];
      for (int i = 0; i < w0.length; i++) wp[i] = (float) (w0[i] + eps * dw[i]);
      net.setWeights(wp);
      net.lossAndGradients(x, y);
      float[] gp = net.archGradient();
      for (int i = 0; i < w0.length; i++) wp[i] = (float) (w0[i] - eps * dw[i]);
      net.setWeights(wp);
      net.lossAndGradients(x, y);
      float[] gm = net.archGradient();
      for (int i = 0; i < dAlpha.length; i++) dAlpha[i] = (float) (dAlphaVal[i] - xi * (gp[i] - gm[i]) / (2 * eps));
    }
    net.setWeights(w0);
    return softmaxBackward(sw, dAlpha, 1, k);
  }

  /** GDAS: the straight-through gradient of the validation loss for alpha, one Gumbel draw. */
  public static double[] gdas(RelaxedNetwork net, double[] alpha, double tau, Tensor vx, IntTensor vy, SplittableRandom r) {
    Gumbel gs = Gumbel.sample(alpha, tau, net.opsPerEdge(), r);
    net.setArchWeights(gs.hard());
    net.lossAndGradients(vx, vy);
    // hard = onehot - soft.detach() + soft: d/d soft = d/d hard; soft = softmax((alpha + g) / tau)
    return softmaxBackward(gs.soft(), net.archGradient(), tau, net.opsPerEdge());
  }

  /**
   * One Gumbel-softmax draw per group of k.
   *
   * @param soft softmax((alpha + g) / tau)
   * @param hard its one-hot argmax (the op computed)
   */
  public record Gumbel(float[] soft, float[] hard) {
    /** A draw. */
    public static Gumbel sample(double[] alpha, double tau, int k, SplittableRandom r) {
      double[] z = new double[alpha.length];
      for (int i = 0; i < z.length; i++) {
        double u = Math.max(1e-20, r.nextDouble());
        z[i] = alpha[i] - Math.log(-Math.log(u));
      }
      float[] soft = softmax(z, tau, k);
      float[] hard = new float[alpha.length];
      for (int e = 0; e < alpha.length / k; e++) {
        int best = 0;
        for (int i = 1; i < k; i++) if (soft[e * k + i] > soft[e * k + best]) best = i;
        hard[e * k + best] = 1f;
      }
      return new Gumbel(soft, hard);
    }
  }

  /** Adam with L2 weight decay added to the gradient (PyTorch's Adam(weight_decay=...)). */
  public static final class Adam {
    private final double lr, b1, b2, eps, wd;
    private final double[] m, v;
    private int t;

    /** Adam for n parameters. */
    public Adam(int n, double lr, double b1, double b2, double eps, double wd) {
      this.lr = lr;
      this.b1 = b1;
      this.b2 = b2;
      this.eps = eps;
      this.wd = wd;
      m = new double[n];
      v = new double[n];
    }

    /** One step of p along the gradient g. */
    public void step(double[] p, double[] g) {
      t++;
      double c1 = 1 - Math.pow(b1, t), c2 = 1 - Math.pow(b2, t);
      for (int i = 0; i < p.length; i++) {
        double gi = g[i] + wd * p[i];
        m[i] = b1 * m[i] + (1 - b1) * gi;
        v[i] = b2 * v[i] + (1 - b2) * gi * gi;
        p[i] -= lr * (m[i] / c1) / (Math.sqrt(v[i] / c2) + eps);
      }
    }
  }
}
