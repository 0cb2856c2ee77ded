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
}
