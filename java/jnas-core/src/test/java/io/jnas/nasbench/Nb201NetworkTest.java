package io.jnas.nasbench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.jnas.backend.Kernels;
import io.jnas.backend.NativeNetwork.TensorInfo;
import io.jnas.space.Nb201Cell;
import io.jnas.tensor.IntTensor;
import io.jnas.tensor.Tensor;
import io.jnas.testing.WeightFd;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;

/**
 * The NAS-Bench-201 network through JNI: a hand count of its weights at the benchmark's size,
 * finite-difference gradients of the network of one cell, of the search network's discrete and
 * relaxed cells, the relaxed cell's architecture gradient (DARTS's first-order gradient)
 * against finite differences of the loss, and the zero-cost probes against hand values and an
 * identity they must satisfy.
 */
class Nb201NetworkTest {
  // every op, a node fed by none only (node 2 <- 0 by skip, 2 <- 1 none)
  static final Nb201Cell EVERY_OP =
      Nb201Cell.parse("|nor_conv_3x3~0|+|skip_connect~0|none~1|+|avg_pool_3x3~0|nor_conv_1x1~1|nor_conv_3x3~2|");
  static final Nb201Cell ALL_CONV3 =
      Nb201Cell.parse("|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|");
  static final Nb201Cell ALL_NONE = Nb201Cell.parse("|none~0|+|none~0|none~1|+|none~0|none~1|none~2|");

  private static Nb201Network.Config tiny(Nb201Cell cell, boolean bn) {
    return new Nb201Network.Config(cell, 2, 1, 3, 3, 8, 8, bn, 5);
  }

  private static Tensor images(SplittableRandom r, int b) {
    float[] v = new float[b * 3 * 8 * 8];
    for (int i = 0; i < v.length; i++) v[i] = (float) (r.nextDouble() * 2 - 1);
    return Tensor.of(v, b, 3, 8, 8);
  }

  @Test
  void weightsMatchAHandCountAtTheBenchmarksSize() {
    // C = 16, N = 5, CIFAR-10. stem 3*16*9 + BN 32 = 464; res0 (16 -> 32): a 32*16*9 + 64, b 32*32*9 + 64,
    // down 32*16 = 14464; res1 (32 -> 64): 18432 + 128 + 36864 + 128 + 2048 = 57600; lastact BN 128;
    // fc 64*10 + 10 = 650. Cells without weights: 73,306 (NB201's smallest network: 0.073 M).
    long base = 464 + 14464 + 57600 + 128 + 650;
    try (Nb201Network n = Nb201Network.of(Nb201Network.Config.benchmark(ALL_NONE, 1))) {
      assertEquals(base, n.numWeights());
    }
    // every edge nor_conv_3x3: per cell 6 x (9C^2 + 2C) for C = 16, 32, 64, five cells each:
    // 70,080 + 278,400 + 1,109,760; in all 1,531,546 (NB201's largest network: 1.53 M).
    long cells = 5L * 6 * ((9 * 16 * 16 + 32) + (9 * 32 * 32 + 64) + (9 * 64 * 64 + 128));
    try (Nb201Network n = Nb201Network.of(Nb201Network.Config.benchmark(ALL_CONV3, 1))) {
      assertEquals(base + cells, n.numWeights());
      assertEquals(1_531_546, n.numWeights());
    }
    // the search network holds every op once: per edge 1x1 (C^2 + 2C) and 3x3 (9C^2 + 2C)
    long search = 5L * 6 * ((10 * 16 * 16 + 64) + (10 * 32 * 32 + 128) + (10 * 64 * 64 + 256));
    try (Nb201Network n = Nb201Network.searchNetwork(Nb201Network.Config.benchmark(null, 1))) {
      assertEquals(base + search, n.numWeights());
    }
  }

  @Test
  void networkOfOneCellGradientsMatchFiniteDifferences() {
    SplittableRandom r = new SplittableRandom(2);
    try (Nb201Network net = Nb201Network.of(tiny(EVERY_OP, true)); Tensor x = images(r, 4);
        IntTensor y = IntTensor.of(new int[] {0, 1, 2, 1}, 4)) {
      net.forwardBackward(null, x, y);
      check("one cell", net.gradients(), net.weights(), w -> {
        net.setWeights(w);
        return net.forwardBackward(null, x, y).loss();
      }, r, 60);
    }
  }

