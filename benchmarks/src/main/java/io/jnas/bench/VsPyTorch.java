package io.jnas.bench;

import io.jnas.backend.Backends;
import io.jnas.backend.NativeNetwork.TensorInfo;
import io.jnas.enas.EnasOp;
import io.jnas.enas.Supernet;
import io.jnas.genotype.Gene;
import io.jnas.genotype.Genotype;
import io.jnas.tensor.IntTensor;
import io.jnas.tensor.Tensor;
import io.jnas.train.FinalNetwork;
import io.jnas.util.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * jnas against PyTorch eager on the same network, weights, batch, architectures and thread
 * count, alternating the two sides round by round on the same machine. The PyTorch side is
 * {@code benchmarks/pytorch/jnas_ref.py}, the same networks written from jnas's C++ sources,
 * run as a subprocess of {@code /usr/bin/python3} with {@code OMP_WAIT_POLICY=PASSIVE}; the two
 * sides meet in a folder of files ({@link TorchExchange}).
 *
 * <pre>
 * java -cp "benchmarks/target/classes:$(cat benchmarks/target/benchmarks.classpath)" \
 *   io.jnas.bench.VsPyTorch [--net supernet|final] [--threads N] [--rounds R] [--steps S] [--check] ...
 * </pre>
 *
 * <p>A round: jnas runs one warm-up and S timed training steps (forward, backward, global-norm
 * clip, Nesterov SGD with weight decay; for the supernet one new seeded architecture per step),
 * then PyTorch the same S steps on the same architectures after its own warm-up. Each round
 * prints both sides' images/s, their ratio (jnas / PyTorch: above 1, jnas is faster) and the
 * load average before the round; the end prints the median ratio and its spread. The ratio
 * within a round is the figure to read on a shared machine. Where the Python has no torch,
 * one line says so and jnas runs alone.
 *
 * <p>{@code --check} times nothing: it proves that both sides compute the same network. For
 * several cases (the supernet: four architectures that between them put every candidate op in
 * both cells; the final network: DARTS-V2 and a genotype with every op, each with and without
 * the auxiliary head) it runs one forward+backward with dropout and drop-path off on each side
 * from the same weights and batch, then one training step, and compares the loss, every
 * gradient and every weight update (and the BN running statistics); it exits 1 if any
 * differs by more than 1e-3 relative.
 */
public final class VsPyTorch {
  private VsPyTorch() {}

  /** ENAS's id order of the supernet's candidate ops, as ops names (for messages). */
  private static final String[] ENAS_OPS = {"sep_conv_3x3", "sep_conv_5x5", "avg_pool_3x3", "max_pool_3x3", "skip_connect"};

  /**
   * Every op of the registry, {@code none} on a stride-2 edge, and a reduction cell whose
   * concat keeps a cell input (as {@code io.jnas.testing.Genotypes.EVERY_OP} in the tests).
   */
  static final Genotype EVERY_OP = new Genotype(
      List.of(Gene.of("sep_conv_3x3", 0), Gene.of("sep_conv_5x5", 1), Gene.of("dil_conv_3x3", 2),
          Gene.of("avg_pool_3x3", 1), Gene.of("none", 0), Gene.of("skip_connect", 3)),
      List.of(2, 3, 4),
      List.of(Gene.of("sep_conv_7x7", 0), Gene.of("conv_7x1_1x7", 1), Gene.of("max_pool_3x3", 0),
          Gene.of("dil_conv_5x5", 2), Gene.of("none", 1), Gene.of("avg_pool_3x3", 3), Gene.of("skip_connect", 1),
          Gene.of("max_pool_3x3", 4)),
      List.of(0, 3, 4, 5));

  /** Bad command-line input: printed as one line, exit status 2. */
  static final class UsageException extends RuntimeException {
    UsageException(String message) {
      super(message);
    }
  }

  /** The command line; network-dependent defaults are filled by {@link #defaults()}. */
  static final class Settings {
    String net = "supernet";
    int threads = Runtime.getRuntime().availableProcessors();
    int rounds = 4, steps = 2;
    Integer batch, layers, channels, size;
    int nodes = 5, classes = 10;
    String genotype = "darts-v2";
    boolean aux = true, check;
    Float dropoutKeep, weightDecay;
    float dropPathKeep = 0.9f, progress = 1f, lr = 0.05f, momentum = 0.9f, gradClip = 5f;
    long seed = 1;
    String python = "/usr/bin/python3";
    String isa = "auto";
    Path script, dir;

    boolean supernet() {
      return net.equals("supernet");
    }

