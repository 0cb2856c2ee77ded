package io.jnas.cli;

import static io.jnas.cli.CliRun.bad;
import static io.jnas.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnas.enas.MacroArch;
import io.jnas.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jnas search --space enas-macro}: an ENAS macro search end to end (the macro supernet,
 * the macro controller, derivation, the layer graph), and a run stopped after epoch 1 and
 * resumed gives the events of a run never stopped.
 */
class MacroSearchTest {
  private static final String[] SEARCH = {"search", "--space", "enas-macro", "--data", "synthetic:train=320,val=64,test=32",
      "--validation", "64", "--preset", "quick", "--epochs", "2", "--batch", "32", "--layers", "4", "--channels", "4",
      "--controller-steps", "2", "--controller-aggregate", "2", "--derive-every", "1", "--derive-samples", "3", "--seed", "3"};

  private static String[] with(String... extra) {
    return CliRun.with(SEARCH, extra);
  }


  @Test
  void macroSearchRunsAndResumesToTheSameRun(@TempDir Path tmp) throws Exception {
    Path ref = tmp.resolve("ref"), cut = tmp.resolve("cut");
    CliRun r = run(with("--out", ref.toString()));
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("found network (ENAS macro string): "), r.out());
    assertTrue(r.out().contains("random networks"), r.out());
    Map<String, Object> arch = Json.parseObject(Files.readString(ref.resolve("final_arch.json")));
    assertEquals("enas-macro", arch.get("format"));
    MacroArch a = MacroArch.fromMap(arch);
    assertEquals(4, a.layers());
    assertTrue(Files.size(ref.resolve("network.svg")) > 0 && Files.size(ref.resolve("network.png")) > 0);
    Map<String, Object> result = Json.parseObject(Files.readString(ref.resolve("result.json")));
    assertEquals("enas-macro", result.get("space"));
    // the summary's next step trains the found network: run it (one short epoch)
    String cmd = (String) result.get("train_command");
    assertTrue(cmd != null && cmd.startsWith("jnas train --space enas-macro --genotype ") && cmd.contains("final_arch.json"), cmd);
    assertTrue(r.out().contains(cmd), r.out());
    CliRun t = run("train", "--space", "enas-macro", "--genotype", ref.resolve("final_arch.json").toString(), "--data",
        "synthetic:train=320,val=64,test=32", "--epochs", "1", "--batch", "32", "--channels", "4", "--out", tmp.resolve("train").toString());
    assertEquals(0, t.code(), t.err());
    assertTrue(t.out().contains("enas-macro network, 4 layers x 4 channels"), t.out());
    Map<String, Object> settings = Json.parseObject(Files.readString(ref.resolve("settings.json")));
    assertEquals("enas-macro", settings.get("space"));
    assertEquals(0.8, ((Number) settings.get("controller_skip_weight")).doubleValue());
    // every child step trained a macro string of 4 layers: 4 ops + 6 skip bits; the epoch-1
    // derivation ranks among 20 random networks (a progress reading), the last among all 100
    List<Integer> counts = new ArrayList<>();
    for (Map<String, Object> ev : CliRun.searchEvents(ref)) {
      if (ev.get("event").equals("child_step")) assertEquals(MacroArch.length(4), ((List<?>) ev.get("arc")).size());
      if (ev.get("event").equals("derive")) counts.add(((Number) ev.get("random_count")).intValue());
    }
    assertEquals(List.of(20, 100), counts);

    CliRun.assertStoppedAndResumedMatches(ref, cut, "macro search", with());
  }

  @Test
  void badFlags(@TempDir Path tmp) {
    bad("--nodes applies to the cell spaces only", "search", "--space", "enas-macro", "--nodes", "3", "--out", tmp.resolve("x").toString());
    bad("--space is 'nasnett', expected one of enas-micro, nasnet, amoebanet, nasnet-combine, enas-macro", "search", "--space", "nasnett", "--out",
        tmp.resolve("y").toString());
  }
}
