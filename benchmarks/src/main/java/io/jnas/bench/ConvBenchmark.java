package io.jnas.bench;

import io.jnas.backend.Backends;
import io.jnas.backend.Kernels;
import io.jnas.ops.Conv2dSpec;
import io.jnas.ops.ConvOps;
import io.jnas.tensor.Tensor;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The convolution kernels at ENAS micro-search sizes (batch 160; 20 channels at 32x32, 40 at
 * 16x16, 80 at 8x8, the three stages of the search network), forward and backward (input and
 * weight gradients), with an sgemm of comparable size as the yardstick.
 *
 * <p>{@code op}: {@code conv3x3}, {@code conv5x5} (dense, pad K/2), {@code dw3x3},
 * {@code dw5x5} (depthwise, pad K/2), {@code pw1x1} (pointwise). {@code shape}: channels x
 * side. FLOPs of one call: {@link #flops}; {@link ConvReport} turns scores into GFLOP/s.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class ConvBenchmark {
  /** Batch size of the ENAS micro search. */
  public static final int BATCH = 160;

  /** Columns of the yardstick sgemm, about one batch block of the conv's fast path. */
  public static final int SGEMM_N = 8192;

  @Param({"conv3x3", "conv5x5", "dw3x3", "dw5x5", "pw1x1"})
  public String op;

  @Param({"20x32", "40x16", "80x8"})
  public String shape;

  private Tensor inp, weight, out, dinp, dweight, dout;
  private Conv2dSpec spec;

  /** Channels of a shape string "CxS". */
  public static int channels(String shape) {
    return Integer.parseInt(shape.substring(0, shape.indexOf('x')));
  }

  /** Side of a shape string "CxS". */
  public static int side(String shape) {
    return Integer.parseInt(shape.substring(shape.indexOf('x') + 1));
  }

  /** Kernel size of an op name. */
  public static int kernel(String op) {
    return op.endsWith("5x5") ? 5 : op.endsWith("3x3") ? 3 : 1;
  }

  /** Forward FLOPs: 2*B*C_out*OH*OW*(C_in/groups)*KH*KW (same padding, stride 1). */
  public static double flops(String op, String shape) {
    int c = channels(shape), s = side(shape), k = kernel(op);
    int cinPerGroup = op.startsWith("dw") ? 1 : c;
    return 2.0 * BATCH * c * s * s * cinPerGroup * k * k;
  }

  @Setup(Level.Trial)
  public void setup() {
    int c = channels(shape), s = side(shape), k = kernel(op);
    boolean dw = op.startsWith("dw");
    spec = new Conv2dSpec(1, k / 2, k / 2, 1, dw ? c : 1);
    SplittableRandom rng = new SplittableRandom(1);
    inp = Tensor.uniform(rng, -1f, 1f, BATCH, c, s, s);
    weight = Tensor.uniform(rng, -0.1f, 0.1f, c, dw ? 1 : c, k, k);
    out = Tensor.zeros(BATCH, c, s, s);
    dout = Tensor.uniform(rng, -1f, 1f, BATCH, c, s, s);
    dinp = Tensor.zeros(inp.shape());
    dweight = Tensor.zeros(weight.shape());
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    for (Tensor t : new Tensor[] {inp, weight, out, dinp, dweight, dout}) t.close();
  }

  /** Forward, fast path. */
  @Benchmark
  public Tensor forward() {
    ConvOps.conv2dForward(out, inp, weight, null, spec);
    return out;
  }

  /** Backward: input and weight gradients (no bias), accumulated as the gradient rule says. */
  @Benchmark
  public Tensor backward() {
    ConvOps.conv2dBackward(dinp, dweight, null, dout, inp, weight, spec);
    return dweight;
  }

  /**
   * The yardstick, sgemm at a size comparable to the 3x3 conv's per-block gemm: C = A (M, K) x
   * B (K, N) with M = channels, K = 9*channels, N = {@link #SGEMM_N}. A nested class so that it
   * is parameterised by shape only.
   */
  @State(Scope.Benchmark)
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  public static class Sgemm {
    @Param({"20x32", "40x16", "80x8"})
    public String shape;

    Tensor a, b, c;
    int m, k;

    @Setup(Level.Trial)
    public void setup() {
      m = channels(shape);
      k = 9 * m;
      SplittableRandom rng = new SplittableRandom(2);
      a = Tensor.uniform(rng, -1f, 1f, m, k);
      b = Tensor.uniform(rng, -1f, 1f, k, SGEMM_N);
      c = Tensor.zeros(m, SGEMM_N);
      // the reference runs on as many OpenBLAS threads as the kernels have (jnas keeps it at 1)
      Backends.setBlasThreads(Backends.cpuThreads());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      Backends.setBlasThreads(1);
      a.close();
      b.close();
      c.close();
    }

    /** FLOPs of one call. */
    public static double flops(String shape) {
      int m = channels(shape);
      return 2.0 * m * 9 * m * SGEMM_N;
    }

    /** One row-major sgemm through the same wrapper the kernels' library exposes. */
    @Benchmark
    public Tensor sgemm() {
      Kernels.sgemm(false, false, m, SGEMM_N, k, 1f, a, k, b, SGEMM_N, 0f, c, SGEMM_N);
      return c;
    }
  }
}
