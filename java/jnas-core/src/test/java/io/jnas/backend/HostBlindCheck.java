package io.jnas.backend;

import io.jnas.enas.MacroArch;
import io.jnas.enas.MacroNetwork;
import io.jnas.enas.MacroSupernet;
import io.jnas.enas.Supernet;
import io.jnas.genotype.Genotype;
import io.jnas.tensor.IntTensor;
import io.jnas.tensor.Tensor;
import io.jnas.train.FinalNetwork;
import java.util.SplittableRandom;

/**
 * The child process of {@link HostBlindBackendTest} (a crash must not take the test JVM down).
 *
 * <ul>
 *   <li>{@code steps}: the same supernet and final network on the {@code cpu} backend and on the
 *       {@code hostblind} backend, same seed: every step's results and every buffer must be
 *       equal to the bit. Prints one {@code equal: ...} line per check; exits 1 on a mismatch.
 *       A host access to backend memory anywhere in the orchestration kills the process with
 *       SIGSEGV instead.
 *   <li>{@code poke cpu|hostblind}: reads one weight with a plain host load; answers on the CPU,
 *       faults on the host-blind backend (the negative control).
 * </ul>
 */
public final class HostBlindCheck {
  private HostBlindCheck() {}

  /** Every op of the registry (a shared test genotype). */
  static final Genotype EVERY_OP = io.jnas.testing.Genotypes.EVERY_OP;

  private static int failures = 0;

  /** Entry point: {@code steps} or {@code poke cpu|hostblind}. */
  public static void main(String[] args) {
    if (args.length >= 1 && args[0].equals("steps")) {
      supernet();
      finalNetwork();
      macro();
      nb201();
      System.out.println(failures == 0 ? "host-blind: all equal" : "host-blind: " + failures + " mismatches");
      System.exit(failures == 0 ? 0 : 1);
    } else if (args.length == 2 && args[0].equals("poke")) {
      Backend b = args[1].equals("cpu") ? Backends.cpu() : Backends.hostBlind();
      FinalNetwork n = new FinalNetwork(config(), b);
      System.out.println("read weight 0 = " + ((NativeNetwork) n).debugHostReadWeight(0) + " on " + b.id());
      System.exit(0);
    } else {
      System.err.println("usage: HostBlindCheck steps | poke cpu|hostblind");
      System.exit(2);
    }
  }

  static FinalNetwork.Config config() {
    return new FinalNetwork.Config(EVERY_OP, 4, 3, 5, 3, 12, 11, true, 7);
  }

  private static void supernet() {
    Supernet.Config cfg = new Supernet.Config(3, 12, 12, 5, 1, 4, 3, 11);
    int[] normal = {0, 0, 1, 1, 2, 2, 0, 3, 3, 4, 1, 0};  // every ENAS op
    int[] reduce = {1, 4, 0, 2, 0, 1, 2, 3, 3, 0, 2, 2};
    SplittableRandom r = new SplittableRandom(3);
    try (Backend hb = Backends.hostBlind(); Supernet a = new Supernet(cfg, Backends.cpu()); Supernet b = new Supernet(cfg, hb);
        Tensor x = Tensor.randn(r, 1f, 4, 3, 12, 12); IntTensor y = labels(r, 4, 5)) {
      Supernet.Hyper h = new Supernet.Hyper(0.05f, 0.9f, 1e-4f, 0.5f, 0.8f);  // a small clip: the clip path runs
      for (int s = 0; s < 2; s++) {
        same("supernet train_step " + s, a.trainStep(normal, reduce, x, y, h, s).toString(),
            b.trainStep(normal, reduce, x, y, h, s).toString());
      }
      same("supernet forward_backward", a.forwardBackward(normal, reduce, x, y, 0.9f, 5).toString(),
          b.forwardBackward(normal, reduce, x, y, 0.9f, 5).toString());
      same("supernet evaluate", a.evaluate(reduce, normal, x, y).toString(), b.evaluate(reduce, normal, x, y).toString());
      for (Supernet.Buffer w : Supernet.Buffer.values()) same("supernet " + w, a.get(w), b.get(w));
    }
  }

