package io.jnas.cli;

import static io.jnas.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnas.search.RunLock;
import io.jnas.util.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jnas multitrial --resume}: a run killed with SIGKILL (or stopped with SIGTERM) and
 * resumed makes the trials of a run never stopped, trial by trial; the lock refuses a second
 * run on a folder; a moved run and a moved data set resume with {@code --data}.
 */
class MultiTrialResumeTest {
  private static final String[] TINY = {"multitrial", "--data", "synthetic:train=256,val=64,test=8,seed=1", "--strategy",
      "evolution", "--population", "3", "--tournament", "2", "--trials", "10", "--epochs", "2", "--early-stop", "median",
      "--train-subset", "0", "--val-subset", "0", "--resolution", "8", "--layers", "3", "--channels", "4", "--nodes", "2",
      "--batch", "16", "--latency-batch", "4", "--seed", "3"};

  private static Process start(Path log, String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Djnas.threads=2", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  private static String[] with(String[] base, String... extra) {
    List<String> l = new ArrayList<>(List.of(base));
    l.addAll(List.of(extra));
    return l.toArray(new String[0]);
  }

  /** trials.jsonl without the wall-clock fields (seconds, latency). */
  private static List<Map<String, Object>> trials(Path run) throws IOException {
    List<Map<String, Object>> out = new ArrayList<>();
    for (String line : Files.readAllLines(run.resolve("trials.jsonl"))) {
      Map<String, Object> t = Json.parseObject(line);
      t.remove("seconds");
      t.remove("latency_ms");
      out.add(t);
    }
    return out;
  }

  private static Map<String, Object> summary(Path run) throws IOException {
    return Json.parseObject(Files.readString(run.resolve("summary.json")));
  }

  private static long lines(Path f) throws IOException {
    return Files.exists(f) ? Files.readAllLines(f).size() : 0;
  }

  /** Starts the tiny run into {@code run}, stops it (SIGKILL or SIGTERM) after 3 trials, resumes it. */
  private static void stopAndResume(Path tmp, Path run, boolean kill) throws Exception {
    String tag = run.getFileName().toString();
    Process q = start(tmp.resolve(tag + ".txt"), with(TINY, "--out", run.toString()));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline && q.isAlive() && lines(run.resolve("trials.jsonl")) < 3) Thread.sleep(2);
    assertTrue(q.isAlive(), tag + ": the run ended before it could be stopped: " + Files.readString(tmp.resolve(tag + ".txt")));
    if (kill) q.destroyForcibly(); else q.destroy();  // SIGKILL: nothing runs; SIGTERM: shutdown hooks run
    q.waitFor();
    long done = lines(run.resolve("trials.jsonl"));
    assertTrue(done >= 3 && done < 10, tag + ": stopped mid-run, after " + done + " trials");
    Map<String, Object> s = summary(run);
    assertEquals(kill ? "running" : "interrupted", s.get("status"), tag);
    assertEquals(10, ((Number) s.get("planned_trials")).intValue(), tag);
    try (RunLock l = RunLock.acquire(run, "test", null)) {
      assertTrue(l.isHeld(), tag + ": the stopped run left the lock free");
    }

    Process r = start(tmp.resolve(tag + "-resume.txt"), "multitrial", "--resume", run.toString());
    assertTrue(r.waitFor(120, TimeUnit.SECONDS), tag + ": resumed run timed out");
    String log = Files.readString(tmp.resolve(tag + "-resume.txt"));
    assertEquals(0, r.exitValue(), log);
    assertTrue(log.contains("resuming: trials 1-" + done + " were done"), log);
    assertEquals("done", summary(run).get("status"));
    try (Stream<Path> st = Files.walk(run)) {
      assertFalse(st.anyMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temporary file is left");
    }
  }

  @Test
  void stoppedRunsResumeToTheTrialsOfAnUninterruptedOne(@TempDir Path tmp) throws Exception {
    Path ref = tmp.resolve("ref"), killed = tmp.resolve("killed"), terminated = tmp.resolve("terminated");
    Process p = start(tmp.resolve("ref.txt"), with(TINY, "--out", ref.toString()));
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "reference run timed out");
    assertEquals(0, p.exitValue(), Files.readString(tmp.resolve("ref.txt")));
    assertTrue(Files.readString(tmp.resolve("ref.txt")).contains("the population (3) is full: evolution starts"));
    List<Map<String, Object>> a = trials(ref);
    assertEquals(10, a.size());

