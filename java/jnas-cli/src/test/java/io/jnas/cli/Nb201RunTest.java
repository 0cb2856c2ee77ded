package io.jnas.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnas.data.Dataset;
import io.jnas.data.Datasets;
import io.jnas.nasbench.Nb201Network;
import io.jnas.nasbench.Nb201WeightsFile;
import io.jnas.space.Nb201Cell;
import io.jnas.tensor.Tensor;
import io.jnas.train.Checkpoint;
import io.jnas.train.WeightsHeader;
import io.jnas.util.Json;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code jnas train --space nb201} run end to end: it saves its weights, {@code jnas export}
 * writes an ONNX model whose logits ONNX Runtime reproduces from pixels in [0, 1] (the
 * normalization node in front) and a cell JSON that {@code train --genotype} reads back,
 * {@code eval} and {@code predict} read the run, and a corrupt or misfit weights file is refused
 * (exit 2, one line naming the file and what was expected).
 */
class Nb201RunTest {
  /**
   * jnas's forward against ONNX Runtime's, both float32: {@code Tolerances.ONNX_ATOL} of the core
   * tests (1e-4; a wrong pad, layout or normalization gives errors of order 0.1).
   */
  private static final double ONNX_ATOL = 1e-4;
  private static final String DATA = "synthetic:train=320,val=64,test=32,seed=1";
  /** Every op of the space: conv 3x3, skip, none, avg pool, conv 1x1. */
  private static final String CELL = "|nor_conv_3x3~0|+|skip_connect~0|none~1|+|avg_pool_3x3~0|nor_conv_1x1~1|nor_conv_3x3~2|";

  @TempDir static Path shared;
  private static Path run;

  @BeforeAll
  static void train() {
    run = shared.resolve("run");
    CliRun r = CliRun.run("train", "--space", "nb201", "--genotype", CELL, "--data", DATA, "--epochs", "1", "--batch", "32",
        "--channels", "4", "--cells", "1", "--out", run.toString());
    assertEquals(0, r.code(), r.err());
  }

  @Test
  void trainingSavesTheWeightsAndExportMatchesTheNativeForward(@TempDir Path tmp) throws Exception {
    Nb201WeightsFile w = Nb201WeightsFile.read(run.resolve("weights.jnw"));
    assertEquals(Nb201Cell.parse(CELL), w.config().cell());
    assertEquals(4, w.config().channels());
    assertEquals(1, w.config().cellsPerStage());
    assertTrue(w.config().batchNorm());
    assertTrue(w.normalization() != null, "the synthetic set's normalization is kept");
    assertEquals(10, w.classNames().size());

    Path gj = tmp.resolve("cell.json");
    CliRun r = CliRun.run("export", "--run", run.toString(), "--genotype-json", gj.toString());
    assertEquals(0, r.code(), r.err());
    Path onnx = run.resolve("model.onnx");
    assertTrue(r.out().contains(onnx.toString()) && r.out().contains("images (batch, 3, 32, 32)") && r.out().contains("logits (batch, 10)"),
        r.out());
    assertEquals(Nb201Cell.parse(CELL), TrainCommand.nb201Cell(gj.toString(), "train"), "--genotype-json reads back as the cell");

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
    try (Nb201Network net = w.open(); Tensor x = Tensor.of(normalized, b, 3, 32, 32)) {
      expected = net.predict(null, x);
    }
    float[] got = OrtLogits.of(onnx, px, b);
    double worst = 0, spread = 0;
    for (int i = 0; i < expected.length; i++) {
      worst = Math.max(worst, Math.abs(expected[i] - got[i]));
      spread = Math.max(spread, Math.abs(expected[i]));
    }
    System.out.println("jnas export of an nb201 run: largest |native - onnxruntime| logit " + worst + " (largest |logit| " + spread + ")");
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
    assertEquals(32, ((Number) e.get("test_images")).intValue());
    assertEquals(((Number) res.get("test_accuracy")).doubleValue(), ((Number) e.get("test_accuracy")).doubleValue(), 1e-9,
        "eval's accuracy is the training's own test");
    assertEquals(((Number) res.get("test_loss")).doubleValue(), ((Number) e.get("test_loss")).doubleValue(), 1e-4);
    // the stored cell is checked against --genotype
    assertEquals(0, CliRun.run("eval", "--run", run.toString(), "--out", tmp.resolve("ev2").toString(), "--genotype", CELL).code());
    CliRun.bad("differs from the NAS-Bench-201 cell " + CELL + " stored in " + run.resolve("weights.jnw"), "eval", "--run",
        run.toString(), "--out", tmp.resolve("ev3").toString(), "--genotype", CELL.replace("skip_connect~0", "none~0"));

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
  void badWeightsFilesAndCellFilesAreRefused(@TempDir Path tmp) throws Exception {
    byte[] good = Files.readAllBytes(run.resolve("weights.jnw"));
    String any = "expected a cell network's weights (kind jnas-final-weights, from jnas train) or an ENAS macro network's"
        + " weights (kind jnas-macro-weights, from jnas train --space enas-macro) or a NAS-Bench-201 network's weights"
        + " (kind jnas-nb201-weights, from jnas train --space nb201)";

    byte[] flipped = good.clone();
    flipped[good.length / 2] ^= 0x01;
    Path bad = Files.write(tmp.resolve("bad.jnw"), flipped);
    CliRun.bad(bad + ": corrupt or truncated checkpoint (checksum mismatch); " + any, "eval", "--weights", bad.toString(),
        "--data", DATA, "--out", tmp.resolve("ev").toString());
    Path cut = Files.write(tmp.resolve("cut.jnw"), Arrays.copyOf(good, good.length - 100));
    CliRun.bad("export: " + cut + ": corrupt or truncated checkpoint", "export", "--weights", cut.toString(), "--onnx",
        tmp.resolve("a.onnx").toString());

    // an nb201 header whose arrays do not fit its network
    Nb201WeightsFile w = Nb201WeightsFile.read(run.resolve("weights.jnw"));
    Path misfit = tmp.resolve("misfit.jnw");
    new Nb201WeightsFile(w.config(), w.normalization(), w.classNames(), w.weights(), Arrays.copyOf(w.runningStats(), 3)).write(misfit);
    CliRun.bad("export: " + misfit + ": nb201 network: set running statistics got 3 floats, expected " + w.runningStats().length,
        "export", "--weights", misfit.toString(), "--onnx", tmp.resolve("c.onnx").toString());
    assertTrue(!Files.exists(tmp.resolve("c.onnx")));
    assertEquals(WeightsHeader.NB201, Checkpoint.read(misfit).header().get("kind"));

    // --genotype of train --space nb201: a file that is not an nb201 cell's JSON, or no file at all
    Path other = Files.writeString(tmp.resolve("other.json"), "{\"format\": \"enas-macro\", \"arc\": \"0\"}");
    CliRun.bad("train: --genotype " + other + ": expected {\"format\": \"nb201\", \"cell\": \"|...|\"}", "train", "--space", "nb201",
        "--genotype", other.toString(), "--data", DATA, "--out", tmp.resolve("r1").toString());
    CliRun.bad("train: --genotype " + tmp.resolve("none.json") + ": no such file", "train", "--space", "nb201",
        "--genotype", tmp.resolve("none.json").toString(), "--data", DATA, "--out", tmp.resolve("r2").toString());
    assertTrue(!Files.exists(tmp.resolve("r1")) && !Files.exists(tmp.resolve("r2")), "no run folder for bad input");
  }
}
