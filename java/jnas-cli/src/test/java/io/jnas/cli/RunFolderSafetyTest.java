package io.jnas.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnas.data.Datasets;
import io.jnas.enas.EnasSearch;
import io.jnas.enas.SearchSettings;
import io.jnas.genotype.Genotype;
import io.jnas.search.RunDir;
import io.jnas.train.Trainer;
import io.jnas.util.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Run folders: one run at a time (in this JVM and across processes), stale temporary files
 * removed when a run reopens its folder, a search stopped before its first checkpoint resumed
 * afresh, and the summary a finished search prints.
 */
class RunFolderSafetyTest {
  private static final String DATA = "synthetic:train=400,val=128,test=64";
  private static final long PID = ProcessHandle.current().pid();

  @TempDir static Path shared;
  private static Path reference;
  private static CliRun referenceRun;

  /** One uninterrupted search, shared by the tests that compare with it or read its summary. */
  private static synchronized Path reference() {
    if (reference == null) {
      Path ref = shared.resolve("ref");
      referenceRun = CliRun.run(search(ref));
      assertEquals(0, referenceRun.code(), referenceRun.err());
      reference = ref;
    }
    return reference;
  }

  private static String[] search(Path out, String... extra) {
    List<String> l = new ArrayList<>(List.of("search", "--data", DATA, "--validation", "128", "--epochs", "2", "--batch", "32",
        "--layers", "0", "--channels", "4", "--nodes", "2", "--controller-steps", "2", "--controller-aggregate", "2",
        "--derive-every", "1", "--derive-samples", "3", "--seed", "3", "--out", out.toString()));
    l.addAll(List.of(extra));
    return l.toArray(new String[0]);
  }

  private static String[] train(Path out, String... extra) {
    List<String> l = new ArrayList<>(List.of("train", "--genotype", "darts-v1", "--data", "synthetic:train=48,val=8,test=16,seed=1",
        "--layers", "3", "--channels", "4", "--epochs", "2", "--batch", "16", "--workers", "0", "--out", out.toString()));
    l.addAll(List.of(extra));
    return l.toArray(new String[0]);
  }

  /** The same search settings through the library API. */
  private static SearchSettings searchSettings(Path scratch) throws IOException {
    // parse the CLI flags the same way the command does
    Options.Parsed p = new SearchCommand().options().parse(Arrays.copyOfRange(search(scratch), 1, search(scratch).length), false);
    return SearchCommand.settings(p);
  }

  private static void assertInUse(CliRun r, Path folder, String holder) {
    assertEquals(2, r.code(), r.err());
    assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
    assertTrue(r.err().contains(folder.toString()) && r.err().contains("in use by another run")
        && r.err().contains("pid " + PID) && r.err().contains("jnas " + holder), r.err());
  }