    stopAndResume(tmp, killed, true);
    stopAndResume(tmp, terminated, false);
    for (Path run : List.of(killed, terminated)) {
      List<Map<String, Object>> b = trials(run);
      assertEquals(a.size(), b.size(), run.toString());
      for (int i = 0; i < a.size(); i++) assertEquals(a.get(i), b.get(i), run + ": trial " + (i + 1));
      assertEquals(((Map<?, ?>) summary(ref).get("best")).get("id"), ((Map<?, ?>) summary(run).get("best")).get("id"));
    }
  }

  @Test
  void aSecondRunOnTheFolderIsRefused(@TempDir Path tmp) throws Exception {
    Path run = tmp.resolve("run");
    assertEquals(0, run(with(TINY, "--trials", "1", "--epochs", "1", "--out", run.toString())).code());
    String before = Files.readString(run.resolve("trials.jsonl"));
    try (RunLock held = RunLock.acquire(run, "multitrial", null)) {
      CliRun r = run(with(TINY, "--out", run.toString()));
      assertEquals(2, r.code(), r.err());
      assertTrue(r.err().contains(run.toString()) && r.err().contains("in use by another run (pid "), r.err());
      r = run("multitrial", "--resume", run.toString());
      assertEquals(2, r.code(), r.err());
      assertTrue(r.err().contains(run.toString()) && r.err().contains("in use by another run (pid "), r.err());
      Path fresh = tmp.resolve("fresh");
      try (RunLock other = RunLock.acquire(fresh, "multitrial", null)) {
        r = run(with(TINY, "--out", fresh.toString()));
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("in use by another run"), r.err());
      }
    }
    assertEquals(before, Files.readString(run.resolve("trials.jsonl")), "the first run is intact");
    CliRun r = run(with(TINY, "--out", run.toString()));
    assertEquals(2, r.code());
    assertTrue(r.err().contains("is not empty"), r.err());
  }

  /** A CIFAR-10 binary folder of {@code n} random 32x32 images. */
  private static Path cifar(Path dir, int n) throws IOException {
    Files.createDirectories(dir);
    byte[] b = new byte[n * 3073];
    Random rnd = new Random(7);
    rnd.nextBytes(b);
    for (int i = 0; i < n; i++) b[i * 3073] = (byte) (i % 10);
    Files.write(dir.resolve("data_batch_1.bin"), b);
    return dir;
  }

  @Test
  void movedRunAndMovedDataResume(@TempDir Path tmp) throws Exception {
    Path data = cifar(tmp.resolve("data"), 96);
    Path run = tmp.resolve("run");
    String[] args = {"multitrial", "--data", data.toString(), "--strategy", "random", "--trials", "3", "--epochs", "1",
        "--train-subset", "0", "--val-subset", "0", "--resolution", "8", "--layers", "3", "--channels", "4", "--nodes", "2",
        "--batch", "16", "--latency-batch", "4", "--seed", "4", "--out", run.toString()};
    CliRun r = run(args);
    assertEquals(0, r.code(), r.err());
    Map<String, Object> config = Json.parseObject(Files.readString(run.resolve("config.json")));
    assertEquals(data.toAbsolutePath().normalize().toString(), config.get("data"), "absolute data path");
    assertEquals(4.0, config.get("seed"), "the seed is a JSON number");
    assertNull(config.get("train_subset"), "all images: null, not 0");
    assertEquals(3.0, config.get("trials"));
    List<Map<String, Object>> all = trials(run);

    r = run("multitrial", "--resume", run.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("the run is done (3 of 3 trials); nothing to resume"), r.out());

    // as if killed after trial 1: one trial written, summary still "running"
    Files.writeString(run.resolve("trials.jsonl"), Files.readAllLines(run.resolve("trials.jsonl")).get(0) + "\n");
    Map<String, Object> sum = summary(run);
    sum.put("status", "running");
    Files.writeString(run.resolve("summary.json"), Json.pretty(sum));
    Path movedData = tmp.resolve("elsewhere").resolve("data2"), movedRun = tmp.resolve("moved-run");
    Files.createDirectories(movedData.getParent());
    Files.move(data, movedData);
    Files.move(run, movedRun);

    CliRun.bad("(moved? give its new place with --data DIR)", "multitrial", "--resume", movedRun.toString());
    CliRun.bad("--trials cannot be combined with --resume", "multitrial", "--resume", movedRun.toString(), "--trials", "5");
    r = run("multitrial", "--resume", movedRun.toString(), "--data", movedData.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("3 trials"), r.out());
    assertEquals(all, trials(movedRun), "the resumed trials are the first run's");
    assertEquals(movedData.toAbsolutePath().normalize().toString(),
        Json.parseObject(Files.readString(movedRun.resolve("config.json"))).get("data"), "the new place is recorded");
  }

  @Test
  void runFoldersOfEarlierVersionsResume(@TempDir Path tmp) throws Exception {
    Path run = tmp.resolve("old");
    assertEquals(0, run(with(TINY, "--trials", "3", "--epochs", "1", "--out", run.toString())).code());
    List<Map<String, Object>> all = trials(run);
    // an earlier version: no config.json, settings in summary.json with strings and sentinels, no status
    Files.delete(run.resolve("config.json"));
    Map<String, Object> sum = summary(run);
    sum.remove("status");
    sum.remove("planned_trials");
    @SuppressWarnings("unchecked")
    Map<String, Object> settings = new LinkedHashMap<>((Map<String, Object>) sum.get("settings"));
    settings.put("strategy_params", Map.of("population", "3", "tournament", "2"));
    settings.put("train_subset", 0);
    settings.put("val_subset", 0);
    settings.put("seed", "3");
    sum.put("settings", settings);
    Files.writeString(run.resolve("summary.json"), Json.pretty(sum));
    List<String> lines = Files.readAllLines(run.resolve("trials.jsonl"));
    Files.writeString(run.resolve("trials.jsonl"), lines.get(0) + "\n" + lines.get(1) + "\n");
    CliRun r = run("multitrial", "--resume", run.toString());
    assertEquals(0, r.code(), r.err());
    assertEquals(all, trials(run));
    assertTrue(Files.isRegularFile(run.resolve("config.json")), "the settings are now in config.json");
  }
}
