package io.jnas.cli;

import static io.jnas.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnas.genotype.Genotype;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jnas search --space darts}: a tiny search to a genotype that {@code jnas train} reads; bad flags exit 2. */
class DartsSearchCommandTest {
  @Test
  void aTinyDartsSearchWritesAGenotypeTheTrainerReads(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("s");
    CliRun r = run("search", "--space", "darts", "--method", "gdas", "--data", "synthetic:train=64,val=8,test=16,seed=1", "--epochs", "2",
        "--channels", "2", "--layers", "3", "--nodes", "2", "--batch", "8", "--out", out.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("gdas found (DARTS genotype): Genotype(normal=["), r.out());
    assertTrue(r.out().contains("next: jnas train --genotype " + out.resolve("genotype.json")), r.out());
    Genotype g = Genotype.resolve(out.resolve("genotype.json").toString());
    assertEquals(4, g.normal().size());
    var json = io.jnas.util.Json.parseObject(Files.readString(out.resolve("search.json")));
    assertEquals(2, ((java.util.List<?>) json.get("history")).size());
    assertTrue(Files.size(out.resolve("normal.png")) > 1000 && Files.size(out.resolve("reduce.png")) > 1000);
  }

  @Test
  void badFlagsExitTwo(@TempDir Path dir) {
    CliRun r = run("search", "--space", "darts", "--method", "enas", "--out", dir.resolve("a").toString());
    assertEquals(2, r.code());
    assertTrue(r.err().contains("--method") && r.err().contains("darts-v1, darts-v2, gdas"), r.err());
    r = run("search", "--space", "darts", "--controller-steps", "3", "--out", dir.resolve("b").toString());
    assertEquals(2, r.code());
    assertTrue(r.err().contains("--controller-steps is not a setting of --space darts"), r.err());
    r = run("search", "--method", "darts-v1", "--out", dir.resolve("c").toString());
    assertEquals(2, r.code());
    assertTrue(r.err().contains("for --space darts"), r.err());
    r = run("search", "--space", "darts", "--channels", "3", "--out", dir.resolve("d").toString());
    assertEquals(2, r.code());
    assertTrue(r.err().contains("--channels 3"), r.err());
  }
}
