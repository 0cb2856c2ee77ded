package io.jnas.nasbench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnas.data.Normalization;
import io.jnas.enas.MacroWeightsFile;
import io.jnas.space.Nb201Cell;
import io.jnas.tensor.IntTensor;
import io.jnas.tensor.Tensor;
import io.jnas.train.Checkpoint;
import io.jnas.train.WeightsFile;
import io.jnas.train.WeightsHeader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Nb201WeightsFile}: a trained NAS-Bench-201 network comes back bit for bit (same
 * logits), and a truncated, corrupted or other-kind file, a broken header, or arrays that do
 * not fit the header's network, are refused with the file and what was expected named.
 */
class Nb201WeightsFileTest {
  private static final Nb201Cell CELL = Nb201NetworkTest.EVERY_OP;
  private static final Normalization NORM = new Normalization(new float[] {0.5f, 0.4f, 0.3f}, new float[] {0.2f, 0.25f, 0.3f});
  private static final List<String> NAMES = List.of("a", "b", "c");

  /** A network of one cell after three training steps (weights and running statistics moved). */
  private static Nb201Network trained() {
    Nb201Network net = Nb201Network.of(new Nb201Network.Config(CELL, 3, 1, 3, 3, 8, 12, true, 7));
    SplittableRandom rng = new SplittableRandom(3);
    for (int s = 0; s < 3; s++) {
      try (Tensor x = Tensor.randn(rng, 1f, 4, 3, 8, 12); IntTensor y = IntTensor.of(new int[] {0, 1, 2, 0}, 4)) {
        net.trainStep(null, x, y, new Nb201Network.Hyper(0.05f, 0.9f, 5e-4f, 5f), s);
      }
    }
    return net;
  }

  @Test
  void roundTripGivesTheSameNetwork(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("weights.jnw");
    try (Nb201Network net = trained(); Tensor x = Tensor.randn(new SplittableRandom(5), 1f, 3, 3, 8, 12)) {
      float[] expected = net.predict(null, x);
      Nb201WeightsFile.of(net, NORM, NAMES).write(f);
      Nb201WeightsFile w = Nb201WeightsFile.read(f);
      assertEquals(net.config(), w.config());
      assertArrayEquals(new int[] {3, 8, 12}, w.inputShape());
      assertEquals(3, w.numClasses());
      assertArrayEquals(NORM.mean(), w.normalization().mean());
      assertArrayEquals(NORM.std(), w.normalization().std());
      assertEquals(NAMES, w.classNames());
      try (Nb201Network back = w.open()) {
        assertArrayEquals(net.runningStats(), back.runningStats(), "running statistics of the reloaded network");
        assertArrayEquals(expected, back.predict(null, x), "logits of the reloaded network");
      }
    }
    Map<String, Object> h = Checkpoint.read(f).header();
    assertEquals(WeightsHeader.NB201, h.get("kind"));
    assertEquals("nb201", h.get("space"));
    assertEquals(CELL, Nb201Cell.parse((String) h.get("cell")));
    assertEquals(1, ((Number) h.get("cells_per_stage")).intValue());
    // no normalization is kept as none
    try (Nb201Network net = trained()) {
      Nb201WeightsFile.of(net, null, NAMES).write(f);
    }
    assertEquals(null, Nb201WeightsFile.read(f).normalization());
  }

  @Test
  void theSearchNetworkIsRefused() {
    try (Nb201Network search = Nb201Network.searchNetwork(new Nb201Network.Config(CELL, 2, 1, 3, 3, 8, 8, true, 1))) {
      String m = assertThrows(IllegalArgumentException.class, () -> Nb201WeightsFile.of(search, null, NAMES)).getMessage();
      assertTrue(m.contains("search network"), m);
    }
  }

