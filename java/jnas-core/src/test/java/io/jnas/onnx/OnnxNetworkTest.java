package io.jnas.onnx;

import static io.jnas.onnx.OrtCheck.assertClose;
import static io.jnas.onnx.OrtCheck.prod;
import static io.jnas.onnx.OrtCheck.rand;
import static io.jnas.onnx.OrtCheck.uniform;
import static io.jnas.onnx.OrtCheck.weight;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.jnas.ops.BatchNormOps;
import io.jnas.ops.Conv2dSpec;
import io.jnas.ops.ConvOps;
import io.jnas.ops.ElementwiseOps;
import io.jnas.ops.LinearOps;
import io.jnas.ops.PoolOps;
import io.jnas.tensor.IntTensor;
import io.jnas.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A small network of every exported op, end to end: conv-bn-relu, sepconv, max pool, a sum,
 * factorized reduce, bn, avg pool, concat, global pool, linear. jnas's ops compute the logits
 * (BN in inference mode); the exported model, written to a file and loaded by ONNX Runtime,
 * must give the same within {@code Tolerances.ONNX_ATOL}, at batch 1 and 3. Also: the writer
 * is deterministic (same bytes twice) and the file is what {@code toBytes} gives.
 */
class OnnxNetworkTest {
  static final int C_IN = 3, H = 9, W = 9, C = 8, CLASSES = 10;

  /** Every weight of the network, in jnas layouts. */
  record Weights(float[] stem, float[] bn1g, float[] bn1b, float[] bn1m, float[] bn1v, float[] dw, float[] pw,
      float[] fr1, float[] fr2, float[] bn2g, float[] bn2b, float[] bn2m, float[] bn2v, float[] fc, float[] fcb) {
    static Weights random(SplittableRandom rng) {
      return new Weights(weight(rng, C_IN * 9, C * C_IN * 9), uniform(rng, C, 0.5, 1.5), uniform(rng, C),
          uniform(rng, C), uniform(rng, C, 0.3, 2.0), weight(rng, 9, C * 9), weight(rng, C, C * C),
          weight(rng, C, C / 2 * C), weight(rng, C, C / 2 * C), uniform(rng, C, 0.5, 1.5), uniform(rng, C),
          uniform(rng, C), uniform(rng, C, 0.3, 2.0), weight(rng, 2 * C, CLASSES * 2 * C), uniform(rng, CLASSES));
    }
  }

  /** The network by jnas's own ops: logits (B, CLASSES). */
  static Tensor jnas(Tensor x, Weights p) {
    int b = x.dim(0);
    Tensor c1 = Tensor.zeros(b, C, H, W);
    ConvOps.conv2dForward(c1, x, Tensor.of(p.stem, C, C_IN, 3, 3), null, Conv2dSpec.of(1, 1));
    Tensor n1 = Tensor.zeros(c1.shape());
    BatchNormOps.forward(n1, Tensor.zeros(C), Tensor.zeros(C), c1, Tensor.of(p.bn1g, C), Tensor.of(p.bn1b, C),
        Tensor.of(p.bn1m, C), Tensor.of(p.bn1v, C), 1e-5f, 0.1f, false);
    Tensor x0 = Tensor.zeros(c1.shape());
    ElementwiseOps.reluForward(x0, n1);
    Tensor s = Tensor.zeros(c1.shape());
    ConvOps.sepconvForward(s, Tensor.zeros(c1.shape()), x0, Tensor.of(p.dw, C, 1, 3, 3), Tensor.of(p.pw, C, C, 1, 1),
        1, 1, 1);
    Tensor m = Tensor.zeros(c1.shape());
    PoolOps.maxPoolForward(m, IntTensor.zeros(c1.shape()), s, 3, 1, 1);
    Tensor a = Tensor.zeros(c1.shape());
    ElementwiseOps.sumForward(a, List.of(s, m, x0));
    int oh = (H + 1) / 2, ow = (W + 1) / 2;
    Tensor r = Tensor.zeros(b, C, oh, ow);
    ConvOps.factorizedReduceForward(r, a, Tensor.of(p.fr1, C / 2, C, 1, 1), Tensor.of(p.fr2, C / 2, C, 1, 1));
    Tensor n2 = Tensor.zeros(r.shape());
    BatchNormOps.forward(n2, Tensor.zeros(C), Tensor.zeros(C), r, Tensor.of(p.bn2g, C), Tensor.of(p.bn2b, C),
        Tensor.of(p.bn2m, C), Tensor.of(p.bn2v, C), 1e-5f, 0.1f, false);
    Tensor av = Tensor.zeros(r.shape());
    PoolOps.avgPoolForward(av, n2, 3, 1, 1);
    Tensor cat = Tensor.zeros(b, 2 * C, oh, ow);
    ElementwiseOps.concatForward(cat, List.of(n2, av));
    Tensor gp = Tensor.zeros(b, 2 * C);
    PoolOps.globalAvgPoolForward(gp, cat);
    Tensor logits = Tensor.zeros(b, CLASSES);
    LinearOps.linearForward(logits, gp, Tensor.of(p.fc, CLASSES, 2 * C), Tensor.of(p.fcb, CLASSES));
    return logits;
  }

