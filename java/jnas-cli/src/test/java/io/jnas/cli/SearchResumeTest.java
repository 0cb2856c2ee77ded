package io.jnas.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnas.train.Checkpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A search killed with SIGKILL during its second epoch and resumed gives the same events
 * (losses, rewards, derived architecture) as a search never stopped. Both run as separate
 * JVMs with the same thread count, as a user would run them.
 */
class SearchResumeTest {
  private static final String[] SEARCH = {"search", "--data", "synthetic:train=1400,val=128,test=64", "--validation", "128",
      "--preset", "quick", "--epochs", "3", "--batch", "32", "--layers", "0", "--channels", "4", "--nodes", "2",
      "--controller-steps", "3", "--controller-aggregate", "2", "--derive-every", "1", "--derive-samples", "3", "--seed", "5"};

  private static Process start(Path log, String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Djnas.threads=2", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  private static String[] with(String... extra) {
    return CliRun.with(SEARCH, extra);
  }


  @Test
  void killedDuringEpochTwoResumesToTheSameRun(@TempDir Path tmp) throws Exception {
    Path ref = tmp.resolve("ref"), cut = tmp.resolve("cut");
    Process p = start(tmp.resolve("ref.txt"), with("--out", ref.toString()));
    assertTrue(p.waitFor(240, TimeUnit.SECONDS), "reference search timed out");
    assertEquals(0, p.exitValue(), Files.readString(tmp.resolve("ref.txt")));

    Process q = start(tmp.resolve("cut.txt"), with("--out", cut.toString()));
    Path log = cut.resolve("log.jsonl");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
    while (System.nanoTime() < deadline && q.isAlive()) {
      if (Files.exists(log) && Files.readString(log).contains("\"event\":\"child_step\",\"epoch\":2,\"step\":3,")) break;
      Thread.sleep(5);
    }
    assertTrue(q.isAlive(), "the search ended before it could be killed: " + Files.readString(tmp.resolve("cut.txt")));
    q.destroyForcibly().waitFor();  // SIGKILL: no shutdown hooks, no flushing
    Checkpoint c = Checkpoint.read(cut.resolve("checkpoint.bin"));
    assertEquals(1.0, c.header().get("next_epoch"), "killed during epoch 2: the checkpoint is the one after epoch 1");
    // what a kill during a checkpoint write leaves (the kill above may or may not have): removed on resume
    Files.write(cut.resolve(".checkpoint.bin.4242424242.tmp"), new byte[1 << 16]);

    Process r = start(tmp.resolve("resume.txt"), "search", "--resume", cut.toString());
    assertTrue(r.waitFor(240, TimeUnit.SECONDS), "resumed search timed out");
    assertEquals(0, r.exitValue(), Files.readString(tmp.resolve("resume.txt")));

    List<Map<String, Object>> a = CliRun.searchEvents(ref), b = CliRun.searchEvents(cut);
    assertEquals(a.size(), b.size(), "event count");
    for (int i = 0; i < a.size(); i++) assertEquals(a.get(i), b.get(i), "event " + i);
    assertEquals(Files.readString(ref.resolve("final_arch.txt")), Files.readString(cut.resolve("final_arch.txt")));
    try (var files = Files.list(cut)) {
      assertEquals(List.of(), files.filter(f -> f.getFileName().toString().endsWith(".tmp")).toList(), "temp files left");
    }
  }

  @Test
  void badInputIsOneLineAndExitTwo(@TempDir Path tmp) throws Exception {
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
    java.io.PrintStream e = new java.io.PrintStream(err, true);
    java.io.PrintStream o = new java.io.PrintStream(new java.io.ByteArrayOutputStream(), true);
    assertEquals(2, Main.run(new String[] {"search", "--data", tmp.resolve("missing").toString(), "--out",
        tmp.resolve("never").toString()}, o, e));
    assertTrue(err.toString().contains("missing") && err.toString().contains("not found"), err.toString());
    assertFalse(Files.exists(tmp.resolve("never")), "bad data: no run folder made");
    err.reset();
    assertEquals(2, Main.run(new String[] {"search", "--batch", "4000", "--out", tmp.resolve("never").toString()}, o, e));
    assertTrue(err.toString().contains("batch 4000 is larger"), err.toString());
    assertFalse(Files.exists(tmp.resolve("never")), "bad sizes: no run folder made");
    err.reset();
    assertEquals(2, Main.run(new String[] {"search", "--channels", "5"}, o, e));
    assertTrue(err.toString().contains("channels is 5"), err.toString());
    err.reset();
    assertEquals(2, Main.run(new String[] {"search", "--epochs", "x"}, o, e));
    assertTrue(err.toString().contains("--epochs is 'x'"), err.toString());
    err.reset();
    assertEquals(2, Main.run(new String[] {"search", "--resume", tmp.toString()}, o, e));
    assertTrue(err.toString().contains("holds no settings.json"), err.toString());
    assertFalse(Files.exists(tmp.resolve(".jnas.lock")), "a folder that is no run is left untouched");
    Path full = tmp.resolve("full");
    Files.createDirectories(full);
    Files.writeString(full.resolve("keep.txt"), "precious");
    err.reset();
    assertEquals(2, Main.run(new String[] {"search", "--out", full.toString()}, o, e));
    assertTrue(err.toString().contains("not empty"), err.toString());
    assertEquals("precious", Files.readString(full.resolve("keep.txt")));
  }
}