  private static void finalNetwork() {
    SplittableRandom r = new SplittableRandom(4);
    try (Backend hb = Backends.hostBlind(); FinalNetwork a = new FinalNetwork(config(), Backends.cpu());
        FinalNetwork b = new FinalNetwork(config(), hb); Tensor x = Tensor.randn(r, 1f, 4, 3, 12, 11);
        IntTensor y = labels(r, 4, 5)) {
      FinalNetwork.Hyper h = new FinalNetwork.Hyper(0.05f, 0.9f, 3e-4f, 0.5f, 0.7f, 0.8f);
      for (int s = 0; s < 2; s++) {
        same("final train_step " + s, a.trainStep(x, y, h, 0.5f, s).toString(), b.trainStep(x, y, h, 0.5f, s).toString());
      }
      same("final forward_backward", a.forwardBackward(x, y, 0.6f, 0.9f, 0.3f, 9, false).toString(),
          b.forwardBackward(x, y, 0.6f, 0.9f, 0.3f, 9, false).toString());
      same("final predict", a.predict(x), b.predict(x));
      same("final evaluate", a.evaluate(x, y).toString(), b.evaluate(x, y).toString());
      for (FinalNetwork.Buffer w : FinalNetwork.Buffer.values()) same("final " + w, a.get(w), b.get(w));
      same("final flops", Double.toString(a.forwardFlops()), Double.toString(b.forwardFlops()));
    }
  }

  /** ENAS's macro space, both forms: every op, skips across both reductions. */
  private static void macro() {
    MacroArch arch = MacroArch.parse(String.join(" ", "0", "1 1", "2 0 1", "3 1 0 1", "4 0 0 0 0", "5 1 1 0 1 1"));
    SplittableRandom r = new SplittableRandom(5);
    MacroNetwork.Hyper h = new MacroNetwork.Hyper(0.05f, 0.9f, 1e-4f, 0.5f, 0.8f);
    MacroNetwork.Config cfg = new MacroNetwork.Config(arch, 4, 5, 3, 12, 11, 3);
    try (Backend hb = Backends.hostBlind(); MacroNetwork a = new MacroNetwork(cfg, Backends.cpu()); MacroNetwork b = new MacroNetwork(cfg, hb);
        Tensor x = Tensor.randn(r, 1f, 4, 3, 12, 11); IntTensor y = labels(r, 4, 5)) {
      for (int s = 0; s < 2; s++) same("macro train_step " + s, a.trainStep(x, y, h, s).toString(), b.trainStep(x, y, h, s).toString());
      same("macro predict", a.predict(x), b.predict(x));
      for (MacroNetwork.Buffer w : MacroNetwork.Buffer.values()) same("macro " + w, a.get(w), b.get(w));
    }
    MacroSupernet.Config sc = new MacroSupernet.Config(3, 12, 11, 5, 6, 4, 3);
    try (Backend hb = Backends.hostBlind(); MacroSupernet a = new MacroSupernet(sc, Backends.cpu()); MacroSupernet b = new MacroSupernet(sc, hb);
        Tensor x = Tensor.randn(r, 1f, 4, 3, 12, 11); IntTensor y = labels(r, 4, 5)) {
      for (int s = 0; s < 2; s++) {
        same("macro supernet train_step " + s, a.trainStep(arch, x, y, h, s).toString(), b.trainStep(arch, x, y, h, s).toString());
      }
      same("macro supernet evaluate", a.evaluate(arch, x, y).toString(), b.evaluate(arch, x, y).toString());
      same("macro supernet weights", a.get(0), b.get(0));
    }
  }

