package io.jnas.enas;

import io.jnas.backend.Backend;
import io.jnas.backend.Backends;
import io.jnas.backend.NativeNetwork;
import io.jnas.backend.NetworkPlan;
import io.jnas.tensor.IntTensor;
import io.jnas.tensor.Tensor;

/**
 * The weight-shared network of ENAS's macro space ({@code native/graph/macro_net.cpp}, search
 * form): every op of every layer exists once; a step runs the given architecture only. The
 * channels stay the same at the reductions (as ENAS's search child); batch norm always uses
 * batch statistics. Arguments are checked here before native code. Not thread-safe.
 */
public final class MacroSupernet extends NativeNetwork {
  /**
   * Shape of the network.
   *
   * @param inChannels image channels
   * @param height image height
   * @param width image width
   * @param numClasses classes
   * @param layers layers L
   * @param channels channels of every layer (even)
   * @param seed weight-initialization seed
   */
  public record Config(int inChannels, int height, int width, int numClasses, int layers, int channels, long seed) {
    /** Checks every field. */
    public Config {
      if (inChannels < 1 || height < 2 || width < 2) {
        throw new IllegalArgumentException("macro supernet: image " + inChannels + "x" + height + "x" + width + ", expected at least 1x2x2");
      }
      if (numClasses < 2) throw new IllegalArgumentException("macro supernet: numClasses is " + numClasses + ", expected at least 2");
      if (layers < 1) throw new IllegalArgumentException("macro supernet: layers is " + layers + ", expected at least 1");
      if (channels < 2 || channels % 2 != 0) {
        throw new IllegalArgumentException("macro supernet: channels is " + channels + ", expected an even number >= 2");
      }
    }
  }

  private final Config config;

  /** Builds the network on the backend in use. */
  public MacroSupernet(Config config) {
    this(config, Backends.current());
  }

  /** Builds the network on {@code backend}. */
  public MacroSupernet(Config config, Backend backend) {
    super("macro supernet", backend, new MacroSpec(config.inChannels(), config.height(), config.width(), config.numClasses(),
        config.layers(), config.channels(), MacroNetwork.registryIds(), null, config.seed()));
    this.config = config;
  }

  /**
   * Bytes of backend memory while training at {@code batch}: the most of an architecture of
   * every layer on one op (each op) and every skip on, from steps on the {@code dry} backend.
   */
  public static long requiredBytes(Config config, int batch) {
    if (batch < 2) throw new IllegalArgumentException("macro supernet: batch is " + batch + ", expected at least 2");
    long most = 0;
    for (int op = 0; op < MacroArch.OPS.size(); op++) {
      int[] a = new int[MacroArch.length(config.layers())];
      java.util.Arrays.fill(a, 1);
      for (int l = 0; l < config.layers(); l++) a[MacroArch.offset(l)] = op;
      try (Backend dry = Backends.dry(); MacroSupernet s = new MacroSupernet(config, dry)) {
        s.dryRun(MODE_TRAIN_STEP, a, null, batch, hyper(0.1f, 0.9f, 0f, 5f, 0.9f, 1f, 0f, false));
        most = Math.max(most, dry.peakBytes());
      }
    }
    return most;
  }

  /** The configuration. */
  public Config config() {
    return config;
  }

  /** Number of shared weights. */
  public long numWeights() {
    long n = 0;
    for (TensorInfo t : tensors()) n += t.size();
    return n;
  }

  /** One training step of architecture {@code arch}: forward, backward, clip, Nesterov SGD of its path. */
  public MacroNetwork.Result trainStep(MacroArch arch, Tensor images, IntTensor labels, MacroNetwork.Hyper h, long seed) {
    int b = check("train_step", arch, images, labels);
    float[] o = run("train_step", MODE_TRAIN_STEP, arch.toInts(), null, images, labels,
        hyper(h.lr(), h.momentum(), h.weightDecay(), h.gradClip(), h.dropoutKeep(), 1f, 0f, false), seed, null);
    return new MacroNetwork.Result(o[OUT_LOSS], (int) o[OUT_CORRECT], b, o[OUT_GRAD_NORM]);
  }

  /** Forward and backward of {@code arch} without an update; the gradients are then readable. */
  public MacroNetwork.Result forwardBackward(MacroArch arch, Tensor images, IntTensor labels, long seed) {
    int b = check("forward_backward", arch, images, labels);
    float[] o = run("forward_backward", MODE_FORWARD_BACKWARD, arch.toInts(), null, images, labels,
        hyper(0f, 0f, 0f, 0f, 1f, 1f, 0f, false), seed, null);
    return new MacroNetwork.Result(o[OUT_LOSS], (int) o[OUT_CORRECT], b, Float.NaN);
  }

  /** Loss and hits of {@code arch} on a batch with the shared weights (batch statistics); updates nothing. */
  public MacroNetwork.Result evaluate(MacroArch arch, Tensor images, IntTensor labels) {
    int b = check("evaluate", arch, images, labels);
    float[] o = run("evaluate", MODE_EVALUATE, arch.toInts(), null, images, labels, null, 0, null);
    return new MacroNetwork.Result(o[OUT_LOSS], (int) o[OUT_CORRECT], b, Float.NaN);
  }

  /** The plan of the network with architecture {@code arch}. */
  public NetworkPlan plan(MacroArch arch) {
    checkArch(arch);
    return plan(arch.toInts(), null);
  }

  /** Forward FLOPs of one image through {@code arch}. */
  public double forwardFlops(MacroArch arch) {
    checkArch(arch);
    return flops(arch.toInts(), null);
  }

  /** A copy of the weights ({@code which} 0), gradients (1) or momentum (2). */
  public float[] get(int which) {
    return getBuffer(which);
  }

  /** Overwrites the weights (0), gradients (1) or momentum (2). */
  public void set(int which, float[] values) {
    setBuffer(which, "buffer " + which, values);
  }

  private void checkArch(MacroArch arch) {
    if (arch == null) throw new IllegalArgumentException("macro supernet: arch is null");
    if (arch.layers() != config.layers()) {
      throw new IllegalArgumentException("macro supernet: the architecture has " + arch.layers() + " layers, the network " + config.layers());
    }
  }

  private int check(String op, MacroArch arch, Tensor images, IntTensor labels) {
    checkArch(arch);
    return checkBatch(op, images, labels, true, 2);
  }
}
