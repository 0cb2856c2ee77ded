package io.jnas.cli;

import static io.jnas.cli.CliRun.bad;
import static io.jnas.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnas.search.RunDir;
import io.jnas.train.Checkpoint;
import io.jnas.util.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jnas train --space nb201} and {@code --space enas-macro} resumed: a run stopped after
 * one epoch ({@code --stop-after 1}) and continued with {@code --resume} logs the same epochs
 * (wall-clock fields aside) and saves the same weights.jnw, byte for byte, as one run straight
 * through; settings given again, another data set, a checkpoint of another kind (the other
 * network's, a cell network's, and theirs to a cell run) and a held folder are refused.
 */
class PlainResumeTest {
  private static final String DATA = "synthetic:train=320,val=64,test=32,seed=1";
  private static final String CELL = "|nor_conv_3x3~0|+|skip_connect~0|none~1|+|avg_pool_3x3~0|nor_conv_1x1~1|nor_conv_3x3~2|";
  private static final String ARC = "1 3 0 5 1 1";  // 3 layers: sep 3x3; sep 5x5 + skip from layer 0; max pool + skips from both

  private static String[] nb201(Path out, String... more) {
    return args(List.of("train", "--space", "nb201", "--genotype", CELL, "--data", DATA, "--epochs", "2", "--batch", "32",
        "--channels", "4", "--cells", "1", "--out", out.toString()), more);
  }

  private static String[] macro(Path out, String... more) {
    return args(List.of("train", "--space", "enas-macro", "--genotype", ARC, "--data", DATA, "--epochs", "2", "--batch", "32",
        "--channels", "4", "--out", out.toString()), more);
  }

  private static String[] args(List<String> base, String... more) {
    List<String> a = new ArrayList<>(base);
    a.addAll(List.of(more));
    return a.toArray(String[]::new);
  }

  @Test
  void nb201StoppedAndResumedEqualsOneRun(@TempDir Path tmp) throws Exception {
    stoppedAndResumedEqualsOneRun(tmp, PlainResumeTest::nb201, "jnas-nb201-checkpoint");
    // settings are the run's own: given again, refused with the cell path's message, before anything changes
    Path cut = tmp.resolve("cut");
    bad("--resume keeps the run's own settings (config.json); drop --channels", "train", "--resume", cut.toString(),
        "--channels", "8");
    bad("drop --cells", "train", "--space", "nb201", "--resume", cut.toString(), "--cells", "2");
    bad(cut + " is a --space nb201 run; drop --space enas-macro", "train", "--space", "enas-macro", "--resume", cut.toString());
    bad("exactly one of --out DIR and --resume DIR", "train", "--resume", cut.toString(), "--out", tmp.resolve("x").toString());
    bad("--data synthetic:train=160,val=64,test=32,seed=1 has 224 training and 32 test images; the run trained on 384", "train",
        "--resume", cut.toString(), "--data", "synthetic:train=160,val=64,test=32,seed=1");
  }

  @Test
  void macroStoppedAndResumedEqualsOneRun(@TempDir Path tmp) throws Exception {
    stoppedAndResumedEqualsOneRun(tmp, PlainResumeTest::macro, "jnas-macro-checkpoint");
    bad("drop --dropout-keep", "train", "--resume", tmp.resolve("cut").toString(), "--dropout-keep", "0.5");
  }

