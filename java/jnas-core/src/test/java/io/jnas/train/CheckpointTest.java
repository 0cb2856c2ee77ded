package io.jnas.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {
  @TempDir Path dir;

  private static Checkpoint sample() {
    Map<String, Object> h = new LinkedHashMap<>();
    h.put("epoch", 3);
    h.put("rng", "12345");
    Map<String, float[]> a = new LinkedHashMap<>();
    a.put("weights", new float[] {1.5f, -2f, Float.MIN_VALUE, 3e38f});
    a.put("momentum", new float[] {0f});
    return new Checkpoint(h, a);
  }

  @Test
  void roundTripsExactly() throws IOException {
    Path f = dir.resolve("ckpt.bin");
    sample().write(f);
    Checkpoint c = Checkpoint.read(f);
    assertEquals(3.0, c.header().get("epoch"));
    assertEquals("12345", c.header().get("rng"));
    assertArrayEquals(sample().array("weights"), c.array("weights"));
    assertArrayEquals(new float[] {0f}, c.array("momentum"));
    try (var s = Files.list(dir)) {
      assertEquals(1, s.count(), "no temporary file left behind");
    }
  }

  @Test
  void corruptOrTruncatedFilesAreNamed() throws IOException {
    Path f = dir.resolve("ckpt.bin");
    sample().write(f);
    byte[] b = Files.readAllBytes(f);
    b[20] ^= 1;
    Files.write(f, b);
    IOException e = assertThrows(IOException.class, () -> Checkpoint.read(f));
    assertTrue(e.getMessage().contains("ckpt.bin") && e.getMessage().contains("checksum"), e.getMessage());
    sample().write(f);
    byte[] full = Files.readAllBytes(f);
    Files.write(f, java.util.Arrays.copyOf(full, full.length - 10));
    e = assertThrows(IOException.class, () -> Checkpoint.read(f));
    assertTrue(e.getMessage().contains("ckpt.bin"), e.getMessage());
    Path json = dir.resolve("config.json");
    Files.writeString(json, "{\"epochs\": 3, \"lr\": 0.1}\n");
    e = assertThrows(IOException.class, () -> Checkpoint.read(json));
    assertTrue(e.getMessage().contains("config.json: not a jnas checkpoint or weights file"), e.getMessage());
    e = assertThrows(IOException.class, () -> Checkpoint.read(dir.resolve("none.bin")));
    assertTrue(e.getMessage().contains("none.bin") && e.getMessage().contains("not found"), e.getMessage());
  }
}
