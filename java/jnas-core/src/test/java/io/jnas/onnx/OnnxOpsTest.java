package io.jnas.onnx;

import static io.jnas.onnx.OrtCheck.assertClose;
import static io.jnas.onnx.OrtCheck.assertMatches;
import static io.jnas.onnx.OrtCheck.prod;
import static io.jnas.onnx.OrtCheck.rand;
import static io.jnas.onnx.OrtCheck.uniform;
import static io.jnas.onnx.OrtCheck.weight;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.onnxruntime.OrtException;
import io.jnas.ops.BatchNormOps;
import io.jnas.ops.Conv2dSpec;
import io.jnas.ops.ConvOps;
import io.jnas.ops.ElementwiseOps;
import io.jnas.ops.LinearOps;
import io.jnas.ops.PoolOps;
import io.jnas.tensor.IntTensor;
import io.jnas.tensor.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Each {@link OnnxGraph} op against the jnas op it mirrors: jnas computes the output on
 * random inputs, the same weights are exported, ONNX Runtime runs the model, and the two
 * must agree within {@code Tolerances.ONNX_ATOL}. Cases cover batch 1 and 3, odd sizes,
 * stride 2, dilation 2, 1x7 and 7x1 kernels, groups, and padded average pooling.
 */
class OnnxOpsTest {
  /** The per-sample shape of {@code t} (without the batch). */
  private static int[] sample(Tensor t) {
    return Arrays.copyOfRange(t.shape(), 1, t.rank());
  }

  private static byte[] finish(OnnxGraph g, OnnxGraph.Value y) {
    g.output(y, "y");
    return g.toBytes();
  }

  // --------------------------------------------------------------- conv

  /** B, C_in, H, W, C_out, KH, KW, stride, padH, padW, dilation, groups, bias (0/1). */
  static final int[][] CONV_CASES = {
      {1, 3, 7, 9, 4, 3, 3, 1, 1, 1, 1, 1, 1},   // batch 1, odd sizes, bias
      {3, 4, 8, 7, 6, 3, 3, 2, 1, 1, 1, 2, 0},   // batch 3, stride 2, groups 2
      {2, 4, 9, 9, 4, 3, 3, 1, 2, 2, 2, 1, 1},   // dilation 2
      {1, 3, 7, 7, 5, 1, 7, 1, 0, 3, 1, 1, 0},   // 1x7
      {3, 3, 7, 7, 5, 7, 1, 1, 3, 0, 1, 1, 1},   // 7x1
      {2, 5, 6, 5, 5, 5, 5, 2, 2, 2, 1, 5, 0},   // depthwise 5x5, stride 2
      {3, 6, 11, 5, 4, 1, 1, 2, 0, 0, 1, 1, 1},  // 1x1 stride 2, odd
  };

  @Test
  void convMatchesJnas() throws OrtException {
    SplittableRandom rng = new SplittableRandom(1);
    for (int[] c : CONV_CASES) {
      int b = c[0], cIn = c[1], h = c[2], w = c[3], cOut = c[4], kh = c[5], kw = c[6];
      Conv2dSpec spec = new Conv2dSpec(c[7], c[8], c[9], c[10], c[11]);
      int[] wShape = {cOut, cIn / spec.groups(), kh, kw};
      float[] wv = weight(rng, prod(wShape) / cOut, prod(wShape));
      float[] bv = c[12] == 1 ? uniform(rng, cOut) : null;
      Tensor x = rand(rng, b, cIn, h, w);
      Tensor wt = Tensor.of(wv, wShape);
      Tensor bt = bv == null ? null : Tensor.of(bv, cOut);
      Tensor out = Tensor.zeros(ConvOps.conv2dOutputShape(x, wt, spec));
      ConvOps.conv2dForward(out, x, wt, bt, spec);

      OnnxGraph g = new OnnxGraph("conv");
      OnnxGraph.Value y = g.conv(g.input("x", sample(x)), wv, wShape, bv, spec);
      assertMatches("conv " + Arrays.toString(c), finish(g, y), "x", x, out);
    }
  }

