package io.jnas.space;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnas.enas.EnasMicroSpace;
import io.jnas.genotype.Gene;
import io.jnas.genotype.Genotype;
import io.jnas.genotype.Op;
import io.jnas.strategy.Strategies;
import io.jnas.strategy.Strategy;
import io.jnas.strategy.StrategyParams;
import io.jnas.tensor.IntTensor;
import io.jnas.tensor.Tensor;
import io.jnas.train.FinalNetwork;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The cell spaces of multi-trial search (enas-micro, nasnet, amoebanet): encodings round trip,
 * random vectors decode to genotypes that build and train a step, the published NASNet-A and
 * AmoebaNet-A are in them, every strategy proposes valid vectors, sizes.
 */
class CellSpacesTest {
  private static final List<CellSpace<?>> SPACES = List.of(new EnasMicroSpace(5), NasNetSpace.nasnet(5), NasNetSpace.amoebanet(5));

  @Test
  void vectorsRoundTripAndDecodeToTheSpacesGenotypes() {
    SplittableRandom r = new SplittableRandom(1);
    for (CellSpace<?> s : SPACES) {
      assertEquals(40, s.numDecisions(), s.name());
      Set<Op> seen = new HashSet<>();
      for (int k = 0; k < 500; k++) {
        int[] d = s.sample(r);
        assertTrue(s.isValid(d));
        assertArrayEquals(d, roundTrip(s, d), s.name());
        Genotype g = s.genotypeOf(d);
        assertEquals(5, g.normalNodes());
        assertEquals(5, g.reduceNodes());
        for (Gene x : g.normal()) seen.add(x.op());
        for (Gene x : g.reduce()) seen.add(x.op());
        if (s instanceof NasNetSpace n) {
          assertEquals(NasNetSpace.looseEnds(g.normal(), 5), g.normalConcat());
          assertEquals(g, n.decode(n.encode(g)));
        }
      }
      assertEquals(s.numOps(), seen.size(), s.name() + ": 500 samples use every op");
    }
    assertEquals(13, NasNetSpace.nasnet(5).numOps());
    assertEquals(8, NasNetSpace.amoebanet(5).numOps());
  }

  private static <A> int[] roundTrip(CellSpace<A> s, int[] d) {
    return s.encode(s.decode(d));
  }

  @Test
  void decisionsAreLaidOutAsTheEnasString() {
    NasNetSpace s = NasNetSpace.nasnet(5);
    assertEquals("normal b0 input1", s.decisionName(0));
    assertEquals("reduce b4 op2", s.decisionName(39));
    assertEquals(2, s.numChoices(0));
    assertEquals(13, s.numChoices(1));
    assertEquals(6, s.numChoices(36));
    assertEquals("c_{k-1}", s.choiceLabel(0, 1));
    assertEquals("b3", s.choiceLabel(36, 5));
    assertEquals("conv_3x1_1x3", s.choiceLabel(1, 1));
    assertEquals("dil_sep_conv_3x3", NasNetSpace.amoebanet(5).choiceLabel(3, 6));
    int[] d = new int[40];  // every block: skip_connect on c_{k-2} twice
    Genotype g = s.decode(d);
    assertEquals(new Gene(Op.SKIP_CONNECT, 0), g.normal().get(9));
    assertEquals(List.of(2, 3, 4, 5, 6), g.normalConcat(), "no block reads another: all five are loose ends");
    d[4 * 4] = 5;  // block 4 reads block 3
    assertEquals(List.of(2, 3, 4, 6), s.decode(d).normalConcat());
  }

  @Test
  void sizes() {
    // per cell: inputs (2 3 4 5 6)^2, ops 13^10 (nasnet) / 8^10 (amoebanet), two cells
    double in = 2 * Math.log10(2 * 3 * 4 * 5 * 6);
    assertEquals(2 * (in + 10 * Math.log10(13)), NasNetSpace.nasnet(5).log10Vectors(), 1e-9);
    assertEquals(2 * (in + 10 * Math.log10(8)), NasNetSpace.amoebanet(5).log10Vectors(), 1e-9);
    assertEquals(2 * (in + 10 * Math.log10(5)), new EnasMicroSpace(5).log10Vectors(), 1e-9);
    // a block's two (input, op) pairs unordered: n (n + 1) / 2 of n = (j + 2) 13 pairs
    double arch = 0;
    for (int j = 0; j < 5; j++) arch += Math.log10((j + 2) * 13.0 * ((j + 2) * 13.0 + 1) / 2);
    assertEquals(2 * arch, NasNetSpace.nasnet(5).log10Architectures(), 1e-9);
    assertTrue(NasNetSpace.nasnet(5).log10Architectures() < NasNetSpace.nasnet(5).log10Vectors());
    assertEquals(Math.log10(15625), new NasBench201Space().log10Architectures(), 1e-9);
  }

