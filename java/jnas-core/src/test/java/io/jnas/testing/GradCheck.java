package io.jnas.testing;

import static org.junit.jupiter.api.Assertions.fail;

import io.jnas.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Central finite differences against an op's backward, through the JNI path.
 *
 * <p>The scalar loss is {@code L = sum(out * R)} for a fixed random {@code R}, accumulated in
 * double, so {@code dL/dout = R}. Each gradient buffer starts at random values (not zero):
 * the check reads {@code after - before}, which also proves the gradient rule (backward adds
 * into its buffers). A failure reports the tensor's name, the largest absolute and relative
 * errors, where, and the first few (analytic, numeric) pairs.
 */
public final class GradCheck {
  private final String op;
  private final List<String> names = new ArrayList<>();
  private final List<Tensor> inputs = new ArrayList<>();
  private final List<Tensor> grads = new ArrayList<>();
  private int samplesPerTensor = 40;
  private long seed = 1234;

  private GradCheck(String op) {
    this.op = op;
  }

  /** Starts a check of the named op. */
  public static GradCheck of(String op) {
    return new GradCheck(op);
  }

  /** Registers an input and the buffer its backward writes the gradient into. */
  public GradCheck wrt(String name, Tensor input, Tensor grad) {
    if (!java.util.Arrays.equals(input.shape(), grad.shape())) {
      throw new IllegalArgumentException(name + ": gradient shape differs from input shape");
    }
    names.add(name);
    inputs.add(input);
    grads.add(grad);
    return this;
  }

  /** How many elements of each input to perturb (all of them if the tensor is smaller). */
  public GradCheck samples(int n) {
    this.samplesPerTensor = n;
    return this;
  }

  /** Seed of R and of the sampled positions. */
  public GradCheck seed(long s) {
    this.seed = s;
    return this;
  }

  /**
   * Runs the check.
   *
   * @param forward computes the op from the registered inputs and returns its output
   *     (the same tensor each call is fine)
   * @param backward given dout, adds the gradients into the registered buffers; it runs
   *     right after a forward on the unperturbed inputs
   */
  public void run(Supplier<Tensor> forward, Consumer<Tensor> backward) {
    SplittableRandom rng = new SplittableRandom(seed);
    Tensor out = forward.get();
    float[] r = new float[Math.toIntExact(out.size())];
    for (int i = 0; i < r.length; i++) r[i] = (float) (rng.nextDouble() * 2 - 1);
    List<float[]> before = new ArrayList<>();
    for (Tensor g : grads) {
      float[] b = new float[Math.toIntExact(g.size())];
      for (int i = 0; i < b.length; i++) b[i] = (float) (rng.nextDouble() - 0.5);
      g.copyFrom(b);
      before.add(b);
    }
    try (Tensor dout = Tensor.of(r, out.shape())) {
      backward.accept(dout);
    }
    StringBuilder failures = new StringBuilder();
    for (int t = 0; t < inputs.size(); t++) {
      Tensor x = inputs.get(t);
      float[] after = grads.get(t).toArray();
      float[] b = before.get(t);
      int n = Math.toIntExact(x.size());
      int[] positions = positions(rng, n);
      double maxAbs = 0, maxRel = 0;
      int worst = -1;
      int bad = 0;
      StringBuilder pairs = new StringBuilder();
      for (int p : positions) {
        float orig = x.get(p);
        x.set(p, (float) (orig + Tolerances.FD_STEP));
        double lp = loss(forward.get(), r);
        x.set(p, (float) (orig - Tolerances.FD_STEP));
        double lm = loss(forward.get(), r);
        x.set(p, orig);
        // the step actually taken, after rounding to float
        double h = ((double) (float) (orig + Tolerances.FD_STEP) - (double) (float) (orig - Tolerances.FD_STEP));
        double numeric = (lp - lm) / h;
        double analytic = (double) after[p] - (double) b[p];
        double abs = Math.abs(analytic - numeric);
        double rel = abs / Math.max(1e-12, Math.max(Math.abs(analytic), Math.abs(numeric)));
        if (abs > maxAbs) {
          maxAbs = abs;
          worst = p;
        }
        maxRel = Math.max(maxRel, Math.min(rel, abs / Tolerances.FD_ATOL));
        if (abs > Tolerances.FD_ATOL + Tolerances.FD_RTOL * Math.max(Math.abs(analytic), Math.abs(numeric))) {
          bad++;
          if (bad <= 5) pairs.append(String.format(Locale.ROOT, " [%d] analytic=%.6g numeric=%.6g;", p, analytic, numeric));
        }
      }
      if (bad > 0) {
        failures.append(String.format(Locale.ROOT,
            "%s: gradient of %s: %d of %d sampled elements off; max abs err %.3g at %d, max rel err %.3g;%s%n",
            op, names.get(t), bad, positions.length, maxAbs, worst, maxRel, pairs));
      }
    }
    forward.get();  // leave the outputs of the unperturbed inputs behind
    if (failures.length() > 0) fail(failures.toString());
  }

  private int[] positions(SplittableRandom rng, int n) {
    if (n <= samplesPerTensor) {
      int[] all = new int[n];
      for (int i = 0; i < n; i++) all[i] = i;
      return all;
    }
    int[] p = new int[samplesPerTensor];
    for (int i = 0; i < p.length; i++) p[i] = rng.nextInt(n);
    return p;
  }

  private static double loss(Tensor out, float[] r) {
    float[] o = out.toArray();
    double s = 0;
    for (int i = 0; i < o.length; i++) s += (double) o[i] * r[i];
    return s;
  }

  /** Asserts two arrays agree within the reference tolerances; reports the worst element. */
  public static void assertClose(String what, float[] expected, float[] actual) {
    assertClose(what, expected, actual, Tolerances.REF_ATOL, Tolerances.REF_RTOL);
  }

  /** Asserts two arrays agree within {@code atol + rtol*|expected|}; reports the worst element. */
  public static void assertClose(String what, float[] expected, float[] actual, double atol, double rtol) {
    if (expected.length != actual.length) fail(what + ": length " + actual.length + ", expected " + expected.length);
    double maxAbs = 0, maxRel = 0;
    int worst = -1, bad = 0;
    StringBuilder pairs = new StringBuilder();
    for (int i = 0; i < expected.length; i++) {
      double abs = Math.abs((double) expected[i] - actual[i]);
      if (Double.isNaN(actual[i]) && !Double.isNaN(expected[i])) abs = Double.POSITIVE_INFINITY;
      double rel = abs / Math.max(1e-12, Math.abs(expected[i]));
      if (abs > maxAbs) {
        maxAbs = abs;
        worst = i;
      }
      maxRel = Math.max(maxRel, rel);
      if (abs > atol + rtol * Math.abs(expected[i])) {
        bad++;
        if (bad <= 5) pairs.append(String.format(Locale.ROOT, " [%d] expected=%.6g actual=%.6g;", i, expected[i], actual[i]));
      }
    }
    if (bad > 0) {
      fail(String.format(Locale.ROOT, "%s: %d of %d elements off; max abs err %.3g at %d, max rel err %.3g;%s", what, bad,
          expected.length, maxAbs, worst, maxRel, pairs));
    }
  }
}
