package io.jnas.bench;

import io.jnas.enas.Supernet;
import io.jnas.backend.Backends;
import io.jnas.backend.Kernels;
import io.jnas.tensor.IntTensor;
import io.jnas.tensor.Tensor;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Supernet-step throughput at the ENAS micro search defaults (batch 160, 6 layers, 20
 * channels, 5 nodes, 32x32x3 images), beside the bound implied by OpenBLAS sgemm measured in
 * the same run: if every FLOP of the step ran at sgemm's rate, images/s would be
 * {@code sgemm FLOP/s / (3 x forward FLOPs per image)}. The ratio says how far the step is
 * from that bound (depthwise convs, BN and memory traffic keep it well under 1).
 *
 * <pre>
 * java -cp "$(cat benchmarks/target/benchmarks.classpath):benchmarks/target/classes" \
 *   io.jnas.bench.SupernetBench [--batch 160] [--layers 6] [--channels 20] [--nodes 5] [--steps 6]
 * </pre>
 */
public final class SupernetBench {
  private SupernetBench() {}

  /** Entry point; flags as in the class comment. */
  public static void main(String[] args) {
    int batch = 160, layers = 6, channels = 20, nodes = 5, steps = 6, size = 32;
    for (int i = 0; i + 1 < args.length; i += 2) {
      int v = Integer.parseInt(args[i + 1]);
      switch (args[i]) {
        case "--batch" -> batch = v;
        case "--layers" -> layers = v;
        case "--channels" -> channels = v;
        case "--nodes" -> nodes = v;
        case "--steps" -> steps = v;
        case "--size" -> size = v;
        default -> throw new IllegalArgumentException("unknown flag " + args[i]);
      }
    }
    SplittableRandom rng = new SplittableRandom(1);
    Supernet.Config cfg = new Supernet.Config(3, size, size, 10, layers, channels, nodes, 1);
    Supernet.Hyper h = new Supernet.Hyper(0.05f, 0.9f, 1e-4f, 5f, 0.9f);
    float[] px = new float[batch * 3 * size * size];
    for (int i = 0; i < px.length; i++) px[i] = (float) rng.nextGaussian();
    int[] lab = new int[batch];
    for (int i = 0; i < batch; i++) lab[i] = rng.nextInt(10);
    double gemm = sgemmGflops();
    try (Supernet net = new Supernet(cfg); Tensor x = Tensor.of(px, batch, 3, size, size); IntTensor y = IntTensor.of(lab, batch)) {
      System.out.printf(Locale.ROOT, "supernet: %d shared weights; batch %d, %d layers, %d channels, %d nodes, %dx%d, %d threads (%s)%n",
          net.numWeights(), batch, layers, channels, nodes, size, size, Backends.cpuThreads(), Backends.cpuIsa());
      net.trainStep(arc(rng, nodes), arc(rng, nodes), x, y, h, 0);  // warm-up: arena growth, first touches
      double secs = 0, flops = 0;
      for (int s = 0; s < steps; s++) {
        int[] n = arc(rng, nodes), r = arc(rng, nodes);
        long t0 = System.nanoTime();
        net.trainStep(n, r, x, y, h, s);
        secs += (System.nanoTime() - t0) / 1e9;
        flops += 3 * net.lastForwardFlops();
      }
      double ips = steps * batch / secs;
      double achieved = flops / secs / 1e9;
      double bound = gemm * 1e9 / (flops / (steps * (double) batch));
      System.out.printf(Locale.ROOT, "%n| metric | value |%n|---|---|%n");
      System.out.printf(Locale.ROOT, "| supernet step, images/s | %.1f |%n", ips);
      System.out.printf(Locale.ROOT, "| step time, s (batch %d) | %.3f |%n", batch, secs / steps);
      System.out.printf(Locale.ROOT, "| GFLOP per step (fwd+bwd, mean over %d random archs) | %.2f |%n", steps, flops / steps / 1e9);
      System.out.printf(Locale.ROOT, "| achieved GFLOP/s | %.2f |%n", achieved);
      System.out.printf(Locale.ROOT, "| sgemm GFLOP/s (1024^3, same run) | %.2f |%n", gemm);
      System.out.printf(Locale.ROOT, "| bound at sgemm rate, images/s | %.1f |%n", bound);
      System.out.printf(Locale.ROOT, "| ratio (images/s / bound) | %.3f |%n", ips / bound);
      System.out.printf(Locale.ROOT, "| activation arena, MiB | %.0f |%n", net.arenaBytes() / 1048576.0);
    }
  }

  static int[] arc(SplittableRandom rng, int nodes) {
    int[] a = new int[4 * nodes];
    for (int j = 0; j < nodes; j++) {
      a[4 * j] = rng.nextInt(j + 2);
      a[4 * j + 1] = rng.nextInt(Supernet.NUM_OPS);
      a[4 * j + 2] = rng.nextInt(j + 2);
      a[4 * j + 3] = rng.nextInt(Supernet.NUM_OPS);
    }
    return a;
  }

  /** Best-of-5 sgemm rate at 1024x1024x1024, in GFLOP/s. */
  static double sgemmGflops() {
    int n = 1024;
    float[] v = new float[n * n];
    SplittableRandom r = new SplittableRandom(2);
    for (int i = 0; i < v.length; i++) v[i] = (float) r.nextDouble();
    Backends.setBlasThreads(Backends.cpuThreads());  // the reference: OpenBLAS on the kernels' threads
    try (Tensor a = Tensor.of(v, n, n); Tensor b = Tensor.of(v, n, n); Tensor c = Tensor.zeros(n, n)) {
      double best = 0;
      for (int rep = 0; rep < 6; rep++) {
        long t0 = System.nanoTime();
        Kernels.sgemm(false, false, n, n, n, 1f, a, n, b, n, 0f, c, n);
        double s = (System.nanoTime() - t0) / 1e9;
        if (rep > 0) best = Math.max(best, 2.0 * n * n * n / s / 1e9);
      }
      return best;
    } finally {
      Backends.setBlasThreads(1);
    }
  }
}
