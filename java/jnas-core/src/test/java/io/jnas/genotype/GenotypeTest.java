package io.jnas.genotype;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnas.enas.EnasArch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Genotypes: published constants, ENAS conversion, JSON round trips, the native form, errors. */
class GenotypeTest {
  @Test
  void everyPublishedGenotypeRoundTripsThroughJson() {
    for (String n : Genotype.names()) {
      Genotype g = Genotype.named(n);
      assertEquals(g, Genotype.fromJson(g.toJson()), n);
      assertEquals(g, Genotype.resolve(n.toUpperCase()), n);
    }
    assertEquals(List.of("enas", "nasnet-a", "amoebanet-a", "darts-v1", "darts-v2"), Genotype.names());
    assertEquals(5, Genotype.NASNET_A.normalNodes());
    assertEquals(4, Genotype.DARTS_V2.reduceNodes());
  }

  @Test
  void enasConversionKeepsGenesAndConcatsTheUnusedStates() {
    Genotype g = Genotype.of(EnasArch.ENAS_FINAL);
    // normal "0 2 0 0 ...": node 0 = avg_pool(c_{k-2}) + sep_conv_3x3(c_{k-2})
    assertEquals(Gene.of("avg_pool_3x3", 0), g.normal().get(0));
    assertEquals(Gene.of("sep_conv_3x3", 0), g.normal().get(1));
    assertEquals(Gene.of("skip_connect", 0), g.normal().get(2));  // ENAS identity
    assertEquals(EnasArch.ENAS_FINAL.normal().outputIndices(), g.normalConcat());
    assertEquals(EnasArch.ENAS_FINAL.reduce().outputIndices(), g.reduceConcat());
    // the ENAS integer string resolves to the same genotype, and so does the ENAS arch JSON
    assertEquals(g, Genotype.resolve(EnasArch.ENAS_FINAL.toArcString()));
    assertEquals(g, Genotype.fromJson(EnasArch.ENAS_FINAL.toJson()));
  }

  @Test
  void nativeIntsFollowTheHeader() {
    int[] n = Genotype.DARTS_V2.normalInts();
    // [nodes, (op, input) x 8, n_concat, concat...]; sep_conv_3x3 = 4, skip = 1, dil_conv_3x3 = 7
    assertArrayEquals(new int[] {4, 4, 0, 4, 1, 4, 0, 4, 1, 4, 1, 1, 0, 1, 0, 7, 2, 4, 2, 3, 4, 5}, n);
  }

  @Test
  void fileAndBadInput(@TempDir Path tmp) throws Exception {
    Path f = tmp.resolve("g.json");
    Files.writeString(f, Genotype.AMOEBANET_A.toJson());
    assertEquals(Genotype.AMOEBANET_A, Genotype.resolve(f.toString()));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Genotype.resolve("dartz"));
    assertTrue(e.getMessage().contains("neither a known name"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Genotype.fromJson(
        "{\"normal\": [[\"sep_conv_3x3\", 2], [\"skip_connect\", 0]], \"normal_concat\": [2],"
            + " \"reduce\": [[\"max_pool_3x3\", 0], [\"max_pool_3x3\", 1]], \"reduce_concat\": [2]}"));
    assertTrue(e.getMessage().contains("normal gene 0 (node 0): input 2 out of range"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Genotype.fromJson(
        "{\"normal\": [[\"sep_conv_9x9\", 0], [\"skip_connect\", 0]], \"normal_concat\": [2],"
            + " \"reduce\": [[\"max_pool_3x3\", 0], [\"max_pool_3x3\", 1]], \"reduce_concat\": [2]}"));
    assertTrue(e.getMessage().contains("normal[0]: unknown op 'sep_conv_9x9'"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Genotype.fromJson(
        "{\"normal\": [[\"sep_conv_3x3\", 0], [\"skip_connect\", 0]], \"normal_concat\": [2, 3],"
            + " \"reduce\": [[\"max_pool_3x3\", 0], [\"max_pool_3x3\", 1]], \"reduce_concat\": [2]}"));
    assertTrue(e.getMessage().contains("normal_concat: state 3 out of range"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Genotype.fromJson("{\"normal\": []}"));
    assertTrue(e.getMessage().contains("missing 'normal_concat'"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new Genotype(List.of(Gene.of("none", 0)), List.of(0),
        Genotype.DARTS_V1.reduce(), Genotype.DARTS_V1.reduceConcat()));
    assertTrue(e.getMessage().contains("even"), e.getMessage());
  }
}
