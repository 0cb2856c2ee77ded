package io.jnas.space;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnas.genotype.Combiner;
import io.jnas.genotype.Genotype;
import io.jnas.strategy.Strategies;
import io.jnas.strategy.Strategy;
import io.jnas.strategy.StrategyParams;
import io.jnas.tensor.IntTensor;
import io.jnas.tensor.Tensor;
import io.jnas.testing.Genotypes;
import io.jnas.train.FinalNetwork;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@code nasnet-combine}: NASNet's space with the combiner decision (add or concat) per block.
 * Vectors round trip and decode to genotypes with those combiners, which build and train a
 * step; the genotype's JSON carries them (and an add-only genotype's JSON is as before); every
 * strategy, REINFORCE's controller included, proposes valid vectors.
 */
class CombinerSpaceTest {
  private static final NasNetSpace SPACE = NasNetSpace.nasnet(5).withCombiner();

  @Test
  void vectorsRoundTripWithTheCombiners() {
    assertEquals("nasnet-combine", SPACE.name());
    assertEquals(50, SPACE.numDecisions());
    assertEquals("normal b0 combiner", SPACE.decisionName(4));
    assertEquals("reduce b4 combiner", SPACE.decisionName(49));
    assertEquals(2, SPACE.numChoices(4));
    assertEquals("concat", SPACE.choiceLabel(9, 1));
    assertEquals(6, SPACE.numChoices(45));  // reduce b4 input1
    SplittableRandom r = new SplittableRandom(3);
    Set<Combiner> seen = EnumSet.noneOf(Combiner.class);
    for (int k = 0; k < 200; k++) {
      int[] d = SPACE.sample(r);
      Genotype g = SPACE.decode(d);
      assertArrayEquals(d, SPACE.encode(g));
      for (int j = 0; j < 5; j++) {
        assertEquals(Combiner.values()[d[5 * j + 4]], g.normalCombine().get(j));
        assertEquals(Combiner.values()[d[25 + 5 * j + 4]], g.reduceCombine().get(j));
      }
      seen.addAll(g.normalCombine());
      assertEquals(g, Genotype.fromJson(g.toJson()));
    }
    assertEquals(EnumSet.allOf(Combiner.class), seen);
    int[] v = SPACE.sample(r);
    String ints = java.util.Arrays.stream(v).mapToObj(String::valueOf).collect(java.util.stream.Collectors.joining(" "));
    assertEquals(SPACE.decode(v), Genotype.resolve("NASNet-Combine: " + ints), "a space's vector on the command line, any case");
    assertEquals(NasNetSpace.nasnet(5).log10Architectures() + 10 * Math.log10(2), SPACE.log10Architectures(), 1e-9);
    assertEquals(SPACE.name(), Spaces.cell("nasnet-combine", 5).name());
    // the add-only space takes an all-add genotype of this one, and refuses a concat
    int[] allAdd = new int[50];
    Genotype add = SPACE.decode(allAdd);
    assertFalse(add.hasConcatCombiner());
    assertEquals(add, NasNetSpace.nasnet(5).decode(NasNetSpace.nasnet(5).encode(add)));
    allAdd[4] = 1;
    Genotype cat = SPACE.decode(allAdd);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NasNetSpace.nasnet(5).encode(cat));
    assertTrue(e.getMessage().contains("node 0 concatenates its results; this space only adds (nasnet-combine has the choice)"),
        e.getMessage());
  }

  @Test
  void jsonCarriesTheCombinersOnlyWhereAConcatIs() {
    Genotype g = Genotypes.CONCAT_COMBINER;
    String json = g.toJson();
    assertTrue(json.contains("\"normal_combine\": [\"concat\", \"add\", \"concat\"]"), json);
    assertEquals(g, Genotype.fromJson(json));
    assertTrue(g.toString().endsWith("normal_combine=[concat, add, concat], reduce_combine=[concat, concat, add])"), g.toString());
    assertFalse(Genotype.DARTS_V2.toJson().contains("combine"));
    assertEquals(Genotype.DARTS_V2, Genotype.fromJson(Genotype.DARTS_V2.toJson()));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Genotype.fromJson(json.replaceFirst("\"concat\", \"add\"", "\"cat\", \"add\"")));
    assertTrue(e.getMessage().contains("normal_combine[0]: unknown combiner 'cat'; known: add, concat"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> Genotype.fromJson(json.replaceFirst("\"concat\", \"add\", \"concat\"", "\"concat\"")));
    assertTrue(e.getMessage().contains("normal_combine: 1 entries, expected one per node (3)"), e.getMessage());
    // the native form: the combiner flags after the concat list
    int[] n = g.normalInts();
    assertArrayEquals(new int[] {1, 0, 1}, java.util.Arrays.copyOfRange(n, n.length - 3, n.length));
    assertEquals(1 + 4 * 4 + 1 + 4, Genotype.DARTS_V2.normalInts().length, "add-only (4 nodes, 4 concat): no combiner flags");
    assertEquals(1 + 4 * 3 + 1 + 3 + 3, n.length);
  }

  @Test
  void randomVectorsBuildAndTrainAStep() {
    SplittableRandom r = new SplittableRandom(9);
    FinalNetwork.Hyper h = new FinalNetwork.Hyper(0.05f, 0.9f, 1e-4f, 5f, 1f, 1f);
    for (int k = 0; k < 3; k++) {
      Genotype g = SPACE.genotypeOf(SPACE.sample(r));
      try (FinalNetwork net = new FinalNetwork(new FinalNetwork.Config(g, 4, 3, 3, 1, 8, 8, false, k));
          Tensor x = Tensor.randn(r, 1f, 4, 1, 8, 8); IntTensor y = IntTensor.of(new int[] {0, 1, 2, 0}, 4)) {
        FinalNetwork.Result res = net.trainStep(x, y, h, 0.5f, k);
        assertTrue(Float.isFinite(res.loss()) && res.loss() > 0, g + ": loss " + res.loss());
        assertTrue(Float.isFinite(res.gradNorm()) && res.gradNorm() > 0, g + ": gradient norm " + res.gradNorm());
      }
    }
  }

  @Test
  void everyStrategyProposesValidVectors() {
    for (var f : Strategies.registry().entrySet()) {
      if (f.getKey().equals("grid")) continue;  // refuses spaces this large (CellSpacesTest)
      Strategy st = f.getValue().create(SPACE, 3, new StrategyParams(Map.of("population", "4", "tournament", "2", "steps", "5")));
      SplittableRandom r = new SplittableRandom(2);
      for (int k = 0; k < 10; k++) {
        int[] d = st.ask();
        assertTrue(SPACE.isValid(d), f.getKey());
        SPACE.genotypeOf(d);
        st.tell(d, r.nextDouble());
      }
    }
  }
}