    /**
     * Timing: the supernet at the ENAS search defaults, the final network as DARTS-V2 at 8
     * layers, 16 channels, batch 64. Check: small networks (batch 8, 4 channels; the supernet 3
     * layers at 16x16, the final network 5 layers at 32x32, where the auxiliary head pools to
     * 2x2 as on CIFAR), where batches without near-kinks are common (see {@link #CHECK_BATCHES}).
     */
    Settings defaults() {
      boolean s = supernet();
      if (batch == null) batch = check ? 8 : s ? 160 : 64;
      if (layers == null) layers = check ? (s ? 3 : 5) : s ? 6 : 8;
      if (channels == null) channels = check ? 4 : s ? 20 : 16;
      if (size == null) size = check && s ? 16 : 32;
      if (dropoutKeep == null) dropoutKeep = s ? 0.9f : 0.8f;
      if (weightDecay == null) weightDecay = s ? 1e-4f : 2e-4f;
      return this;
    }
  }

  private static final String USAGE = String.join("\n",
      "usage: VsPyTorch [--net supernet|final] [--threads N] [--rounds R] [--steps S] [--check]",
      "  sizes: --batch B (160 | final 64) --layers L (6 | 8) --channels C (20 | 16) --nodes N (5, supernet)",
      "         --size S (32) --classes K (10); --check: batch 8, 4 channels, supernet 3 layers at 16x16, final 5 layers",
      "  final network: --genotype NAME|FILE (darts-v2; every-op) --no-aux --drop-path-keep P (0.9) --progress P (1)",
      "  step: --dropout-keep P (0.9 | 0.8) --lr (0.05) --momentum (0.9) --weight-decay (1e-4 | 2e-4) --grad-clip (5)",
      "  --seed N (1) --python PATH (/usr/bin/python3) --script PATH (benchmarks/pytorch/jnas_ref.py)",
      "  --isa avx2|avx512|auto: jnas's CPU kernels (auto: AVX-512 where the CPU has it)",
      "  --dir DIR: write the exchange files there and keep them (default: a temporary folder)");

  /** Entry point; flags as in {@link #USAGE}. Exit status 0, 1 (a check failed) or 2 (bad input). */
  public static void main(String[] args) {
    if (Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h")) {
      System.out.println(USAGE);
      return;
    }
    int code;
    try {
      code = run(parse(args), System.out);
    } catch (UsageException e) {
      System.err.println("VsPyTorch: " + e.getMessage());
      code = 2;
    } catch (IOException e) {
      System.err.println("VsPyTorch: " + e.getMessage());
      code = 2;
    }
    System.exit(code);
  }

  /** Flags that only the final network reads. */
  private static final List<String> FINAL_ONLY = List.of("--genotype", "--drop-path-keep", "--progress", "--no-aux");

  /** Flags that --check does not read. */
  private static final List<String> NOT_IN_CHECK = List.of("--rounds", "--steps", "--genotype", "--no-aux", "--drop-path-keep",
      "--progress", "--dropout-keep");