  @Test
  void searchNetworkDiscreteAndRelaxedGradientsMatchFiniteDifferences() {
    SplittableRandom r = new SplittableRandom(3);
    try (Nb201Network net = Nb201Network.searchNetwork(tiny(null, true)); Tensor x = images(r, 4);
        IntTensor y = IntTensor.of(new int[] {2, 1, 0, 1}, 4)) {
      net.forwardBackward(EVERY_OP, x, y);
      check("discrete", net.gradients(), net.weights(), w -> {
        net.setWeights(w);
        return net.forwardBackward(EVERY_OP, x, y).loss();
      }, r, 60);
      float[] a = softmaxWeights(r);
      net.setArchWeights(a);
      net.forwardBackward(null, x, y);
      check("relaxed", net.gradients(), net.weights(), w -> {
        net.setWeights(w);
        return net.forwardBackward(null, x, y).loss();
      }, r, 100);
    }
  }

  /** Per edge a softmax of random logits: what DARTS feeds the mixed ops. */
  static float[] softmaxWeights(SplittableRandom r) {
    float[] w = new float[Nb201Network.ARCH_WEIGHTS];
    for (int e = 0; e < 6; e++) {
      double z = 0;
      double[] v = new double[5];
      for (int k = 0; k < 5; k++) z += v[k] = Math.exp(r.nextGaussian());
      for (int k = 0; k < 5; k++) w[e * 5 + k] = (float) (v[k] / z);
    }
    return w;
  }

  @Test
  void architectureGradientMatchesFiniteDifferencesOfTheLoss() {
    // Without batch norm the loss is smooth enough in the architecture weights for a tight
    // check of all 30. With batch statistics at 8x8 a step of any weight moves every
    // activation of every cell and finite differences scatter (ReLU kinks), so there the
    // check is that the two agree in direction over all 30.
    for (boolean bn : new boolean[] {false, true}) {
      SplittableRandom r = new SplittableRandom(4);
      try (Nb201Network net = Nb201Network.searchNetwork(tiny(null, bn)); Tensor x = images(r, 6);
          IntTensor y = IntTensor.of(new int[] {2, 1, 0, 1, 0, 2}, 6)) {
        float[] a = softmaxWeights(r);
        net.setArchWeights(a);
        net.forwardBackward(null, x, y);
        float[] g = net.archGradient();
        double h = 1e-4;
        double[] num = new double[a.length];
        StringBuilder bad = new StringBuilder();
        for (int i = 0; i < a.length; i++) {
          float orig = a[i];
          a[i] = (float) (orig + h);
          net.setArchWeights(a);
          double lp = net.forwardBackward(null, x, y).loss();
          a[i] = (float) (orig - h);
          net.setArchWeights(a);
          double lm = net.forwardBackward(null, x, y).loss();
          a[i] = orig;
          num[i] = (lp - lm) / (2 * h);
          if (i % 5 == 0) assertEquals(0f, g[i], "the none op's weight moves nothing");
          if (!bn && Math.abs(g[i] - num[i]) > 2e-3 + 1e-2 * Math.abs(num[i])) {
            bad.append(String.format(Locale.ROOT, " [%d] analytic %.5g numeric %.5g;", i, g[i], num[i]));
          }
        }
        if (bad.length() > 0) fail("architecture gradient off:" + bad);
        if (bn) {
          double dot = 0, gg = 0, nn = 0;
          for (int i = 0; i < a.length; i++) {
            dot += g[i] * num[i];
            gg += g[i] * g[i];
            nn += num[i] * num[i];
          }
          double cos = dot / Math.sqrt(gg * nn);
          assertTrue(cos > 0.97, "with batch norm: cosine of analytic and numeric " + cos);
        }
      }
    }
  }