  private static List<Map<String, Object>> events(Path run, String kind) throws IOException {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Map<String, Object> ev : log(run)) if (kind.equals(ev.get("event"))) out.add(ev);
    return out;
  }

  /** The hidden temporary files under a folder. */
  private static List<Path> temps(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(p -> p.getFileName().toString().matches("^\\..+\\.\\d+\\.tmp$")).toList();
    }
  }

  @Test
  void aSecondSearchOrTrainOnAFolderInUseExitsTwoAndTheFirstFinishesIntact(@TempDir Path tmp) throws Exception {
    Path run = tmp.resolve("run");
    try (EnasSearch first = EnasSearch.start(searchSettings(run), run, null)) {
      assertInUse(CliRun.run(search(run)), run, "search");
      assertInUse(CliRun.run("search", "--resume", run.toString()), run, "search");
      assertInUse(CliRun.run(train(run)), run, "search");
      first.run();
    }
    assertEquals(1, events(run, "start").size());
    assertEquals(0, events(run, "resume").size());
    assertEquals(List.of(1.0, 2.0), events(run, "epoch").stream().map(e -> e.get("epoch")).toList());
    assertEquals("done", Json.parseObject(Files.readString(run.resolve("result.json"))).get("status"));
    try (RunDir again = RunDir.open(run, "test", null)) {  // released
      assertTrue(again.isLocked());
    }

    Path t = tmp.resolve("train");
    Trainer.Settings s = new Trainer.Settings();
    s.data = "synthetic:train=48,val=8,test=16,seed=1";
    s.layers = 3;
    s.channels = 4;
    s.epochs = 2;
    s.batch = 16;
    s.workers = 0;
    try (RunDir d = RunDir.create(t, "train", null)) {
      assertInUse(CliRun.run(train(t)), t, "train");
      new Trainer(s, null).run(Datasets.open(s.data), Genotype.DARTS_V1, d, false, 1);
      assertInUse(CliRun.run("train", "--resume", t.toString()), t, "train");
    }
    CliRun r = CliRun.run("train", "--resume", t.toString());
    assertEquals(0, r.code(), r.err());
    assertEquals(List.of(1.0, 2.0), events(t, "epoch").stream().map(e -> e.get("epoch")).toList());
  }

  @Test
  void anotherProcessIsRefusedWhileThisOneHoldsTheFolder(@TempDir Path tmp) throws Exception {
    Path run = tmp.resolve("run");
    try (RunDir held = RunDir.create(run, "search", null)) {
      List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Djnas.threads=1", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
      cmd.addAll(List.of(search(run)));
      Path log = tmp.resolve("other.txt");
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the other process did not end");
      String out = Files.readString(log);
      assertEquals(2, p.exitValue(), out);
      assertTrue(out.contains(run.toString()) && out.contains("in use by another run") && out.contains("pid " + PID), out);
    }
    try (Stream<Path> s = Files.list(run)) {
      assertEquals(List.of(".jnas.lock"), s.map(p -> p.getFileName().toString()).toList(), "the refused run wrote nothing");
    }
  }

  @Test
  void staleTemporaryFilesAreRemovedWhenARunResumes(@TempDir Path tmp) throws Exception {
    Path run = tmp.resolve("s");
    assertEquals(0, CliRun.run(search(run, "--stop-after", "1")).code());
    // what a kill -9 during atomic writes leaves: hidden temp files beside the real ones
    Files.write(run.resolve(".checkpoint.bin.8151437711207227532.tmp"), new byte[1 << 20]);
    Files.writeString(run.resolve(".final_arch.json.42.tmp"), "{");
    CliRun r = CliRun.runCapturingStderr("search", "--resume", run.toString());
    assertEquals(0, r.code(), r.err());
    assertEquals(List.of(), temps(run));
    assertTrue(r.err().contains("removed " + run.resolve(".checkpoint.bin.8151437711207227532.tmp")), r.err());
    assertEquals(List.of(1.0, 2.0), events(run, "epoch").stream().map(e -> e.get("epoch")).toList());

    Path t = tmp.resolve("t");
    assertEquals(0, CliRun.run(train(t, "--stop-after", "1")).code());
    Files.write(t.resolve(".checkpoint.bin.123456789.tmp"), new byte[1000]);
    Files.write(t.resolve(".curves.png.987.tmp"), new byte[10]);
    r = CliRun.run("train", "--resume", t.toString());
    assertEquals(0, r.code(), r.err());
    assertEquals(List.of(), temps(t));
    assertTrue(Files.isRegularFile(t.resolve("weights.jnw")));
  }

  @Test
  void aSearchStoppedBeforeItsFirstCheckpointResumesAfreshToTheSameRun(@TempDir Path tmp) throws Exception {
    Path ref = reference(), cut = tmp.resolve("cut");
    // what a kill during epoch 1 leaves: settings.json, part of the log, no checkpoint
    Files.createDirectories(cut);
    Files.copy(ref.resolve("settings.json"), cut.resolve("settings.json"));
    List<String> lines = Files.readAllLines(ref.resolve("log.jsonl"));
    Files.write(cut.resolve("log.jsonl"), lines.subList(0, 4));
    Files.writeString(cut.resolve(".checkpoint.bin.77.tmp"), "half a checkpoint");
    CliRun r = CliRun.runCapturingStderr("search", "--resume", cut.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.err().contains("no checkpoint yet") && r.err().contains("starting it afresh"), r.err());
    assertEquals(comparable(ref), comparable(cut));
    assertEquals(Files.readString(ref.resolve("final_arch.txt")), Files.readString(cut.resolve("final_arch.txt")));
    assertEquals(List.of(), temps(cut));
    // a folder with nothing in it to resume says how to start it
    Path empty = Files.createDirectories(tmp.resolve("empty"));
    CliRun.bad("holds no settings.json", "search", "--resume", empty.toString());
  }

  @Test
  void aSearchKilledDuringItsFirstEpochIsNeverStuck(@TempDir Path tmp) throws Exception {
    Path run = tmp.resolve("k");
    String[] args = search(run);
    args[Arrays.asList(args).indexOf(DATA)] = "synthetic:train=900,val=128,test=64";
    args[Arrays.asList(args).indexOf("--epochs") + 1] = "1";
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Djnas.threads=1", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
    cmd.addAll(List.of(args));
    Path out = tmp.resolve("killed.txt");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    Path log = run.resolve("log.jsonl");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline && p.isAlive()) {
      if (Files.exists(log) && Files.readString(log).contains("\"event\":\"child_step\",\"epoch\":1,\"step\":2,")) break;
      Thread.sleep(5);
    }
    assertTrue(p.isAlive(), "the search ended before it could be killed: " + Files.readString(out));
    p.destroyForcibly().waitFor();  // SIGKILL
    assertFalse(Files.exists(run.resolve("checkpoint.bin")), "killed in epoch 1: no checkpoint yet");
    CliRun r = CliRun.runCapturingStderr("search", "--resume", run.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.err().contains("taking over the lock left by a run that is gone"), r.err());
    assertEquals(1, events(run, "start").size());
    assertEquals(List.of(1.0), events(run, "epoch").stream().map(e -> e.get("epoch")).toList());
    assertEquals(List.of(), temps(run));
  }

  @Test
  void aFinishedSearchPrintsItsSummaryAndTheTrainCommandWorks(@TempDir Path tmp) throws Exception {
    Path run = reference();
    CliRun r = referenceRun;
    Map<String, Object> res = Json.parseObject(Files.readString(run.resolve("result.json")));
    @SuppressWarnings("unchecked")
    Map<String, Object> found = (Map<String, Object>) res.get("found");
    assertNotNull(found, res.toString());
    for (String k : List.of("arc", "cell", "epoch", "held_out_accuracy", "random_mean_accuracy", "random_cells", "held_out_images")) {
      assertTrue(found.containsKey(k), k);
    }
    assertEquals(0.1, res.get("chance_accuracy"));
    assertEquals(10.0, res.get("classes"));
    assertTrue(List.of("better", "within_noise", "worse").contains(res.get("verdict")), String.valueOf(res.get("verdict")));
    String arc = (String) found.get("arc");
    assertTrue(r.out().contains("found cell (ENAS string): " + arc), r.out());
    assertTrue(r.out().contains("normal:") && r.out().contains("reduce:"), r.out());
    assertTrue(r.out().contains(String.format(java.util.Locale.ROOT, "held-out accuracy (shared weights, %d images): %.3f;",
        ((Number) found.get("held_out_images")).intValue(), found.get("held_out_accuracy"))), r.out());
    assertTrue(r.out().contains("chance (1/10 classes): 0.100"), r.out());
    assertTrue(r.out().contains((String) res.get("meaning")), r.out());
    String cmd = (String) res.get("train_command");
    assertTrue(r.out().contains(cmd), r.out());
    assertTrue(cmd.startsWith("jnas train --genotype " + run.resolve("final_arch.json")), cmd);
    // the printed command line trains the found cell (made small here)
    List<String> words = new ArrayList<>(List.of(cmd.split(" ")));
    words.remove(0);
    words.addAll(List.of("--epochs", "1", "--layers", "3", "--channels", "4", "--batch", "16", "--workers", "0",
        "--train-subset", "64", "--test-subset", "32"));
    CliRun t = CliRun.run(words.toArray(new String[0]));
    assertEquals(0, t.code(), t.err());
    assertTrue(Files.isRegularFile(Path.of(run + "-train", "weights.jnw")));
    assertTrue(t.out().contains("test accuracy"), t.out());
  }

  /** The log's events minus wall-clock fields. */
  private static List<Map<String, Object>> comparable(Path run) throws IOException {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Map<String, Object> ev : log(run)) {
      ev.remove("seconds");
      ev.remove("images_per_second");
      out.add(ev);
    }
    return out;
  }

  /** A run folder's log, read without taking its lock. */
  static List<Map<String, Object>> log(Path run) throws IOException {
    List<Map<String, Object>> out = new ArrayList<>();
    for (String line : Files.readAllLines(run.resolve("log.jsonl"))) out.add(Json.parseObject(line));
    return out;
  }
}
