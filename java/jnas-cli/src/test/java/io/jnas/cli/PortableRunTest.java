package io.jnas.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnas.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs record their data set's path absolute, so a run folder can move and be used from any
 * working directory; where the data set itself moved, {@code --data} says where it is now.
 */
class PortableRunTest {
  @SuppressWarnings("unchecked")
  private static String recordedData(Path run) throws Exception {
    if (Files.exists(run.resolve("settings.json"))) {
      return (String) Json.parseObject(Files.readString(run.resolve("settings.json"))).get("data");
    }
    return (String) ((Map<String, Object>) Json.parseObject(Files.readString(run.resolve("config.json"))).get("settings")).get("data");
  }

  @Test
  void aMovedTrainRunStillEvaluatesAndResumes(@TempDir Path tmp) throws Exception {
    Path data = TestData.idx(tmp.resolve("digits"), 64, 20, 8, 1);
    String rel = TestData.relative(data);
    assertTrue(!Path.of(rel).isAbsolute() && rel.startsWith(".."), rel);
    Path first = tmp.resolve("a").resolve("run");
    CliRun r = CliRun.run("train", "--genotype", "darts-v1", "--data", rel, "--layers", "3", "--channels", "4", "--epochs", "2",
        "--stop-after", "1", "--batch", "16", "--workers", "0", "--no-aux", "--out", first.toString());
    assertEquals(0, r.code(), r.err());
    assertEquals(data.toAbsolutePath().normalize().toString(), recordedData(first));

    // the run folder moves: it resumes and evaluates where it is now
    Files.move(tmp.resolve("a"), tmp.resolve("b"));
    Path run = tmp.resolve("b").resolve("run");
    r = CliRun.run("train", "--resume", run.toString());
    assertEquals(0, r.code(), r.err());
    r = CliRun.run("eval", "--run", run.toString());
    assertEquals(0, r.code(), r.err());
    double acc = (Double) Json.parseObject(Files.readString(run.resolve("eval.json"))).get("test_accuracy");

    // from another working directory, with a relative --run, in a separate JVM
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Djnas.threads=1", "-cp", System.getProperty("java.class.path"), Main.class.getName(), "eval", "--run", "run",
        "--out", "elsewhere"));
    Path log = tmp.resolve("eval.txt");
    Process p = new ProcessBuilder(cmd).directory(tmp.resolve("b").toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), Files.readString(log));
    assertEquals(acc, Json.parseObject(Files.readString(tmp.resolve("b").resolve("elsewhere").resolve("eval.json"))).get("test_accuracy"));

    // the data set moves: named where it was, with --data as the way out
    Path moved = tmp.resolve("digits-moved");
    Files.move(data, moved);
    CliRun.bad("its data set " + data.toAbsolutePath().normalize() + " is not found (moved?); give --data", "eval", "--run",
        run.toString(), "--force");
    r = CliRun.run("eval", "--run", run.toString(), "--data", moved.toString(), "--force");
    assertEquals(0, r.code(), r.err());
    assertEquals(acc, Json.parseObject(Files.readString(run.resolve("eval.json"))).get("test_accuracy"));
  }

  @Test
  void aResumeFollowsItsDataSetWithData(@TempDir Path tmp) throws Exception {
    Path data = TestData.idx(tmp.resolve("digits"), 200, 20, 8, 2);
    Path s = tmp.resolve("search"), t = tmp.resolve("train");
    CliRun r = CliRun.run("search", "--data", TestData.relative(data), "--validation", "64", "--epochs", "2", "--stop-after", "1",
        "--batch", "32", "--layers", "0", "--channels", "4", "--nodes", "2", "--controller-steps", "1",
        "--controller-aggregate", "1", "--derive-every", "1", "--derive-samples", "2", "--out", s.toString());
    assertEquals(0, r.code(), r.err());
    r = CliRun.run("train", "--genotype", s.toString(), "--data", data.toString(), "--layers", "3", "--channels", "4",
        "--epochs", "2", "--stop-after", "1", "--batch", "16", "--workers", "0", "--out", t.toString());
    assertEquals(0, r.code(), r.err());

    Path moved = tmp.resolve("elsewhere").resolve("digits");
    Files.createDirectories(moved.getParent());
    Files.move(data, moved);
    CliRun.bad("is not found (moved?); give --data", "search", "--resume", s.toString());
    CliRun.bad("is not found (moved?); give --data", "train", "--resume", t.toString());
    r = CliRun.run("search", "--resume", s.toString(), "--data", moved.toString());
    assertEquals(0, r.code(), r.err());
    assertEquals(moved.toString(), recordedData(s));
    r = CliRun.run("train", "--resume", t.toString(), "--data", moved.toString());
    assertEquals(0, r.code(), r.err());
    assertEquals(moved.toString(), recordedData(t));
    assertTrue(Files.isRegularFile(t.resolve("weights.jnw")));

    // a different data set is refused
    Path other = TestData.idx(tmp.resolve("other"), 120, 20, 8, 3);
    Path s2 = tmp.resolve("search2");
    r = CliRun.run("search", "--data", moved.toString(), "--validation", "64", "--epochs", "2", "--stop-after", "1",
        "--batch", "32", "--layers", "0", "--channels", "4", "--nodes", "2", "--controller-steps", "1",
        "--controller-aggregate", "1", "--derive-every", "1", "--derive-samples", "2", "--out", s2.toString());
    assertEquals(0, r.code(), r.err());
    CliRun.bad("not the same data set", "search", "--resume", s2.toString(), "--data", other.toString());
  }
}
