/*
 * The ENAS / NASNet LSTM controller in plain Java, forward and hand-written backward.
 *
 * Sizes: H hidden units; K_g choices of op group g; n anchors attended over.
 * Parameters, one flat double[] carved into named blocks (offsets below):
 *   W      (2H, 4H)  LSTM weights, rows [x; h_prev], columns [i | f | o | g]; no bias (as ENAS)
 *   g_emb  (H)       input of the first step and after each anchor step
 *   per group g:  emb_g (K_g, H) op embedding, w_soft_g (H, K_g), b_soft_g (K_g)
 *   if attention: W1 (H, H) = w_attn_1, W2 (H, H) = w_attn_2, v (H) = v_attn
 *
 * Forward, one LSTM step on input x with state (h_prev, c_prev), both zero at the start:
 *   z = [x; h_prev] W
 *   i = sigmoid(z_i), f = sigmoid(z_f), o = sigmoid(z_o), g = tanh(z_g)
 *   c = i * g + f * c_prev,   h = o * tanh(c)
 * An OP decision of group g:
 *   u = h w_soft_g + b_soft_g
 *   l = (C / opTanhReduce) * tanh(u / T)   [+ fixed bias in the ENAS normal cell]
 *   next input x = emb_g[action]
 * An INPUT decision over anchors j < n (anchor j has key k_j = h_anchor_j W1 and a value:
 * h_anchor_j, or zero for the two cell inputs):
 *   u_j = v . tanh(k_j + h W2)
 *   l = C * tanh(u / T)
 *   next input x = value of the chosen anchor
 * A SKIPS decision (ENAS macro) over anchors j < n: u_j as for INPUT, then per anchor a two-way
 * choice with logits [-l_j, l_j], l_j = C tanh(u_j / T); p1_j = sigmoid(2 l_j); next input x =
 * (sum of the chosen anchors' values) / (1 + number chosen); the step's h then becomes an anchor.
 * Its skip penalty (ENAS's KL toward target t): s_j = sigmoid(l_j),
 *   KL_j = (1 - s_j) log((1 - s_j) / (1 - t)) + s_j log(s_j / t).
 * (With C = 0 the tanh is skipped: l = u / T.)  p = softmax(l), action ~ p,
 *   log p(action) = l_a - logsumexp(l),   entropy = -sum_k p_k log p_k.
 * A sample's log-prob and entropy are sums over its decisions.
 *
 * Backward (backward()): gradients of  wLogProb * logProb + wEntropy * entropy
 * (+ wPenalty * skipPenalty), by back-
 * propagation through time in reverse step order. Per decision:
 *   d logp / d l_k    = [k == a] - p_k
 *   d entropy / d l_k = -p_k (log p_k + entropy_step)
 *   d l / d u         = (C' / T) (1 - tanh^2(u / T))   (or 1 / T without tanh)
 * and for a SKIPS choice (logits -l, l):  d logp / d l = 2 ([a == 1] - p1),
 *   d entropy / d l = -p1 (log p1 + H) + p0 (log p0 + H),
 *   d KL / d l = s (1 - s) (log(s / t) - log((1 - s) / (1 - t)));
 *   a mean input sends din / (1 + chosen) to each chosen anchor's h.
 * then through w_soft / attention into h, and through the LSTM:
 *   dc = dc_next + dh * o * (1 - tanh^2 c);  di = dc g;  df = dc c_prev;  dg = dc i;  do = dh tanh c
 *   dz = [di i(1-i), df f(1-f), do o(1-o), dg (1-g^2)];  dW += [x; h_prev]^T dz;
 *   [dx; dh_prev] = dz W^T;  dc_prev = dc f.
 * Anchors and chosen inputs carry gradient back to the step whose h they hold.
 *
 * REINFORCE (see Reinforce): reward R = accuracy + entropyWeight * entropy (entropy treated as
 * a constant), baseline b <- decay * b + (1 - decay) * R (updated first, as ENAS), loss
 * = -logProb * (R - b), whose gradient is backward() with wLogProb = -(R - b), wEntropy = 0.
 */
