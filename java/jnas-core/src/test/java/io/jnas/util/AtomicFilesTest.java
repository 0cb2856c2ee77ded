package io.jnas.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Atomic writes: content replaced whole, no temporary file left, ordinary permissions. */
class AtomicFilesTest {
  @Test
  void replacesWholeLeavesNoTempAndKeepsPermissions(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("a.json");
    AtomicFiles.writeString(f, "one");
    assertEquals("one", Files.readString(f));
    assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)), "a new file is 0644, not 0600");
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-rw----"));
    AtomicFiles.writeString(f, "two");
    assertEquals("two", Files.readString(f));
    assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)), "a replaced file keeps its permissions");
    try (var s = Files.list(dir)) {
      assertTrue(s.allMatch(p -> p.equals(f)), "no temporary file left");
    }
  }
}
