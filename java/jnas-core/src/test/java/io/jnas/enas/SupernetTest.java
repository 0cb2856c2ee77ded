package io.jnas.enas;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.jnas.backend.NetworkPlan;
import io.jnas.space.NasNetSpace;
import io.jnas.tensor.IntTensor;
import io.jnas.tensor.Tensor;
import io.jnas.testing.Tolerances;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The whole supernet step through JNI: gradients, sampled-path-only updates, determinism, errors. */
class SupernetTest {
  // Small but complete: L=1 puts both reductions first (layers 0 and 1), then one normal layer.
  private static final Supernet.Config SMALL = new Supernet.Config(3, 8, 8, 4, 1, 4, 3, 7);

  static int[] randomArc(SplittableRandom rng, int nodes) {
    int[] a = new int[4 * nodes];
    for (int j = 0; j < nodes; j++) {
      a[4 * j] = rng.nextInt(j + 2);
      a[4 * j + 1] = rng.nextInt(Supernet.NUM_OPS);
      a[4 * j + 2] = rng.nextInt(j + 2);
      a[4 * j + 3] = rng.nextInt(Supernet.NUM_OPS);
    }
    return a;
  }

  private static Tensor images(SplittableRandom rng, int b, Supernet.Config c) {
    float[] v = new float[b * c.inChannels() * c.height() * c.width()];
    for (int i = 0; i < v.length; i++) v[i] = (float) (rng.nextDouble() * 2 - 1);
    return Tensor.of(v, b, c.inChannels(), c.height(), c.width());
  }

  private static IntTensor labels(SplittableRandom rng, int b, int classes) {
    int[] l = new int[b];
    for (int i = 0; i < b; i++) l[i] = rng.nextInt(classes);
    return IntTensor.of(l, b);
  }

  @Test
  void gradientsMatchFiniteDifferences() {
    SplittableRandom rng = new SplittableRandom(3);
    // every op appears: node 0 sep3 + sep5, node 1 avg + max, node 2 identity + sep3
    int[] normal = {0, 0, 1, 1, 2, 2, 0, 3, 3, 4, 1, 0};
    int[] reduce = randomArc(rng, 3);
    gradientCheck(SMALL, normal, reduce, rng, 40);
    directionalCheck(SMALL, normal, reduce, new SplittableRandom(6));
  }

  /** NASNet's 13 candidates, each on at least one edge, and its cell output (unread nodes only). */
  @Test
  void nasnetCandidatesGradientsMatchFiniteDifferences() {
    Supernet.Config c = new Supernet.Config(3, 8, 8, 4, 1, 4, 4, 7, Supernet.Candidates.of(NasNetSpace.nasnet(4)));
    int[] normal = {0, 0, 1, 1, 0, 2, 2, 3, 1, 4, 3, 5, 2, 6, 4, 7};
    int[] reduce = {0, 8, 1, 9, 2, 10, 0, 11, 3, 12, 1, 0, 4, 5, 0, 9};
    gradientCheck(c, normal, reduce, new SplittableRandom(4), 60);
    directionalCheck(c, normal, reduce, new SplittableRandom(5));
  }