  // ------------------------------------------------------------ sepconv

  /** B, C_in, H, W, C_out, K, stride, pad, dilation. */
  static final int[][] SEP_CASES = {
      {1, 4, 9, 7, 6, 3, 1, 1, 1},
      {3, 4, 8, 8, 8, 5, 2, 2, 1},
      {2, 3, 9, 9, 5, 3, 1, 2, 2},
      {3, 5, 7, 6, 5, 5, 1, 4, 2},
  };

  @Test
  void sepconvMatchesJnas() throws OrtException {
    SplittableRandom rng = new SplittableRandom(2);
    for (int[] c : SEP_CASES) {
      int b = c[0], cIn = c[1], h = c[2], w = c[3], cOut = c[4], k = c[5], stride = c[6], pad = c[7], dil = c[8];
      int[] dwShape = {cIn, 1, k, k}, pwShape = {cOut, cIn, 1, 1};
      float[] dw = weight(rng, k * k, prod(dwShape)), pw = weight(rng, cIn, prod(pwShape));
      Tensor x = rand(rng, b, cIn, h, w);
      int oh = (h + 2 * pad - dil * (k - 1) - 1) / stride + 1, ow = (w + 2 * pad - dil * (k - 1) - 1) / stride + 1;
      Tensor out = Tensor.zeros(b, cOut, oh, ow), mid = Tensor.zeros(b, cIn, oh, ow);
      ConvOps.sepconvForward(out, mid, x, Tensor.of(dw, dwShape), Tensor.of(pw, pwShape), stride, pad, dil);

      OnnxGraph g = new OnnxGraph("sepconv");
      OnnxGraph.Value y = g.sepconv(g.input("x", sample(x)), dw, dwShape, pw, pwShape, stride, pad, dil);
      assertEquals(2, g.nodeCount(), "sepconv is two Conv nodes");
      assertMatches("sepconv " + Arrays.toString(c), finish(g, y), "x", x, out);
    }
  }

  // ------------------------------------------------------- factorized reduce

  /** B, C_in, H, W, C_out: odd H/W, odd C_out (unequal halves), batch 1 and 3, a 1x1 input. */
  static final int[][] FR_CASES = {{2, 3, 7, 5, 4}, {1, 4, 8, 6, 5}, {2, 2, 1, 1, 2}, {3, 5, 9, 10, 7}};

  @Test
  void factorizedReduceMatchesJnas() throws OrtException {
    SplittableRandom rng = new SplittableRandom(3);
    for (int[] c : FR_CASES) {
      int b = c[0], cIn = c[1], h = c[2], w = c[3], cOut = c[4];
      int[] s1 = {cOut / 2, cIn, 1, 1}, s2 = {cOut - cOut / 2, cIn, 1, 1};
      float[] w1 = weight(rng, cIn, prod(s1)), w2 = weight(rng, cIn, prod(s2));
      Tensor x = rand(rng, b, cIn, h, w);
      Tensor out = Tensor.zeros(b, cOut, (h + 1) / 2, (w + 1) / 2);
      ConvOps.factorizedReduceForward(out, x, Tensor.of(w1, s1), Tensor.of(w2, s2));

      OnnxGraph g = new OnnxGraph("fr");
      OnnxGraph.Value y = g.factorizedReduce(g.input("x", sample(x)), w1, s1, w2, s2);
      assertMatches("factorized_reduce " + Arrays.toString(c), finish(g, y), "x", x, out);
    }
  }

  // --------------------------------------------------------------- pools

  /** B, C, H, W, k, stride, pad. */
  static final int[][] POOL_CASES = {
      {1, 3, 7, 9, 3, 1, 1},
      {3, 2, 8, 7, 3, 2, 1},
      {2, 4, 9, 9, 2, 2, 0},
      {3, 2, 6, 5, 5, 1, 2},
  };