  /** The same network exported. */
  static OnnxGraph export(Weights p) {
    OnnxGraph g = new OnnxGraph("jnas_test_net");
    OnnxGraph.Value x = g.input("images", C_IN, H, W);
    OnnxGraph.Value c1 = g.named("stem").conv(x, p.stem, new int[] {C, C_IN, 3, 3}, null, 1, 1, 1, 1, 1);
    OnnxGraph.Value x0 = g.relu(g.named("stem_bn").batchNormInference(c1, p.bn1g, p.bn1b, p.bn1m, p.bn1v, 1e-5f));
    OnnxGraph.Value s = g.sepconv(x0, p.dw, new int[] {C, 1, 3, 3}, p.pw, new int[] {C, C, 1, 1}, 1, 1, 1);
    OnnxGraph.Value m = g.maxPool(s, 3, 1, 1);
    OnnxGraph.Value a = g.sum(s, m, x0);
    OnnxGraph.Value r = g.factorizedReduce(a, p.fr1, new int[] {C / 2, C, 1, 1}, p.fr2, new int[] {C / 2, C, 1, 1});
    OnnxGraph.Value n2 = g.batchNormInference(r, p.bn2g, p.bn2b, p.bn2m, p.bn2v, 1e-5f);
    OnnxGraph.Value cat = g.concat(n2, g.avgPool(n2, 3, 1, 1));
    OnnxGraph.Value logits = g.named("classifier").linear(g.globalAvgPool(cat), p.fc, new int[] {CLASSES, 2 * C}, p.fcb);
    g.output(logits, "logits");
    return g;
  }

  @Test
  void networkMatchesJnasAtBatch1And3(@TempDir Path dir) throws OrtException, IOException {
    Weights p = Weights.random(new SplittableRandom(21));
    Path file = dir.resolve("net.onnx");
    OnnxGraph g = export(p);
    g.write(file);
    assertArrayEquals(g.toBytes(), Files.readAllBytes(file), "the file holds toBytes()");
    try (OrtSession s = OrtCheck.ENV.createSession(file.toString(), new OrtSession.SessionOptions())) {
      assertEquals(List.of("images"), List.copyOf(s.getInputNames()));
      assertEquals(List.of("logits"), List.copyOf(s.getOutputNames()));
      SplittableRandom rng = new SplittableRandom(22);
      for (int b : new int[] {1, 3}) {
        Tensor x = rand(rng, b, C_IN, H, W);
        Tensor expected = jnas(x, p);
        float[] got = OrtCheck.run(s, Map.of("images", x), b, CLASSES);
        assertClose("network b=" + b, expected.toArray(), got);
      }
    }
  }

  @Test
  void writerIsDeterministic() {
    byte[] first = export(Weights.random(new SplittableRandom(31))).toBytes();
    byte[] second = export(Weights.random(new SplittableRandom(31))).toBytes();
    assertArrayEquals(first, second, "the same graph twice gives the same bytes");
    byte[] other = export(Weights.random(new SplittableRandom(32))).toBytes();
    assertTrue(!java.util.Arrays.equals(first, other), "other weights give other bytes");
    // the weights dominate: every float once, 4 bytes each, plus a little structure
    int floats = prod(C, C_IN, 3, 3) + 8 * C + C * 9 + C * C + C * C + prod(CLASSES, 2 * C) + CLASSES;
    assertTrue(first.length > 4 * floats && first.length < 4 * floats + 16_384, "model size " + first.length);
  }
}
