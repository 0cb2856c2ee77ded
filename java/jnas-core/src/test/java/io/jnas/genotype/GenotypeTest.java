package io.jnas.genotype;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnas.enas.EnasArch;
import io.jnas.multitrial.TrialResult;
import io.jnas.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
    assertEquals(List.of("enas", "nasnet-a", "nasnet-a-tf", "amoebanet-a", "darts-v1", "darts-v2"), Genotype.names());
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

  @Test
  void resolveAcceptsFinalArchTxtAndRunFolders(@TempDir Path tmp) throws Exception {
    EnasArch arch = EnasArch.ENAS_FINAL;
    Genotype want = Genotype.of(arch);
    // a search's final_arch.txt: the ENAS string, a blank line, the readable form
    Path txt = Files.writeString(tmp.resolve("final_arch.txt"), arch.toArcString() + "\n\n" + arch.toReadable() + "\n");
    assertEquals(want, Genotype.resolve(txt.toString()));
    // a search run folder: its final_arch.json (an ENAS arch map with extra fields)
    Path search = Files.createDirectories(tmp.resolve("search-run"));
    Map<String, Object> fa = new LinkedHashMap<>(arch.toMap());
    fa.put("valid_accuracy_shared_weights", 0.5);
    Files.writeString(search.resolve("final_arch.json"), Json.pretty(fa));
    assertEquals(want, Genotype.resolve(search.toString()));
    // a train run folder: its genotype.json
    Path train = Files.createDirectories(tmp.resolve("train-run"));
    Files.writeString(train.resolve("genotype.json"), Genotype.DARTS_V1.toJson());
    assertEquals(Genotype.DARTS_V1, Genotype.resolve(train.toString()));
    // errors name what was tried
    Path bad = Files.writeString(tmp.resolve("notes.txt"), "hello\n");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Genotype.resolve(bad.toString()));
    assertTrue(e.getMessage().contains("notes.txt") && e.getMessage().contains("ENAS integer string"), e.getMessage());
    Path empty = Files.createDirectories(tmp.resolve("empty"));
    e = assertThrows(IllegalArgumentException.class, () -> Genotype.resolve(empty.toString()));
    assertTrue(e.getMessage().contains("final_arch.json") && e.getMessage().contains("genotype.json")
        && e.getMessage().contains("trials.jsonl"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Genotype.resolve(tmp.resolve("nope").toString()));
    assertTrue(e.getMessage().contains("nor a file or folder") && e.getMessage().contains("RUNDIR#ID"), e.getMessage());
  }

  @Test
  void resolveAcceptsAMultitrialTrial(@TempDir Path tmp) throws Exception {
    Path run = Files.createDirectories(tmp.resolve("mt"));
    // lines as MultiTrialSearch writes them (TrialResult.toMap), one failed without a genotype
    TrialResult ok = new TrialResult(1, EnasArch.ENAS_FINAL.toInts(), Genotype.NASNET_A, TrialResult.Status.OK, null,
        List.of(0.5), 1000, 1e6, 1.0, 2.0);
    TrialResult two = new TrialResult(2, EnasArch.ENAS_FINAL.toInts(), Genotype.DARTS_V2, TrialResult.Status.STOPPED,
        "median rule", List.of(0.2), 1000, 1e6, 1.0, 2.0);
    TrialResult failed = new TrialResult(3, new int[] {1}, null, TrialResult.Status.FAILED, "decoding failed", List.of(),
        -1, Double.NaN, Double.NaN, 0.1);
    Files.writeString(run.resolve("trials.jsonl"), Json.write(ok.toMap()) + "\n" + Json.write(two.toMap()) + "\n"
        + Json.write(failed.toMap()) + "\n");
    assertEquals(Genotype.NASNET_A, Genotype.resolve(run + "#1"));
    assertEquals(Genotype.DARTS_V2, Genotype.resolve(run.resolve("trials.jsonl") + "#2"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Genotype.resolve(run + "#3"));
    assertTrue(e.getMessage().contains("trial 3 has no genotype") && e.getMessage().contains("decoding failed"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Genotype.resolve(run + "#9"));
    assertTrue(e.getMessage().contains("no trial 9") && e.getMessage().contains("ids 1 to 3"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Genotype.resolve(run + "#x"));
    assertTrue(e.getMessage().contains("trial id 'x' is not an integer"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Genotype.resolve(run.toString()));
    assertTrue(e.getMessage().contains("a multitrial run") && e.getMessage().contains(run + "#ID"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Genotype.resolve(tmp.resolve("gone") + "#1"));
    assertTrue(e.getMessage().contains(tmp.resolve("gone") + " not found"), e.getMessage());
  }
}