  @Test
  void maxPoolMatchesJnas() throws OrtException {
    SplittableRandom rng = new SplittableRandom(4);
    for (int[] c : POOL_CASES) {
      int k = c[4], s = c[5], p = c[6];
      Tensor x = rand(rng, c[0], c[1], c[2], c[3]);
      int[] os = {c[0], c[1], PoolOps.outSize(c[2], k, s, p), PoolOps.outSize(c[3], k, s, p)};
      Tensor out = Tensor.zeros(os);
      PoolOps.maxPoolForward(out, IntTensor.zeros(os), x, k, s, p);
      OnnxGraph g = new OnnxGraph("maxpool");
      OnnxGraph.Value y = g.maxPool(g.input("x", sample(x)), k, s, p);
      assertMatches("maxpool " + Arrays.toString(c), finish(g, y), "x", x, out);
    }
  }

  /** Average pooling with padding: the count excludes the padding (count_include_pad=0). */
  @Test
  void avgPoolMatchesJnas() throws OrtException {
    SplittableRandom rng = new SplittableRandom(5);
    for (int[] c : POOL_CASES) {
      int k = c[4], s = c[5], p = c[6];
      // positive inputs: a count that included the padding would shrink every border value
      Tensor x = Tensor.of(uniform(rng, prod(c[0], c[1], c[2], c[3]), 0.5, 1.5), c[0], c[1], c[2], c[3]);
      Tensor out = Tensor.zeros(c[0], c[1], PoolOps.outSize(c[2], k, s, p), PoolOps.outSize(c[3], k, s, p));
      PoolOps.avgPoolForward(out, x, k, s, p);
      OnnxGraph g = new OnnxGraph("avgpool");
      OnnxGraph.Value y = g.avgPool(g.input("x", sample(x)), k, s, p);
      assertMatches("avgpool " + Arrays.toString(c), finish(g, y), "x", x, out);
    }
  }

  @Test
  void globalAvgPoolMatchesJnas() throws OrtException {
    SplittableRandom rng = new SplittableRandom(6);
    for (int b : new int[] {1, 3}) {
      Tensor x = rand(rng, b, 5, 7, 3);
      Tensor out = Tensor.zeros(b, 5);
      PoolOps.globalAvgPoolForward(out, x);
      OnnxGraph g = new OnnxGraph("gap");
      OnnxGraph.Value y = g.globalAvgPool(g.input("x", 5, 7, 3));
      assertEquals(List.of(5), Arrays.stream(y.shape()).boxed().toList());
      assertMatches("global_avgpool b=" + b, finish(g, y), "x", x, out);
    }
  }

  // ----------------------------------------------------------- batch norm

  @Test
  void batchNormInferenceMatchesJnas() throws OrtException {
    SplittableRandom rng = new SplittableRandom(7);
    for (boolean affine : new boolean[] {true, false}) {
      for (int b : new int[] {1, 3}) {
        int c = 6;
        float[] gamma = affine ? uniform(rng, c, 0.5, 1.5) : null, beta = affine ? uniform(rng, c) : null;
        float[] rm = uniform(rng, c), rv = uniform(rng, c, 0.3, 2.0);
        float eps = 1e-5f;
        Tensor x = rand(rng, b, c, 5, 7);
        Tensor out = Tensor.zeros(x.shape());
        BatchNormOps.forward(out, Tensor.zeros(c), Tensor.zeros(c), x, gamma == null ? null : Tensor.of(gamma, c),
            beta == null ? null : Tensor.of(beta, c), Tensor.of(rm, c), Tensor.of(rv, c), eps, 0.1f, false);
        OnnxGraph g = new OnnxGraph("bn");
        OnnxGraph.Value y = g.batchNormInference(g.input("x", sample(x)), gamma, beta, rm, rv, eps);
        assertMatches("batchnorm affine=" + affine + " b=" + b, finish(g, y), "x", x, out);
      }
    }
  }

