package io.jnas.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchCommandTest {
  static String[] run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
    int rc = Main.run(args, new PrintStream(out), new PrintStream(err));
    return new String[] {String.valueOf(rc), out.toString(), err.toString()};
  }

  @Test
  void badInputIsOneLineAndExitTwo(@TempDir Path dir) throws Exception {
    String[] r = run("bench", "--table", dir.resolve("absent.csv").toString());
    assertEquals("2", r[0]);
    assertEquals(1, r[2].strip().lines().count());
    assertTrue(r[2].contains("absent.csv"), r[2]);
    Path full = dir.resolve("full");
    Files.createDirectories(full);
    Files.writeString(full.resolve("x"), "x");
    Path table = dir.resolve("t.csv");
    Files.writeString(table, "arch\n");
    r = run("bench", "--table", table.toString(), "--out", full.toString());
    assertEquals("2", r[0]);
    assertTrue(r[2].contains("not empty"), r[2]);
    r = run("bench", "--strategies", "random,nope");
    assertEquals("2", r[0]);
    assertTrue(r[2].contains("'nope'"), r[2]);
    r = run("bench", "--help");
    assertEquals("0", r[0]);
    assertTrue(r[1].contains("--strategies"));
  }

  /** A full table: validation = 70 + 2 x (edges with conv3x3), test = validation + 4; other data sets 1. */
  static Path table(Path f, String header, double offset) throws Exception {
    io.jnas.space.NasBench201Space space = new io.jnas.space.NasBench201Space();
    StringBuilder sb = new StringBuilder(header).append('\n');
    int[] d = new int[6];
    for (int k = 0; k < 15_625; k++) {
      for (int e = 5, x = k; e >= 0; e--, x /= 5) d[e] = x % 5;
      double v = 70;
      for (int x : d) v += x == 3 ? 2 : 0;
      if (header.startsWith("arch")) sb.append(k).append(',').append(space.decode(d)).append(',').append(v + 4).append(',').append(v).append(",1,1,1,1\n");
      else sb.append(space.decode(d)).append(',').append(v + offset).append('\n');
    }
    Files.writeString(f, sb.toString());
    return f;
  }

  @Test
  void unwritableOrHeldOutFailsBeforeAnyWork(@TempDir Path dir) throws Exception {
    Path notAFolder = dir.resolve("file");
    Files.writeString(notAFolder, "x");
    Path bad = dir.resolve("bad.csv");
    Files.writeString(bad, "arch\n");  // would fail at loading: the --out error must come first
    CliRun r = CliRun.run("bench", "--table", bad.toString(), "--out", notAFolder.resolve("sub").toString());
    assertEquals(2, r.code(), r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertTrue(r.err().contains("--out " + notAFolder.resolve("sub")) && r.err().contains("cannot create the run folder"), r.err());
    Path held = dir.resolve("held");
    try (io.jnas.search.RunLock l = io.jnas.search.RunLock.acquire(held, "bench", null)) {
      r = CliRun.run("bench", "--table", bad.toString(), "--out", held.toString());
      assertEquals(2, r.code(), r.err());
      assertTrue(r.err().contains(held + ": in use by another run (pid "), r.err());
    }
    r = CliRun.run("bench", "--table", bad.toString(), "--out", dir.resolve("new").toString());
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("bad.csv:1: no column"), r.err());
    assertFalse(Files.exists(dir.resolve("new")), "a bad table leaves no run folder");
  }

  @Test
  void picksAndTheReportTableReachTheFiles(@TempDir Path dir) throws Exception {
    Path main = table(dir.resolve("main.csv"), "arch,cellstr,cifar10-test,cifar10-val,cifar100-test,cifar100-val,imagenet-test,imagenet-val", 0);
    Path rep = table(dir.resolve("long.csv"), "cellstr,cifar10-test", 20);
    Path out = dir.resolve("run");
    CliRun r = CliRun.run("bench", "--table", main.toString(), "--report-table", rep.toString(), "--strategies", "random,evolution",
        "--queries", "12", "--seeds", "3", "--threads", "1", "--out", out.toString());
    assertEquals(0, r.code(), r.err());
    // best in the main table: 70 + 12 + 4 = 86 test; the best-by-reward cell's report accuracy: 82 + 20 = 102
    assertTrue(r.out().contains("Best test accuracy in main.csv: 86.00%; reachable ceiling (test accuracy of the cell with the best "
        + "validation accuracy): 86.00%"), r.out());
    assertTrue(r.out().contains("Report table long.csv (15,625 of 15,625 cells; used only to report the picks): best test accuracy "
        + "102.00%; reachable ceiling (its test accuracy of the cell with the best validation accuracy in main.csv): 102.00%"), r.out());
    assertTrue(r.out().contains("| strategy | test acc at 12 | report-table test acc at 12 |"), r.out());
    java.util.Map<String, Object> j = io.jnas.util.Json.parseObject(Files.readString(out.resolve("results.json")));
    @SuppressWarnings("unchecked")
    java.util.Map<String, Object> rnd = (java.util.Map<String, Object>) ((java.util.Map<String, Object>) j.get("strategies")).get("random");
    java.util.List<?> picks = (java.util.List<?>) rnd.get("picks");
    assertEquals(3, picks.size());
    assertEquals(12, ((java.util.List<?>) picks.get(0)).size());
    String pick = (String) ((java.util.List<?>) picks.get(1)).get(11);
    assertTrue(pick.matches("(\\|[a-z_0-9]+~\\d)+\\|(\\+(\\|[a-z_0-9]+~\\d)+\\|)+"), pick);
    java.util.Map<?, ?> meta = (java.util.Map<?, ?>) j.get("meta");
    assertEquals(20.0, ((java.util.Map<?, ?>) meta.get("params")).get("population"), "parameters as JSON numbers");
    assertEquals(Boolean.TRUE, ((java.util.Map<?, ?>) meta.get("params")).get("aging"));
    java.util.List<String> csv = Files.readAllLines(out.resolve("results.csv"));
    assertEquals(1 + 2 * 3 * 12, csv.size());
    String row = csv.get(1 + 12 + 11);  // random, second seed, query 12
    assertTrue(row.startsWith("random,1,") && row.endsWith("," + pick), row);
    String[] f = row.split(",");
    assertEquals(Double.parseDouble(f[5]) - 4 + 20, Double.parseDouble(f[6]), 1e-9, "report accuracy of the same cell: " + row);
    assertTrue(Files.readString(out.resolve("table.md")).contains("sample standard deviation"));
  }

  /** A CIFAR-10 binary folder of n random images (labels cycle through the ten classes). */
  static Path cifar(Path dir, int n, long seed) throws Exception {
    Files.createDirectories(dir);
    java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
    byte[] b = new byte[n * (1 + 3 * 32 * 32)];
    for (int i = 0; i < n; i++) {
      int o = i * (1 + 3 * 32 * 32);
      b[o] = (byte) (i % 10);
      for (int k = 1; k <= 3 * 32 * 32; k++) b[o + k] = (byte) r.nextInt(256);
    }
    Files.write(dir.resolve("data_batch_1.bin"), b);
    Files.write(dir.resolve("test_batch.bin"), b);
    return dir;
  }

  @Test
  void proxiesAndMethodsRefuseBadInputWithExitTwo(@TempDir Path dir) throws Exception {
    String[] r = run("bench", "--proxies", "synflow,nope");
    assertEquals("2", r[0]);
    assertTrue(r[2].contains("'nope'") && r[2].contains("synflow, naswot, grad_norm, snip"), r[2]);
    r = run("bench", "--method", "darts");
    assertEquals("2", r[0]);
    assertTrue(r[2].contains("'darts'") && r[2].contains("darts-v1"), r[2]);
    r = run("bench", "--method", "rsps", "--proxies", "all");
    assertEquals("2", r[0]);
    assertTrue(r[2].contains("give one"), r[2]);
    Path table = table(dir.resolve("t.csv"), "arch,cellstr,cifar10-test,cifar10-val,cifar100-test,cifar100-val,imagenet-test,imagenet-val", 0);
    r = run("bench", "--proxies", "all", "--table", table.toString(), "--data", dir.resolve("nodata").toString());
    assertEquals("2", r[0]);
    assertTrue(r[2].contains("--data") && r[2].contains("nodata"), r[2]);
    r = run("bench", "--proxies", "all", "--sample", "10", "--top", "11", "--table", table.toString());
    assertEquals("2", r[0]);
    assertTrue(r[2].contains("--top is 11"), r[2]);
    r = run("bench", "--method", "gdas", "--dataset", "cifar100", "--table", table.toString());
    assertEquals("2", r[0]);
    assertTrue(r[2].contains("CIFAR-10 only"), r[2]);
  }

  @Test
  void proxiesAndAOneShotMethodRunEndToEnd(@TempDir Path dir) throws Exception {
    Path table = table(dir.resolve("t.csv"), "arch,cellstr,cifar10-test,cifar10-val,cifar100-test,cifar100-val,imagenet-test,imagenet-val", 0);
    Path data = cifar(dir.resolve("cifar"), 64, 1);
    Path out = dir.resolve("p");
    String[] r = run("bench", "--proxies", "all", "--sample", "6", "--top", "2", "--batch", "8", "--channels", "2", "--cells", "1",
        "--table", table.toString(), "--data", data.toString(), "--out", out.toString());
    assertEquals("0", r[0], r[2]);
    assertTrue(r[1].contains("| synflow |") && r[1].contains("| random (yardstick) |"), r[1]);
    var json = io.jnas.util.Json.parseObject(Files.readString(out.resolve("proxies.json")));
    assertEquals(6, ((java.util.List<?>) json.get("cells")).size());
    assertEquals(4, ((java.util.List<?>) json.get("proxies")).size());
    assertTrue(Files.size(out.resolve("proxy-naswot.png")) > 1000);
    // a report table (cell string, test accuracy) joins by cell
    Path rep = table(dir.resolve("r.csv"), "cellstr,cifar10-test", 10);
    r = run("bench", "--proxies", "naswot", "--sample", "4", "--top", "2", "--batch", "4", "--channels", "2", "--cells", "1",
        "--table", table.toString(), "--report-table", rep.toString(), "--data", data.toString(), "--out", dir.resolve("p2").toString());
    assertEquals("0", r[0], r[2]);
    assertTrue(r[1].contains("In the report table"), r[1]);
    assertEquals(1, ((java.util.List<?>) io.jnas.util.Json.parseObject(Files.readString(dir.resolve("p2/proxies.json"))).get("report")).size());
    r = run("bench", "--proxy-search", "--sample", "8", "--prefilter", "4", "--top", "2", "--batch", "4", "--channels", "2", "--cells", "1",
        "--table", table.toString(), "--data", data.toString(), "--out", dir.resolve("ps").toString());
    assertEquals("0", r[0], r[2]);
    assertTrue(r[1].contains("Training-free search: synflow on 8 cells"), r[1]);
    json = io.jnas.util.Json.parseObject(Files.readString(dir.resolve("ps/search.json")));
    assertEquals(2, ((java.util.List<?>) json.get("queried")).size());
    r = run("bench", "--proxy-search", "--sample", "8", "--prefilter", "9", "--table", table.toString(), "--data", data.toString());
    assertEquals("2", r[0]);
    assertTrue(r[2].contains("--prefilter is 9"), r[2]);
    out = dir.resolve("m");
    r = run("bench", "--method", "gdas", "--epochs", "2", "--batch", "8", "--channels", "2", "--cells", "1", "--rank-sample", "5",
        "--train-images", "16", "--table", table.toString(), "--data", data.toString(), "--out", out.toString());
    assertEquals("0", r[0], r[2]);
    assertTrue(r[1].contains("| gdas |"), r[1]);
    json = io.jnas.util.Json.parseObject(Files.readString(out.resolve("oneshot.json")));
    assertEquals("gdas", json.get("method"));
    assertEquals(2, ((java.util.List<?>) json.get("history")).size());
    assertEquals(30, ((java.util.List<?>) json.get("alpha")).size());
    assertTrue(Files.size(out.resolve("derived.png")) > 1000);
    r = run("bench", "--method", "rsps", "--epochs", "1", "--batch", "8", "--channels", "2", "--cells", "1", "--rank-sample", "4",
        "--train-images", "16", "--table", table.toString(), "--report-table", rep.toString(), "--data", data.toString(), "--out",
        dir.resolve("m2").toString());
    assertEquals("0", r[0], r[2]);
    json = io.jnas.util.Json.parseObject(Files.readString(dir.resolve("m2/oneshot.json")));
    // the test report table: validation 70 + 2 per nor_conv_3x3 edge, +10
    double cells3 = 0;
    for (String e : ((String) json.get("derived")).split("\\|")) if (e.startsWith("nor_conv_3x3")) cells3++;
    assertEquals(80 + 2 * cells3, ((Number) json.get("report_derived_test")).doubleValue(), 1e-9);
    r = run("bench", "--method", "rsps", "--table", table.toString(), "--report-table", dir.resolve("absent.csv").toString(),
        "--data", data.toString(), "--out", dir.resolve("m3").toString());
    assertEquals("2", r[0]);
    assertTrue(r[2].contains("absent.csv") && !Files.exists(dir.resolve("m3")), r[2]);
  }
}
