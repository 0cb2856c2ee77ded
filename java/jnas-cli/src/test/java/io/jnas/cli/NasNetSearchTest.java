package io.jnas.cli;

import static io.jnas.cli.CliRun.bad;
import static io.jnas.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnas.genotype.Genotype;
import io.jnas.space.NasNetSpace;
import io.jnas.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jnas search --space nasnet|amoebanet}: ENAS's weight-sharing search over NASNet's 13
 * ops (and AmoebaNet's 8) end to end: the supernet over the space's ops, the controller's
 * choices within the space, derivation, the genotype {@code jnas train} reads (from
 * final_arch.json and final_arch.txt), {@code --verify}; and a run stopped after epoch 1 and
 * resumed gives the events of a run never stopped.
 */
class NasNetSearchTest {
  private static String[] search(String space, String... extra) {
    List<String> l = new ArrayList<>(List.of("search", "--space", space, "--data", "synthetic:train=320,val=64,test=32",
        "--validation", "64", "--preset", "quick", "--epochs", "2", "--batch", "32", "--layers", "0", "--channels", "4", "--nodes",
        "3", "--controller-steps", "2", "--controller-aggregate", "2", "--derive-every", "1", "--derive-samples", "3",
        "--derive-random", "5", "--derive-select-batches", "1", "--derive-heldout-batches", "1", "--seed", "5"));
    l.addAll(List.of(extra));
    return l.toArray(new String[0]);
  }


  @Test
  void nasnetSearchRunsTrainsAndResumesToTheSameRun(@TempDir Path tmp) throws Exception {
    Path ref = tmp.resolve("ref"), cut = tmp.resolve("cut");
    CliRun r = run(search("nasnet", "--out", ref.toString()));
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("found cell (nasnet decision vector): "), r.out());
    Map<String, Object> arch = Json.parseObject(Files.readString(ref.resolve("final_arch.json")));
    assertEquals("genotype", arch.get("format"));
    assertEquals("nasnet", arch.get("space"));
    // the genotype is the space's decoding of the arc: loose ends concatenated, ops of the 13
    NasNetSpace space = NasNetSpace.nasnet(3);
    int[] arc = Arrays.stream(((String) arch.get("arc")).split(" ")).mapToInt(Integer::parseInt).toArray();
    Genotype g = Genotype.fromMap(arch);
    assertEquals(space.decode(arc), g);
    assertArrayEquals(arc, space.encode(g));
    List<String> first = Files.readAllLines(ref.resolve("final_arch.txt"));
    assertEquals("nasnet: " + arch.get("arc"), first.get(0));
    assertEquals(g, Genotype.resolve(ref.resolve("final_arch.txt").toString()));
    assertEquals(g, Genotype.resolve(first.get(0)));
    assertTrue(Files.size(ref.resolve("normal_cell.png")) > 0 && Files.size(ref.resolve("reduce_cell.svg")) > 0);
    // the controller only proposed ops of the space: every child step's arc is a valid vector
    int steps = 0;
    for (Map<String, Object> ev : CliRun.searchEvents(ref)) {
      if (!ev.get("event").equals("child_step")) continue;
      int[] a = ((List<?>) ev.get("arc")).stream().mapToInt(o -> ((Number) o).intValue()).toArray();
      assertTrue(space.isValid(a), Arrays.toString(a));
      steps++;
    }
    assertTrue(steps > 0);
    Map<String, Object> result = Json.parseObject(Files.readString(ref.resolve("result.json")));
    String cmd = (String) result.get("train_command");
    assertTrue(cmd != null && cmd.startsWith("jnas train --genotype ") && cmd.contains("final_arch.json"), cmd);
    CliRun t = run("train", "--genotype", ref.resolve("final_arch.txt").toString(), "--data", "synthetic:train=320,val=64,test=32",
        "--epochs", "1", "--batch", "32", "--layers", "3", "--channels", "4", "--out", tmp.resolve("train").toString());
    assertEquals(0, t.code(), t.err());
    assertEquals(g, Genotype.fromJson(Files.readString(tmp.resolve("train").resolve("genotype.json"))));

    CliRun.assertStoppedAndResumedMatches(ref, cut, "nasnet search", search("nasnet"));
  }

  @Test
  void amoebanetSearchVerifiesItsPick(@TempDir Path tmp) throws Exception {
    Path out = tmp.resolve("a");
    CliRun r = run(search("amoebanet", "--epochs", "1", "--out", out.toString(), "--verify", "1", "--proxy-epochs", "1",
        "--proxy-repeats", "1", "--proxy-train-images", "64", "--proxy-val-images", "32", "--proxy-layers", "3", "--proxy-channels", "4"));
    assertEquals(0, r.code(), r.err());
    Map<String, Object> arch = Json.parseObject(Files.readString(out.resolve("final_arch.json")));
    assertEquals("amoebanet", arch.get("space"));
    Genotype g = Genotype.fromMap(arch);
    NasNetSpace space = NasNetSpace.amoebanet(3);
    for (var gene : g.normal()) assertTrue(space.ops().contains(gene.op()), gene.toString());
    Map<String, Object> verify = Json.parseObject(Files.readString(out.resolve("verify.json")));
    assertTrue(verify.toString().contains("random"), verify.toString());
  }

  /**
   * {@code nasnet-combine} in multi-trial search: REINFORCE's controller also picks each block's
   * combiner; a trial whose blocks concatenate trains with {@code jnas train RUN#ID} and exports
   * to ONNX; {@code jnas search} refuses the space with what to use instead.
   */
  @Test
  void nasnetCombineMultiTrialTrainsAndExportsAConcatTrial(@TempDir Path tmp) throws Exception {
    Path run = tmp.resolve("mt");
    CliRun r = run("multitrial", "--space", "nasnet-combine", "--nodes", "3", "--data", "synthetic:train=320,val=64,test=32",
        "--strategy", "reinforce", "--trials", "6", "--epochs", "1", "--layers", "3", "--channels", "4", "--seed", "1",
        "--out", run.toString());
    assertEquals(0, r.code(), r.err());
    NasNetSpace space = NasNetSpace.nasnet(3).withCombiner();
    Integer concatTrial = null;
    for (String line : Files.readAllLines(run.resolve("trials.jsonl"))) {
      Map<String, Object> t = Json.parseObject(line);
      int[] d = ((List<?>) t.get("decisions")).stream().mapToInt(o -> ((Number) o).intValue()).toArray();
      assertEquals(30, d.length);
      @SuppressWarnings("unchecked")
      Genotype g = Genotype.fromMap((Map<String, Object>) t.get("genotype"));
      assertEquals(space.decode(d), g);
      if (g.hasConcatCombiner() && concatTrial == null) concatTrial = ((Number) t.get("id")).intValue();
    }
    assertTrue(concatTrial != null, "6 trials of a uniform-start controller should include a concat block");
    Path tr = tmp.resolve("tr");
    CliRun t = run("train", "--genotype", run + "#" + concatTrial, "--data", "synthetic:train=320,val=64,test=32", "--epochs", "1",
        "--batch", "32", "--layers", "3", "--channels", "4", "--out", tr.toString());
    assertEquals(0, t.code(), t.err());
    assertTrue(t.out().contains("after all 1 epoch;"), t.out());
    Genotype trained = Genotype.fromJson(Files.readString(tr.resolve("genotype.json")));
    assertTrue(trained.hasConcatCombiner(), trained.toString());
    CliRun e = run("export", "--run", tr.toString());
    assertEquals(0, e.code(), e.err());
    assertTrue(Files.size(tr.resolve("model.onnx")) > 0);
  }

  /** ENAS's search in nasnet-combine: the controller's arcs carry a valid combiner per block; the pick trains. */
  @Test
  void nasnetCombineSearchRunsAndTrains(@TempDir Path tmp) throws Exception {
    Path out = tmp.resolve("s");
    CliRun r = run(search("nasnet-combine", "--epochs", "1", "--out", out.toString()));
    assertEquals(0, r.code(), r.err());
    NasNetSpace space = NasNetSpace.nasnet(3).withCombiner();
    int concat = 0;
    for (Map<String, Object> ev : CliRun.searchEvents(out)) {
      if (!ev.get("event").equals("child_step")) continue;
      int[] a = ((List<?>) ev.get("arc")).stream().mapToInt(o -> ((Number) o).intValue()).toArray();
      assertTrue(space.isValid(a), Arrays.toString(a));
      if (space.decode(a).hasConcatCombiner()) concat++;
    }
    assertTrue(concat > 0, "a uniform-start controller samples concat blocks");
    Map<String, Object> arch = Json.parseObject(Files.readString(out.resolve("final_arch.json")));
    int[] arc = Arrays.stream(((String) arch.get("arc")).split(" ")).mapToInt(Integer::parseInt).toArray();
    assertEquals(space.decode(arc), Genotype.fromMap(arch));
    assertEquals("nasnet-combine: " + arch.get("arc"), Files.readAllLines(out.resolve("final_arch.txt")).get(0));
    CliRun t = run("train", "--genotype", out.resolve("final_arch.txt").toString(), "--data", "synthetic:train=320,val=64,test=32",
        "--epochs", "1", "--batch", "32", "--layers", "3", "--channels", "4", "--out", tmp.resolve("t").toString());
    assertEquals(0, t.code(), t.err());
  }

  @Test
  void badSpaceVectors(@TempDir Path tmp) {
    bad("ops in [0, 13)", "train", "--genotype", "nasnet: 0 13 0 0 0 0 0 0", "--out", tmp.resolve("x").toString());
    bad("expected 8 per block", "train", "--genotype", "amoebanet: 0 1 0 0", "--out", tmp.resolve("y").toString());
    bad("unknown cell space 'nasnot'", "train", "--genotype", "nasnot: 0 1 0 0 0 0 0 0", "--out", tmp.resolve("z").toString());
  }
}
