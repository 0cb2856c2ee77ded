package io.jnas.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnas.search.RunDir;
import io.jnas.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** eval, predict and export: no output file is replaced without --force; predict goes on past unreadable images. */
class OutputsTest {
  @TempDir static Path shared;
  private static Path run;

  @BeforeAll
  static void train() {
    run = shared.resolve("run");
    CliRun r = CliRun.run("train", "--genotype", "darts-v1", "--data", "synthetic:train=32,val=8,test=16,seed=1", "--layers", "3",
        "--channels", "4", "--epochs", "1", "--batch", "16", "--workers", "0", "--out", run.toString());
    assertEquals(0, r.code(), r.err());
  }

  private static void refused(CliRun r, Path file) {
    assertEquals(2, r.code(), r.err());
    assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
    assertTrue(r.err().contains(file.toString()) && r.err().contains("exists") && r.err().contains("--force"), r.err());
  }

  @Test
  void exportNeedsForceToReplaceAFile(@TempDir Path tmp) throws Exception {
    Path onnx = run.resolve("model.onnx");
    assertEquals(0, CliRun.run("export", "--run", run.toString()).code());
    long size = Files.size(onnx);
    Files.writeString(onnx, "mine");
    refused(CliRun.run("export", "--run", run.toString()), onnx);
    assertEquals("mine", Files.readString(onnx));
    CliRun r = CliRun.run("export", "--run", run.toString(), "--force");
    assertEquals(0, r.code(), r.err());
    assertEquals(size, Files.size(onnx));
    // --genotype-json too; nothing is written when any target exists
    Path g = Files.writeString(tmp.resolve("g.json"), "keep");
    Path other = tmp.resolve("other.onnx");
    refused(CliRun.run("export", "--run", run.toString(), "--onnx", other.toString(), "--genotype-json", g.toString()), g);
    assertFalse(Files.exists(other));
    assertEquals("keep", Files.readString(g));
  }

  @Test
  void predictNeedsForceToReplaceItsOutput(@TempDir Path tmp) throws Exception {
    Path imgs = Files.createDirectories(tmp.resolve("imgs"));
    Files.copy(run.resolve("curves.png"), imgs.resolve("a.png"));
    Path out = Files.writeString(tmp.resolve("p.json"), "precious");
    refused(CliRun.run("predict", "--run", run.toString(), "--images", imgs.toString(), "--out", out.toString()), out);
    assertEquals("precious", Files.readString(out));
    CliRun r = CliRun.run("predict", "--run", run.toString(), "--images", imgs.toString(), "--out", out.toString(), "--force");
    assertEquals(0, r.code(), r.err());
    assertTrue(Files.readString(out).contains("\"image\": \"a.png\""));
  }

  @Test
  void evalNeedsForceToReplaceEarlierResultsAndWaitsForTheRunsLock(@TempDir Path tmp) throws Exception {
    Path ev = tmp.resolve("ev");
    CliRun r = CliRun.run("eval", "--run", run.toString(), "--out", ev.toString());
    assertEquals(0, r.code(), r.err());
    String first = Files.readString(ev.resolve("eval.json"));
    refused(CliRun.run("eval", "--run", run.toString(), "--out", ev.toString()), ev.resolve("eval.json"));
    Files.delete(ev.resolve("eval.json"));
    refused(CliRun.run("eval", "--run", run.toString(), "--out", ev.toString()), ev.resolve("confusion.png"));
    r = CliRun.run("eval", "--run", run.toString(), "--out", ev.toString(), "--force");
    assertEquals(0, r.code(), r.err());
    assertEquals(first, Files.readString(ev.resolve("eval.json")));
    // into the run folder: under its lock
    try (RunDir held = RunDir.open(run, "train", null)) {
      CliRun.bad("in use by another run", "eval", "--run", run.toString(), "--force");
    }
    Path onFile = Files.writeString(tmp.resolve("file"), "x");
    CliRun.bad("is a file, expected a folder", "eval", "--run", run.toString(), "--out", onFile.toString());
  }

  @Test
  void predictReportsUnreadableImagesOneByOneAndGoesOn(@TempDir Path tmp) throws Exception {
    Path imgs = Files.createDirectories(tmp.resolve("imgs"));
    Files.copy(run.resolve("curves.png"), imgs.resolve("a.png"));
    Files.write(imgs.resolve("b.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3});  // cut short
    Files.write(imgs.resolve("c.jpg"), new byte[0]);
    CliRun r = CliRun.runCapturingStderr("predict", "--run", run.toString(), "--images", imgs.toString());
    assertEquals(0, r.code(), r.err());
    List<?> res = (List<?>) Json.parse(r.out());
    assertEquals(3, res.size());
    Map<?, ?> a = (Map<?, ?>) res.get(0), b = (Map<?, ?>) res.get(1), c = (Map<?, ?>) res.get(2);
    assertEquals("a.png", a.get("image"));
    assertTrue(a.containsKey("top") && !a.containsKey("error"), a.toString());
    assertEquals("b.png", b.get("image"));
    assertTrue(b.get("error") instanceof String && !b.containsKey("top"), b.toString());
    assertTrue(c.get("error") instanceof String, c.toString());
    assertEquals(1, r.err().lines().filter(l -> l.contains("b.png")).count(), r.err());
    assertEquals(1, r.err().lines().filter(l -> l.contains("c.jpg")).count(), r.err());
    // none readable: exit 2, the JSON still lists each error
    Files.delete(imgs.resolve("a.png"));
    r = CliRun.runCapturingStderr("predict", "--run", run.toString(), "--images", imgs.toString());
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("none of the 2 images"), r.err());
    assertEquals(2, ((List<?>) Json.parse(r.out())).size());
  }
}
