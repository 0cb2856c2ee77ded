package io.jnas.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnas.enas.CellDiagram;
import io.jnas.enas.EnasOp;
import io.jnas.enas.Supernet;
import io.jnas.genotype.Gene;
import io.jnas.genotype.Genotype;
import io.jnas.genotype.Op;
import io.jnas.tensor.IntTensor;
import io.jnas.tensor.Tensor;
import io.jnas.train.FinalNetwork;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The plan the native core gives of a network, and the dry backend it is traced on: the plan's
 * cells repeat the genotype or architecture (so Java's {@link Op} ids and names agree with the
 * native registry), FLOPs and memory come out of a dry run without computing, and exactly.
 */
class NetworkPlanTest {
  @Test
  void finalNetworkPlanCellsAreTheGenotypeAndTheRegistryNamesMatchJava() {
    Genotype g = HostBlindCheck.EVERY_OP;  // every registry op, at stride 1 and 2
    java.util.Set<Op> seen = java.util.EnumSet.noneOf(Op.class);
    for (Gene x : g.normal()) seen.add(x.op());
    java.util.Set<Op> strided = java.util.EnumSet.noneOf(Op.class);
    for (Gene x : g.reduce()) if (x.input() < 2) strided.add(x.op());
    assertEquals(java.util.EnumSet.allOf(Op.class), seen, "EVERY_OP's normal cell misses an op");
    assertEquals(java.util.EnumSet.allOf(Op.class), strided, "EVERY_OP's reduction cell misses a stride-2 op");
    FinalNetwork.Config cfg = new FinalNetwork.Config(g, 4, 3, 5, 3, 12, 11, true, 1);
    try (FinalNetwork net = new FinalNetwork(cfg)) {
      NetworkPlan p = net.plan();
      assertEquals("final", p.network());
      assertEquals(3, p.cells().size());
      assertTrue(p.steps().stream().noneMatch(s -> s.op().equals("drop_path") || s.op().equals("dropout")),
          "an inference plan holds no drop-path or dropout");
      for (NetworkPlan.Cell c : p.cells()) {
        List<Gene> genes = c.reduction() ? g.reduce() : g.normal();
        assertEquals(genes.size(), c.edges().size(), c.name());
        for (int e = 0; e < genes.size(); e++) {
          NetworkPlan.Edge edge = c.edges().get(e);
          assertEquals(genes.get(e).op().label(), edge.op(), c.name() + " edge " + e + ": Java's Op id " + genes.get(e).op().id()
              + " names another native op");
          assertEquals(genes.get(e).input(), edge.from());
          assertEquals(2 + e / 2, edge.to());
          assertEquals(c.reduction() && edge.from() < 2 ? 2 : 1, edge.stride());
        }
        assertEquals(c.reduction() ? g.reduceConcat() : g.normalConcat(), c.outputs());
      }
      assertEquals(CellDiagram.graph(g, false, "t"), CellDiagram.graph(p.cells().get(0), "t"), "diagram from the plan");
      for (Op op : Op.values()) assertEquals(op, Op.fromLabel(op.label()));
    }
  }

  @Test
  void supernetPlanCellsAreTheArchitecture() {
    Supernet.Config cfg = new Supernet.Config(3, 8, 8, 4, 2, 4, 3, 1);
    int[] normal = {0, 0, 1, 4, 2, 2, 1, 3, 3, 1, 0, 4};
    int[] reduce = {1, 1, 0, 3, 0, 2, 2, 0, 3, 4, 3, 1};
    try (Supernet net = new Supernet(cfg)) {
      NetworkPlan p = net.plan(normal, reduce);
      assertEquals("supernet", p.network());
      assertEquals(4, p.cells().size(), "2 normal + 2 reduction layers");
      for (NetworkPlan.Cell c : p.cells()) {
        int[] arc = c.reduction() ? reduce : normal;
        List<Integer> unused = new ArrayList<>();
        boolean[] used = new boolean[cfg.nodes() + 2];
        for (int j = 0; j < cfg.nodes(); j++) {
          for (int k = 0; k < 2; k++) {
            NetworkPlan.Edge e = c.edges().get(2 * j + k);
            assertEquals(arc[4 * j + 2 * k], e.from());
            assertEquals(EnasOp.fromId(arc[4 * j + 2 * k + 1]).op().label(), e.op());
            used[e.from()] = true;
          }
        }
        for (int s = 0; s < used.length; s++) if (!used[s]) unused.add(s);
        assertEquals(unused, c.outputs(), c.name() + ": ENAS concatenates the unused states");
      }
      assertTrue(net.forwardFlops(normal, reduce) > 0);
    }
  }

  @Test
  void dryRunsGiveTheExactMemoryAndFlopsOfARealStep() {
    FinalNetwork.Config cfg = new FinalNetwork.Config(Genotype.resolve("darts-v2"), 6, 4, 10, 3, 16, 16, true, 3);
    int batch = 6;
    long required = FinalNetwork.requiredBytes(cfg, batch);
    // a host-blind backend of its own counts the bytes one real network and step allocate
    try (Backend hb = Backends.hostBlind()) {
      try (FinalNetwork net = new FinalNetwork(cfg, hb); Tensor x = Tensor.randn(new SplittableRandom(1), 1f, batch, 3, 16, 16);
          IntTensor y = IntTensor.zeros(batch)) {
        net.trainStep(x, y, new FinalNetwork.Hyper(0.1f, 0.9f, 0f, 5f, 0.8f, 0.9f), 0.5f, 1);
        assertEquals(required, hb.peakBytes(), "dry estimate vs the bytes a real step allocated");
        double flops = net.forwardFlops();
        assertTrue(flops > 1e5, "flops " + flops);
      }
      assertEquals(0, hb.allocatedBytes(), "closing the network frees all its backend memory");
    }
    Supernet.Config sc = new Supernet.Config(3, 16, 16, 10, 2, 6, 4, 1);
    long need = Supernet.requiredBytes(sc, 8);
    try (Backend hb = Backends.hostBlind(); Supernet s = new Supernet(sc, hb);
        Tensor x = Tensor.randn(new SplittableRandom(2), 1f, 8, 3, 16, 16); IntTensor y = IntTensor.zeros(8)) {
      int[] arc = new int[16];
      for (int j = 0; j < 4; j++) arc[4 * j + 1] = arc[4 * j + 3] = 1;  // every node on sep_conv_5x5
      s.trainStep(arc, arc, x, y, new Supernet.Hyper(0.1f, 0.9f, 0f, 5f, 0.9f), 1);
      assertTrue(hb.peakBytes() <= need, "a real sep5 step took " + hb.peakBytes() + " > estimate " + need);
      assertTrue(hb.peakBytes() > need / 2, "the estimate " + need + " is far above a real step's " + hb.peakBytes());
    }
  }

  @Test
  void hugeNetworksAreEstimatedWithoutAllocating() {
    Supernet.Config huge = new Supernet.Config(3, 32, 32, 10, 6, 100_000, 5, 1);
    long need = Supernet.requiredBytes(huge, 160);
    assertTrue(need > (1L << 40), "a 100,000-channel supernet needs terabytes, the estimate says " + need);
  }
}