  @Test
  void badFilesAreRefusedNamingFileAndExpectation(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("weights.jnw");
    try (Nb201Network net = trained()) {
      Nb201WeightsFile.of(net, NORM, NAMES).write(f);
    }
    byte[] good = Files.readAllBytes(f);

    Path cut = Files.write(dir.resolve("cut.jnw"), java.util.Arrays.copyOf(good, good.length / 2));
    String m = assertThrows(IOException.class, () -> Nb201WeightsFile.read(cut)).getMessage();
    assertTrue(m.contains(cut.toString()) && m.contains("truncated") && m.contains("expected a NAS-Bench-201 network's weights"), m);

    byte[] flipped = good.clone();
    flipped[good.length - 40] ^= 0x10;
    Path bad = Files.write(dir.resolve("bad.jnw"), flipped);
    m = assertThrows(IOException.class, () -> Nb201WeightsFile.read(bad)).getMessage();
    assertTrue(m.contains(bad.toString()) && m.contains("checksum mismatch") && m.contains("expected a NAS-Bench-201"), m);

    // the other kinds, either way round
    m = assertThrows(IOException.class, () -> WeightsFile.read(f)).getMessage();
    assertTrue(m.contains(f.toString()) && m.contains("holds a NAS-Bench-201 network's weights (kind jnas-nb201-weights")
        && m.contains("expected a cell network's weights"), m);
    m = assertThrows(IOException.class, () -> MacroWeightsFile.read(f)).getMessage();
    assertTrue(m.contains(f.toString()) && m.contains("holds a NAS-Bench-201") && m.contains("expected an ENAS macro"), m);
    Path macro = dir.resolve("macro.jnw");
    new Checkpoint(new LinkedHashMap<>(Map.of("kind", WeightsHeader.MACRO, "version", 1)), Map.of()).write(macro);
    m = assertThrows(IOException.class, () -> Nb201WeightsFile.read(macro)).getMessage();
    assertTrue(m.contains(macro.toString()) && m.contains("holds an ENAS macro network's weights")
        && m.contains("expected a NAS-Bench-201"), m);
    Path ck = dir.resolve("checkpoint.bin");
    new Checkpoint(new LinkedHashMap<>(Map.of("epoch", 3)), Map.of()).write(ck);
    m = assertThrows(IOException.class, () -> Nb201WeightsFile.read(ck)).getMessage();
    assertTrue(m.contains(ck.toString()) && m.contains("no kind in its header"), m);

    // a newer version, a broken header
    Path newer = dir.resolve("newer.jnw");
    new Checkpoint(new LinkedHashMap<>(Map.of("kind", WeightsHeader.NB201, "version", 2)), Map.of()).write(newer);
    m = assertThrows(IOException.class, () -> Nb201WeightsFile.read(newer)).getMessage();
    assertTrue(m.contains(newer.toString()) && m.contains("version 2"), m);
    Path noCell = dir.resolve("nocell.jnw");
    new Checkpoint(new LinkedHashMap<>(Map.of("kind", WeightsHeader.NB201, "version", 1)), Map.of()).write(noCell);
    m = assertThrows(IOException.class, () -> Nb201WeightsFile.read(noCell)).getMessage();
    assertTrue(m.contains(noCell.toString()) && m.contains("'cell' missing"), m);
    Map<String, Object> h = new LinkedHashMap<>(Checkpoint.read(f).header());
    h.put("cell", "|conv_9x9~0|+|none~0|none~1|+|none~0|none~1|none~2|");
    Path badCell = dir.resolve("badcell.jnw");
    new Checkpoint(h, Map.of()).write(badCell);
    m = assertThrows(IOException.class, () -> Nb201WeightsFile.read(badCell)).getMessage();
    assertTrue(m.contains(badCell.toString()) && m.contains("bad nb201 weights header") && m.contains("conv_9x9"), m);

    // arrays that do not fit the network the header describes
    Nb201WeightsFile w = Nb201WeightsFile.read(f);
    new Nb201WeightsFile(w.config(), NORM, NAMES, new float[w.weights().length - 1], w.runningStats()).write(f);
    Nb201WeightsFile shortW = Nb201WeightsFile.read(f);
    m = assertThrows(IllegalArgumentException.class, shortW::open).getMessage();
    assertTrue(m.contains("weights") && m.contains("expected " + w.weights().length), m);
  }
}