  // ---------------------------------------------------------- elementwise

  @Test
  void reluMatchesJnas() throws OrtException {
    SplittableRandom rng = new SplittableRandom(8);
    Tensor x = rand(rng, 3, 4, 5, 3);
    Tensor out = Tensor.zeros(x.shape());
    ElementwiseOps.reluForward(out, x);
    OnnxGraph g = new OnnxGraph("relu");
    OnnxGraph.Value y = g.relu(g.input("x", sample(x)));
    assertMatches("relu", finish(g, y), "x", x, out);
  }

  @Test
  void sumAndConcatMatchJnas() throws OrtException {
    SplittableRandom rng = new SplittableRandom(9);
    for (int b : new int[] {1, 3}) {
      Tensor a = rand(rng, b, 3, 5, 7), c = rand(rng, b, 3, 5, 7), d = rand(rng, b, 3, 5, 7);
      Tensor sum = Tensor.zeros(a.shape());
      ElementwiseOps.sumForward(sum, List.of(a, c, d));
      Tensor e = rand(rng, b, 2, 5, 7);
      Tensor cat = Tensor.zeros(b, 3 + 2 + 3, 5, 7);
      ElementwiseOps.concatForward(cat, List.of(a, e, d));

      Map<String, Tensor> feed = new LinkedHashMap<>();
      feed.put("a", a);
      feed.put("c", c);
      feed.put("d", d);
      OnnxGraph g = new OnnxGraph("sum");
      OnnxGraph.Value ya = g.input("a", 3, 5, 7), yc = g.input("c", 3, 5, 7), yd = g.input("d", 3, 5, 7);
      g.output(g.sum(ya, yc, yd), "y");
      assertClose("sum b=" + b, sum.toArray(), OrtCheck.run(g.toBytes(), feed, sum.shape()));

      feed.remove("c");
      feed.put("e", e);
      OnnxGraph h = new OnnxGraph("concat");
      OnnxGraph.Value za = h.input("a", 3, 5, 7), zd = h.input("d", 3, 5, 7), ze = h.input("e", 2, 5, 7);
      h.output(h.concat(za, ze, zd), "y");
      assertClose("concat b=" + b, cat.toArray(), OrtCheck.run(h.toBytes(), feed, cat.shape()));
    }
  }

  @Test
  void mulByScalar() throws OrtException {
    SplittableRandom rng = new SplittableRandom(10);
    Tensor x = rand(rng, 3, 2, 3, 5);
    float[] v = x.toArray();
    for (int i = 0; i < v.length; i++) v[i] *= 0.25f;
    OnnxGraph g = new OnnxGraph("mul");
    OnnxGraph.Value y = g.mul(g.input("x", sample(x)), 0.25f);
    assertMatches("mul", finish(g, y), "x", x, Tensor.of(v, x.shape()));
  }

  // ------------------------------------------------------------ classifier

  @Test
  void flattenAndLinearMatchJnas() throws OrtException {
    SplittableRandom rng = new SplittableRandom(11);
    for (int b : new int[] {1, 3}) {
      for (boolean bias : new boolean[] {true, false}) {
        int ic = 2 * 3 * 5, oc = 7;
        Tensor x = rand(rng, b, 2, 3, 5);
        float[] w = weight(rng, ic, oc * ic), bv = bias ? uniform(rng, oc) : null;
        Tensor out = Tensor.zeros(b, oc);
        // flatten is a reshape of row-major data: the same floats as (B, IC)
        LinearOps.linearForward(out, Tensor.of(x.toArray(), b, ic), Tensor.of(w, oc, ic), bias ? Tensor.of(bv, oc) : null);
        OnnxGraph g = new OnnxGraph("linear");
        OnnxGraph.Value y = g.linear(g.flatten(g.input("x", sample(x))), w, new int[] {oc, ic}, bv);
        assertMatches("linear b=" + b + " bias=" + bias, finish(g, y), "x", x, out);
      }
    }
  }
}
