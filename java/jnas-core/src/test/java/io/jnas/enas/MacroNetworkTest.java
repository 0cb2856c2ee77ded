package io.jnas.enas;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnas.backend.Backend;
import io.jnas.backend.Backends;
import io.jnas.backend.NativeNetwork;
import io.jnas.backend.NetworkPlan;
import io.jnas.tensor.IntTensor;
import io.jnas.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;

/**
 * ENAS's macro space through JNI: finite-difference gradients of the fixed network and of the
 * weight-shared one (every op, skips, both reductions), a hand count of the weights, the plan's
 * layer graph, the dry backend's exact memory, the integer string.
 */
class MacroNetworkTest {
  // 6 layers (reductions after layers 1 and 3): every op once; skips from the stem, across
  // both reductions, and a layer with none.
  static final MacroArch EVERY_OP = MacroArch.parse(String.join(" ", "0", "1 1", "2 0 1", "3 1 0 1", "4 0 0 0 0", "5 1 1 0 1 1"));

  private static Tensor images(SplittableRandom r, int b) {
    float[] v = new float[b * 3 * 8 * 8];
    for (int i = 0; i < v.length; i++) v[i] = (float) (r.nextDouble() * 2 - 1);
    return Tensor.of(v, b, 3, 8, 8);
  }