  @Test
  void publishedCellsAreInTheirSpaces() {
    for (NasNetSpace s : List.of(NasNetSpace.nasnet(5), NasNetSpace.amoebanet(5))) {
      for (Genotype g : List.of(Genotype.NASNET_A, Genotype.AMOEBANET_A)) {
        int[] d = s.encode(g);
        assertEquals(g, s.decode(d), s.name() + " " + g);
      }
    }
    // NASNet-A's first normal block: sep_conv_5x5 on c_{k-1} + sep_conv_3x3 on c_{k-2}
    int[] d = NasNetSpace.nasnet(5).encode(Genotype.NASNET_A);
    assertArrayEquals(new int[] {1, NasNetSpace.NASNET_OPS.indexOf(Op.SEP_CONV_5X5), 0,
        NasNetSpace.NASNET_OPS.indexOf(Op.SEP_CONV_3X3)}, java.util.Arrays.copyOf(d, 4));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NasNetSpace.nasnet(5).encode(Genotype.DARTS_V2));
    assertTrue(e.getMessage().contains("4 nodes, the space 5"), e.getMessage());
    Genotype dilSep = NasNetSpace.amoebanet(5).decode(withOp(6));
    e = assertThrows(IllegalArgumentException.class, () -> NasNetSpace.nasnet(5).encode(dilSep));
    assertTrue(e.getMessage().contains("uses dil_sep_conv_3x3, not one of the space's ops"), e.getMessage());
    Genotype wrongConcat = new Genotype(Genotype.NASNET_A.normal(), List.of(2, 3), Genotype.NASNET_A.reduce(),
        Genotype.NASNET_A.reduceConcat());
    e = assertThrows(IllegalArgumentException.class, () -> NasNetSpace.nasnet(5).encode(wrongConcat));
    assertTrue(e.getMessage().contains("concatenates [2, 3]; the space concatenates the nodes no node reads, [2, 3, 4, 5, 6]"),
        e.getMessage());
  }

  private static int[] withOp(int op) {
    int[] d = new int[40];
    d[1] = op;
    return d;
  }

  @Test
  void randomVectorsBuildAndTrainAStep() {
    SplittableRandom r = new SplittableRandom(7);
    FinalNetwork.Hyper h = new FinalNetwork.Hyper(0.05f, 0.9f, 1e-4f, 5f, 1f, 1f);
    for (CellSpace<?> s : SPACES) {
      for (int k = 0; k < 3; k++) {
        Genotype g = s.genotypeOf(s.sample(r));
        FinalNetwork.Config cfg = new FinalNetwork.Config(g, 4, 3, 3, 1, 8, 8, false, k);
        try (FinalNetwork net = new FinalNetwork(cfg); Tensor x = Tensor.randn(r, 1f, 4, 1, 8, 8);
            IntTensor y = IntTensor.of(new int[] {0, 1, 2, 0}, 4)) {
          FinalNetwork.Result res = net.trainStep(x, y, h, 0.5f, k);
          assertTrue(Float.isFinite(res.loss()) && res.loss() > 0, s.name() + " " + g + ": loss " + res.loss());
          assertTrue(Float.isFinite(res.gradNorm()) && res.gradNorm() > 0, s.name() + ": gradient norm " + res.gradNorm());
          assertEquals(3 * 4, net.predict(x).length);
        }
      }
    }
  }

  @Test
  void everyStrategyProposesValidVectors() {  // (grid search aside: it refuses spaces of over 10^7 vectors)
    for (CellSpace<?> s : SPACES) {
      for (Map.Entry<String, io.jnas.strategy.StrategyFactory> f : Strategies.registry().entrySet()) {
        if (f.getKey().equals("grid")) {  // grid search refuses spaces this large, with a message
          IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
              () -> f.getValue().create(s, 3, new StrategyParams(Map.of())));
          assertTrue(e.getMessage().contains("over the grid limit"), e.getMessage());
          continue;
        }
        Strategy st = f.getValue().create(s, 3, new StrategyParams(Map.of("population", "4", "tournament", "2", "steps", "5")));
        SplittableRandom r = new SplittableRandom(2);
        for (int k = 0; k < 10; k++) {
          int[] d = st.ask();
          assertTrue(s.isValid(d), s.name() + " " + f.getKey());
          s.genotypeOf(d);
          st.tell(d, r.nextDouble());
        }
      }
    }
  }

  @Test
  void spacesByName() {
    assertEquals("nasnet", Spaces.cell("nasnet", 5).name());
    assertEquals("amoebanet", Spaces.cell("AmoebaNet", 5).name());
    assertEquals("enas-micro", Spaces.cell("enas-micro", 4).name());
    assertEquals(32, Spaces.cell("enas-micro", 4).numDecisions());
    assertEquals("nb201", Spaces.any("nb201", 5).name());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Spaces.cell("nb201", 5));
    assertTrue(e.getMessage().contains("known: enas-micro, nasnet, amoebanet"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Spaces.any("x", 5));
    assertTrue(e.getMessage().contains("unknown space 'x'"), e.getMessage());
  }
}