  @Test
  void oneHotWeightsRunTheDiscreteCell() {
    SplittableRandom r = new SplittableRandom(5);
    try (Nb201Network net = Nb201Network.searchNetwork(tiny(null, true)); Tensor x = images(r, 4);
        IntTensor y = IntTensor.of(new int[] {0, 1, 2, 0}, 4)) {
      var d = net.forwardBackward(EVERY_OP, x, y);
      float[] gd = net.gradients();
      float[] w = new float[Nb201Network.ARCH_WEIGHTS];
      int[] ops = Nb201Network.ints(EVERY_OP);
      for (int e = 0; e < 6; e++) w[e * 5 + ops[e]] = 1f;
      net.setArchWeights(w);
      var m = net.forwardBackward(null, x, y);
      assertEquals(d.loss(), m.loss(), 1e-6f);
      float[] gm = net.gradients();
      for (int i = 0; i < gd.length; i++) assertEquals(gd[i], gm[i], 1e-6f + 1e-5f * Math.abs(gd[i]), "gradient " + i);
      // GDAS: an op not computed (weight 0) gets the sum of its edge's output gradient, the
      // same for every op of an edge; the computed op gets its own dot product
      float[] ga = net.archGradient();
      for (int e = 0; e < 6; e++) {
        int other1 = (ops[e] + 1) % 5, other2 = (ops[e] + 2) % 5;
        assertEquals(ga[e * 5 + other1], ga[e * 5 + other2], 1e-6f, "edge " + e);
      }
    }
  }

  @Test
  void activationPatternKernelCountsEveryReluAndMatchesAHandValue() {
    // hand value: codes (1, 0, 0) and (1, 1, 0) agree on 2 of 3 features
    try (Tensor x = Tensor.of(new float[] {1, -1, 0, 2, 3, -1}, 2, 3); Tensor k = Tensor.zeros(2, 2)) {
      assertEquals(0, Kernels.binaryCodeGram(k, x, 2, 3));
      assertArrayEquals(new float[] {3, 2, 2, 3}, k.toArray());
      assertEquals(Math.log(5), ZeroCost.logAbsDet(new double[][] {{3, 2}, {2, 3}}), 1e-12);
    }
    SplittableRandom r = new SplittableRandom(6);
    try (Nb201Network net = Nb201Network.searchNetwork(tiny(null, true)); Tensor x = images(r, 5)) {
      double[][] k = net.activationPatternKernel(EVERY_OP, x);
      // ReLUs of EVERY_OP at C = 2, 8x8, N = 1: three nor_convs per cell, at 2*8*8, 4*4*4, 8*2*2
      // inputs; res0: a 2*64, b 4*16; res1: a 4*16, b 8*4; lastact 8*4
      double features = 3 * 128 + 3 * 64 + 3 * 32 + 128 + 64 + 64 + 32 + 32;
      for (int i = 0; i < 5; i++) {
        assertEquals(features, k[i][i], "diagonal " + i);
        for (int j = 0; j < 5; j++) {
          assertEquals(k[i][j], k[j][i]);
          assertTrue(k[i][j] >= 0 && k[i][j] <= features);
        }
      }
    }
  }

  @Test
  void synflowSatisfiesEulersIdentity() {
    // Without batch norm, with |weights| and a positive input, every ReLU passes its input, so
    // the sum of the logits R is linear in each layer's weights along every path; a layer that
    // every path crosses (the stem, the classifier) has sum(theta * dR/dtheta) = R exactly.
    SplittableRandom r = new SplittableRandom(7);
    try (Nb201Network net = Nb201Network.searchNetwork(tiny(null, false)); Tensor ones = Tensor.zeros(1, 3, 8, 8)) {
      float[] w = net.weights();
      for (int i = 0; i < w.length; i++) w[i] = Math.abs(w[i]);
      net.setWeights(w);
      ones.fill(1f);
      for (Nb201Cell cell : List.of(EVERY_OP, ALL_CONV3)) {
        float[] logits = net.predict(cell, ones);
        double rsum = 0;
        for (float v : logits) rsum += v;
        net.sumOfLogitsBackward(cell, ones, 1f);
        float[] g = net.gradients();
        for (TensorInfo t : net.tensors()) {
          if (!t.name().equals("stem.w") && !t.name().equals("fc.w")) continue;
          double s = 0;
          for (long i = t.offset(); i < t.offset() + t.size(); i++) s += (double) w[(int) i] * g[(int) i];
          assertEquals(rsum, s, 1e-4 * Math.abs(rsum), cell + " " + t.name());
        }
      }
    }
  }

