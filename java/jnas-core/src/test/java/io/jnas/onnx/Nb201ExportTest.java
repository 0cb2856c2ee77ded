package io.jnas.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtSession;
import io.jnas.data.Normalization;
import io.jnas.nasbench.Nb201Network;
import io.jnas.space.Nb201Cell;
import io.jnas.tensor.IntTensor;
import io.jnas.tensor.Tensor;
import io.jnas.testing.Tolerances;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ONNX round trip of a trained NAS-Bench-201 network of one cell: each of the five ops
 * (none, skip_connect, nor_conv_1x1, nor_conv_3x3, avg_pool_3x3), a node with no computed input
 * (zeros), both ResNet reduction blocks, two cells per stage, a non-square image, with and
 * without normalization in front; logits within {@link Tolerances#ONNX_ATOL} of ONNX Runtime's.
 */
class Nb201ExportTest {
  /** Every op, and a node fed by none only. */
  private static final Nb201Cell EVERY_OP =
      Nb201Cell.parse("|nor_conv_3x3~0|+|skip_connect~0|none~1|+|avg_pool_3x3~0|nor_conv_1x1~1|nor_conv_3x3~2|");
  /** Node 1 is zeros (its only edge none), read on by an average pool; node 2 by a skip. */
  private static final Nb201Cell ZERO_NODE =
      Nb201Cell.parse("|none~0|+|skip_connect~0|none~1|+|none~0|avg_pool_3x3~1|nor_conv_1x1~2|");

  @Test
  void everyOpMatchesOnnxRuntime(@TempDir Path dir) throws Exception {
    check(dir, EVERY_OP, null);
  }

  @Test
  void aZeroNodeAndNormalizationMatchOnnxRuntime(@TempDir Path dir) throws Exception {
    check(dir, ZERO_NODE, new Normalization(new float[] {0.5f, 0.4f, 0.3f}, new float[] {0.2f, 0.25f, 0.3f}));
  }

  @Test
  void theSearchNetworkIsRefused() {
    try (Nb201Network search = Nb201Network.searchNetwork(new Nb201Network.Config(EVERY_OP, 2, 1, 3, 3, 8, 8, true, 1))) {
      String m = assertThrows(IllegalArgumentException.class, () -> FinalNetworkExport.export(search, "s", null)).getMessage();
      assertTrue(m.contains("search network"), m);
    }
  }

  private static void check(Path dir, Nb201Cell cell, Normalization norm) throws Exception {
    int h = 8, w = 12, classes = 5;
    SplittableRandom rng = new SplittableRandom(1);
    try (Nb201Network net = Nb201Network.of(new Nb201Network.Config(cell, 4, 2, classes, 3, h, w, true, 2))) {
      for (int s = 0; s < 3; s++) {  // moves the weights and the running statistics
        try (Tensor x = Tensor.randn(rng, 1f, 4, 3, h, w); IntTensor y = IntTensor.of(new int[] {0, 1, 2, 3}, 4)) {
          net.trainStep(null, x, y, new Nb201Network.Hyper(0.05f, 0.9f, 5e-4f, 5f), s);
        }
      }
      Path file = dir.resolve("nb201.onnx");
      FinalNetworkExport.export(net, "nb201", norm).write(file);
      double worst = 0, spread = 0;
      try (OrtSession s = OrtCheck.ENV.createSession(file.toString(), new OrtSession.SessionOptions());
          Tensor pixels = Tensor.randn(rng, 1f, 3, 3, h, w); Tensor x = normalized(pixels, norm)) {
        float[] expected = net.predict(null, x);
        float[] got = OrtCheck.run(s, Map.of("images", pixels), 3, classes);
        assertEquals(expected.length, got.length);
        for (int i = 0; i < got.length; i++) {
          worst = Math.max(worst, Math.abs(expected[i] - got[i]));
          spread = Math.max(spread, Math.abs(expected[i]));
        }
      }
      assertTrue(spread > 1e-3, "logits all near zero: " + spread);
      assertTrue(worst <= Tolerances.ONNX_ATOL, cell + ": largest |jnas - onnxruntime| = " + worst);
      System.out.println("nb201 onnx round trip, " + cell + ", largest abs difference: " + worst);
    }
  }

  /** {@code (x - mean) / std} per channel of {@code (B, C, H, W)} images, or a copy where {@code norm} is null. */
  private static Tensor normalized(Tensor x, Normalization norm) {
    int[] sh = x.shape();
    float[] v = x.toArray();
    if (norm != null) {
      int hw = sh[2] * sh[3];
      for (int i = 0; i < v.length; i++) {
        int c = (i / hw) % sh[1];
        v[i] = (v[i] - norm.mean()[c]) / norm.std()[c];
      }
    }
    return Tensor.of(v, sh);
  }
}
