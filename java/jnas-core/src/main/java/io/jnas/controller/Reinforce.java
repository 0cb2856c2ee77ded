package io.jnas.controller;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * REINFORCE for an {@link LstmController}, as ENAS trains its controller:
 *
 * <pre>
 *   reward    R = accuracy + entropyWeight * entropy(sample)
 *   baseline  b = decay * b + (1 - decay) * R          (updated before the loss, as ENAS)
 *   loss        = -logProb(sample) * (R - b)  [+ skipWeight * skipPenalty(sample), ENAS macro]
 * </pre>
 *
 * The loss gradients of {@code aggregate} samples are averaged, optionally clipped to a global
 * norm, and applied with Adam (TensorFlow's form: {@code lr_t = lr sqrt(1 - beta2^t) / (1 -
 * beta1^t)}, {@code theta -= lr_t m / (sqrt(v) + eps)}).
 *
 * <p>Each {@link #observe} re-scores the given actions under the current weights (teacher
 * forcing), so samples drawn before an update and reported after it are handled; within one
 * aggregate every gradient is taken at the same weights.
 *
 * <p>State ({@link #saveState()}): the controller's weights, Adam moments, the gradient
 * accumulated so far in the current aggregate, baseline, step and sample counts; restoring it
 * into a controller of the same spec and config continues identically.
 */
public final class Reinforce {
  /**
   * What one observation did.
   *
   * @param reward the reward including the entropy bonus
   * @param baseline the baseline after this observation's update
   * @param logProb the sample's log-prob under the weights it was scored at
   * @param entropy the sample's entropy
   * @param stepped whether this observation completed an aggregate and an Adam step was taken
   */
  public record Observation(double reward, double baseline, double logProb, double entropy, boolean stepped) {}

  private static final long MAGIC = 0x4A4E41535246_0001L; // "JNASRF" v1

  private final LstmController controller;
  private final ReinforceConfig config;
  private final double[] m, v, acc; // (numParameters) Adam moments, gradient accumulator
  private double baseline;
  private boolean baselineSet;
  private long steps; // Adam steps taken
  private long observed; // samples observed
  private int pending; // samples in acc
  private double lastGradNorm;

  /** A trainer of {@code controller} with {@code config}. */
  public Reinforce(LstmController controller, ReinforceConfig config) {
    this.controller = controller;
    this.config = config;
    int n = controller.numParameters();
    m = new double[n];
    v = new double[n];
    acc = new double[n];
  }

  /** The controller being trained. */
  public LstmController controller() {
    return controller;
  }

  /** The settings. */
  public ReinforceConfig config() {
    return config;
  }

  /** The moving-average baseline (0 before the first observation). */
  public double baseline() {
    return baseline;
  }

  /** Adam steps taken. */
  public long steps() {
    return steps;
  }

  /** Samples observed. */
  public long observed() {
    return observed;
  }

  /** Samples in the current, not yet applied aggregate. */
  public int pending() {
    return pending;
  }

  /** Global norm of the last averaged gradient (before clipping), NaN before the first step. */
  public double lastGradNorm() {
    return steps == 0 ? Double.NaN : lastGradNorm;
  }

  /**
   * Reports the accuracy (or any reward, higher is better) of an action vector the controller
   * sampled; takes an Adam step when {@code aggregate} samples have been reported.
   */
  public Observation observe(int[] actions, double accuracy) {
    if (!Double.isFinite(accuracy)) throw new IllegalArgumentException("reward must be finite, got " + accuracy);
    LstmController.Tape tape = controller.forwardForced(actions);
    LstmController.Sample s = LstmController.result(tape);
    double reward = accuracy + config.entropyWeight() * s.entropy();
    updateBaseline(reward);
    boolean stepped = accumulate(tape, reward - baseline);
    return new Observation(reward, baseline, s.logProb(), s.entropy(), stepped);
  }

  /** The moving average takes one more reward (or starts at it, where so configured). */
  private void updateBaseline(double reward) {
    if (!baselineSet && config.baselineFromFirstReward()) {
      baseline = reward;
    } else {
      baseline = config.baselineDecay() * baseline + (1 - config.baselineDecay()) * reward;
    }
    baselineSet = true;
  }

  /** Adds one sample's loss gradient; takes the Adam step (and returns true) when the aggregate is full. */
  private boolean accumulate(LstmController.Tape tape, double advantage) {
    // loss = -logProb * advantage  =>  d loss = -advantage * d logProb
    controller.backward(tape, -advantage, 0.0, config.skipWeight(), acc);
    observed++;
    pending++;
    if (pending < config.aggregate()) return false;
    step();
    return true;
  }

  /**
   * Reports a group of samples scored on the same data (one validation batch) and uses the
   * group itself as each sample's baseline: sample {@code i}'s advantage is its reward minus the
   * mean reward of the others, {@code R_i - mean_{j != i} R_j} (the leave-one-out baseline of
   * Kool et al., "Buy 4 REINFORCE samples, get a baseline for free", 2019). The batch's
   * difficulty, which a moving average over samples scored on different batches cannot remove,
   * cancels from every advantage; what is left is how the samples differ on the same images.
   *
   * <p>The moving-average {@link #baseline()} is still updated with every reward (for the log)
   * but does not enter the loss. Adam steps are taken as in {@link #observe} whenever
   * {@code aggregate} samples are pending; a group must fit inside the current aggregate (it
   * normally is one), so that every sample of it is differentiated at the same weights.
   *
   * @param actions at least 2 action vectors the controller sampled
   * @param accuracies their accuracies on the same data, finite
   * @return one observation per sample, in order
   */
  public Observation[] observeGroup(int[][] actions, double[] accuracies) {
    int k = actions.length;
    if (k < 2) throw new IllegalArgumentException("a group needs at least 2 samples, got " + k);
    if (accuracies.length != k) {
      throw new IllegalArgumentException(k + " samples but " + accuracies.length + " accuracies");
    }
    if (pending + k > config.aggregate()) {  // a step inside the group would leave later tapes stale
      throw new IllegalArgumentException("a group of " + k + " with " + pending + " samples pending overruns the aggregate of "
          + config.aggregate() + "; groups must fit inside one aggregate");
    }
    for (double a : accuracies) if (!Double.isFinite(a)) throw new IllegalArgumentException("reward must be finite, got " + a);
    LstmController.Tape[] tapes = new LstmController.Tape[k];
    LstmController.Sample[] samples = new LstmController.Sample[k];
    double[] rewards = new double[k];
    double sum = 0;
    for (int i = 0; i < k; i++) {  // every sample scored at the weights before any step of this group
      tapes[i] = controller.forwardForced(actions[i]);
      samples[i] = LstmController.result(tapes[i]);
      rewards[i] = accuracies[i] + config.entropyWeight() * samples[i].entropy();
      sum += rewards[i];
    }
    Observation[] out = new Observation[k];
    for (int i = 0; i < k; i++) {
      updateBaseline(rewards[i]);
      boolean stepped = accumulate(tapes[i], rewards[i] - (sum - rewards[i]) / (k - 1));
      out[i] = new Observation(rewards[i], baseline, samples[i].logProb(), samples[i].entropy(), stepped);
    }
    return out;
  }

  private void step() {
    int n = acc.length;
    double scale = 1.0 / pending;
    double norm2 = 0;
    for (int k = 0; k < n; k++) {
      acc[k] *= scale;
      norm2 += acc[k] * acc[k];
    }
    lastGradNorm = Math.sqrt(norm2);
    if (config.gradBound() > 0 && lastGradNorm > config.gradBound()) {
      double c = config.gradBound() / lastGradNorm;
      for (int k = 0; k < n; k++) acc[k] *= c;
    }
    steps++;
    double b1 = config.beta1(), b2 = config.beta2();
    double lrT = config.learningRate() * Math.sqrt(1 - Math.pow(b2, steps)) / (1 - Math.pow(b1, steps));
    double[] theta = controller.theta();
    for (int k = 0; k < n; k++) {
      double g = acc[k];
      m[k] = b1 * m[k] + (1 - b1) * g;
      v[k] = b2 * v[k] + (1 - b2) * g * g;
      theta[k] -= lrT * m[k] / (Math.sqrt(v[k]) + config.epsilon());
      acc[k] = 0;
    }
    pending = 0;
  }

  /**
   * The whole training state as bytes: a header (magic, the spec's name, parameter count), then
   * baseline, flags, counters, and the weights, Adam moments and gradient accumulator as
   * big-endian doubles (exact).
   */
  public byte[] saveState() {
    try {
      ByteArrayOutputStream bo = new ByteArrayOutputStream();
      DataOutputStream out = new DataOutputStream(bo);
      out.writeLong(MAGIC);
      out.writeUTF(controller.spec().name());
      out.writeInt(controller.config().hidden());
      out.writeInt(acc.length);
      out.writeDouble(baseline);
      out.writeBoolean(baselineSet);
      out.writeLong(steps);
      out.writeLong(observed);
      out.writeInt(pending);
      out.writeDouble(lastGradNorm);
      for (double[] a : new double[][] {controller.theta(), m, v, acc}) {
        for (double x : a) out.writeDouble(x);
      }
      out.flush();
      return bo.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Restores {@link #saveState()}'s bytes (weights included).
   *
   * @throws IllegalArgumentException if the bytes are not such a state or belong to another
   *     spec or size
   */
  public void restoreState(byte[] state) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(state))) {
      if (in.readLong() != MAGIC) throw new IllegalArgumentException("not a jnas REINFORCE state (bad magic)");
      String spec = in.readUTF();
      if (!spec.equals(controller.spec().name())) {
        throw new IllegalArgumentException("state is for controller " + spec + ", this is " + controller.spec().name());
      }
      int hidden = in.readInt(), n = in.readInt();
      if (hidden != controller.config().hidden() || n != acc.length) {
        throw new IllegalArgumentException("state has hidden " + hidden + " and " + n + " parameters; this controller "
            + controller.config().hidden() + " and " + acc.length);
      }
      double b = in.readDouble();
      boolean bs = in.readBoolean();
      long st = in.readLong(), ob = in.readLong();
      int pe = in.readInt();
      double gn = in.readDouble();
      double[] theta = new double[n];
      double[] mm = new double[n], vv = new double[n], aa = new double[n];
      for (double[] a : new double[][] {theta, mm, vv, aa}) {
        for (int k = 0; k < n; k++) a[k] = in.readDouble();
      }
      if (in.read() != -1) throw new IllegalArgumentException("REINFORCE state has trailing bytes");
      controller.setParameters(theta);
      System.arraycopy(mm, 0, m, 0, n);
      System.arraycopy(vv, 0, v, 0, n);
      System.arraycopy(aa, 0, acc, 0, n);
      baseline = b;
      baselineSet = bs;
      steps = st;
      observed = ob;
      pending = pe;
      lastGradNorm = gn;
    } catch (IOException e) {
      throw new IllegalArgumentException("truncated REINFORCE state", e);
    }
  }

  /**
   * A JSON-ready summary plus the state: {@code {"format", "spec", "steps", "observed",
   * "baseline", "state": base64 of saveState()}} for a checkpoint's metadata file.
   */
  public Map<String, Object> stateMap() {
    Map<String, Object> mm = new LinkedHashMap<>();
    mm.put("format", "jnas.reinforce/1");
    mm.put("spec", controller.spec().name());
    mm.put("steps", steps);
    mm.put("observed", observed);
    mm.put("baseline", baseline);
    mm.put("state", Base64.getEncoder().encodeToString(saveState()));
    return mm;
  }

  /** Restores from {@link #stateMap()} (only {@code state} is read). */
  public void restoreStateMap(Map<String, Object> map) {
    Object s = map.get("state");
    if (!(s instanceof String str)) throw new IllegalArgumentException("REINFORCE state map lacks 'state'");
    restoreState(Base64.getDecoder().decode(str));
  }
}
