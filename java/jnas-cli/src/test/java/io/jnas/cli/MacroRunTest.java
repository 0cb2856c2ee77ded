package io.jnas.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnas.data.Dataset;
import io.jnas.data.Datasets;
import io.jnas.enas.MacroArch;
import io.jnas.enas.MacroNetwork;
import io.jnas.enas.MacroWeightsFile;
import io.jnas.tensor.Tensor;
import io.jnas.train.Checkpoint;
import io.jnas.train.WeightsHeader;
import io.jnas.util.Json;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code jnas train --space enas-macro} run end to end: it saves its weights, {@code jnas
 * export} writes an ONNX model whose logits ONNX Runtime reproduces from pixels in [0, 1] (the
 * normalization node in front), {@code eval} and {@code predict} read the run, and a truncated,
 * corrupt or other-kind weights file is refused (exit 2, one line naming the file and what was
 * expected).
 */
class MacroRunTest {
  /**
   * jnas's forward against ONNX Runtime's, both float32: {@code Tolerances.ONNX_ATOL} of the core
   * tests (1e-4; a wrong pad, layout or normalization gives errors of order 0.1).
   */
  private static final double ONNX_ATOL = 1e-4;
  private static final String DATA = "synthetic:train=64,val=8,test=16,seed=1";
  private static final String ARC = "1 3 0 5 1 1";  // 3 layers: sep 3x3; sep 5x5 + skip from layer 0; max pool + skips from both

  @TempDir static Path shared;
  private static Path run;

  @BeforeAll
  static void train() {
    run = shared.resolve("run");
    CliRun r = CliRun.run("train", "--space", "enas-macro", "--genotype", ARC, "--data", DATA, "--epochs", "1", "--batch", "16",
        "--channels", "4", "--out", run.toString());
    assertEquals(0, r.code(), r.err());
  }

  @Test
  void trainingSavesTheWeightsAndExportMatchesTheNativeForward(@TempDir Path tmp) throws Exception {
    MacroWeightsFile w = MacroWeightsFile.read(run.resolve("weights.jnw"));
    assertEquals(MacroArch.parse(ARC), w.config().arch());
    assertEquals(4, w.config().channels());
    assertTrue(w.normalization() != null, "the synthetic set's normalization is kept");

    Path gj = tmp.resolve("arch.json");
    CliRun r = CliRun.run("export", "--run", run.toString(), "--genotype-json", gj.toString());
    assertEquals(0, r.code(), r.err());
    Path onnx = run.resolve("model.onnx");
    assertTrue(r.out().contains(onnx.toString()) && r.out().contains("images (batch, 3, 32, 32)") && r.out().contains("logits (batch, 10)"),
        r.out());
    assertEquals(MacroArch.parse(ARC), TrainCommand.macroArch(gj.toString()), "--genotype-json reads back as the architecture");

    // a batch of test images, pixels in [0, 1]: ONNX Runtime on the exported model against the
    // native forward of the reloaded network on the same images normalized as in training
    Dataset test = Datasets.open(DATA).test();
    int b = 6, n = test.imageSize();
    float[] px = new float[b * n];
    for (int i = 0; i < b; i++) test.readImage(i, px, i * n);
    float[] normalized = px.clone();
    float[] mean = w.normalization().mean(), std = w.normalization().std();
    for (int i = 0; i < b; i++) {
      for (int c = 0; c < 3; c++) {
        for (int k = 0; k < 32 * 32; k++) {
          int at = i * n + c * 32 * 32 + k;
          normalized[at] = (px[at] - mean[c]) / std[c];
        }
      }
    }
    float[] expected;
    try (MacroNetwork net = w.open(); Tensor x = Tensor.of(normalized, b, 3, 32, 32)) {
      expected = net.predict(x);
    }
    float[] got = OrtLogits.of(onnx, px, b);
    double worst = 0, spread = 0;
    for (int i = 0; i < expected.length; i++) {
      worst = Math.max(worst, Math.abs(expected[i] - got[i]));
      spread = Math.max(spread, Math.abs(expected[i]));
    }
    System.out.println("jnas export of a macro run: largest |native - onnxruntime| logit " + worst + " (largest |logit| " + spread + ")");
    assertTrue(spread > 1e-3, "logits all near zero: " + spread);
    assertTrue(worst <= ONNX_ATOL, "largest |jnas - onnxruntime| = " + worst + ", first pairs " + expected[0] + "/" + got[0]);

    // --weights FILE and --no-normalize: the model takes normalized images
    Path plain = tmp.resolve("plain.onnx");
    r = CliRun.run("export", "--weights", run.resolve("weights.jnw").toString(), "--onnx", plain.toString(), "--no-normalize");
    assertEquals(0, r.code(), r.err());
    got = OrtLogits.of(plain, normalized, b);
    for (int i = 0; i < expected.length; i++) assertEquals(expected[i], got[i], ONNX_ATOL, "logit " + i + " without normalization");
  }


