package io.jnas.darts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnas.data.Augmentation;
import io.jnas.data.Dataset;
import io.jnas.genotype.Genotype;
import io.jnas.genotype.Op;
import io.jnas.tensor.IntTensor;
import io.jnas.tensor.Tensor;
import io.jnas.testing.WeightFd;
import io.jnas.train.FinalNetwork;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * DARTS's search network through JNI: finite-difference gradients of the weights (every op of
 * DARTS's list, normal and reduction cells) and of the architecture weights, DARTS's genotype
 * rule on hand-set alphas, and a short search whose genotype the final network trains.
 */
class DartsSearchTest {
  // 3 cells (reductions at 1 and 2), 2 nodes, C = 4, 8x8 images, 3 classes
  static DartsSearchNetwork.Config tiny() {
    return new DartsSearchNetwork.Config(4, 3, 2, DartsSearchNetwork.DARTS_OPS, 3, 3, 8, 8, 7);
  }

  private static Tensor images(SplittableRandom r, int b) {
    float[] v = new float[b * 3 * 8 * 8];
    for (int i = 0; i < v.length; i++) v[i] = (float) (r.nextDouble() * 2 - 1);
    return Tensor.of(v, b, 3, 8, 8);
  }

  private static float[] softmaxWeights(SplittableRandom r, int n, int k) {
    double[] a = new double[n];
    for (int i = 0; i < n; i++) a[i] = r.nextGaussian();
    return Relaxation.softmax(a, 1, k);
  }

  @Test
  void weightAndArchitectureGradientsMatchFiniteDifferences() {
    SplittableRandom r = new SplittableRandom(1);
    try (DartsSearchNetwork net = new DartsSearchNetwork(tiny()); Tensor x = images(r, 6);
        IntTensor y = IntTensor.of(new int[] {0, 1, 2, 0, 1, 2}, 6)) {
      assertEquals(2 * 5 * 8, net.archSize());
      float[] a = softmaxWeights(r, net.archSize(), 8);
      net.setArchWeights(a);
      net.lossAndGradients(x, y);
      WeightFd.check("darts weights", net.gradients(), net.weights(), w -> {
        net.setWeights(w);
        return net.lossAndGradients(x, y);
      }, r, 100, 0);
      // architecture weights: with batch statistics a step of any of them moves every activation (ReLU kinks
      // scatter finite differences), so the check is direction over all 80 and closeness for most
      net.lossAndGradients(x, y);
      float[] ga = net.archGradient();
      double dot = 0, gg = 0, nn = 0;
      int close = 0;
      for (int i = 0; i < a.length; i++) {
        float o = a[i];
        a[i] = (float) (o + 1e-3);
        net.setArchWeights(a);
        double lp = net.lossAndGradients(x, y);
        a[i] = (float) (o - 1e-3);
        net.setArchWeights(a);
        double lm = net.lossAndGradients(x, y);
        a[i] = o;
        double num = (lp - lm) / 2e-3;
        if (i % 8 == 0) assertEquals(0f, ga[i], "the none op's weight moves nothing");
        dot += ga[i] * num;
        gg += ga[i] * ga[i];
        nn += num * num;
        if (Math.abs(ga[i] - num) <= 5e-3 + 0.1 * Math.abs(num)) close++;
      }
      double cos = dot / Math.sqrt(gg * nn);
      assertTrue(cos > 0.97, "cosine of analytic and numeric architecture gradients " + cos);
      assertTrue(close >= 0.75 * a.length, close + " of " + a.length + " architecture gradients close");
    }
  }

  @Test
  void genotypeTakesTheTwoStrongestEdgesPerNodeNoneExcluded() {
    DartsSearchNetwork.Config nc = tiny();  // 2 nodes: edges 0,1 (node 0), 2,3,4 (node 1)
    double[] alpha = new double[2 * 5 * 8];
    // normal: node 0 edge 0 strongest none (ignored) then sep_conv_3x3; edge 1 max_pool
    alpha[0 * 8 + 0] = 9;
    alpha[0 * 8 + 4] = 2;
    alpha[1 * 8 + 1] = 3;
    // node 1: edge 4 (from node 0) dil_conv_5x5 strong, edge 2 skip, edge 3 weak
    alpha[4 * 8 + 7] = 5;
    alpha[2 * 8 + 3] = 4;
    alpha[3 * 8 + 5] = 0.5;
    Genotype g = DartsSearch.genotype(alpha, nc);
    assertEquals(List.of("max_pool_3x3", "sep_conv_3x3", "dil_conv_5x5", "skip_connect"),
        g.normal().stream().map(x -> x.op().label()).toList());
    assertEquals(List.of(1, 0, 2, 0), g.normal().stream().map(x -> x.input()).toList());
    assertEquals(List.of(2, 3), g.normalConcat());
    assertEquals(DartsSearch.Method.GDAS, DartsSearch.Method.of("gdas"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DartsSearch.Method.of("darts"));
    assertTrue(e.getMessage().contains("darts-v1, darts-v2, gdas"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> new DartsSearchNetwork.Config(4, 3, 2, List.of(Op.NONE, Op.NONE), 3, 3, 8, 8, 1));
    assertTrue(e.getMessage().contains("listed twice"), e.getMessage());
  }

  @Test
  void aShortSearchOfEachMethodEndsInAGenotypeTheFinalNetworkTrains() {
    SplittableRandom r = new SplittableRandom(3);
    float[] px = new float[64 * 3 * 8 * 8];
    int[] lab = new int[64];
    for (int i = 0; i < 64; i++) {
      lab[i] = i % 3;
      for (int k = 0; k < 192; k++) px[i * 192 + k] = (float) (r.nextDouble() + (k / 64 == lab[i] ? 0.5 : 0));
    }
    Dataset all = Dataset.ofFloats("toy", px, lab, 3, 8, 8, List.of("a", "b", "c"));
    for (DartsSearch.Method m : DartsSearch.Method.values()) {
      DartsSearch.Config c = new DartsSearch.Config(m, 2, 8, 0.025, 0.001, 0.9, 3e-4, 5, 3e-4, 1e-3, 5, tiny());
      List<String> log = new ArrayList<>();
      DartsSearch.Result res = DartsSearch.run(c, all.range(0, 32), all.range(32, 64), Augmentation.none(), log::add);
      assertEquals(2, res.epochs().size());
      assertEquals(2, log.size(), log.toString());
      Genotype g = res.genotype();
      assertEquals(4, g.normal().size());
      try (FinalNetwork f = new FinalNetwork(new FinalNetwork.Config(g, 4, 3, 3, 3, 8, 8, false, 1));
          Tensor x = images(r, 4); IntTensor y = IntTensor.of(new int[] {0, 1, 2, 0}, 4)) {
        assertTrue(Float.isFinite(f.trainStep(x, y, new FinalNetwork.Hyper(0.01f, 0.9f, 3e-4f, 5f, 1f, 1f), 0.5f, 1).loss()), m.token());
      }
    }
  }
}
