package io.jnas.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnas.backend.NativeNetwork.TensorInfo;
import io.jnas.util.Json;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The driver's own logic: flags and their defaults, the architectures it draws, the exchange files. */
class VsPyTorchTest {
  @Test
  void defaultsFollowTheNetworkAndTheMode() {
    VsPyTorch.Settings s = VsPyTorch.parse(new String[] {});
    assertEquals("supernet", s.net);
    assertArrayEquals(new int[] {160, 6, 20, 32, 5}, new int[] {s.batch, s.layers, s.channels, s.size, s.nodes});
    assertEquals(0.9f, s.dropoutKeep);
    VsPyTorch.Settings f = VsPyTorch.parse(new String[] {"--net", "final"});
    assertArrayEquals(new int[] {64, 8, 16, 32}, new int[] {f.batch, f.layers, f.channels, f.size});
    assertEquals(0.9f, f.dropPathKeep);
    assertTrue(f.aux);
    VsPyTorch.Settings c = VsPyTorch.parse(new String[] {"--check", "--batch", "6"});
    assertArrayEquals(new int[] {6, 3, 4, 16}, new int[] {c.batch, c.layers, c.channels, c.size});
    VsPyTorch.Settings cf = VsPyTorch.parse(new String[] {"--net", "final", "--check"});
    assertArrayEquals(new int[] {8, 5, 4, 32}, new int[] {cf.batch, cf.layers, cf.channels, cf.size});
  }

  @Test
  void badFlagsNameTheFlagInOneLine() {
    String[][] bad = {  // args..., then the fragment the message must hold
        {"--net", "x", "--net"}, {"--threads", "0", "--threads"}, {"--batch", "1", "--batch"}, {"--steps", "--steps"},
        {"--bogus", "1", "--bogus"}, {"extra", "'extra'"}, {"--genotype", "darts-v2", "--genotype"},
        {"--net", "final", "--nodes", "3", "--nodes"}, {"--check", "--rounds", "2", "--rounds"}, {"--channels", "7", "--channels"},
        {"--net", "final", "--drop-path-keep", "0", "--drop-path-keep"}, {"--seed", "x", "--seed"}};
    for (String[] row : bad) {
      String[] args = java.util.Arrays.copyOf(row, row.length - 1);
      String want = row[row.length - 1];
      VsPyTorch.UsageException e = assertThrows(VsPyTorch.UsageException.class, () -> VsPyTorch.parse(args), String.join(" ", args));
      assertTrue(e.getMessage().contains(want), e.getMessage());
      assertEquals(-1, e.getMessage().indexOf('\n'), "one line: " + e.getMessage());
    }
  }

  @Test
  void coveringArcsRunEveryCandidateOpAndValidInputs() {
    SplittableRandom rng = new SplittableRandom(1);
    for (int nodes = 3; nodes <= 6; nodes++) {
      for (int shift = 0; shift < 5; shift++) {
        int[] a = VsPyTorch.coveringArc(rng, nodes, shift);
        boolean[] seen = new boolean[5];
        for (int j = 0; j < nodes; j++) {
          for (int k = 0; k < 2; k++) {
            int in = a[4 * j + 2 * k], op = a[4 * j + 2 * k + 1];
            assertTrue(in >= 0 && in < j + 2, "input of node " + j);
            seen[op] = true;
          }
        }
        for (int op = 0; op < 5; op++) assertTrue(seen[op], "op " + op + " with " + nodes + " nodes");
      }
    }
  }

  @Test
  void medianOfOddAndEvenCounts() {
    assertEquals(2.0, VsPyTorch.median(List.of(3.0, 1.0, 2.0)));
    assertEquals(2.5, VsPyTorch.median(List.of(4.0, 1.0, 2.0, 3.0)));
    assertTrue(Double.isNaN(VsPyTorch.median(List.of())));
  }

  @Test
  void exchangeWritesLittleEndianBuffersAndTheIndex(@TempDir Path dir) throws Exception {
    TorchExchange ex = new TorchExchange(dir);
    ex.spec().put("net", "supernet");
    ex.weights(List.of(new TensorInfo("stem.w", 0, 3), new TensorInfo("fc.w", 16, 2)), new float[] {1f, -2f, 0.5f, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7f, 8f});
    ex.batch(new float[] {0.25f, 3f}, new int[] {1, 2, 1, 1}, new int[] {9});
    ex.writeSpec();
    Map<String, Object> spec = Json.parseObject(Files.readString(dir.resolve("spec.json")));
    assertEquals(18.0, spec.get("buffer_floats"));
    List<?> tensors = (List<?>) spec.get("tensors");
    assertEquals("fc.w", ((Map<?, ?>) tensors.get(1)).get("name"));
    assertEquals(16.0, ((Map<?, ?>) tensors.get(1)).get("offset"));
    ByteBuffer w = ByteBuffer.wrap(Files.readAllBytes(dir.resolve("weights.f32"))).order(ByteOrder.LITTLE_ENDIAN);
    assertEquals(18 * 4, w.capacity());
    assertEquals(-2f, w.getFloat(4));
    assertEquals(8f, w.getFloat(17 * 4));
    ByteBuffer lab = ByteBuffer.wrap(Files.readAllBytes(dir.resolve("labels.i32"))).order(ByteOrder.LITTLE_ENDIAN);
    assertEquals(9, lab.getInt(0));
    assertEquals(List.of(1.0, 2.0, 1.0, 1.0), spec.get("images_shape"));
  }
}
