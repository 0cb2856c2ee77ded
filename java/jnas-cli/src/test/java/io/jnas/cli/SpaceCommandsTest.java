package io.jnas.cli;

import static io.jnas.cli.CliRun.bad;
import static io.jnas.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnas.genotype.Genotype;
import io.jnas.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --space}: jnas info --space S, jnas multitrial --space S (a tiny run whose trials train with jnas train). */
class SpaceCommandsTest {
  @Test
  void infoPrintsTheSizeAndTheDecisions() {
    CliRun r = run("info", "--space", "nasnet");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().startsWith("nasnet: 10^30.79 architectures (10^33.71 decision vectors), 40 decisions:"), r.out());
    assertTrue(r.out().contains("normal b0 op1     13: skip_connect conv_3x1_1x3 conv_7x1_1x7 dil_conv_3x3"), r.out());
    assertTrue(r.out().contains("reduce b4 input2   6: c_{k-2} c_{k-1} b0 b1 b2 b3"), r.out());
    r = run("info", "--space", "amoebanet", "--json");
    assertEquals(0, r.code(), r.err());
    Map<String, Object> m = Json.parseObject(r.out());
    assertEquals("amoebanet", m.get("space"));
    assertEquals(40, ((List<?>) m.get("decisions")).size());
    r = run("info", "--space", "enas-micro", "--nodes", "4");
    assertTrue(r.out().startsWith("enas-micro: ") && r.out().contains(", 32 decisions:"), r.out());
    r = run("info", "--space", "enas-macro");
    assertTrue(r.out().startsWith("enas-macro: 10^29.21 architectures (10^29.21 decision vectors), 78 decisions:"), r.out());
    assertTrue(r.out().contains("layer 2 skip from layer 0    2: no yes"), r.out());
    r = run("info", "--genotype", "enas-macro", "--channels", "96");
    assertTrue(r.out().contains("enas-macro, 24 layers, 96 channels") && r.out().contains("30,947,424"), r.out());
    bad("info: --space: unknown space 'nope'", "info", "--space", "nope");
  }

  @Test
  void multitrialSearchesTheSpaceAndItsTrialsTrain(@TempDir Path tmp) throws Exception {
    String out = tmp.resolve("bad").toString();
    bad("--space is 'nb201', expected one of enas-micro, nasnet, amoebanet, nasnet-combine, enas-macro", "multitrial", "--space", "nb201", "--out", out);
    for (String space : List.of("nasnet", "amoebanet")) {
      Path dir = tmp.resolve(space);
      CliRun r = run("multitrial", "--space", space, "--data", "synthetic:train=64,val=32,test=8,seed=1", "--strategy", "random",
          "--trials", "2", "--epochs", "1", "--train-subset", "0", "--val-subset", "0", "--resolution", "8", "--layers", "3",
          "--channels", "4", "--nodes", "2", "--batch", "16", "--latency-batch", "4", "--out", dir.toString());
      assertEquals(0, r.code(), r.err());
      assertTrue(r.out().contains("2 trials (2 ok"), r.out());
      assertEquals(space, Json.parseObject(Files.readString(dir.resolve("config.json"))).get("space"));
      Genotype g = Genotype.resolve(dir + "#1");
      io.jnas.space.NasNetSpace s = space.equals("nasnet") ? io.jnas.space.NasNetSpace.nasnet(2) : io.jnas.space.NasNetSpace.amoebanet(2);
      assertEquals(g, s.decode(s.encode(g)), "trial 1's genotype is in the space");
      bad("--space cannot be combined with --resume", "multitrial", "--resume", dir.toString(), "--space", "nasnet");
    }
    Path dir = tmp.resolve("macro");
    CliRun r = run("multitrial", "--space", "enas-macro", "--layers", "4", "--data", "synthetic:train=64,val=32,test=8,seed=1",
        "--strategy", "evolution", "--population", "2", "--tournament", "1", "--trials", "3", "--epochs", "1", "--train-subset", "0",
        "--val-subset", "0", "--resolution", "8", "--channels", "4", "--batch", "16", "--latency-batch", "4", "--out", dir.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("3 trials (3 ok"), r.out());
    Map<String, Object> config = Json.parseObject(Files.readString(dir.resolve("config.json")));
    assertEquals("enas-macro", config.get("space"));
    assertEquals(4.0, ((Number) config.get("layers")).doubleValue());
    String first = Files.readAllLines(dir.resolve("trials.jsonl")).get(0);
    Map<String, Object> t = Json.parseObject(first);
    assertEquals(io.jnas.enas.MacroArch.length(4), ((List<?>) t.get("decisions")).size(), first);
    assertEquals(null, t.get("genotype"), "a macro trial has no cell genotype");
    r = run("multitrial", "--resume", dir.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("the run is done"), r.out());
  }
}
