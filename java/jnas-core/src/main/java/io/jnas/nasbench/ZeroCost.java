package io.jnas.nasbench;

import io.jnas.backend.NativeNetwork.TensorInfo;
import io.jnas.space.Nb201Cell;
import io.jnas.tensor.IntTensor;
import io.jnas.tensor.Tensor;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Zero-cost proxies: scores of an untrained network that predict how well it will train,
 * computed on real networks ({@link Nb201Network}) and a real minibatch. As Abdelfattah et al.
 * 2021 ("Zero-Cost Proxies for Lightweight NAS"; their code: mohsaied/zero-cost-nas) and Mellor
 * et al. 2021 (NASWOT) define them, over the convolution and linear weights:
 *
 * <ul>
 *   <li>{@code synflow} (Tanaka et al. 2020): on the network without batch norm, every weight
 *       replaced by its absolute value and an all-ones input, R = the sum of the logits; the
 *       score is sum(theta * dR/dtheta). It spans tens of orders of magnitude, so it is
 *       reported as its natural logarithm (the ranking is the same). Float overflows are
 *       avoided by scaling the input and the backward seed by 2^-e each (R and every term scale
 *       by 2^-2e; the log adds 2e ln 2 back).
 *   <li>{@code naswot}: log |det K| of the (B x B) matrix of agreeing ReLU signs between the
 *       images of the batch ({@link Nb201Network#activationPatternKernel}).
 *   <li>{@code grad_norm}: the sum over weight tensors of the L2 norm of d loss / d weights.
 *   <li>{@code snip} (Lee et al. 2019): sum |theta * d loss / d theta|.
 * </ul>
 *
 * Every score is of the same initial weights for every cell: the scorer holds one weight-shared
 * search network (and its batch-norm-free twin for synflow) and runs each cell's path on it, so
 * two cells that share an edge op share its weights. Batch norm uses batch statistics, as an
 * untrained network in training mode does. Not thread-safe; close it when done.
 */
public final class ZeroCost implements AutoCloseable {
  /** The proxies. */
  public enum Proxy {
    /** Synaptic flow, as its natural log. */
    SYNFLOW("synflow"),
    /** NASWOT's log-determinant. */
    NASWOT("naswot"),
    /** Sum of the weight gradients' L2 norms. */
    GRAD_NORM("grad_norm"),
    /** SNIP's saliency sum. */
    SNIP("snip");

    private final String token;

    Proxy(String token) {
      this.token = token;
    }

    /** The name on the command line and in result files, e.g. {@code grad_norm}. */
    public String token() {
      return token;
    }

    /** The proxy of a name; the message lists the valid ones. */
    public static Proxy of(String name) {
      for (Proxy p : values()) if (p.token.equals(name)) return p;
      StringBuilder sb = new StringBuilder();
      for (Proxy p : values()) sb.append(sb.length() > 0 ? ", " : "").append(p.token);
      throw new IllegalArgumentException("unknown proxy '" + name + "', expected one of " + sb);
    }
  }

  /**
   * The four scores of one cell.
   *
   * @param synflow ln(synflow), -infinity where no path carries the input to the output
   * @param naswot log |det K|
   * @param gradNorm sum of the weight gradients' L2 norms
   * @param snip sum |theta * gradient|
   */
  public record Scores(double synflow, double naswot, double gradNorm, double snip) {
    /** The score of one proxy. */
    public double get(Proxy p) {
      return switch (p) {
        case SYNFLOW -> synflow;
        case NASWOT -> naswot;
        case GRAD_NORM -> gradNorm;
        case SNIP -> snip;
      };
    }
  }

  private final Nb201Network net;    // batch norm, for naswot, grad_norm, snip
  private final Nb201Network plain;  // no batch norm, |weights|, for synflow
  private final float[] weights, absPlain;
  private final List<TensorInfo> convs, plainConvs;
  private final Tensor images, ones;
  private final IntTensor labels;

  /**
   * A scorer on the minibatch {@code (images, labels)} (copied) with the networks of
   * {@code config} (its cell ignored; its seed draws the initial weights).
   */
  public ZeroCost(Nb201Network.Config config, Tensor images, IntTensor labels) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(images, "images");
    Objects.requireNonNull(labels, "labels");
    if (images.rank() != 4 || images.dim(0) < 2) {
      throw new IllegalArgumentException("zero-cost proxies: need a batch of at least 2 images, got shape "
          + java.util.Arrays.toString(images.shape()));
    }
    this.images = images.copy();
    this.labels = IntTensor.of(labels.toArray(), labels.shape());
    net = Nb201Network.searchNetwork(config.withBatchNorm(true));
    plain = Nb201Network.searchNetwork(config.withBatchNorm(false));
    weights = net.weights();
    convs = weightTensors(net);
    plainConvs = weightTensors(plain);
    absPlain = plain.weights();
    for (int i = 0; i < absPlain.length; i++) absPlain[i] = Math.abs(absPlain[i]);
    plain.setWeights(absPlain);
    ones = Tensor.zeros(1, config.inChannels(), config.height(), config.width());
  }

  /** The convolution and linear weights: the tensors named {@code *.w}. */
  static List<TensorInfo> weightTensors(Nb201Network n) {
    List<TensorInfo> list = new ArrayList<>();
    for (TensorInfo t : n.tensors()) if (t.name().endsWith(".w")) list.add(t);
    return list;
  }

  /** All four scores of {@code cell}. */
  public Scores score(Nb201Cell cell) {
    return score(cell, EnumSet.allOf(Proxy.class));
  }

  /** The scores of {@code cell} for the proxies in {@code which}; the others are NaN (not computed). */
  public Scores score(Nb201Cell cell, Set<Proxy> which) {
    Objects.requireNonNull(cell, "cell");
    double sf = which.contains(Proxy.SYNFLOW) ? synflow(cell) : Double.NaN;
    double nw = which.contains(Proxy.NASWOT) ? naswot(cell) : Double.NaN;
    if (!which.contains(Proxy.GRAD_NORM) && !which.contains(Proxy.SNIP)) return new Scores(sf, nw, Double.NaN, Double.NaN);
    net.forwardBackward(cell, images, labels);
    float[] g = net.gradients();
    double gn = 0, sn = 0;
    for (TensorInfo t : convs) {
      double sq = 0;
      for (long i = t.offset(); i < t.offset() + t.size(); i++) {
        double gi = g[(int) i];
        sq += gi * gi;
        sn += Math.abs(gi * weights[(int) i]);
      }
      gn += Math.sqrt(sq);
    }
    return new Scores(sf, nw, which.contains(Proxy.GRAD_NORM) ? gn : Double.NaN, which.contains(Proxy.SNIP) ? sn : Double.NaN);
  }

  /** ln(synflow) of {@code cell}; -infinity where no path carries the input to the output. */
  public double synflow(Nb201Cell cell) {
    for (int e = 0; e <= 120; e += 20) {
      float s = (float) Math.scalb(1.0, -e);
      ones.fill(s);
      plain.sumOfLogitsBackward(cell, ones, s);
      float[] g = plain.gradients();
      double sum = 0;
      boolean finite = true;
      for (TensorInfo t : plainConvs) {
        for (long i = t.offset(); i < t.offset() + t.size(); i++) {
          float gi = g[(int) i];
          if (!Float.isFinite(gi)) finite = false;
          sum += (double) absPlain[(int) i] * gi;
        }
      }
      if (!finite || !Double.isFinite(sum)) continue;  // overflowed: scale down further
      if (sum <= 0) return Double.NEGATIVE_INFINITY;
      return Math.log(sum) + 2 * e * Math.log(2);
    }
    throw new IllegalStateException("synflow of " + cell + ": overflows float even at 2^-120");
  }

  /** NASWOT's log |det K| of {@code cell} on the scorer's batch. */
  public double naswot(Nb201Cell cell) {
    return logAbsDet(net.activationPatternKernel(cell, images));
  }

  /**
   * log |det a| by LU with partial pivoting, in double (a is overwritten); -infinity for a
   * singular matrix.
   */
  public static double logAbsDet(double[][] a) {
    int n = a.length;
    double s = 0;
    for (int c = 0; c < n; c++) {
      int p = c;
      for (int r = c + 1; r < n; r++) if (Math.abs(a[r][c]) > Math.abs(a[p][c])) p = r;
      if (a[p][c] == 0) return Double.NEGATIVE_INFINITY;
      double[] t = a[p];
      a[p] = a[c];
      a[c] = t;
      s += Math.log(Math.abs(a[c][c]));
      for (int r = c + 1; r < n; r++) {
        double f = a[r][c] / a[c][c];
        if (f == 0) continue;
        for (int k = c; k < n; k++) a[r][k] -= f * a[c][k];
      }
    }
    return s;
  }

  /** One line of the four scores. */
  public static String format(Scores s) {
    return String.format(Locale.ROOT, "synflow %.2f, naswot %.2f, grad_norm %.3g, snip %.3g", s.synflow(), s.naswot(),
        s.gradNorm(), s.snip());
  }

  @Override
  public void close() {
    net.close();
    plain.close();
    images.close();
    labels.close();
    ones.close();
  }
}