package io.jnas.controller;

import io.jnas.controller.ControllerSpec.Kind;
import io.jnas.controller.ControllerSpec.Step;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * An LSTM controller that samples a vector of discrete decisions described by a
 * {@link ControllerSpec}: the ENAS micro controller (attention over earlier nodes for inputs,
 * softmax for ops) or a plain sequence of categorical decisions (NAS-Bench-201: 6 x 5). The
 * math is written out at the top of this file.
 *
 * <p>Use: {@link #sample(RandomGenerator)} draws actions with their summed log-prob and
 * entropy; {@link #score(int[])} re-evaluates given actions under the current weights;
 * {@link #backward(int[], double, double, double[])} adds the gradient of
 * {@code wLogProb * logProb + wEntropy * entropy} into a buffer. {@link Reinforce} trains it.
 * All randomness comes from the generators passed in. Not thread-safe.
 */
public final class LstmController {
  /**
   * One sampled or scored action vector.
   *
   * @param actions the action of each slot (for ENAS micro: the ENAS integer string)
   * @param logProb sum of the decisions' log-probabilities
   * @param entropy sum of the decisions' entropies
   */
  public record Sample(int[] actions, double logProb, double entropy) {}

  private final ControllerSpec spec;
  private final ControllerConfig config;
  private final int H;
  private final double[] theta;
  // offsets into theta
  private final int oW, oGemb, oW1, oW2, oV;
  private final int[] oEmb, oSoft, oBias; // per group

  /**
   * A controller with weights drawn uniformly from {@code [-initRange, initRange]} by
   * {@code init}, then the spec's initial op biases.
   */
  public LstmController(ControllerSpec spec, ControllerConfig config, RandomGenerator init) {
    this.spec = spec;
    this.config = config;
    this.H = config.hidden();
    int n = 0;
    oW = n;
    n += 2 * H * 4 * H;
    oGemb = n;
    n += H;
    int G = spec.numGroups();
    oEmb = new int[G];
    oSoft = new int[G];
    oBias = new int[G];
    for (int g = 0; g < G; g++) {
      int K = spec.groupSize(g);
      oEmb[g] = n;
      n += K * H;
      oSoft[g] = n;
      n += H * K;
      oBias[g] = n;
      n += K;
    }
    if (spec.usesAttention()) {
      oW1 = n;
      n += H * H;
      oW2 = n;
      n += H * H;
      oV = n;
      n += H;
    } else {
      oW1 = oW2 = oV = -1;
    }
    theta = new double[n];
    double r = config.initRange();
    for (int k = 0; k < n; k++) theta[k] = r == 0 ? 0 : (2 * init.nextDouble() - 1) * r;
    for (int g = 0; g < G; g++) {
      double[] b = spec.biasInit(g);
      System.arraycopy(b, 0, theta, oBias[g], b.length);
    }
  }

  /** The program this controller samples. */
  public ControllerSpec spec() {
    return spec;
  }

  /** Its configuration. */
  public ControllerConfig config() {
    return config;
  }

  /** Number of weights. */
  public int numParameters() {
    return theta.length;
  }

  /** A copy of the weights, layout as in the file header. */
  public double[] parameters() {
    return theta.clone();
  }

  /** Replaces the weights (length {@link #numParameters()}). */
  public void setParameters(double[] p) {
    if (p.length != theta.length) {
      throw new IllegalArgumentException("expected " + theta.length + " parameters, got " + p.length);
    }
    System.arraycopy(p, 0, theta, 0, p.length);
  }

  /** Adds {@code scale * delta} to the weights (an optimizer's step). */
  void addToParameters(double[] delta, double scale) {
    for (int k = 0; k < theta.length; k++) theta[k] += scale * delta[k];
  }

  /** Direct access for the optimizer. */
  double[] theta() {
    return theta;
  }

  /** Draws an action vector, each decision from the controller's current distribution. */
  public Sample sample(RandomGenerator rng) {
    Tape t = forward(null, rng);
    return new Sample(t.actions, t.logProb, t.entropy);
  }

  /**
   * Log-prob and entropy of a given action vector under the current weights (teacher forcing).
   *
   * @throws IllegalArgumentException if the vector has the wrong length or an out-of-range entry
   */
  public Sample score(int[] actions) {
    Tape t = forward(checked(actions), null);
    return new Sample(t.actions, t.logProb, t.entropy);
  }

  /**
   * The per-decision probabilities along a given action vector: row {@code i} holds the
   * distribution of slot {@code i} (given the earlier actions).
   */
  public double[][] probabilities(int[] actions) {
    Tape t = forward(checked(actions), null);
    double[][] out = new double[spec.numDecisions()][];
    for (StepRec s : t.steps) {
      if (s.decision != null) out[s.decision.slot] = s.decision.p.clone();
      if (s.skips != null) {
        for (int j = 0; j < s.skips.n; j++) out[s.skips.slot + j] = new double[] {1 - s.skips.p1[j], s.skips.p1[j]};
      }
    }
    return out;
  }

  /**
   * Adds into {@code grad} (length {@link #numParameters()}) the gradient of
   * {@code wLogProb * logProb(actions) + wEntropy * entropy(actions)} at the current weights,
   * and returns that sample's log-prob and entropy.
   */
  public Sample backward(int[] actions, double wLogProb, double wEntropy, double[] grad) {
    if (grad.length != theta.length) {
      throw new IllegalArgumentException("grad has length " + grad.length + ", expected " + theta.length);
    }
    Tape t = forward(checked(actions), null);
    backward(t, wLogProb, wEntropy, grad);
    return new Sample(t.actions, t.logProb, t.entropy);
  }

  /**
   * The skip penalty ({@link ControllerSpec#skipTarget()}) of a given action vector under the
   * current weights; 0 for a program without {@link ControllerSpec.Kind#SKIPS} steps.
   */
  public double skipPenalty(int[] actions) {
    return forward(checked(actions), null).skipPenalty;
  }

  /**
   * As {@link #backward(int[], double, double, double[])}, plus the gradient of
   * {@code wPenalty * skipPenalty(actions)}.
   */
  public Sample backward(int[] actions, double wLogProb, double wEntropy, double wPenalty, double[] grad) {
    if (grad.length != theta.length) {
      throw new IllegalArgumentException("grad has length " + grad.length + ", expected " + theta.length);
    }
    Tape t = forward(checked(actions), null);
    backward(t, wLogProb, wEntropy, wPenalty, grad);
    return new Sample(t.actions, t.logProb, t.entropy);
  }

  /** Forward pass with the given actions (teacher forcing), kept for {@link #backward(Tape, double, double, double[])}. */
  Tape forwardForced(int[] actions) {
    return forward(checked(actions), null);
  }

  /** The log-prob and entropy of a tape. */
  static Sample result(Tape t) {
    return new Sample(t.actions, t.logProb, t.entropy);
  }

  private int[] checked(int[] actions) {
    if (actions.length != spec.numDecisions()) {
      throw new IllegalArgumentException("expected " + spec.numDecisions() + " actions, got " + actions.length);
    }
    for (int i = 0; i < actions.length; i++) {
      if (actions[i] < 0 || actions[i] >= spec.numChoices(i)) {
        throw new IllegalArgumentException("action " + i + " = " + actions[i] + " out of range [0, "
            + spec.numChoices(i) + ")");
      }
    }
    return actions;
  }

  // ---------------------------------------------------------------- tape

  /** Where a step's input x came from. */
  private static final int SRC_GEMB = 0, SRC_EMB = 1, SRC_ANCHOR = 2, SRC_ZERO = 3, SRC_MEAN = 4;

  private static final class Decision {
    int slot, action, numAnchors, group;
    boolean attention;
    double scale; // C' (0 = no tanh)
    double[] p, logp, th; // (K) probabilities, log-probabilities, tanh(u/T)
    double entropy;
    int[] anchorSteps; // (n) step index holding each anchor's key h
    double[][] q; // (n, H) tanh(k_j + h W2)
  }

  private static final class StepRec {
    double[] in; // (2H) [x; h_prev]
    double[] gates; // (4H) i, f, o, g after activation
    double[] cPrev, c, tc, h; // (H)
    int src, srcGroup, srcIndex; // input source: group/row for EMB, step for ANCHOR
    int[] srcSteps; // MEAN: the steps whose h were averaged
    double srcScale; // MEAN: 1 / (1 + chosen)
    Decision decision;
    Skips skips;
  }

  /** A SKIPS step's two-way choices, one per anchor. */
  private static final class Skips {
    int slot, n;
    double scale; // C (0 = no tanh)
    int[] anchorSteps; // (n)
    double[][] q; // (n, H) tanh(k_j + h W2)
    double[] th, l, p1, logp0, logp1, entropy; // (n)
    int[] action; // (n)
  }

  private static final class Anchor {
    final int step; // LSTM step whose h gives the key (and the value unless zero)
    final boolean zeroValue;
    final double[] key; // (H) h W1

    Anchor(int step, boolean zeroValue, double[] key) {
      this.step = step;
      this.zeroValue = zeroValue;
      this.key = key;
    }
  }

  /** A forward pass's record, for {@link Reinforce} to score and differentiate with one pass. */
  static final class Tape {
    final List<StepRec> steps = new ArrayList<>();
    int[] actions;
    double logProb, entropy;
    double skipPenalty; // sum of the SKIPS decisions' KL penalties (0 without them)
  }

  private Tape forward(int[] forced, RandomGenerator rng) {
    Tape t = new Tape();
    t.actions = new int[spec.numDecisions()];
    double[] h = new double[H], c = new double[H];
    double[] x = gEmbCopy();
    int src = SRC_GEMB, srcGroup = 0, srcIndex = 0;
    int[] srcSteps = null;
    double srcScale = 0;
    List<Anchor> anchors = new ArrayList<>();
    for (Step st : spec.steps()) {
      if (st.kind() == Kind.BEGIN_CELL) {
        anchors.clear();
        x = gEmbCopy();
        src = SRC_GEMB;
        continue;
      }
      StepRec r = lstmStep(x, h, c);
      r.src = src;
      r.srcGroup = srcGroup;
      r.srcIndex = srcIndex;
      r.srcSteps = srcSteps;
      r.srcScale = srcScale;
      int stepIdx = t.steps.size();
      t.steps.add(r);
      h = r.h;
      c = r.c;
      switch (st.kind()) {
        case ZERO_ANCHOR -> anchors.add(new Anchor(stepIdx, true, matVec(h, oW1)));
        case ANCHOR -> {
          anchors.add(new Anchor(stepIdx, false, matVec(h, oW1)));
          x = gEmbCopy();
          src = SRC_GEMB;
        }
        case INPUT -> {
          int n = st.arg();
          if (n > anchors.size()) throw new IllegalStateException("INPUT over " + n + " anchors, only " + anchors.size());
          Decision d = new Decision();
          d.attention = true;
          d.slot = st.slot();
          d.numAnchors = n;
          d.anchorSteps = new int[n];
          d.q = new double[n][];
          double[] hw2 = matVec(h, oW2);
          double[] u = new double[n];
          for (int j = 0; j < n; j++) {
            Anchor a = anchors.get(j);
            d.anchorSteps[j] = a.step;
            double[] q = new double[H];
            double s = 0;
            for (int k = 0; k < H; k++) {
              q[k] = Math.tanh(a.key[k] + hw2[k]);
              s += q[k] * theta[oV + k];
            }
            d.q[j] = q;
            u[j] = s;
          }
          decide(d, u, config.tanhConstant(), null, forced, rng, t);
          r.decision = d;
          Anchor chosen = anchors.get(d.action);
          if (chosen.zeroValue) {
            x = new double[H];
            src = SRC_ZERO;
          } else {
            x = t.steps.get(chosen.step).h.clone();
            src = SRC_ANCHOR;
            srcIndex = chosen.step;
          }
        }
        case SKIPS -> {
          int n = st.arg();
          if (n > anchors.size()) throw new IllegalStateException("SKIPS over " + n + " anchors, only " + anchors.size());
          Skips d = skips(st.slot(), n, anchors, h, forced, rng, t);
          r.skips = d;
          List<Integer> chosen = new ArrayList<>();
          x = new double[H];
          for (int j = 0; j < n; j++) {
            if (d.action[j] == 0 || anchors.get(j).zeroValue) continue;
            chosen.add(anchors.get(j).step);
            double[] v = t.steps.get(anchors.get(j).step).h;
            for (int k = 0; k < H; k++) x[k] += v[k];
          }
          int count = 0;
          for (int a : d.action) count += a;
          double scale = 1.0 / (1 + count);
          for (int k = 0; k < H; k++) x[k] *= scale;
          src = SRC_MEAN;
          srcSteps = chosen.stream().mapToInt(Integer::intValue).toArray();
          srcScale = scale;
          anchors.add(new Anchor(stepIdx, false, matVec(h, oW1)));
        }
        case OP -> {
          int g = st.arg(), K = spec.groupSize(g);
          Decision d = new Decision();
          d.slot = st.slot();
          d.group = g;
          double[] u = new double[K];
          for (int k = 0; k < K; k++) u[k] = theta[oBias[g] + k];
          for (int m = 0; m < H; m++) {
            double hm = h[m];
            int row = oSoft[g] + m * K;
            for (int k = 0; k < K; k++) u[k] += hm * theta[row + k];
          }
          double C = config.tanhConstant() / config.opTanhReduce();
          decide(d, u, config.tanhConstant() == 0 ? 0 : C, st.fixedBias() ? spec.fixedBias(g) : null, forced, rng, t);
          r.decision = d;
          x = new double[H];
          System.arraycopy(theta, oEmb[g] + d.action * H, x, 0, H);
          src = SRC_EMB;
          srcGroup = g;
          srcIndex = d.action;
        }
        default -> throw new IllegalStateException("unexpected step " + st.kind());
      }
    }
    return t;
  }

  private double[] gEmbCopy() {
    double[] x = new double[H];
    System.arraycopy(theta, oGemb, x, 0, H);
    return x;
  }

  /** h (H) times the (H, H) block at offset o. */
  private double[] matVec(double[] h, int o) {
    double[] y = new double[H];
    for (int m = 0; m < H; m++) {
      double hm = h[m];
      int row = o + m * H;
      for (int k = 0; k < H; k++) y[k] += hm * theta[row + k];
    }
    return y;
  }

  private StepRec lstmStep(double[] x, double[] hPrev, double[] cPrev) {
    int H4 = 4 * H;
    StepRec r = new StepRec();
    r.in = new double[2 * H];
    System.arraycopy(x, 0, r.in, 0, H);
    System.arraycopy(hPrev, 0, r.in, H, H);
    double[] z = new double[H4];
    for (int m = 0; m < 2 * H; m++) {
      double a = r.in[m];
      if (a == 0) continue;
      int row = oW + m * H4;
      for (int k = 0; k < H4; k++) z[k] += a * theta[row + k];
    }
    r.gates = new double[H4];
    for (int k = 0; k < 3 * H; k++) r.gates[k] = 1 / (1 + Math.exp(-z[k]));
    for (int k = 3 * H; k < H4; k++) r.gates[k] = Math.tanh(z[k]);
    r.cPrev = cPrev;
    r.c = new double[H];
    r.tc = new double[H];
    r.h = new double[H];
    for (int k = 0; k < H; k++) {
      double i = r.gates[k], f = r.gates[H + k], o = r.gates[2 * H + k], g = r.gates[3 * H + k];
      r.c[k] = i * g + f * cPrev[k];
      r.tc[k] = Math.tanh(r.c[k]);
      r.h[k] = o * r.tc[k];
    }
    return r;
  }

  /** Shapes logits u into l, samples or takes the forced action, records p, log p, entropy. */
  private void decide(Decision d, double[] u, double scale, double[] fixed, int[] forced, RandomGenerator rng,
      Tape t) {
    int K = u.length;
    double T = config.temperature();
    d.scale = scale;
    d.th = new double[K];
    double[] l = new double[K];
    for (int k = 0; k < K; k++) {
      double s = u[k] / T;
      if (scale != 0) {
        d.th[k] = Math.tanh(s);
        l[k] = scale * d.th[k];
      } else {
        l[k] = s;
      }
      if (fixed != null) l[k] += fixed[k];
    }
    double max = Double.NEGATIVE_INFINITY;
    for (double v : l) max = Math.max(max, v);
    double sum = 0;
    for (double v : l) sum += Math.exp(v - max);
    double lse = max + Math.log(sum);
    d.p = new double[K];
    d.logp = new double[K];
    double ent = 0;
    for (int k = 0; k < K; k++) {
      d.logp[k] = l[k] - lse;
      d.p[k] = Math.exp(d.logp[k]);
      ent -= d.p[k] * d.logp[k];
    }
    d.entropy = ent;
    int a;
    if (forced != null) {
      a = forced[d.slot];
    } else {
      double r = rng.nextDouble(), acc = 0;
      a = K - 1;
      for (int k = 0; k < K; k++) {
        acc += d.p[k];
        if (r < acc) {
          a = k;
          break;
        }
      }
    }
    d.action = a;
    t.actions[d.slot] = a;
    t.logProb += d.logp[a];
    t.entropy += ent;
  }

  /** A SKIPS step's attention logits, choices (sampled or forced), log-probs, entropies and penalty. */
  private Skips skips(int slot, int n, List<Anchor> anchors, double[] h, int[] forced, RandomGenerator rng, Tape t) {
    Skips d = new Skips();
    d.slot = slot;
    d.n = n;
    d.scale = config.tanhConstant();
    d.anchorSteps = new int[n];
    d.q = new double[n][];
    d.th = new double[n];
    d.l = new double[n];
    d.p1 = new double[n];
    d.logp0 = new double[n];
    d.logp1 = new double[n];
    d.entropy = new double[n];
    d.action = new int[n];
    double T = config.temperature(), target = spec.skipTarget();
    double[] hw2 = matVec(h, oW2);
    for (int j = 0; j < n; j++) {
      Anchor a = anchors.get(j);
      d.anchorSteps[j] = a.step;
      double[] q = new double[H];
      double u = 0;
      for (int k = 0; k < H; k++) {
        q[k] = Math.tanh(a.key[k] + hw2[k]);
        u += q[k] * theta[oV + k];
      }
      d.q[j] = q;
      double sc = u / T;
      if (d.scale != 0) {
        d.th[j] = Math.tanh(sc);
        d.l[j] = d.scale * d.th[j];
      } else {
        d.l[j] = sc;
      }
      // logits (-l, l): log p1 = -log(1 + e^{-2l}), log p0 = -log(1 + e^{2l})
      double l2 = 2 * d.l[j];
      d.logp1[j] = -softplus(-l2);
      d.logp0[j] = -softplus(l2);
      d.p1[j] = Math.exp(d.logp1[j]);
      double p0 = Math.exp(d.logp0[j]);
      d.entropy[j] = -(p0 * d.logp0[j] + d.p1[j] * d.logp1[j]);
      int act;
      if (forced != null) {
        act = forced[slot + j];
      } else {
        act = rng.nextDouble() < p0 ? 0 : 1;
      }
      d.action[j] = act;
      t.actions[slot + j] = act;
      t.logProb += act == 1 ? d.logp1[j] : d.logp0[j];
      t.entropy += d.entropy[j];
      if (!Double.isNaN(target)) {
        double sg = 1 / (1 + Math.exp(-d.l[j]));
        t.skipPenalty += (1 - sg) * Math.log((1 - sg) / (1 - target)) + sg * Math.log(sg / target);
      }
    }
    return d;
  }

  /** log(1 + e^x), without overflow. */
  private static double softplus(double x) {
    return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
  }

  // ---------------------------------------------------------------- backward

  void backward(Tape t, double wLogProb, double wEntropy, double[] grad) {
    backward(t, wLogProb, wEntropy, 0.0, grad);
  }

  /** As {@link #backward(Tape, double, double, double[])}, plus {@code wPenalty} times the skip penalty. */
  void backward(Tape t, double wLogProb, double wEntropy, double wPenalty, double[] grad) {
    int n = t.steps.size(), H4 = 4 * H;
    double[][] dhExtra = new double[n][]; // gradient into h of step s from later uses (anchors, inputs)
    double[] dhNext = new double[H], dcNext = new double[H];
    double T = config.temperature();
    for (int s = n - 1; s >= 0; s--) {
      StepRec r = t.steps.get(s);
      double[] dh = dhNext.clone();
      if (dhExtra[s] != null) for (int k = 0; k < H; k++) dh[k] += dhExtra[s][k];
      Decision d = r.decision;
      if (d != null) {
        int K = d.p.length;
        double[] du = new double[K];
        for (int k = 0; k < K; k++) {
          double dl = wLogProb * ((k == d.action ? 1 : 0) - d.p[k]) + wEntropy * (-d.p[k] * (d.logp[k] + d.entropy));
          double ds = d.scale != 0 ? dl * d.scale * (1 - d.th[k] * d.th[k]) : dl;
          du[k] = ds / T;
        }
        if (!d.attention) {
          int g = d.group;
          for (int k = 0; k < K; k++) grad[oBias[g] + k] += du[k];
          for (int m = 0; m < H; m++) {
            int row = oSoft[g] + m * K;
            double acc = 0;
            for (int k = 0; k < K; k++) {
              grad[row + k] += r.h[m] * du[k];
              acc += theta[row + k] * du[k];
            }
            dh[m] += acc;
          }
        } else {
          double[] drSum = new double[H]; // sum_j d(k_j + h W2)
          for (int j = 0; j < d.numAnchors; j++) {
            if (du[j] == 0) continue;
            double[] q = d.q[j];
            double[] dr = new double[H];
            for (int k = 0; k < H; k++) {
              grad[oV + k] += du[j] * q[k];
              dr[k] = du[j] * theta[oV + k] * (1 - q[k] * q[k]);
              drSum[k] += dr[k];
            }
            // key_j = h_a W1
            int a = d.anchorSteps[j];
            double[] ha = t.steps.get(a).h;
            if (dhExtra[a] == null) dhExtra[a] = new double[H];
            accumulateMat(oW1, ha, dr, grad, dhExtra[a]);
          }
          accumulateMat(oW2, r.h, drSum, grad, dh);
        }
      }
      if (r.skips != null) skipsBackward(r.skips, r.h, t, wLogProb, wEntropy, wPenalty, grad, dh, dhExtra);
      // LSTM step backward
      double[] dz = new double[H4];
      double[] dcPrev = new double[H];
      for (int k = 0; k < H; k++) {
        double i = r.gates[k], f = r.gates[H + k], o = r.gates[2 * H + k], g = r.gates[3 * H + k];
        double dc = dcNext[k] + dh[k] * o * (1 - r.tc[k] * r.tc[k]);
        dz[k] = dc * g * i * (1 - i);
        dz[H + k] = dc * r.cPrev[k] * f * (1 - f);
        dz[2 * H + k] = dh[k] * r.tc[k] * o * (1 - o);
        dz[3 * H + k] = dc * i * (1 - g * g);
        dcPrev[k] = dc * f;
      }
      double[] din = new double[2 * H];
      for (int m = 0; m < 2 * H; m++) {
        int row = oW + m * H4;
        double a = r.in[m], acc = 0;
        for (int k = 0; k < H4; k++) {
          grad[row + k] += a * dz[k];
          acc += theta[row + k] * dz[k];
        }
        din[m] = acc;
      }
      switch (r.src) {
        case SRC_GEMB -> {
          for (int k = 0; k < H; k++) grad[oGemb + k] += din[k];
        }
        case SRC_EMB -> {
          int o = oEmb[r.srcGroup] + r.srcIndex * H;
          for (int k = 0; k < H; k++) grad[o + k] += din[k];
        }
        case SRC_ANCHOR -> {
          if (dhExtra[r.srcIndex] == null) dhExtra[r.srcIndex] = new double[H];
          for (int k = 0; k < H; k++) dhExtra[r.srcIndex][k] += din[k];
        }
        case SRC_MEAN -> {
          for (int a : r.srcSteps) {
            if (dhExtra[a] == null) dhExtra[a] = new double[H];
            for (int k = 0; k < H; k++) dhExtra[a][k] += din[k] * r.srcScale;
          }
        }
        default -> { } // zero input: no parameters
      }
      dhNext = new double[H];
      System.arraycopy(din, H, dhNext, 0, H);
      dcNext = dcPrev;
    }
  }

  /** Gradients of a SKIPS step's choices into v, W1 (through the anchors' h), W2 and this step's h. */
  private void skipsBackward(Skips d, double[] h, Tape t, double wLogProb, double wEntropy, double wPenalty, double[] grad,
      double[] dh, double[][] dhExtra) {
    double T = config.temperature(), target = spec.skipTarget();
    double[] drSum = new double[H];
    for (int j = 0; j < d.n; j++) {
      double p1 = d.p1[j], p0 = 1 - p1, H2 = d.entropy[j];
      double dl = wLogProb * 2 * ((d.action[j] == 1 ? 1 : 0) - p1)
          + wEntropy * (-p1 * (d.logp1[j] + H2) + p0 * (d.logp0[j] + H2));
      if (wPenalty != 0 && !Double.isNaN(target)) {
        double sg = 1 / (1 + Math.exp(-d.l[j]));
        dl += wPenalty * sg * (1 - sg) * (Math.log(sg / target) - Math.log((1 - sg) / (1 - target)));
      }
      double du = (d.scale != 0 ? dl * d.scale * (1 - d.th[j] * d.th[j]) : dl) / T;
      if (du == 0) continue;
      double[] q = d.q[j];
      double[] dr = new double[H];
      for (int k = 0; k < H; k++) {
        grad[oV + k] += du * q[k];
        dr[k] = du * theta[oV + k] * (1 - q[k] * q[k]);
        drSum[k] += dr[k];
      }
      int a = d.anchorSteps[j];
      if (dhExtra[a] == null) dhExtra[a] = new double[H];
      accumulateMat(oW1, t.steps.get(a).h, dr, grad, dhExtra[a]);
    }
    accumulateMat(oW2, h, drSum, grad, dh);
  }

  /** For y = a M (M the (H, H) block at o): grad[M] += a^T dy, da += M dy. */
  private void accumulateMat(int o, double[] a, double[] dy, double[] grad, double[] da) {
    for (int m = 0; m < H; m++) {
      int row = o + m * H;
      double acc = 0;
      for (int k = 0; k < H; k++) {
        grad[row + k] += a[m] * dy[k];
        acc += theta[row + k] * dy[k];
      }
      da[m] += acc;
    }
  }
}