  /** NASNet's candidates with the combiner: concat nodes (their halves and BN) and add nodes in both cells. */
  @Test
  void combinerGradientsMatchFiniteDifferences() {
    Supernet.Config c = new Supernet.Config(3, 8, 8, 4, 1, 4, 3, 7, Supernet.Candidates.of(NasNetSpace.nasnet(3).withCombiner()));
    int[] normal = {0, 10, 1, 4, 1, 0, 2, 2, 8, 0, 1, 11, 3, 5, 1};  // concat, add, concat
    int[] reduce = {1, 12, 0, 5, 1, 2, 9, 0, 3, 0, 0, 6, 3, 1, 0};   // concat, add, add
    gradientCheck(c, normal, reduce, new SplittableRandom(8), 40);
    directionalCheck(c, normal, reduce, new SplittableRandom(9));
    try (Supernet net = new Supernet(c)) {
      assertTrue(net.tensors().stream().anyMatch(t -> t.name().equals("layer2.node2.concat.w1")));
      assertEquals(List.of(0, 2), net.plan(normal, reduce).cells().get(2).concatNodes());
      int[] bad = normal.clone();
      bad[9] = 2;
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> net.plan(bad, reduce));
      assertTrue(e.getMessage().contains("normal_arc[9] = 2: the combiner of node 1 must be 0 (add) or 1 (concat)"), e.getMessage());
      e = assertThrows(IllegalArgumentException.class, () -> net.plan(new int[12], reduce));
      assertTrue(e.getMessage().contains("expected 15 (5 per node, 3 nodes)"), e.getMessage());
    }
  }

  /**
   * {@code --supernet-reduce strided}: the reduction cells run their input ops at stride 2 (every
   * ENAS op on a cell input: sep3, sep5, avg, max, and skip as a factorized reduce), and a cell
   * input no node reads is halved by its own FR before it joins the output. Checked tensor by
   * tensor (every tensor on the path), with ENAS's layout on the same arcs beside it.
   */
  @Test
  void stridedReductionGradientsMatchFiniteDifferences() {
    Supernet.Config c = SMALL.withStridedReduce(true);
    int[] normal = {0, 0, 1, 1, 2, 2, 0, 3, 3, 4, 1, 0};
    int[][] reduces = {
        {1, 0, 1, 1, 1, 2, 2, 3, 1, 4, 3, 0},  // input 0 unread (its FR joins the output); input 1 through sep3, sep5, avg, skip
        {0, 3, 1, 4, 0, 1, 2, 2, 3, 0, 1, 3},  // both inputs read: max, skip, sep5 on them
        {0, 0, 1, 0, 0, 1, 2, 0, 3, 0, 3, 0}};  // separable convolutions only
    for (int[] reduce : reduces) {
      directionalCheck(c, normal, reduce, new SplittableRandom(21));
      directionalCheck(SMALL, normal, reduce, new SplittableRandom(21));
    }
    try (Supernet net = new Supernet(c); Supernet enas = new Supernet(SMALL)) {
      List<String> names = net.tensors().stream().map(Supernet.TensorInfo::name).toList();
      assertTrue(names.contains("layer0.output.in0.fr.w1"), "an unread input's FR in a reduction layer");
      assertFalse(names.stream().anyMatch(n -> n.startsWith("layer0.reduce.")), "no factorized reduce of its own");
      assertTrue(enas.tensors().stream().anyMatch(t -> t.name().startsWith("layer0.reduce.")), "ENAS's reduction has one");
      var cells = net.plan(normal, reduces[0]).cells();
      for (var e : cells.get(0).edges()) assertEquals(e.from() < 2 ? 2 : 1, e.stride(), e.toString());
      for (var e : cells.get(2).edges()) assertEquals(1, e.stride(), "a normal cell: " + e);
      assertEquals(4, cells.get(0).height(), "8x8 images: the first reduction cell's output is 4x4");
      for (var e : enas.plan(normal, reduces[0]).cells().get(0).edges()) assertEquals(1, e.stride(), "ENAS: stride 1 after its FR");
    }
  }

  /**
   * For every tensor with a gradient: the loss's derivative along that tensor's gradient,
   * by central differences, against the gradient's norm. This tiny supernet (batch norm over
   * 2x2 maps) is so curved that {@link #gradientCheck}'s per-weight step of 1e-3 misjudges many
   * weights on most arcs (ENAS's layout as much as the strided one); along a direction a step
   * of 3e-5 agrees to about 0.1%, and float32 rounding of the loss stays near 0.004.
   */
  private static void directionalCheck(Supernet.Config config, int[] normal, int[] reduce, SplittableRandom rng) {
    try (Supernet net = new Supernet(config); Tensor x = images(rng, 6, config); IntTensor y = labels(rng, 6, 4)) {
      net.forwardBackward(normal, reduce, x, y, 1f, 0);
      float[] g = net.get(Supernet.Buffer.GRADIENTS), w = net.get(Supernet.Buffer.WEIGHTS);
      int checked = 0;
      StringBuilder bad = new StringBuilder();
      for (Supernet.TensorInfo t : net.tensors()) {
        int from = (int) t.offset(), to = (int) (t.offset() + t.size());
        double norm2 = 0;
        for (int i = from; i < to; i++) norm2 += (double) g[i] * g[i];
        if (norm2 == 0) continue;
        double h = 3e-5, scale = h / Math.sqrt(norm2);
        float[] plus = w.clone(), minus = w.clone();
        for (int i = from; i < to; i++) {
          plus[i] += (float) (scale * g[i]);
          minus[i] -= (float) (scale * g[i]);
        }
        net.set(Supernet.Buffer.WEIGHTS, plus);
        double lp = net.evaluate(normal, reduce, x, y).loss();
        net.set(Supernet.Buffer.WEIGHTS, minus);
        double lm = net.evaluate(normal, reduce, x, y).loss();
        double numeric = (lp - lm) / (2 * h), analytic = Math.sqrt(norm2);
        checked++;
        if (Math.abs(numeric - analytic) > 0.01 + 0.02 * analytic) {
          bad.append(String.format(Locale.ROOT, " [%s] analytic=%.5g numeric=%.5g;", t.name(), analytic, numeric));
        }
      }
      net.set(Supernet.Buffer.WEIGHTS, w);
      assertTrue(checked > 40, "too few tensors on the path: " + checked);
      if (bad.length() > 0) fail("supernet (strided reduce " + config.stridedReduce() + ", reduce " + java.util.Arrays.toString(reduce)
          + "): directional derivatives off:" + bad);
    }
  }

  private static void gradientCheck(Supernet.Config config, int[] normal, int[] reduce, SplittableRandom rng, int minTensors) {
    try (Supernet net = new Supernet(config); Tensor x = images(rng, 6, config); IntTensor y = labels(rng, 6, 4)) {
      net.forwardBackward(normal, reduce, x, y, 1f, 0);
      float[] grads = net.get(Supernet.Buffer.GRADIENTS);
      float[] w = net.get(Supernet.Buffer.WEIGHTS);
      // sample weights with a non-zero gradient from every tensor that has one
      List<Integer> idx = new ArrayList<>();
      for (Supernet.TensorInfo t : net.tensors()) {
        for (int tries = 0; tries < 20; tries++) {
          int i = (int) (t.offset() + rng.nextLong(t.size()));
          if (grads[i] != 0f) {
            idx.add(i);
            break;
          }
        }
      }
      assertTrue(idx.size() > minTensors, "too few tensors on the sampled path: " + idx.size());
      int bad = 0;
      StringBuilder sb = new StringBuilder();
      double h = Tolerances.SUPERNET_FD_STEP;
      for (int i : idx) {
        float orig = w[i];
        w[i] = (float) (orig + h);
        net.set(Supernet.Buffer.WEIGHTS, w);
        double lp = net.evaluate(normal, reduce, x, y).loss();
        w[i] = (float) (orig - h);
        net.set(Supernet.Buffer.WEIGHTS, w);
        double lm = net.evaluate(normal, reduce, x, y).loss();
        w[i] = orig;
        double numeric = (lp - lm) / (2 * h);
        double analytic = grads[i];
        // the loss is a mean of float32 terms: rounding of about 1e-6 over 2h
        if (Math.abs(analytic - numeric) > Tolerances.FD_ATOL + Tolerances.FD_RTOL * Math.max(Math.abs(analytic), Math.abs(numeric))) {
          bad++;
          sb.append(String.format(Locale.ROOT, " [%s @%d] analytic=%.5g numeric=%.5g;", name(net, i), i, analytic, numeric));
        }
      }
      // ReLU and max-pool kinks can flip under a step of h for a rare weight
      if (bad > idx.size() / 20) fail("supernet: " + bad + " of " + idx.size() + " weight gradients off:" + sb);
    }
  }

  /**
   * ENAS's cell concatenates every unread state, inputs included; NASNet's only the unread
   * nodes: no output weights for the inputs, and the plan's outputs are nodes.
   */
  @Test
  void nasnetCellOutputIsItsUnreadNodes() {
    int[] arc = {0, 0, 0, 1, 2, 3, 0, 4, 2, 2, 3, 1};  // input 1 unread; nodes 0, 1 read; node 2 unread
    Supernet.Config nas = new Supernet.Config(3, 8, 8, 4, 1, 4, 3, 7, Supernet.Candidates.of(NasNetSpace.amoebanet(3)));
    try (Supernet enas = new Supernet(SMALL); Supernet amoeba = new Supernet(nas)) {
      assertEquals(8, amoeba.numOps());
      assertTrue(enas.tensors().stream().anyMatch(t -> t.name().equals("layer2.final.w1")));
      assertTrue(amoeba.tensors().stream().noneMatch(t -> t.name().matches("layer\\d+\\.final\\.w[01]")));
      for (NetworkPlan.Cell cell : enas.plan(arc, arc).cells()) assertEquals(List.of(1, 4), cell.outputs(), cell.name());
      for (NetworkPlan.Cell cell : amoeba.plan(arc, arc).cells()) assertEquals(List.of(4), cell.outputs(), cell.name());
      int[] op8 = arc.clone();
      op8[1] = 8;
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> amoeba.plan(op8, arc));
      assertTrue(e.getMessage().contains("op must be in [0, 8)"), e.getMessage());
      assertThrows(IllegalArgumentException.class, () -> enas.plan(new int[] {0, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, arc));
    }
  }

  private static String name(Supernet net, long i) {
    for (Supernet.TensorInfo t : net.tensors()) if (i >= t.offset() && i < t.offset() + t.size()) return t.name();
    return "?";
  }

  @Test
  void onlyTheSampledPathGetsGradients() {
    SplittableRandom rng = new SplittableRandom(5);
    int[] normal = {0, 0, 1, 2, 2, 4, 2, 3, 3, 1, 0, 4};  // node 0: in0 sep3, in1 avg
    int[] reduce = {1, 1, 0, 4, 2, 0, 1, 3, 0, 2, 3, 1};
    try (Supernet net = new Supernet(SMALL); Tensor x = images(rng, 4, SMALL); IntTensor y = labels(rng, 4, 4)) {
      net.forwardBackward(normal, reduce, x, y, 1f, 0);
      float[] g = net.get(Supernet.Buffer.GRADIENTS);
      for (Supernet.TensorInfo t : net.tensors()) {
        double sum = 0;
        for (long k = t.offset(); k < t.offset() + t.size(); k++) sum += Math.abs(g[(int) k]);
        String n = t.name();
        // layer 2 is the normal layer; its node 0 input 0 runs sep3, input 1 runs avg pool
        if (n.startsWith("layer2.node0.in0.sep3.")) assertTrue(sum > 0, n + " is on the path but has no gradient");
        if (n.startsWith("layer2.node0.in0.sep5.") || n.startsWith("layer2.node0.in1.")) {
          assertEquals(0.0, sum, n + " is off the path but has a gradient");
        }
      }
    }
  }

  @Test
  void trainingStepsAreDeterministicAndLearn() {
    SplittableRandom rng = new SplittableRandom(11);
    int[] normal = randomArc(rng, 3);
    int[] reduce = randomArc(rng, 3);
    Supernet.Hyper h = new Supernet.Hyper(0.05f, 0.9f, 1e-4f, 5f, 0.9f);
    try (Supernet a = new Supernet(SMALL); Supernet b = new Supernet(SMALL); Tensor x = images(rng, 8, SMALL);
        IntTensor y = labels(rng, 8, 4)) {
      float first = a.evaluate(normal, reduce, x, y).loss();
      for (int s = 0; s < 25; s++) {
        Supernet.Result ra = a.trainStep(normal, reduce, x, y, h, s);
        Supernet.Result rb = b.trainStep(normal, reduce, x, y, h, s);
        assertEquals(ra.loss(), rb.loss(), "step " + s + ": same seed, same data, different loss");
      }
      assertArrayEquals(a.get(Supernet.Buffer.WEIGHTS), b.get(Supernet.Buffer.WEIGHTS));
      float last = a.evaluate(normal, reduce, x, y).loss();
      assertTrue(last < 0.5f * first, "25 steps on one batch should overfit it: loss " + first + " -> " + last);
    }
  }

  @Test
  void badArgumentsAreRefusedBeforeNativeCode() {
    SplittableRandom rng = new SplittableRandom(1);
    try (Supernet net = new Supernet(SMALL); Tensor x = images(rng, 4, SMALL); IntTensor y = labels(rng, 4, 4)) {
      int[] ok = randomArc(rng, 3);
      int[] badOp = ok.clone();
      badOp[5] = 7;
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> net.evaluate(badOp, ok, x, y));
      assertTrue(e.getMessage().contains("normal_arc[5] = 7"), e.getMessage());
      int[] badIn = ok.clone();
      badIn[4] = 3;  // node 1 may take inputs 0..2
      e = assertThrows(IllegalArgumentException.class, () -> net.evaluate(ok, badIn, x, y));
      assertTrue(e.getMessage().contains("reduce_arc[4] = 3") && e.getMessage().contains("[0, 3)"), e.getMessage());
      e = assertThrows(IllegalArgumentException.class, () -> net.evaluate(new int[5], ok, x, y));
      assertTrue(e.getMessage().contains("expected 12"), e.getMessage());
      try (IntTensor bad = IntTensor.of(new int[] {0, 1, 9, 2}, 4)) {
        e = assertThrows(IllegalArgumentException.class, () -> net.evaluate(ok, ok, x, bad));
        assertTrue(e.getMessage().contains("labels[2] = 9"), e.getMessage());
      }
      try (Tensor wrong = Tensor.zeros(4, 1, 8, 8)) {
        e = assertThrows(IllegalArgumentException.class, () -> net.evaluate(ok, ok, wrong, y));
        assertTrue(e.getMessage().contains("images has shape [4, 1, 8, 8]"), e.getMessage());
      }
      e = assertThrows(IllegalArgumentException.class, () -> new Supernet.Config(3, 32, 32, 10, 6, 5, 5, 0));
      assertTrue(e.getMessage().contains("channels is 5"), e.getMessage());
    }
  }
}