  @Test
  void integerStringsRoundTrip() {
    assertEquals(24, MacroArch.ENAS_MACRO_FINAL.layers());
    assertEquals(300, MacroArch.ENAS_MACRO_FINAL.toInts().length);
    assertEquals(MacroArch.ENAS_MACRO_FINAL, MacroArch.parse(MacroArch.ENAS_MACRO_FINAL.toArcString()));
    assertEquals(MacroArch.ENAS_MACRO_FINAL, MacroArch.fromMap(io.jnas.util.Json.parseObject(MacroArch.ENAS_MACRO_FINAL.toJson())));
    assertEquals(3, MacroArch.ENAS_MACRO_FINAL.op(1));
    assertEquals(List.of(0, 1, 3), MacroArch.ENAS_MACRO_FINAL.skips(5));
    assertTrue(MacroArch.ENAS_MACRO_FINAL.toReadable().startsWith("layer 0: macro_conv_3x3\nlayer 1: macro_sep_conv_5x5\n"
        + "layer 2: macro_conv_3x3 + skips from stem\n"), MacroArch.ENAS_MACRO_FINAL.toReadable());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MacroArch.parse("0 1 2 3"));
    assertTrue(e.getMessage().contains("4 integers fit no layer count"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> MacroArch.parse("0 6 0"));
    assertTrue(e.getMessage().contains("integer 1 (layer 1's op) is 6"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> MacroArch.parse("0 1 2"));
    assertTrue(e.getMessage().contains("layer 1's skip bit 0) is 2"), e.getMessage());
    EnasMacroSpace s = new EnasMacroSpace();
    assertEquals(78, s.numDecisions());
    assertEquals("layer 3 skip from layer 1", s.decisionName(MacroArch.offset(3) + 3));
    assertEquals(6 * Math.log10(2) * 11 + 12 * Math.log10(6), s.log10Vectors(), 1e-9);
    SplittableRandom r = new SplittableRandom(1);
    for (int k = 0; k < 200; k++) {
      int[] d = s.sample(r);
      assertArrayEquals(d, s.encode(s.decode(d)));
    }
  }

  @Test
  void fixedNetworkGradientsMatchFiniteDifferences() {
    MacroNetwork.Config cfg = new MacroNetwork.Config(EVERY_OP, 4, 3, 3, 8, 8, 5);
    SplittableRandom r = new SplittableRandom(2);
    try (MacroNetwork net = new MacroNetwork(cfg); Tensor x = images(r, 4); IntTensor y = IntTensor.of(new int[] {0, 1, 2, 1}, 4)) {
      net.forwardBackward(x, y, 1f, 0);
      check("fixed", net, net.get(MacroNetwork.Buffer.GRADIENTS), net.get(MacroNetwork.Buffer.WEIGHTS),
          w -> {
            net.set(MacroNetwork.Buffer.WEIGHTS, w);
            return net.forwardBackward(x, y, 1f, 0).loss();
          }, r);
    }
  }

  @Test
  void sharedNetworkGradientsMatchFiniteDifferences() {
    MacroSupernet.Config cfg = new MacroSupernet.Config(3, 8, 8, 3, 6, 4, 6);
    SplittableRandom r = new SplittableRandom(3);
    try (MacroSupernet net = new MacroSupernet(cfg); Tensor x = images(r, 4); IntTensor y = IntTensor.of(new int[] {2, 1, 0, 1}, 4)) {
      net.forwardBackward(EVERY_OP, x, y, 0);
      float[] g = net.get(1);
      // only the sampled path has gradients: each layer's chosen op, none of the others
      List<String> wrong = new ArrayList<>();
      for (NativeNetwork.TensorInfo t : net.tensors()) {
        if (t.name().startsWith("pool")) continue;  // a state's reduction has a gradient where a later layer reads it
        boolean any = false;
        for (long i = t.offset(); i < t.offset() + t.size(); i++) any |= g[(int) i] != 0f;
        boolean chosen = !t.name().startsWith("layer") || t.name().contains(".skip.") || onPath(t.name());
        if (any != chosen) wrong.add(t.name() + (any ? " has" : " lacks") + " a gradient");
      }
      assertTrue(wrong.isEmpty(), wrong.toString());
      check("shared", null, g, net.get(0), w -> {
        net.set(0, w);
        return net.forwardBackward(EVERY_OP, x, y, 0).loss();
      }, r);
    }
  }

  private static boolean onPath(String name) {
    String[] op = {"mconv3.", "msep3.", "mconv5.", "msep5.", "mavg.", "mmax."};
    int l = Integer.parseInt(name.substring(5, name.indexOf('.')));
    return name.contains("." + op[EVERY_OP.op(l)]);
  }

  private static void check(String what, MacroNetwork named, float[] grads, float[] w, ToDoubleFunction<float[]> loss,
      SplittableRandom r) {
    io.jnas.testing.WeightFd.check(what, grads, w, loss, r, 120, 60);
  }

  @Test
  void weightsMatchAHandCount() {
    // 3 layers at C = 4 (reductions after layers 0 and 1; L/3 = 1), 5 classes, 1x8x8 images:
    // layer 0 conv3, layer 1 sep5 + skip from the stem, layer 2 avg + skip from layer 0.
    MacroArch a = MacroArch.parse("0 3 1 4 0 1");
    // stem: 4*1*9 + BN 8 = 44
    // layer 0 (C 4): in 1x1 16 + BN 8, conv3 4*4*9 = 144 + BN 8                       -> 176
    // pool after 0 (to 8): stem and layer 0 are read later: 2 x (FR 4*4 + 4*4 + BN 16) -> 96
    // layer 1 (C 8): in 64 + 16, dw 8*25 = 200, pw 64, BN 16; skip conv (2*8 -> 8) 128 + BN 16 -> 504
    // pool after 1 (to 16): stem no longer read; layer 0 (by layer 2) and layer 1: 2 x (8*8 + 8*8 + 32) -> 320
    // layer 2 (C 16): in 256 + 32; skip conv (2*16 -> 16) 512 + BN 32                   -> 832
    // fc: 5*16 = 80
    long hand = 44 + 176 + 96 + 504 + 320 + 832 + 80;
    try (Backend dry = Backends.dry(); MacroNetwork n = new MacroNetwork(new MacroNetwork.Config(a, 4, 5, 1, 8, 8, 1), dry)) {
      assertEquals(hand, n.numWeights());
    }
  }

  @Test
  void planIsTheLayerGraph() {
    try (MacroNetwork net = new MacroNetwork(new MacroNetwork.Config(EVERY_OP, 4, 3, 3, 8, 8, 5))) {
      NetworkPlan p = net.plan();
      assertEquals("macro", p.network());
      assertEquals(1, p.cells().size());
      NetworkPlan.Cell c = p.cells().get(0);
      assertEquals(6, c.nodes());
      assertEquals(List.of(6), c.outputs());
      for (int l = 0; l < 6; l++) {
        List<String> in = new ArrayList<>();
        for (NetworkPlan.Edge e : c.edges()) if (e.to() == l + 1) in.add(e.from() + ":" + e.op());
        List<String> want = new ArrayList<>(List.of(l + ":" + MacroArch.OPS.get(EVERY_OP.op(l)).label()));
        for (int j : EVERY_OP.skips(l)) want.add(j + ":skip");
        assertEquals(want, in, "layer " + l);
      }
      assertTrue(net.forwardFlops() > 0);
      assertTrue(p.steps().stream().noneMatch(s -> s.op().equals("dropout")));
      assertEquals(MacroDiagram.graph(EVERY_OP, "t"), MacroDiagram.graph(c, "t"), "the diagram from the plan is the architecture's");
    }
    try (MacroSupernet s = new MacroSupernet(new MacroSupernet.Config(3, 8, 8, 3, 6, 4, 1))) {
      assertEquals("macro_supernet", s.plan(EVERY_OP).network());
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.plan(MacroArch.parse("0 1 1")));
      assertTrue(e.getMessage().contains("has 2 layers, the network 6"), e.getMessage());
    }
  }