  /** NAS-Bench-201: the network of one cell, the search network's discrete and relaxed steps, the probes. */
  private static void nb201() {
    io.jnas.space.Nb201Cell cell = io.jnas.space.Nb201Cell.parse(
        "|nor_conv_3x3~0|+|skip_connect~0|none~1|+|avg_pool_3x3~0|nor_conv_1x1~1|nor_conv_3x3~2|");
    io.jnas.nasbench.Nb201Network.Config cfg = new io.jnas.nasbench.Nb201Network.Config(cell, 2, 1, 5, 3, 8, 8, true, 3);
    io.jnas.nasbench.Nb201Network.Hyper h = new io.jnas.nasbench.Nb201Network.Hyper(0.05f, 0.9f, 1e-4f, 0.5f);
    SplittableRandom r = new SplittableRandom(6);
    try (Backend hb = Backends.hostBlind(); var a = new io.jnas.nasbench.Nb201Network(cfg, Backends.cpu());
        var b = new io.jnas.nasbench.Nb201Network(cfg, hb); Tensor x = Tensor.randn(r, 1f, 4, 3, 8, 8); IntTensor y = labels(r, 4, 5)) {
      for (int s = 0; s < 2; s++) same("nb201 train_step " + s, a.trainStep(null, x, y, h, s).toString(), b.trainStep(null, x, y, h, s).toString());
      same("nb201 predict", a.predict(null, x), b.predict(null, x));
      same("nb201 running stats", a.runningStats(), b.runningStats());
    }
    var sc = cfg.withCell(null);
    float[] w = new float[30];
    for (int i = 0; i < w.length; i++) w[i] = (float) r.nextDouble();
    try (Backend hb = Backends.hostBlind(); var a = new io.jnas.nasbench.Nb201Network(sc, Backends.cpu());
        var b = new io.jnas.nasbench.Nb201Network(sc, hb); Tensor x = Tensor.randn(r, 1f, 4, 3, 8, 8); IntTensor y = labels(r, 4, 5)) {
      same("nb201 search discrete step", a.trainStep(cell, x, y, h, 0).toString(), b.trainStep(cell, x, y, h, 0).toString());
      a.setArchWeights(w);
      b.setArchWeights(w);
      same("nb201 search relaxed step", a.trainStep(null, x, y, h, 1).toString(), b.trainStep(null, x, y, h, 1).toString());
      same("nb201 arch gradient", a.archGradient(), b.archGradient());
      same("nb201 weights", a.weights(), b.weights());
      double[][] ka = a.activationPatternKernel(cell, x), kb = b.activationPatternKernel(cell, x);
      same("nb201 relu codes", java.util.Arrays.deepToString(ka), java.util.Arrays.deepToString(kb));
      a.sumOfLogitsBackward(cell, x, 0.5f);
      b.sumOfLogitsBackward(cell, x, 0.5f);
      same("nb201 sum backward", a.gradients(), b.gradients());
    }
  }

  private static IntTensor labels(SplittableRandom r, int b, int classes) {
    int[] l = new int[b];
    for (int i = 0; i < b; i++) l[i] = r.nextInt(classes);
    return IntTensor.of(l, b);
  }

  private static void same(String what, String cpu, String hostBlind) {
    if (cpu.equals(hostBlind)) {
      System.out.println("equal: " + what + " " + cpu);
    } else {
      failures++;
      System.out.println("DIFFERENT: " + what + ": cpu " + cpu + ", hostblind " + hostBlind);
    }
  }

  private static void same(String what, float[] cpu, float[] hostBlind) {
    if (cpu.length != hostBlind.length) {
      failures++;
      System.out.println("DIFFERENT: " + what + ": lengths " + cpu.length + " and " + hostBlind.length);
      return;
    }
    for (int i = 0; i < cpu.length; i++) {
      if (Float.floatToIntBits(cpu[i]) != Float.floatToIntBits(hostBlind[i])) {
        failures++;
        System.out.println("DIFFERENT: " + what + "[" + i + "]: cpu " + cpu[i] + ", hostblind " + hostBlind[i]);
        return;
      }
    }
    System.out.println("equal: " + what + " (" + cpu.length + " floats)");
  }
}
