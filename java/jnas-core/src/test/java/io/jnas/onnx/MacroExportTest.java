package io.jnas.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtSession;
import io.jnas.enas.MacroArch;
import io.jnas.enas.MacroNetwork;
import io.jnas.tensor.IntTensor;
import io.jnas.tensor.Tensor;
import io.jnas.testing.Tolerances;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ONNX round trip of a trained ENAS macro network: every op, skips across both reductions,
 * an odd image size; logits within {@link Tolerances#ONNX_ATOL} of ONNX Runtime's.
 */
class MacroExportTest {
  @Test
  void macroNetworkMatchesOnnxRuntime(@TempDir Path dir) throws Exception {
    MacroArch a = MacroArch.parse(String.join(" ", "0", "1 1", "2 0 1", "3 1 0 1", "4 0 0 0 0", "5 1 1 0 1 1"));
    int h = 9, w = 7, classes = 5;
    SplittableRandom rng = new SplittableRandom(1);
    try (MacroNetwork net = new MacroNetwork(new MacroNetwork.Config(a, 4, classes, 3, h, w, 2))) {
      for (int s = 0; s < 3; s++) {  // moves the weights and the running statistics
        try (Tensor x = Tensor.randn(rng, 1f, 4, 3, h, w); IntTensor y = IntTensor.of(new int[] {0, 1, 2, 3}, 4)) {
          net.trainStep(x, y, new MacroNetwork.Hyper(0.05f, 0.9f, 1e-4f, 5f, 0.9f), s);
        }
      }
      Path file = dir.resolve("macro.onnx");
      FinalNetworkExport.export(net, "macro", null).write(file);
      double worst = 0, spread = 0;
      try (OrtSession s = OrtCheck.ENV.createSession(file.toString(), new OrtSession.SessionOptions());
          Tensor x = Tensor.randn(rng, 1f, 3, 3, h, w)) {
        float[] expected = net.predict(x);
        float[] got = OrtCheck.run(s, Map.of("images", x), 3, classes);
        assertEquals(expected.length, got.length);
        for (int i = 0; i < got.length; i++) {
          worst = Math.max(worst, Math.abs(expected[i] - got[i]));
          spread = Math.max(spread, Math.abs(expected[i]));
        }
      }
      assertTrue(spread > 1e-3, "logits all near zero: " + spread);
      assertTrue(worst <= Tolerances.ONNX_ATOL, "largest |jnas - onnxruntime| = " + worst);
      System.out.println("macro onnx round trip, largest abs difference: " + worst);
    }
  }
}