  @Test
  void zeroCostScoresOrderObviousCells() {
    SplittableRandom r = new SplittableRandom(8);
    try (Tensor x = images(r, 8); IntTensor y = IntTensor.of(new int[] {0, 1, 2, 0, 1, 2, 0, 1}, 8);
        ZeroCost zc = new ZeroCost(tiny(null, true), x, y)) {
      ZeroCost.Scores none = zc.score(ALL_NONE), conv = zc.score(ALL_CONV3), every = zc.score(EVERY_OP);
      assertEquals(Double.NEGATIVE_INFINITY, none.synflow(), "no path from input to output");
      assertTrue(conv.synflow() > every.synflow(), ZeroCost.format(conv) + " vs " + ZeroCost.format(every));
      assertTrue(Double.isFinite(conv.naswot()) && conv.naswot() > 0, ZeroCost.format(conv));
      assertTrue(conv.snip() > 0 && conv.gradNorm() > 0);
      // the same cell scores the same twice (the scorer does not train)
      assertEquals(conv, zc.score(ALL_CONV3));
      assertEquals(ZeroCost.Proxy.GRAD_NORM, ZeroCost.Proxy.of("grad_norm"));
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ZeroCost.Proxy.of("jacob"));
      assertTrue(e.getMessage().contains("synflow, naswot, grad_norm, snip"), e.getMessage());
    }
  }

  @Test
  void gradNormAndSnipAreTheirDefinitionsOverTheConvolutionAndLinearWeights() {
    // by hand from the same network's weights and gradients: sum over the conv/linear weight
    // tensors of |g|_2, and of |theta * g|; batch-norm and bias tensors excluded
    SplittableRandom r = new SplittableRandom(9);
    Nb201Network.Config cfg = tiny(null, true).withSeed(77);
    try (Tensor x = images(r, 6); IntTensor y = IntTensor.of(new int[] {0, 1, 2, 0, 1, 2}, 6);
        ZeroCost zc = new ZeroCost(cfg, x, y); Nb201Network net = Nb201Network.searchNetwork(cfg)) {
      ZeroCost.Scores s = zc.score(EVERY_OP);
      net.forwardBackward(EVERY_OP, x, y);
      float[] g = net.gradients(), w = net.weights();
      double gn = 0, snip = 0;
      int tensors = 0;
      for (TensorInfo t : net.tensors()) {
        boolean conv = t.name().endsWith(".w");
        assertEquals(conv, !t.name().endsWith(".gamma") && !t.name().endsWith(".beta") && !t.name().equals("fc.b"), t.name());
        if (!conv) continue;
        tensors++;
        double sq = 0;
        for (long i = t.offset(); i < t.offset() + t.size(); i++) {
          sq += (double) g[(int) i] * g[(int) i];
          snip += Math.abs((double) g[(int) i] * w[(int) i]);
        }
        gn += Math.sqrt(sq);
      }
      assertTrue(tensors > 10);
      assertEquals(gn, s.gradNorm(), 1e-9 * gn);
      assertEquals(snip, s.snip(), 1e-9 * snip);
    }
  }

  @Test
  void badArgumentsAreNamed() {
    try (Nb201Network net = Nb201Network.searchNetwork(tiny(null, true)); Tensor x = images(new SplittableRandom(1), 2)) {
      IllegalStateException s = assertThrows(IllegalStateException.class, () -> net.predict(null, x));
      assertTrue(s.getMessage().contains("no cell and no architecture weights"), s.getMessage());
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> net.setArchWeights(new float[29]));
      assertTrue(e.getMessage().contains("29 architecture weights, expected 30"), e.getMessage());
      float[] w = new float[30];
      w[3] = Float.NaN;
      e = assertThrows(IllegalArgumentException.class, () -> net.setArchWeights(w));
      assertTrue(e.getMessage().contains("architecture weight 3 is NaN"), e.getMessage());
    }
    try (Nb201Network net = Nb201Network.of(tiny(EVERY_OP, true)); Tensor x = images(new SplittableRandom(1), 2)) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> net.predict(ALL_NONE, x));
      assertTrue(e.getMessage().contains("this network is of cell"), e.getMessage());
      assertThrows(IllegalStateException.class, net::archGradient);
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new Nb201Network.Config(null, 0, 5, 10, 3, 32, 32, true, 1));
    assertTrue(e.getMessage().contains("channels is 0"), e.getMessage());
  }

  private static void check(String what, float[] grads, float[] w, ToDoubleFunction<float[]> loss, SplittableRandom r,
      int want) {
    WeightFd.check(what, grads, w, loss, r, want, want / 2);
  }
}
