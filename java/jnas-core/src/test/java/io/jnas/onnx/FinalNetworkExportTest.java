package io.jnas.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.jnas.data.Normalization;
import io.jnas.genotype.Gene;
import io.jnas.genotype.Genotype;
import io.jnas.tensor.IntTensor;
import io.jnas.tensor.Tensor;
import io.jnas.testing.Tolerances;
import io.jnas.train.FinalNetwork;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ONNX round trip of a trained final network: a few training steps move the weights and
 * the batch-norm running statistics away from their initial values, the network is exported,
 * written, loaded by ONNX Runtime, and its logits must match jnas's own inference within
 * {@link Tolerances#ONNX_ATOL} (largest absolute difference). Every published cell, plus a
 * genotype holding every op, {@code none} on a stride-2 edge and a reduction cell whose concat
 * keeps a cell input; odd image sizes so the stride-2 shapes round up.
 */
class FinalNetworkExportTest {
  static final Genotype EVERY_OP = io.jnas.testing.Genotypes.EVERY_OP;

  private static float[] uniform(SplittableRandom rng, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) v[i] = (float) (rng.nextDouble() * 2 - 1);
    return v;
  }

  /** Trains {@code net} a few steps (batch statistics move the running ones), then compares. */
  private static double roundTrip(Genotype geno, int layers, int h, int w, Path dir, long seed)
      throws OrtException, java.io.IOException {
    int cin = 3, classes = 10, batch = 4;
    SplittableRandom rng = new SplittableRandom(seed);
    FinalNetwork.Config cfg = new FinalNetwork.Config(geno, 4, layers, classes, cin, h, w, true, seed);
    try (FinalNetwork net = new FinalNetwork(cfg)) {
      FinalNetwork.Hyper hyper = new FinalNetwork.Hyper(0.05f, 0.9f, 1e-4f, 5f, 0.8f, 0.9f);
      for (int step = 0; step < 3; step++) {
        int[] l = new int[batch];
        for (int i = 0; i < batch; i++) l[i] = rng.nextInt(classes);
        try (Tensor x = Tensor.of(uniform(rng, batch * cin * h * w), batch, cin, h, w);
            IntTensor y = IntTensor.of(l, batch)) {
          net.trainStep(x, y, hyper, step / 3f, seed + step);
        }
      }
      OnnxGraph g = FinalNetworkExport.export(net, "test", null);
      Path file = dir.resolve("net-" + seed + ".onnx");
      g.write(file);
      double worst = 0;
      try (OrtSession s = OrtCheck.ENV.createSession(file.toString(), new OrtSession.SessionOptions())) {
        assertEquals(List.of("images"), List.copyOf(s.getInputNames()));
        assertEquals(List.of("logits"), List.copyOf(s.getOutputNames()));
        for (int b : new int[] {1, 3}) {
          try (Tensor x = Tensor.of(uniform(rng, b * cin * h * w), b, cin, h, w)) {
            float[] expected = net.predict(x);
            float[] got = OrtCheck.run(s, Map.of("images", x), b, classes);
            assertEquals(expected.length, got.length);
            for (int i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(expected[i] - got[i]));
            // logits that are all about zero would make the check vacuous
            double spread = 0;
            for (float v : expected) spread = Math.max(spread, Math.abs(v));
            assertTrue(spread > 1e-3, geno + ": logits all near zero (" + spread + ")");
          }
        }
      }
      return worst;
    }
  }

  @Test
  void everyPublishedCellAndEveryOpMatchOnnxRuntime(@TempDir Path dir) throws Exception {
    List<String> report = new ArrayList<>();
    long seed = 1;
    for (String name : Genotype.names()) {
      double d = roundTrip(Genotype.named(name), 3, 9, 9, dir, seed++);
      report.add(name + " " + d);
      assertTrue(d <= Tolerances.ONNX_ATOL, name + ": largest |jnas - onnxruntime| = " + d + " > " + Tolerances.ONNX_ATOL);
    }
    double d = roundTrip(EVERY_OP, 4, 11, 7, dir, 99);
    report.add("every-op " + d);
    assertTrue(d <= Tolerances.ONNX_ATOL, "every-op: largest |jnas - onnxruntime| = " + d + " > " + Tolerances.ONNX_ATOL);
    d = roundTrip(io.jnas.testing.Genotypes.CONCAT_COMBINER, 3, 9, 9, dir, 98);
    report.add("concat-combiner " + d);
    assertTrue(d <= Tolerances.ONNX_ATOL, "concat combiner: largest |jnas - onnxruntime| = " + d + " > " + Tolerances.ONNX_ATOL);
    System.out.println("onnx round trip, largest abs difference: " + report);
  }

  @Test
  void normalizationInTheGraphTakesRawPixels(@TempDir Path dir) throws Exception {
    int h = 8, w = 8, b = 2;
    Normalization norm = new Normalization(new float[] {0.5f, 0.4f, 0.3f}, new float[] {0.25f, 0.2f, 0.3f});
    FinalNetwork.Config cfg = new FinalNetwork.Config(Genotype.DARTS_V2, 4, 3, 10, 3, h, w, false, 5);
    try (FinalNetwork net = new FinalNetwork(cfg)) {
      Path file = dir.resolve("norm.onnx");
      FinalNetworkExport.export(net, "norm", norm).write(file);
      SplittableRandom rng = new SplittableRandom(6);
      float[] raw = new float[b * 3 * h * w];
      for (int i = 0; i < raw.length; i++) raw[i] = (float) rng.nextDouble();
      float[] normalized = raw.clone();
      for (int i = 0; i < raw.length; i++) {
        int c = (i / (h * w)) % 3;
        normalized[i] = (raw[i] - norm.mean()[c]) / norm.std()[c];
      }
      float[] expected;
      try (Tensor x = Tensor.of(normalized, b, 3, h, w)) {
        expected = net.predict(x);
      }
      try (OrtSession s = OrtCheck.ENV.createSession(file.toString(), new OrtSession.SessionOptions());
          Tensor x = Tensor.of(raw, b, 3, h, w)) {
        float[] got = OrtCheck.run(s, Map.of("images", x), b, 10);
        for (int i = 0; i < got.length; i++) {
          assertTrue(Math.abs(got[i] - expected[i]) <= Tolerances.ONNX_ATOL, "logit " + i + ": onnx " + got[i] + ", jnas " + expected[i]);
        }
      }
    }
  }
}
