package io.jnas.enas;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnas.data.Normalization;
import io.jnas.tensor.IntTensor;
import io.jnas.tensor.Tensor;
import io.jnas.train.Checkpoint;
import io.jnas.train.WeightsFile;
import io.jnas.train.WeightsHeader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link MacroWeightsFile}: a trained macro network comes back bit for bit (same logits), and a
 * truncated, corrupted or other-kind file, or arrays that do not fit the header's network, are
 * refused with the file and what was expected named.
 */
class MacroWeightsFileTest {
  private static final MacroArch ARCH = MacroArch.parse("1 3 0 5 1 1");
  private static final Normalization NORM = new Normalization(new float[] {0.5f, 0.4f, 0.3f}, new float[] {0.2f, 0.25f, 0.3f});
  private static final List<String> NAMES = List.of("a", "b", "c", "d");

  /** A macro network after three training steps (weights and running statistics moved). */
  private static MacroNetwork trained() {
    MacroNetwork net = new MacroNetwork(new MacroNetwork.Config(ARCH, 4, 4, 3, 8, 6, 7));
    SplittableRandom rng = new SplittableRandom(3);
    for (int s = 0; s < 3; s++) {
      try (Tensor x = Tensor.randn(rng, 1f, 4, 3, 8, 6); IntTensor y = IntTensor.of(new int[] {0, 1, 2, 3}, 4)) {
        net.trainStep(x, y, new MacroNetwork.Hyper(0.05f, 0.9f, 1e-4f, 5f, 0.9f), s);
      }
    }
    return net;
  }

  @Test
  void roundTripGivesTheSameNetwork(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("weights.jnw");
    float[] expected;
    try (MacroNetwork net = trained(); Tensor x = Tensor.randn(new SplittableRandom(5), 1f, 3, 3, 8, 6)) {
      expected = net.predict(x);
      MacroWeightsFile.of(net, NORM, NAMES).write(f);
      MacroWeightsFile w = MacroWeightsFile.read(f);
      assertEquals(net.config(), w.config());
      assertArrayEquals(NORM.mean(), w.normalization().mean());
      assertArrayEquals(NORM.std(), w.normalization().std());
      assertEquals(NAMES, w.classNames());
      try (MacroNetwork back = w.open()) {
        assertArrayEquals(expected, back.predict(x), "logits of the reloaded network");
      }
    }
    Map<String, Object> h = Checkpoint.read(f).header();
    assertEquals(WeightsHeader.MACRO, h.get("kind"));
    assertEquals("enas-macro", h.get("space"));
    @SuppressWarnings("unchecked")
    Map<String, Object> arch = (Map<String, Object>) h.get("arch");
    assertEquals(ARCH, MacroArch.fromMap(arch));
    // no normalization is kept as none
    try (MacroNetwork net = trained()) {
      MacroWeightsFile.of(net, null, NAMES).write(f);
    }
    assertEquals(null, MacroWeightsFile.read(f).normalization());
  }

  @Test
  void badFilesAreRefusedNamingFileAndExpectation(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("weights.jnw");
    try (MacroNetwork net = trained()) {
      MacroWeightsFile.of(net, NORM, NAMES).write(f);
    }
    byte[] good = Files.readAllBytes(f);

    Path cut = Files.write(dir.resolve("cut.jnw"), java.util.Arrays.copyOf(good, good.length / 2));
    String m = assertThrows(IOException.class, () -> MacroWeightsFile.read(cut)).getMessage();
    assertTrue(m.contains(cut.toString()) && m.contains("truncated") && m.contains("expected an ENAS macro network's weights"), m);

    byte[] flipped = good.clone();
    flipped[good.length - 40] ^= 0x10;
    Path bad = Files.write(dir.resolve("bad.jnw"), flipped);
    m = assertThrows(IOException.class, () -> MacroWeightsFile.read(bad)).getMessage();
    assertTrue(m.contains(bad.toString()) && m.contains("checksum mismatch") && m.contains("expected an ENAS macro"), m);

    // the other kind, either way round
    m = assertThrows(IOException.class, () -> WeightsFile.read(f)).getMessage();
    assertTrue(m.contains(f.toString()) && m.contains("holds an ENAS macro network's weights")
        && m.contains("expected a cell network's weights (kind jnas-final-weights"), m);
    Path cell = dir.resolve("cell.jnw");
    new Checkpoint(new java.util.LinkedHashMap<>(Map.of("kind", WeightsHeader.FINAL, "version", 1)), Map.of()).write(cell);
    m = assertThrows(IOException.class, () -> MacroWeightsFile.read(cell)).getMessage();
    assertTrue(m.contains(cell.toString()) && m.contains("holds a cell network's weights") && m.contains("expected an ENAS macro"), m);
    Path ck = dir.resolve("checkpoint.bin");
    new Checkpoint(new java.util.LinkedHashMap<>(Map.of("epoch", 3)), Map.of()).write(ck);
    m = assertThrows(IOException.class, () -> MacroWeightsFile.read(ck)).getMessage();
    assertTrue(m.contains(ck.toString()) && m.contains("no kind in its header"), m);

    // a newer version, a broken header
    Path newer = dir.resolve("newer.jnw");
    new Checkpoint(new java.util.LinkedHashMap<>(Map.of("kind", WeightsHeader.MACRO, "version", 2)), Map.of()).write(newer);
    m = assertThrows(IOException.class, () -> MacroWeightsFile.read(newer)).getMessage();
    assertTrue(m.contains(newer.toString()) && m.contains("version 2"), m);
    Path noArch = dir.resolve("noarch.jnw");
    new Checkpoint(new java.util.LinkedHashMap<>(Map.of("kind", WeightsHeader.MACRO, "version", 1)), Map.of()).write(noArch);
    m = assertThrows(IOException.class, () -> MacroWeightsFile.read(noArch)).getMessage();
    assertTrue(m.contains(noArch.toString()) && m.contains("'arch' missing"), m);

    // arrays that do not fit the network the header describes
    MacroWeightsFile w = MacroWeightsFile.read(f);
    new MacroWeightsFile(w.config(), NORM, NAMES, new float[w.weights().length - 1], w.runningStats()).write(f);
    MacroWeightsFile shortW = MacroWeightsFile.read(f);
    m = assertThrows(IllegalArgumentException.class, shortW::open).getMessage();
    assertTrue(m.contains("WEIGHTS") && m.contains("expected " + w.weights().length), m);
  }
}