  @Test
  void dryRunGivesTheExactMemoryOfARealStep() {
    MacroNetwork.Config cfg = new MacroNetwork.Config(EVERY_OP, 4, 3, 3, 8, 8, 5);
    long need = MacroNetwork.requiredBytes(cfg, 4);
    try (Backend hb = Backends.hostBlind(); MacroNetwork net = new MacroNetwork(cfg, hb);
        Tensor x = images(new SplittableRandom(4), 4); IntTensor y = IntTensor.of(new int[] {0, 1, 2, 0}, 4)) {
      MacroNetwork.Result r = net.trainStep(x, y, new MacroNetwork.Hyper(0.05f, 0.9f, 1e-4f, 5f, 0.9f), 1);
      assertTrue(Float.isFinite(r.loss()) && r.gradNorm() > 0);
      assertEquals(need, hb.peakBytes(), "dry estimate vs the bytes a real step allocated (on the host-blind backend)");
    }
    assertTrue(MacroSupernet.requiredBytes(new MacroSupernet.Config(3, 8, 8, 3, 6, 4, 1), 4) > 0);
  }

  @Test
  void trainingLearnsABatch() {
    SplittableRandom r = new SplittableRandom(9);
    MacroNetwork.Hyper h = new MacroNetwork.Hyper(0.05f, 0.9f, 1e-4f, 5f, 1f);
    try (MacroNetwork net = new MacroNetwork(new MacroNetwork.Config(EVERY_OP, 4, 3, 3, 8, 8, 5)); Tensor x = images(r, 8);
        IntTensor y = IntTensor.of(new int[] {0, 1, 2, 0, 1, 2, 0, 1}, 8)) {
      float first = net.trainStep(x, y, h, 0).loss(), last = first;
      for (int s = 1; s < 30; s++) last = net.trainStep(x, y, h, s).loss();
      assertTrue(last < 0.6f * first, "30 steps on one batch should fit it: " + first + " -> " + last);
      assertEquals(8 * 3, net.predict(x).length);
    }
  }

  @Test
  void randomVectorsTrainAStepAndEveryStrategyProposesValidOnes() {
    EnasMacroSpace space = new EnasMacroSpace(6);
    SplittableRandom r = new SplittableRandom(11);
    MacroNetwork.Hyper h = new MacroNetwork.Hyper(0.05f, 0.9f, 1e-4f, 5f, 1f);
    for (int k = 0; k < 4; k++) {
      MacroArch a = space.decode(space.sample(r));
      try (MacroNetwork net = new MacroNetwork(new MacroNetwork.Config(a, 4, 3, 3, 8, 8, k)); Tensor x = images(r, 4);
          IntTensor y = IntTensor.of(new int[] {0, 1, 2, 0}, 4)) {
        MacroNetwork.Result res = net.trainStep(x, y, h, k);
        assertTrue(Float.isFinite(res.loss()) && res.gradNorm() > 0, a + ": " + res);
      }
    }
    for (var f : io.jnas.strategy.Strategies.registry().entrySet()) {
      if (f.getKey().equals("grid")) continue;  // 6^6 x 2^15 vectors: over the grid limit
      io.jnas.strategy.Strategy st = f.getValue().create(space, 3,
          new io.jnas.strategy.StrategyParams(java.util.Map.of("population", "4", "tournament", "2", "steps", "5")));
      for (int k = 0; k < 8; k++) {
        int[] d = st.ask();
        assertTrue(space.isValid(d), f.getKey());
        st.tell(d, r.nextDouble());
      }
    }
  }

  @Test
  void layerGraphPictures(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    io.jnas.plot.CellGraph g = MacroDiagram.graph(MacroArch.ENAS_MACRO_FINAL, "ENAS macro");
    assertEquals(24, g.nodes().size());
    assertEquals(List.of("stem"), g.inputs());
    assertEquals(1 + MacroArch.ENAS_MACRO_FINAL.skips(23).size(), g.nodes().get(23).inputs().size());
    MacroDiagram.writeSvg(MacroArch.ENAS_MACRO_FINAL, "ENAS macro", dir.resolve("m.svg"));
    MacroDiagram.writePng(EVERY_OP, null, dir.resolve("m.png"));
    String svg = java.nio.file.Files.readString(dir.resolve("m.svg"));
    assertTrue(svg.contains("macro_sep_conv_5x5") && svg.contains("head"), svg.substring(0, Math.min(300, svg.length())));
    assertTrue(java.nio.file.Files.size(dir.resolve("m.png")) > 1000);
  }
}
