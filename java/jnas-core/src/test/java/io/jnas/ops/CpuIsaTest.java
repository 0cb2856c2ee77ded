package io.jnas.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnas.backend.Backends;
import io.jnas.testing.GradCheck;
import io.jnas.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The SIMD convolution paths (native/cpu/conv_fast.cpp) exist once per instruction set; the
 * other op tests run the one this CPU picks. Here every test of the fast paths runs again under
 * each instruction set this CPU has (AVX2 always; AVX-512 where present), and the two are
 * compared with each other: the forwards bit for bit (each output element is the same sum in
 * the same order), the gradients to float rounding.
 */
class CpuIsaTest {
  @AfterEach
  void restore() {
    Backends.setCpuIsa("auto");
  }

  /** The instruction sets this CPU runs. */
  private static List<String> isas() {
    List<String> out = new ArrayList<>(List.of("avx2"));
    try {
      Backends.setCpuIsa("avx512");
      out.add("avx512");
    } catch (IllegalArgumentException e) {
      System.out.println("CpuIsaTest: " + e.getMessage() + ": AVX-512 paths not tested here");
    }
    Backends.setCpuIsa("auto");
    return out;
  }

  @Test
  void everyFastPathTestPassesUnderEachInstructionSet() throws Exception {
    for (String isa : isas()) {
      Backends.setCpuIsa(isa);
      assertEquals(isa, Backends.cpuIsa());
      Conv2dTest conv = new Conv2dTest();
      conv.fastPathMatchesReference();
      conv.gradientMatchesFiniteDifferences();
      conv.nullGradientsAreSkipped();
      conv.weightGradientIsDeterministic();
      SepConvTest sep = new SepConvTest();
      sep.gradientMatchesFiniteDifferences();
      sep.matchesComposedReferenceConvs();
      FusedReluTest fused = new FusedReluTest();
      fused.fusedConvEqualsReluThenConvBitForBit();
      fused.fusedSepconvEqualsReluThenSepconvBitForBit();
    }
  }

  /** Pointwise and depthwise shapes at ENAS sizes and with every kind of tail (rows, columns, lanes). */
  private static final Conv2dTest.Case[] CASES = {
    new Conv2dTest.Case("pointwise 20ch 32x32", 3, 20, 32, 32, 20, 1, 1, Conv2dSpec.DEFAULT, true),
    new Conv2dTest.Case("pointwise 40 -> 9ch 8x8", 5, 40, 8, 8, 9, 1, 1, Conv2dSpec.DEFAULT, false),
    new Conv2dTest.Case("pointwise 13 -> 17ch 5x10 (tail of 2 after 32 + 16)", 3, 13, 5, 10, 17, 1, 1, Conv2dSpec.DEFAULT, true),
    new Conv2dTest.Case("depthwise 5x5 8x8 (half a 16-lane row)", 4, 24, 8, 8, 24, 5, 5, Conv2dSpec.of(1, 2).withGroups(24), false),
    new Conv2dTest.Case("depthwise 3x3 d2 21 wide", 2, 5, 7, 21, 5, 3, 3, Conv2dSpec.of(1, 2).withDilation(2).withGroups(5), true),
    new Conv2dTest.Case("depthwise 3x3 11x37", 2, 3, 11, 37, 3, 3, 3, Conv2dSpec.of(1, 1).withGroups(3), false),
    // "same" planes with rows narrower than a register take the flat stencils (8 <= W < 16:
    // AVX-512 only, so the forwards compared bit for bit below are flat against padded rows):
    // a tail register (7x7 = 49), a kernel larger than the plane (7x7 on 4x4), a runtime kernel
    // size (7x7, 49 taps, on 9x9), dilation 2 on 8x8
    new Conv2dTest.Case("depthwise 3x3 7x7 (flat, tail of 1)", 3, 6, 7, 7, 6, 3, 3, Conv2dSpec.of(1, 1).withGroups(6), true),
    new Conv2dTest.Case("depthwise 7x7 4x4 (flat, taps outside)", 2, 4, 4, 4, 4, 7, 7, Conv2dSpec.of(1, 3).withGroups(4), false),
    new Conv2dTest.Case("depthwise 7x7 9x9 (flat on AVX-512, 49 taps)", 2, 3, 9, 9, 3, 7, 7, Conv2dSpec.of(1, 3).withGroups(3), false),
    new Conv2dTest.Case("depthwise 5x5 d2 8x8 (flat, compile-time geometry)", 2, 5, 8, 8, 5, 5, 5, Conv2dSpec.of(1, 4).withDilation(2).withGroups(5), true),
    new Conv2dTest.Case("depthwise 3x3 8x8 (flat, compile-time geometry)", 3, 7, 8, 8, 7, 3, 3, Conv2dSpec.of(1, 1).withGroups(7), false),
    new Conv2dTest.Case("depthwise 3x3 d2 8x8 (flat, compile-time geometry)", 2, 4, 8, 8, 4, 3, 3, Conv2dSpec.of(1, 2).withDilation(2).withGroups(4), true),
    new Conv2dTest.Case("depthwise 3x3 8x8 p0 (not same: padded rows)", 2, 4, 8, 8, 4, 3, 3, Conv2dSpec.of(1, 0).withGroups(4), false),
    // "same" planes with whole-register rows read in place (row stencils): one and two
    // registers a row, odd heights, dilation 2 (8x8 on AVX2 is one too)
    new Conv2dTest.Case("depthwise 3x3 16x16 (rows in place)", 2, 3, 16, 16, 3, 3, 3, Conv2dSpec.of(1, 1).withGroups(3), true),
    new Conv2dTest.Case("depthwise 5x5 d2 7x32 (rows in place, 2 registers a row)", 2, 2, 7, 32, 2, 5, 5, Conv2dSpec.of(1, 4).withDilation(2).withGroups(2), false),
    new Conv2dTest.Case("depthwise 5x5 5x16 (rows in place)", 1, 3, 5, 16, 3, 5, 5, Conv2dSpec.of(1, 2).withGroups(3), false),
  };