  static Settings parse(String[] args) {
    Settings s = new Settings();
    List<String> given = Arrays.asList(args);
    List<String> finalOnly = new ArrayList<>(), supernetOnly = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String f = args[i];
      switch (f) {
        case "--check" -> s.check = true;
        case "--no-aux" -> {
          s.aux = false;
          finalOnly.add(f);
        }
        default -> {
          if (!f.startsWith("--")) throw new UsageException("unexpected argument '" + f + "' (--help lists the flags)");
          if (i + 1 >= args.length) throw new UsageException(f + " is missing its value (--help lists the flags)");
          String v = args[++i];
          if (FINAL_ONLY.contains(f)) finalOnly.add(f);
          if (f.equals("--nodes")) supernetOnly.add(f);
          switch (f) {
            case "--net" -> {
              if (!v.equals("supernet") && !v.equals("final")) throw new UsageException("--net is '" + v + "', expected supernet or final");
              s.net = v;
            }
            case "--threads" -> s.threads = positive(f, v);
            case "--rounds" -> s.rounds = positive(f, v);
            case "--steps" -> s.steps = positive(f, v);
            case "--batch" -> s.batch = atLeast(f, v, 2);
            case "--layers" -> s.layers = atLeast(f, v, 0);
            case "--channels" -> s.channels = atLeast(f, v, 2);
            case "--nodes" -> s.nodes = positive(f, v);
            case "--size" -> s.size = atLeast(f, v, 4);
            case "--classes" -> s.classes = atLeast(f, v, 2);
            case "--genotype" -> s.genotype = v;
            case "--drop-path-keep" -> s.dropPathKeep = prob(f, v);
            case "--dropout-keep" -> s.dropoutKeep = prob(f, v);
            case "--progress" -> s.progress = range(f, v, 0, 1);
            case "--lr" -> s.lr = range(f, v, 0, 100);
            case "--momentum" -> s.momentum = range(f, v, 0, 0.999f);
            case "--weight-decay" -> s.weightDecay = range(f, v, 0, 1);
            case "--grad-clip" -> s.gradClip = range(f, v, 0, Float.MAX_VALUE);
            case "--seed" -> {
              try {
                s.seed = Long.parseLong(v);
              } catch (NumberFormatException e) {
                throw new UsageException("--seed is '" + v + "', expected an integer");
              }
            }
            case "--python" -> s.python = v;
            case "--script" -> s.script = Path.of(v);
            case "--dir" -> s.dir = Path.of(v);
            case "--isa" -> {
              if (!Backends.CPU_ISAS.contains(v)) throw new UsageException("--isa is '" + v + "', expected one of " + Backends.CPU_ISAS);
              s.isa = v;
            }
            default -> throw new UsageException("unknown flag " + f + " (--help lists the flags)");
          }
        }
      }
    }
    if (s.check) {
      for (String f : NOT_IN_CHECK) {
        if (given.contains(f)) throw new UsageException(f + " does not apply to --check (it runs fixed cases: one forward+backward, then one step without dropout or drop-path)");
      }
    }
    if (s.supernet() && !finalOnly.isEmpty()) throw new UsageException(finalOnly.get(0) + " is for --net final only");
    if (!s.supernet() && !supernetOnly.isEmpty()) throw new UsageException(supernetOnly.get(0) + " is for --net supernet only");
    s.defaults();
    if (s.supernet() && s.channels % 2 != 0) throw new UsageException("--channels is " + s.channels + ", expected an even number (factorized reduce splits it)");
    if (!s.supernet() && s.layers < 1) throw new UsageException("--layers is " + s.layers + ", expected at least 1 for the final network");
    return s;
  }

  private static int atLeast(String flag, String v, int min) {
    int n;
    try {
      n = Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new UsageException(flag + " is '" + v + "', expected an integer >= " + min);
    }
    if (n < min) throw new UsageException(flag + " is " + n + ", expected an integer >= " + min);
    return n;
  }

  private static int positive(String flag, String v) {
    return atLeast(flag, v, 1);
  }

  private static float range(String flag, String v, float lo, float hi) {
    float x;
    try {
      x = Float.parseFloat(v);
    } catch (NumberFormatException e) {
      throw new UsageException(flag + " is '" + v + "', expected a number in [" + lo + ", " + hi + "]");
    }
    if (!(x >= lo && x <= hi)) throw new UsageException(flag + " is " + v + ", expected a number in [" + lo + ", " + hi + "]");
    return x;
  }

  private static float prob(String flag, String v) {
    float x = range(flag, v, 0, 1);
    if (x == 0) throw new UsageException(flag + " is 0, expected a keep probability in (0, 1]");
    return x;
  }

  // ------------------------------------------------------------------ the jnas side

  /** The jnas network of the comparison, the supernet or a final network, behind one face. */
  private interface Side extends AutoCloseable {
    String net();

    Map<String, Object> config();

    List<TensorInfo> tensors();

    float[] weights();

    float[] gradients();

    /** The BN running statistics (final network), or null. */
    float[] runningStats();

    /** One training step with the settings' hyper-parameters (dropout, drop-path). */
    void trainStep(int[] normal, int[] reduce, Tensor x, IntTensor y, long seed);

    /** One forward+backward without dropout or drop-path; returns {loss, aux loss}. */
    float[] forwardBackward(int[] normal, int[] reduce, Tensor x, IntTensor y);

    /** One training step without dropout or drop-path, clipping at {@code clip}. */
    void cleanTrainStep(int[] normal, int[] reduce, Tensor x, IntTensor y, float clip);

    long arenaBytes();

    long numWeights();

    @Override
    void close();
  }

  private static Side supernetSide(Settings s) {
    Supernet net = new Supernet(new Supernet.Config(3, s.size, s.size, s.classes, s.layers, s.channels, s.nodes, s.seed));
    Supernet.Hyper h = new Supernet.Hyper(s.lr, s.momentum, s.weightDecay, s.gradClip, s.dropoutKeep);
    return new Side() {
      public String net() {
        return "supernet";
      }

      public Map<String, Object> config() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("in_channels", 3);
        m.put("height", s.size);
        m.put("width", s.size);
        m.put("classes", s.classes);
        m.put("layers", s.layers);
        m.put("channels", s.channels);
        m.put("nodes", s.nodes);
        m.put("ops", EnasOp.registryIds());
        return m;
      }

      public List<TensorInfo> tensors() {
        return net.tensors();
      }

      public float[] weights() {
        return net.get(Supernet.Buffer.WEIGHTS);
      }

      public float[] gradients() {
        return net.get(Supernet.Buffer.GRADIENTS);
      }

      public float[] runningStats() {
        return null;
      }

      public void trainStep(int[] normal, int[] reduce, Tensor x, IntTensor y, long seed) {
        net.trainStep(normal, reduce, x, y, h, seed);
      }

      public float[] forwardBackward(int[] normal, int[] reduce, Tensor x, IntTensor y) {
        return new float[] {net.forwardBackward(normal, reduce, x, y, 1f, 0).loss(), 0f};
      }

      public void cleanTrainStep(int[] normal, int[] reduce, Tensor x, IntTensor y, float clip) {
        net.trainStep(normal, reduce, x, y, new Supernet.Hyper(s.lr, s.momentum, s.weightDecay, clip, 1f), 0);
      }

      public long arenaBytes() {
        return net.arenaBytes();
      }

      public long numWeights() {
        return net.numWeights();
      }

      public void close() {
        net.close();
      }
    };
  }

  private static Side finalSide(Settings s, Genotype g, boolean aux) {
    FinalNetwork net = new FinalNetwork(new FinalNetwork.Config(g, s.channels, s.layers, s.classes, 3, s.size, s.size, aux, s.seed));
    FinalNetwork.Hyper h = new FinalNetwork.Hyper(s.lr, s.momentum, s.weightDecay, s.gradClip, s.dropPathKeep, s.dropoutKeep);
    return new Side() {
      public String net() {
        return "final";
      }

      public Map<String, Object> config() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("normal", g.normalInts());
        m.put("reduce", g.reduceInts());
        m.put("channels", s.channels);
        m.put("layers", s.layers);
        m.put("classes", s.classes);
        m.put("in_channels", 3);
        m.put("height", s.size);
        m.put("width", s.size);
        m.put("auxiliary", aux);
        m.put("genotype", g.toString());
        return m;
      }

      public List<TensorInfo> tensors() {
        return net.tensors();
      }

      public float[] weights() {
        return net.get(FinalNetwork.Buffer.WEIGHTS);
      }

      public float[] gradients() {
        return net.get(FinalNetwork.Buffer.GRADIENTS);
      }

      public float[] runningStats() {
        return net.get(FinalNetwork.Buffer.RUNNING_STATS);
      }

      public void trainStep(int[] normal, int[] reduce, Tensor x, IntTensor y, long seed) {
        net.trainStep(x, y, h, s.progress, seed);
      }

      public float[] forwardBackward(int[] normal, int[] reduce, Tensor x, IntTensor y) {
        FinalNetwork.Result r = net.forwardBackward(x, y, 1f, 1f, 0f, 0, false);
        return new float[] {r.loss(), r.auxLoss()};
      }

      public void cleanTrainStep(int[] normal, int[] reduce, Tensor x, IntTensor y, float clip) {
        net.trainStep(x, y, new FinalNetwork.Hyper(s.lr, s.momentum, s.weightDecay, clip, 1f, 1f), 0f, 0);
      }

      public long arenaBytes() {
        return net.arenaBytes();
      }

      public long numWeights() {
        return net.numWeightsWithAux();
      }

      public void close() {
        net.close();
      }
    };
  }

  static Genotype genotype(String spec) {
    if (spec.equalsIgnoreCase("every-op")) return EVERY_OP;
    try {
      return Genotype.resolve(spec);
    } catch (IllegalArgumentException e) {
      throw new UsageException("--genotype: " + e.getMessage());
    }
  }

  /** A seeded random ENAS architecture: 4 ints per node (input, op, input, op). */
  static int[] randomArc(SplittableRandom rng, int nodes) {
    int[] a = new int[4 * nodes];
    for (int j = 0; j < nodes; j++) {
      a[4 * j] = rng.nextInt(j + 2);
      a[4 * j + 1] = rng.nextInt(Supernet.NUM_OPS);
      a[4 * j + 2] = rng.nextInt(j + 2);
      a[4 * j + 3] = rng.nextInt(Supernet.NUM_OPS);
    }
    return a;
  }

  /** An architecture whose edge e runs op (e + shift) mod 5, inputs at random: 5+ edges cover every op. */
  static int[] coveringArc(SplittableRandom rng, int nodes, int shift) {
    int[] a = new int[4 * nodes];
    for (int j = 0; j < nodes; j++) {
      for (int k = 0; k < 2; k++) {
        a[4 * j + 2 * k] = rng.nextInt(j + 2);
        a[4 * j + 2 * k + 1] = Math.floorMod(2 * j + k + shift, Supernet.NUM_OPS);
      }
    }
    return a;
  }

  private record Batch(float[] images, int[] labels, int[] shape) {
    static Batch random(Settings s, long seed) {
      SplittableRandom rng = new SplittableRandom(seed);
      int[] shape = {s.batch, 3, s.size, s.size};
      float[] px = new float[s.batch * 3 * s.size * s.size];
      for (int i = 0; i < px.length; i++) px[i] = (float) rng.nextGaussian();
      int[] lab = new int[s.batch];
      for (int i = 0; i < lab.length; i++) lab[i] = rng.nextInt(s.classes);
      return new Batch(px, lab, shape);
    }
  }

  private static Map<String, Object> hyper(Settings s, float clip, boolean clean) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("lr", s.lr);
    m.put("momentum", s.momentum);
    m.put("weight_decay", s.weightDecay);
    m.put("grad_clip", clip);
    m.put("dropout_keep", clean ? 1f : s.dropoutKeep);
    m.put("drop_path_keep", clean || s.supernet() ? 1f : s.dropPathKeep);
    m.put("progress", clean || s.supernet() ? 0f : s.progress);
    return m;
  }

  // ------------------------------------------------------------------ the run

  static int run(Settings s, PrintStream out) throws IOException {
    Backends.setCpuThreads(s.threads);
    try {
      Backends.setCpuIsa(s.isa);
    } catch (IllegalArgumentException e) {
      throw new UsageException("--isa " + s.isa + ": " + e.getMessage());
    }
    Genotype g = s.supernet() ? null : genotype(s.genotype);
    Path script = script(s);
    String[] probe = torchProbe(s);
    String torch = probe[0];
    if (torch == null && s.check) {
      System.err.println("VsPyTorch: --check needs PyTorch, and " + s.python + " has none (" + probe[1] + ")");
      return 2;
    }
    if (torch == null) {
      out.println("PyTorch: not available from " + s.python + " (" + probe[1] + "); running jnas alone"
          + " (apt-get install -y python3-torch brings it)");
    }
    Path dir = s.dir != null ? s.dir : Files.createTempDirectory("jnas-vs-pytorch");
    try {
      return s.check ? check(s, out, script, torch, dir) : timing(s, g, out, script, torch, dir);
    } finally {
      if (s.dir == null) deleteTree(dir);
    }
  }

  private static int timing(Settings s, Genotype g, PrintStream out, Path script, String torch, Path dir) throws IOException {
    Batch b = Batch.random(s, s.seed + 1);
    SplittableRandom rng = new SplittableRandom(s.seed + 2);
    // [round][step][normal, reduce]; step 0 warms up on arcs that run every op in both cells
    // (where 2 x nodes >= 5), so that no op meets its first call (oneDNN primitive creation,
    // first touch of its memory) inside the timed steps
    int[][][][] arcs = new int[s.rounds][s.steps + 1][][];
    for (int r = 0; r < s.rounds; r++) {
      for (int k = 0; k <= s.steps; k++) {
        if (!s.supernet()) arcs[r][k] = new int[][] {null, null};
        else if (k == 0) arcs[r][k] = new int[][] {coveringArc(rng, s.nodes, r), coveringArc(rng, s.nodes, r + 2)};
        else arcs[r][k] = new int[][] {randomArc(rng, s.nodes), randomArc(rng, s.nodes)};
      }
    }
    try (Side net = s.supernet() ? supernetSide(s) : finalSide(s, g, s.aux);
        Tensor x = Tensor.of(b.images(), b.shape()); IntTensor y = IntTensor.of(b.labels(), s.batch)) {
      out.printf(Locale.ROOT, "jnas vs PyTorch eager: %s%n", describe(s, g));
      out.printf(Locale.ROOT, "jnas: %,d weights; %d kernel threads (%s; OpenBLAS single-threaded inside them)%n", net.numWeights(),
          Backends.cpuThreads(), Backends.cpuIsa());
      if (torch != null) {
        TorchExchange ex = new TorchExchange(dir);
        ex.spec().put("net", net.net());
        ex.spec().put("config", net.config());
        ex.spec().put("threads", s.threads);
        ex.spec().put("steps", s.steps);
        ex.spec().put("seed", s.seed);
        ex.spec().put("hyper", hyper(s, s.gradClip, false));
        ex.weights(net.tensors(), net.weights());
        ex.batch(b.images(), b.shape(), b.labels());
        if (s.supernet()) {
          List<Object> rounds = new ArrayList<>();
          for (int[][][] round : arcs) {
            List<Object> steps = new ArrayList<>();
            for (int[][] a : round) steps.add(TorchExchange.arc(a[0], a[1]));
            rounds.add(steps);
          }
          ex.spec().put("arcs", rounds);
        }
        ex.writeSpec();
        out.printf(Locale.ROOT, "PyTorch %s: %s %s, OMP_WAIT_POLICY=PASSIVE%n", torch, s.python, script);
      }
      out.printf(Locale.ROOT, "%d rounds of %d timed steps each side (after 1 warm-up step); ratio = jnas / PyTorch images/s%n%n",
          s.rounds, s.steps);
      out.printf(Locale.ROOT, "%-6s %-16s %12s %12s %14s %12s %8s%n", "round", "load (1/5/15m)", "jnas img/s", "jnas s/step",
          "torch img/s", "torch thr", "ratio");
      List<Double> ratios = new ArrayList<>(), jnasIps = new ArrayList<>(), torchIps = new ArrayList<>();
      boolean torchOk = torch != null;
      for (int r = 0; r < s.rounds; r++) {
        String load = loadAverage();
        int[][][] a = arcs[r];
        net.trainStep(a[0][0], a[0][1], x, y, stepSeed(s, r, 0));  // warm-up
        long t0 = System.nanoTime();
        for (int k = 1; k <= s.steps; k++) net.trainStep(a[k][0], a[k][1], x, y, stepSeed(s, r, k));
        double secs = (System.nanoTime() - t0) / 1e9;
        double ips = s.steps * (double) s.batch / secs;
        jnasIps.add(ips);
        String tIps = "-", tThr = "-", ratio = "-";
        if (torchOk) {
          Map<String, Object> res = torchRound(s, script, dir, r, out);
          if (res == null) {
            torchOk = false;
          } else {
            double t = ((Number) res.get("images_per_s")).doubleValue();
            torchIps.add(t);
            ratios.add(ips / t);
            tIps = String.format(Locale.ROOT, "%.2f", t);
            tThr = String.valueOf(((Number) res.get("threads")).intValue());
            ratio = String.format(Locale.ROOT, "%.3f", ips / t);
          }
        }
        out.printf(Locale.ROOT, "%-6s %-16s %12.2f %12.3f %14s %12s %8s%n", (r + 1) + "/" + s.rounds, load, ips,
            secs / s.steps, tIps, tThr, ratio);
      }
      out.println();
      out.printf(Locale.ROOT, "jnas: median %.2f images/s (min %.2f, max %.2f); activation arena %.0f MiB%n", median(jnasIps),
          min(jnasIps), max(jnasIps), net.arenaBytes() / 1048576.0);
      if (!torchIps.isEmpty()) {
        out.printf(Locale.ROOT, "PyTorch: median %.2f images/s (min %.2f, max %.2f)%n", median(torchIps), min(torchIps), max(torchIps));
        out.printf(Locale.ROOT, "ratio jnas / PyTorch: median %.3f (min %.3f, max %.3f, over %d rounds)%n", median(ratios),
            min(ratios), max(ratios), ratios.size());
      }
    }
    return 0;
  }

  private static long stepSeed(Settings s, int round, int step) {
    return s.seed * 1_000_003L + (long) round * 1009 + step;
  }

  private static String describe(Settings s, Genotype g) {
    if (s.supernet()) {
      return String.format(Locale.ROOT, "ENAS supernet train step, batch %d, %d layers (+2 reductions), %d channels, %d nodes, %dx%d, %d classes, %d threads;"
          + " dropout keep %.2f, lr %.3g, momentum %.2f, weight decay %.1e, clip %.1f, seed %d",
          s.batch, s.layers, s.channels, s.nodes, s.size, s.size, s.classes, s.threads, s.dropoutKeep, s.lr, s.momentum,
          s.weightDecay, s.gradClip, s.seed);
    }
    return String.format(Locale.ROOT, "final network train step, %s, batch %d, %d layers, %d channels, %dx%d, %d classes, %d threads;"
        + " auxiliary head %s, drop-path keep %.2f at progress %.2f, dropout keep %.2f, lr %.3g, momentum %.2f, weight decay %.1e, clip %.1f, seed %d",
        s.genotype, s.batch, s.layers, s.channels, s.size, s.size, s.classes, s.threads, s.aux ? "on" : "off", s.dropPathKeep,
        s.progress, s.dropoutKeep, s.lr, s.momentum, s.weightDecay, s.gradClip, s.seed);
  }

  // ------------------------------------------------------------------ the check

  /**
   * Times a check starts over (another first batch) before it gives up on inconclusive results.
   * A float32 gradient, jnas's or PyTorch's, can send a whole element across a ReLU (input
   * within rounding of 0) or a max-pool near-tie, which in these deep batch-statistics networks
   * moves every gradient upstream of it by up to a few percent. So each case runs on a batch
   * that the Python side picked for having no near-kink in its float64 forward (within 1e-6 of
   * the tensor's max; "jnas_ref.py pick": up to 100 seeded draws, the first is kept when it has
   * none). Where a failing case still has some, it reports "inconclusive" (exit 3).
   */
  private static final int CHECK_BATCHES = 3;

  private static int check(Settings s, PrintStream out, Path script, String torch, Path dir) throws IOException {
    out.printf(Locale.ROOT, "jnas vs PyTorch eager, check: %s%n", s.supernet()
        ? String.format(Locale.ROOT, "supernet, batch %d, %d layers (+2), %d channels, %d nodes, %dx%d", s.batch, s.layers, s.channels, s.nodes, s.size, s.size)
        : String.format(Locale.ROOT, "final network, batch %d, %d layers, %d channels, %dx%d", s.batch, s.layers, s.channels, s.size, s.size));
    out.printf(Locale.ROOT, "jnas %d kernel threads (%s); PyTorch %s%s%n", Backends.cpuThreads(), Backends.cpuIsa(), torch,
        s.supernet() ? "; arcs: 4 ints per node (input, op, input, op), ops by ENAS id: " + String.join(" ", ENAS_OPS) : "");
    for (int attempt = 0; attempt < CHECK_BATCHES; attempt++) {
      int code = checkOnce(s, out, script, dir.resolve("batch" + attempt), s.seed + 1 + 1000L * attempt);
      if (code != 3) return code;
      out.printf(Locale.ROOT, "%n%s%n%n", attempt + 1 < CHECK_BATCHES ? "inconclusive: starting over from another first batch"
          : "inconclusive " + CHECK_BATCHES + " times: treat as a failure (or try smaller sizes or another --seed)");
    }
    return 1;
  }

  /** One check case: its label, the network and, for the supernet, its architectures. */
  private record Case(String label, int[] normal, int[] reduce, Genotype genotype, boolean aux) {
    Side build(Settings s) {
      return genotype == null ? supernetSide(s) : finalSide(s, genotype, aux);
    }
  }

  private static List<Case> checkCases(Settings s) {
    List<Case> cases = new ArrayList<>();
    SplittableRandom rng = new SplittableRandom(s.seed + 3);
    for (int c = 0; c < 4; c++) {
      if (s.supernet()) {
        int[] normal = coveringArc(rng, s.nodes, c), reduce = coveringArc(rng, s.nodes, c + 2);
        cases.add(new Case("supernet arcs " + (c + 1), normal, reduce, null, false));
      } else {
        boolean aux = c % 2 == 0;
        cases.add(new Case((c < 2 ? "darts-v2" : "every-op") + (aux ? " +aux" : " no aux"), null, null,
            c < 2 ? Genotype.DARTS_V2 : EVERY_OP, aux));
      }
    }
    return cases;
  }

  /**
   * One check: (1) each case's folder gets the network's weights and a first batch; (2) the
   * Python side picks, per case, a batch with no near-kink (see {@link #CHECK_BATCHES}) among
   * seeded draws and writes it; (3) jnas runs the case on that batch: forward+backward, then one
   * training step; (4) the Python side compares. Returns the comparison's exit status (0, 1, or
   * 3 inconclusive).
   */
  private static int checkOnce(Settings s, PrintStream out, Path script, Path dir, long batchSeed) throws IOException {
    List<Case> cases = checkCases(s);
    Batch first = Batch.random(s, batchSeed);
    for (int c = 0; c < cases.size(); c++) {
      Case k = cases.get(c);
      try (Side n = k.build(s)) {
        TorchExchange ex = exchange(s, dir, c, n, k);
        ex.weights(n.tensors(), n.weights());
        ex.batch(first.images(), first.shape(), first.labels());
        ex.writeSpec();
      }
    }
    out.printf(Locale.ROOT, "batch seed %d; cases:%n", batchSeed);
    for (Case k : cases) {
      out.println("  " + k.label() + (k.normal() != null ? " (normal " + arcString(k.normal()) + ", reduce " + arcString(k.reduce()) + ")" : ""));
    }
    out.println();
    out.flush();
    int code = runPython(python(s, script, "pick", dir.toString(), "--seed", String.valueOf(batchSeed)).inheritIO());
    if (code != 0) return code;
    for (int c = 0; c < cases.size(); c++) {
      Case k = cases.get(c);
      Path cd = caseDir(dir, c);
      float[] images = TorchExchange.readFloats(cd.resolve("images.f32"));
      int[] labels = TorchExchange.readInts(cd.resolve("labels.i32"));
      try (Side n = k.build(s); Tensor x = Tensor.of(images, first.shape()); IntTensor y = IntTensor.of(labels, s.batch)) {
        TorchExchange ex = exchange(s, dir, c, n, k);
        float[] w0 = n.weights();
        if (!Arrays.equals(w0, TorchExchange.readFloats(cd.resolve("weights.f32")))) {
          throw new IllegalStateException(k.label() + ": the rebuilt network's weights differ from the first build's");
        }
        ex.weights(n.tensors(), w0);
        ex.batch(images, first.shape(), labels);
        float[] loss = n.forwardBackward(k.normal(), k.reduce(), x, y);
        float[] grads = n.gradients();
        ex.floats("grads.f32", grads);
        double norm = 0;
        for (float v : grads) norm += (double) v * v;
        norm = Math.sqrt(norm);
        float clip = (float) (0.5 * norm);  // below the norm: the step's clipping is exercised
        ex.spec().put("hyper", hyper(s, clip, true));
        n.cleanTrainStep(k.normal(), k.reduce(), x, y, clip);
        ex.floats("weights_after.f32", n.weights());
        @SuppressWarnings("unchecked")
        Map<String, Object> chk = (Map<String, Object>) ex.spec().get("check");
        chk.put("loss", loss[0]);
        chk.put("aux_loss", loss[1]);
        chk.put("grad_norm", norm);
        chk.put("grads", "grads.f32");
        chk.put("weights_after", "weights_after.f32");
        float[] rs = n.runningStats();
        if (rs != null) {
          ex.floats("running_after.f32", rs);
          chk.put("running_after", "running_after.f32");
        }
        ex.writeSpec();
      }
    }
    out.println();
    out.flush();
    return runPython(python(s, script, "check", dir.toString()).inheritIO());
  }

  private static Path caseDir(Path dir, int c) {
    return dir.resolve(String.format(Locale.ROOT, "case%02d", c));
  }

  /** A case's exchange with everything but the weights, the batch and the results. */
  private static TorchExchange exchange(Settings s, Path dir, int c, Side n, Case k) {
    TorchExchange ex = new TorchExchange(caseDir(dir, c));
    ex.spec().put("net", n.net());
    ex.spec().put("config", n.config());
    ex.spec().put("threads", s.threads);
    ex.spec().put("steps", 1);
    ex.spec().put("seed", s.seed);
    ex.spec().put("hyper", hyper(s, s.gradClip, true));
    Map<String, Object> chk = new LinkedHashMap<>();
    chk.put("label", k.label());
    if (k.normal() != null) {
      chk.put("normal", k.normal());
      chk.put("reduce", k.reduce());
    }
    ex.spec().put("check", chk);
    return ex;
  }

  private static int runPython(ProcessBuilder pb) throws IOException {
    try {
      return pb.start().waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    }
  }

  private static String arcString(int[] a) {
    StringBuilder sb = new StringBuilder();
    for (int v : a) sb.append(sb.length() == 0 ? "" : " ").append(v);
    return sb.toString();
  }

  // ------------------------------------------------------------------ the PyTorch side

  private static ProcessBuilder python(Settings s, Path script, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(s.python);
    if (script != null) cmd.add(script.toString());
    cmd.addAll(Arrays.asList(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("OMP_WAIT_POLICY", "PASSIVE");
    pb.environment().put("OMP_NUM_THREADS", String.valueOf(s.threads));
    return pb;
  }

  /** The script: --script, else benchmarks/pytorch/jnas_ref.py from here or from this class's folder. */
  static Path script(Settings s) {
    if (s.script != null) {
      if (!Files.isRegularFile(s.script)) throw new UsageException("--script " + s.script + ": no such file");
      return s.script;
    }
    List<Path> tries = new ArrayList<>(List.of(Path.of("benchmarks/pytorch/jnas_ref.py"), Path.of("pytorch/jnas_ref.py")));
    try {
      Path here = Path.of(VsPyTorch.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      tries.add(here.resolve("../../pytorch/jnas_ref.py").normalize());  // benchmarks/target/classes
    } catch (Exception e) {
      // no code source: the working directory's paths only
    }
    for (Path p : tries) if (Files.isRegularFile(p)) return p;
    throw new UsageException("cannot find jnas_ref.py (tried " + tries + "); give --script PATH");
  }

  /** {PyTorch's version, null} where it runs, else {null, why not}. */
  private static String[] torchProbe(Settings s) {
    String why;
    try {
      Process p = python(s, null, "-c", "import torch, numpy; print(torch.__version__)").redirectErrorStream(true).start();
      String text = read(p.getInputStream());
      if (!p.waitFor(300, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        why = "import torch took over 300 s";
      } else if (p.exitValue() == 0) {
        String[] lines = text.strip().split("\n");
        return new String[] {lines[lines.length - 1].strip(), null};
      } else {
        String[] lines = text.strip().split("\n");
        why = lines[lines.length - 1].strip();
      }
    } catch (IOException e) {
      why = e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      why = "interrupted";
    }
    return new String[] {null, why};
  }

  /** One PyTorch round; its result line, or null after one line saying why it failed. */
  private static Map<String, Object> torchRound(Settings s, Path script, Path dir, int round, PrintStream out) {
    try {
      Process p = python(s, script, "run", dir.toString(), "--round", String.valueOf(round))
          .redirectError(ProcessBuilder.Redirect.INHERIT).start();
      String text = read(p.getInputStream());
      int code = p.waitFor();
      String[] lines = text.strip().split("\n");
      String last = lines[lines.length - 1].strip();
      if (code != 0 || !last.startsWith("{")) {
        out.println("PyTorch round " + (round + 1) + " failed (exit " + code + "): " + last + "; jnas continues alone");
        return null;
      }
      return Json.parseObject(last);
    } catch (IOException e) {
      out.println("PyTorch round " + (round + 1) + " failed: " + e.getMessage() + "; jnas continues alone");
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private static String read(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    in.transferTo(b);
    return b.toString(StandardCharsets.UTF_8);
  }

  // ------------------------------------------------------------------ small helpers

  /** The 1, 5 and 15 minute load averages of /proc/loadavg, or "n/a". */
  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException | RuntimeException e) {
      return "n/a";
    }
  }

  static double median(List<Double> v) {
    double[] a = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    int n = a.length;
    return n == 0 ? Double.NaN : n % 2 == 1 ? a[n / 2] : (a[n / 2 - 1] + a[n / 2]) / 2;
  }

  private static double min(List<Double> v) {
    return v.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
  }

  private static double max(List<Double> v) {
    return v.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) return;
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (IOException | UncheckedIOException e) {
      System.err.println("VsPyTorch: could not remove " + dir + ": " + e.getMessage());
    }
  }
}