  @Test
  void aCheckpointOfTheOtherKindOrAHeldFolderIsRefused(@TempDir Path tmp) throws Exception {
    Path n = tmp.resolve("n"), m = tmp.resolve("m");
    assertEquals(0, run(nb201(n, "--epochs", "1", "--stop-after", "1")).code());
    assertEquals(0, run(macro(m, "--epochs", "1", "--stop-after", "1")).code());
    Path c = tmp.resolve("c");  // a cell network's run
    assertEquals(0, run("train", "--genotype", "darts-v1", "--data", DATA, "--layers", "3", "--channels", "4", "--epochs", "1",
        "--batch", "32", "--workers", "0", "--out", c.toString()).code());
    Path cellCk = Files.copy(c.resolve("checkpoint.bin"), tmp.resolve("cell.bin"));
    Files.copy(n.resolve("checkpoint.bin"), c.resolve("checkpoint.bin"), StandardCopyOption.REPLACE_EXISTING);
    bad(c.resolve("checkpoint.bin") + ": a jnas-nb201-checkpoint checkpoint, not jnas-final-checkpoint", "train", "--resume",
        c.toString());
    Files.copy(m.resolve("checkpoint.bin"), n.resolve("checkpoint.bin"), StandardCopyOption.REPLACE_EXISTING);
    bad(n.resolve("checkpoint.bin") + ": a jnas-macro-checkpoint checkpoint, not jnas-nb201-checkpoint", "train", "--resume",
        n.toString());
    Files.copy(cellCk, m.resolve("checkpoint.bin"), StandardCopyOption.REPLACE_EXISTING);
    bad(m.resolve("checkpoint.bin") + ": a jnas-final-checkpoint checkpoint, not jnas-macro-checkpoint", "train", "--resume",
        m.toString());
    Files.copy(n.resolve("checkpoint.bin"), m.resolve("checkpoint.bin"), StandardCopyOption.REPLACE_EXISTING);  // its own again
    // the lock holds while training: a second run on the folder is refused, naming its holder
    try (RunDir held = RunDir.open(m, "train", null)) {
      CliRun r = run("train", "--resume", m.toString());
      assertEquals(2, r.code(), r.err());
      assertTrue(r.err().contains(m.toString()) && r.err().contains("in use by another run"), r.err());
    }
    assertEquals(0, run("train", "--resume", m.toString()).code());  // released: a finished run's resume rewrites its end
    assertTrue(Files.isRegularFile(m.resolve("weights.jnw")) && Files.isRegularFile(m.resolve("result.json")));
  }

  @FunctionalInterface
  private interface Args {
    String[] of(Path out, String... more);
  }

  private static void stoppedAndResumedEqualsOneRun(Path tmp, Args args, String kind) throws Exception {
    Path whole = tmp.resolve("whole"), cut = tmp.resolve("cut");
    CliRun r = run(args.of(whole));
    assertEquals(0, r.code(), r.err());
    r = run(args.of(cut, "--stop-after", "1"));
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("stopping (resume with --resume " + cut + ")"), r.out());
    assertFalse(Files.exists(cut.resolve("weights.jnw")) || Files.exists(cut.resolve("result.json")), "a stopped run has no end yet");
    Checkpoint ck = Checkpoint.read(cut.resolve("checkpoint.bin"));
    assertEquals(kind, ck.header().get("kind"));
    assertEquals(1.0, ck.header().get("epochs_done"));
    assertEquals(List.of("weights", "momentum", "running_stats"), List.copyOf(ck.arrays().keySet()));
    assertEquals(1, events(cut).size());
    r = run("train", "--resume", cut.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("after 2 epochs"), r.out());
    assertEquals(events(whole), events(cut));
    assertEquals(2, events(cut).size());
    for (Map<String, Object> ev : events(cut)) assertEquals("epoch", ev.get("event"));
    assertTrue(Files.size(cut.resolve("curves.png")) > 0, "curves.png: train loss and accuracy per epoch");
    assertArrayEquals(Files.readAllBytes(whole.resolve("weights.jnw")), Files.readAllBytes(cut.resolve("weights.jnw")),
        "weights.jnw");
    Checkpoint x = Checkpoint.read(whole.resolve("checkpoint.bin")), y = Checkpoint.read(cut.resolve("checkpoint.bin"));
    for (String name : x.arrays().keySet()) assertArrayEquals(x.array(name), y.array(name), "checkpoint.bin " + name);
    Map<String, Object> a = Json.parseObject(Files.readString(whole.resolve("result.json")));
    Map<String, Object> b = Json.parseObject(Files.readString(cut.resolve("result.json")));
    a.remove("seconds");
    b.remove("seconds");
    assertEquals(a, b);
    assertEquals(List.of(), temps(cut));
  }

  /** log.jsonl's events without their wall-clock field. */
  private static List<Map<String, Object>> events(Path run) throws IOException {
    List<Map<String, Object>> out = new ArrayList<>();
    for (String line : Files.readAllLines(run.resolve("log.jsonl"))) {
      Map<String, Object> m = Json.parseObject(line);
      m.remove("seconds");
      out.add(m);
    }
    return out;
  }

  private static List<Path> temps(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList();
    }
  }
}
