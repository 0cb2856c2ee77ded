package io.jnas.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunLockTest {
  @TempDir Path tmp;

  @Test
  void secondHolderIsRefusedNamingFolderAndHolder() throws Exception {
    Path run = tmp.resolve("run");
    try (RunLock a = RunLock.acquire(run, "search", null)) {
      assertTrue(a.isHeld());
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RunLock.acquire(run, "train", null));
      assertTrue(e.getMessage().contains(run.toString()), e.getMessage());
      assertTrue(e.getMessage().contains("pid " + ProcessHandle.current().pid()), e.getMessage());
      assertTrue(e.getMessage().contains("jnas search"), e.getMessage());
    }
    // released cleanly: the next run takes it without a stale-holder message
    try (RunLock b = RunLock.acquire(run, "train", null)) {
      assertNull(b.previousHolder());
    }
  }

  @Test
  void staleHolderIsTakenOverWithAMessage() throws Exception {
    Path run = tmp.resolve("run");
    Files.createDirectories(run);
    Files.writeString(run.resolve(RunLock.FILE), "pid 999999 on elsewhere, jnas search, since 2026-01-01T00:00:00Z\n");
    ByteArrayOutputStream msg = new ByteArrayOutputStream();
    try (RunLock l = RunLock.acquire(run, "search", new PrintStream(msg, true, StandardCharsets.UTF_8))) {
      assertTrue(l.previousHolder().contains("pid 999999"));
    }
    assertTrue(msg.toString(StandardCharsets.UTF_8).contains("taking over the lock"), msg.toString(StandardCharsets.UTF_8));
  }

  @Test
  void staleTempFilesAreRemovedAndOthersKept() throws Exception {
    Path run = tmp.resolve("run");
    Files.createDirectories(run.resolve("trials"));
    Path t1 = Files.writeString(run.resolve(".checkpoint.bin.123456789.tmp"), "x");
    Path t2 = Files.writeString(run.resolve("trials").resolve(".summary.json.42.tmp"), "x");
    Path keep1 = Files.writeString(run.resolve("checkpoint.bin"), "x");
    Path keep2 = Files.writeString(run.resolve("notes.tmp"), "x");
    try (RunLock l = RunLock.acquire(run, "search", null)) {
      assertEquals(2, l.removedTemps().size());
    }
    assertFalse(Files.exists(t1));
    assertFalse(Files.exists(t2));
    assertTrue(Files.exists(keep1));
    assertTrue(Files.exists(keep2));
  }

  @Test
  void aFileIsNotAFolder() throws Exception {
    Path f = Files.writeString(tmp.resolve("file"), "x");
    assertThrows(IllegalArgumentException.class, () -> RunLock.acquire(f, "search", null));
  }
}
