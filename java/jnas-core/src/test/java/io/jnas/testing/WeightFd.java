package io.jnas.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;

/**
 * Finite-difference check of a whole network's weight gradients: up to {@code want} random
 * weights with a nonzero gradient, central differences with step {@link Tolerances#SUPERNET_FD_STEP}/4,
 * tolerance {@link Tolerances#FD_ATOL} + {@link Tolerances#FD_RTOL}; at most one in twenty may
 * miss (a ReLU or max-pool kink can flip under the step for a rare weight).
 */
public final class WeightFd {
  private WeightFd() {}

  /**
   * Checks {@code grads} against central differences of {@code loss} (which sets the weights it
   * is given; {@code w} is restored and set once more at the end).
   *
   * @param atLeast the fewest weights with a gradient that must be found
   */
  public static void check(String what, float[] grads, float[] w, ToDoubleFunction<float[]> loss, SplittableRandom r, int want,
      int atLeast) {
    List<Integer> idx = new ArrayList<>();
    for (int tries = 0; tries < 20000 && idx.size() < want; tries++) {
      int i = r.nextInt(grads.length);
      if (grads[i] != 0f && !idx.contains(i)) idx.add(i);
    }
    assertTrue(idx.size() >= atLeast, what + ": few weights with a gradient: " + idx.size());
    double h = Tolerances.SUPERNET_FD_STEP / 4;
    int bad = 0;
    StringBuilder sb = new StringBuilder();
    for (int i : idx) {
      float orig = w[i];
      w[i] = (float) (orig + h);
      double lp = loss.applyAsDouble(w);
      w[i] = (float) (orig - h);
      double lm = loss.applyAsDouble(w);
      w[i] = orig;
      double numeric = (lp - lm) / (2 * h), analytic = grads[i];
      if (Math.abs(analytic - numeric) > Tolerances.FD_ATOL + Tolerances.FD_RTOL * Math.max(Math.abs(analytic), Math.abs(numeric))) {
        bad++;
        sb.append(String.format(Locale.ROOT, " [@%d] analytic=%.5g numeric=%.5g;", i, analytic, numeric));
      }
    }
    loss.applyAsDouble(w);
    if (bad > idx.size() / 20) fail(what + ": " + bad + " of " + idx.size() + " weight gradients off:" + sb);
  }
}