  @Test
  void forwardsAgreeBitForBitAndGradientsToRounding() {
    List<String> isas = isas();
    for (Conv2dTest.Case c : CASES) {
      for (boolean relu : new boolean[] {false, true}) {
        SplittableRandom rng = new SplittableRandom(31);
        Tensor x = Tensor.uniform(rng, -1f, 1f, c.inShape());
        Tensor w = Tensor.uniform(rng, -1f, 1f, c.wShape());
        Tensor bias = c.bias() ? Tensor.uniform(rng, -1f, 1f, c.cOut()) : null;
        int[] os = ConvOps.conv2dOutputShape(x, w, c.spec());
        Tensor dout = Tensor.uniform(rng, -1f, 1f, os);
        float[][] first = null;
        for (String isa : isas) {
          Backends.setCpuIsa(isa);
          Tensor out = Tensor.zeros(os), dx = Tensor.zeros(x.shape()), dw = Tensor.zeros(w.shape());
          ConvOps.conv2dForward(out, x, w, bias, c.spec(), relu);
          ConvOps.conv2dBackward(dx, dw, null, dout, x, w, c.spec(), relu);
          String name = c + (relu ? " relu_in" : "") + " [" + isa + "]";
          // and each against the reference
          Tensor outRef = Tensor.zeros(os), dxRef = Tensor.zeros(x.shape()), dwRef = Tensor.zeros(w.shape());
          ConvOps.conv2dForwardReference(outRef, x, w, bias, c.spec(), relu);
          ConvOps.conv2dBackwardReference(dxRef, dwRef, null, dout, x, w, c.spec(), relu);
          GradCheck.assertClose(name + ": out", outRef.toArray(), out.toArray());
          GradCheck.assertClose(name + ": dinp", dxRef.toArray(), dx.toArray());
          GradCheck.assertClose(name + ": dweight", dwRef.toArray(), dw.toArray());
          float[][] now = {out.toArray(), dx.toArray(), dw.toArray()};
          if (first == null) {
            first = now;
          } else {
            assertArrayEquals(first[0], now[0], name + ": forward differs from " + isas.get(0));
            GradCheck.assertClose(name + ": dinp vs " + isas.get(0), first[1], now[1]);
            GradCheck.assertClose(name + ": dweight vs " + isas.get(0), first[2], now[2]);
          }
        }
      }
    }
  }

  @Test
  void badNamesAreRefusedWithTheChoices() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Backends.setCpuIsa("sse2"));
    assertTrue(e.getMessage().contains("sse2") && e.getMessage().contains("avx512"), e.getMessage());
    String before = Backends.cpuIsa();
    assertThrows(IllegalArgumentException.class, () -> Backends.setCpuIsa(null));
    assertEquals(before, Backends.cpuIsa(), "a refused name changes nothing");
  }
}
