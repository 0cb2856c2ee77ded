package io.jnas.strategy;

import java.util.SplittableRandom;

/**
 * A tiny regression MLP in plain Java for the Bayesian-optimization predictors:
 * {@code in -> hidden (ReLU) -> hidden (ReLU) -> 1}, squared loss, trained by Adam on
 * minibatches. Weights are He-initialized from the given generator. Sizes: {@code w1 (H, in)},
 * {@code w2 (H, H)}, {@code w3 (H)}; all parameters live in one array, carved by offset.
 */
final class Mlp {
  private final int in;
  private final int h;
  private final double[] p; // parameters: w1, b1, w2, b2, w3, b3
  private final double[] g; // gradients, same layout
  private final double[] m; // Adam first moment
  private final double[] v; // Adam second moment
  private final int w1, b1, w2, b2, w3, b3;
  private int t;

  Mlp(int in, int hidden, SplittableRandom rng) {
    this.in = in;
    this.h = hidden;
    w1 = 0;
    b1 = w1 + h * in;
    w2 = b1 + h;
    b2 = w2 + h * h;
    w3 = b2 + h;
    b3 = w3 + h;
    int n = b3 + 1;
    p = new double[n];
    g = new double[n];
    m = new double[n];
    v = new double[n];
    double s1 = Math.sqrt(2.0 / in), s2 = Math.sqrt(2.0 / h);
    for (int k = 0; k < h * in; k++) p[w1 + k] = gauss(rng) * s1;
    for (int k = 0; k < h * h; k++) p[w2 + k] = gauss(rng) * s2;
    for (int k = 0; k < h; k++) p[w3 + k] = gauss(rng) * Math.sqrt(1.0 / h);
  }

  static double gauss(SplittableRandom rng) {
    double u = 1 - rng.nextDouble(), w = rng.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * w);
  }

  /** The prediction for one input. */
  double predict(double[] x) {
    double[] a1 = new double[h], a2 = new double[h];
    return forward(x, nonzeros(x), a1, a2);
  }

  /** Indices of the nonzero entries of {@code x} (the encodings are sparse one-hots). */
  static int[] nonzeros(double[] x) {
    int n = 0;
    for (double v : x) if (v != 0) n++;
    int[] nz = new int[n];
    n = 0;
    for (int j = 0; j < x.length; j++) if (x[j] != 0) nz[n++] = j;
    return nz;
  }

  private double forward(double[] x, int[] nz, double[] a1, double[] a2) {
    for (int i = 0; i < h; i++) {
      double s = p[b1 + i];
      int row = w1 + i * in;
      for (int j : nz) s += p[row + j] * x[j];
      a1[i] = s > 0 ? s : 0;
    }
    for (int i = 0; i < h; i++) {
      double s = p[b2 + i];
      int row = w2 + i * h;
      for (int j = 0; j < h; j++) s += p[row + j] * a1[j];
      a2[i] = s > 0 ? s : 0;
    }
    double y = p[b3];
    for (int j = 0; j < h; j++) y += p[w3 + j] * a2[j];
    return y;
  }

  /**
   * Trains for {@code steps} Adam steps on minibatches of {@code batch} rows drawn with
   * replacement from {@code (x, y)}.
   */
  void train(double[][] x, double[] y, int steps, int batch, double lr, double weightDecay, SplittableRandom rng) {
    double[] a1 = new double[h], a2 = new double[h], d2 = new double[h], d1 = new double[h];
    int bs = Math.min(batch, x.length);
    int[][] nzs = new int[x.length][];
    for (int k = 0; k < x.length; k++) nzs[k] = nonzeros(x[k]);
    for (int step = 0; step < steps; step++) {
      java.util.Arrays.fill(g, 0);
      for (int r = 0; r < bs; r++) {
        int k = rng.nextInt(x.length);
        double[] xi = x[k];
        int[] nz = nzs[k];
        double err = (forward(xi, nz, a1, a2) - y[k]) / bs; // d(0.5 * mean sq)/d out
        g[b3] += err;
        for (int j = 0; j < h; j++) {
          g[w3 + j] += err * a2[j];
          d2[j] = a2[j] > 0 ? err * p[w3 + j] : 0;
        }
        java.util.Arrays.fill(d1, 0);
        for (int i = 0; i < h; i++) {
          if (d2[i] == 0) continue;
          g[b2 + i] += d2[i];
          int row = w2 + i * h;
          for (int j = 0; j < h; j++) {
            g[row + j] += d2[i] * a1[j];
            d1[j] += d2[i] * p[row + j];
          }
        }
        for (int i = 0; i < h; i++) {
          if (a1[i] <= 0 || d1[i] == 0) continue;
          g[b1 + i] += d1[i];
          int row = w1 + i * in;
          for (int j : nz) g[row + j] += d1[i] * xi[j];
        }
      }
      adam(lr, weightDecay);
    }
  }

  private void adam(double lr, double wd) {
    final double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
    t++;
    double c1 = 1 - Math.pow(beta1, t), c2 = 1 - Math.pow(beta2, t);
    for (int k = 0; k < p.length; k++) {
      double gk = g[k] + wd * p[k];
      m[k] = beta1 * m[k] + (1 - beta1) * gk;
      v[k] = beta2 * v[k] + (1 - beta2) * gk * gk;
      p[k] -= lr * (m[k] / c1) / (Math.sqrt(v[k] / c2) + eps);
    }
  }
}