  @Test
  void evalAndPredictReadTheRun(@TempDir Path tmp) throws Exception {
    Path ev = tmp.resolve("ev");
    CliRun r = CliRun.run("eval", "--run", run.toString(), "--out", ev.toString());
    assertEquals(0, r.code(), r.err());
    Map<String, Object> e = Json.parseObject(Files.readString(ev.resolve("eval.json")));
    Map<String, Object> res = Json.parseObject(Files.readString(run.resolve("result.json")));
    assertEquals(16, ((Number) e.get("test_images")).intValue());
    assertEquals(((Number) res.get("test_accuracy")).doubleValue(), ((Number) e.get("test_accuracy")).doubleValue(), 1e-9,
        "eval's accuracy is the training's own test");
    assertEquals(((Number) res.get("test_loss")).doubleValue(), ((Number) e.get("test_loss")).doubleValue(), 1e-4);
    // the stored architecture is checked against --genotype
    assertEquals(0, CliRun.run("eval", "--run", run.toString(), "--out", tmp.resolve("ev2").toString(), "--genotype", ARC).code());
    CliRun.bad("differs from the macro architecture stored in " + run.resolve("weights.jnw"), "eval", "--run", run.toString(),
        "--out", tmp.resolve("ev3").toString(), "--genotype", "0 3 0 5 1 1");

    Path imgs = Files.createDirectories(tmp.resolve("imgs"));
    BufferedImage img = new BufferedImage(20, 20, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 20; y++) for (int x = 0; x < 20; x++) img.setRGB(x, y, (x * 12) << 16 | (y * 12) << 8 | 90);
    ImageIO.write(img, "png", imgs.resolve("a.png").toFile());
    r = CliRun.run("predict", "--run", run.toString(), "--images", imgs.toString(), "--top", "3");
    assertEquals(0, r.code(), r.err());
    List<?> p = (List<?>) Json.parse(r.out());
    @SuppressWarnings("unchecked")
    List<Object> top = (List<Object>) ((Map<String, Object>) p.get(0)).get("top");
    assertEquals(3, top.size(), r.out());
  }

  @Test
  void badWeightsFilesAreRefused(@TempDir Path tmp) throws Exception {
    byte[] good = Files.readAllBytes(run.resolve("weights.jnw"));
    String either = "expected a cell network's weights (kind jnas-final-weights, from jnas train) or an ENAS macro network's"
        + " weights (kind jnas-macro-weights, from jnas train --space enas-macro)";

    Path cut = Files.write(tmp.resolve("cut.jnw"), Arrays.copyOf(good, good.length - 100));
    CliRun.bad("export: " + cut + ": corrupt or truncated checkpoint", "export", "--weights", cut.toString(), "--onnx", tmp.resolve("a.onnx").toString());
    CliRun.bad(either, "export", "--weights", cut.toString(), "--onnx", tmp.resolve("a.onnx").toString());

    byte[] flipped = good.clone();
    flipped[good.length / 2] ^= 0x01;
    Path bad = Files.write(tmp.resolve("bad.jnw"), flipped);
    CliRun.bad(bad + ": corrupt or truncated checkpoint (checksum mismatch); " + either, "eval", "--weights", bad.toString(),
        "--data", DATA, "--out", tmp.resolve("ev").toString());

    Path other = tmp.resolve("other.jnw");
    Map<String, Object> h = new LinkedHashMap<>();
    h.put("kind", "jnas-something-else");
    new Checkpoint(h, Map.of()).write(other);
    CliRun.bad(other + ": holds kind jnas-something-else, not a jnas weights file; " + either, "export", "--weights", other.toString(),
        "--onnx", tmp.resolve("b.onnx").toString());

    // a macro header whose arrays do not fit its network
    MacroWeightsFile w = MacroWeightsFile.read(run.resolve("weights.jnw"));
    Path misfit = tmp.resolve("misfit.jnw");
    new MacroWeightsFile(w.config(), w.normalization(), w.classNames(), w.weights(), Arrays.copyOf(w.runningStats(), 3)).write(misfit);
    CliRun.bad("export: " + misfit + ": macro network: set RUNNING_STATS got 3 floats, expected " + w.runningStats().length,
        "export", "--weights", misfit.toString(), "--onnx", tmp.resolve("c.onnx").toString());
    assertTrue(!Files.exists(tmp.resolve("c.onnx")));
    assertEquals(WeightsHeader.MACRO, Checkpoint.read(misfit).header().get("kind"));
  }
}
