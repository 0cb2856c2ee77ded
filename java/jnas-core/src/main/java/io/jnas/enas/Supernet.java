package io.jnas.enas;

import io.jnas.backend.Backend;
import io.jnas.backend.Backends;
import io.jnas.backend.NativeNetwork;
import io.jnas.backend.NetworkPlan;
import io.jnas.genotype.Op;
import io.jnas.space.NasNetSpace;
import io.jnas.tensor.IntTensor;
import io.jnas.tensor.Tensor;
import java.util.List;

/**
 * The weight-shared supernet of a cell space, run natively: one call per minibatch does
 * forward, backward and the update of the sampled path ({@code native/graph/supernet.cpp}
 * describes the structure), on the backend in use ({@link Backends#current()}) or a given one.
 * Every argument is checked here before it reaches native code. The space is ENAS's micro space
 * unless the config's {@link Candidates} say otherwise (NASNet's 13 ops, AmoebaNet's 8).
 *
 * <p>An architecture is given as two arrays of {@code 4 * nodes} integers, the normal and the
 * reduction cell, in the ENAS order (input1, op1, input2, op2 per node); an op is an index into
 * the candidate list: for ENAS the ENAS ids 0 sep3, 1 sep5, 2 avg3, 3 max3, 4 identity
 * ({@link EnasOp#registryIds()}). With {@link Candidates#combiner()} each node has a fifth
 * integer, its combiner: 0 adds its two results, 1 concatenates them and maps them back to C
 * channels with ReLU-conv1x1-BN (weights shared per layer and node).
 *
 * <p>Not thread-safe: one search drives one supernet.
 */
public final class Supernet extends NativeNetwork {
  /** Number of candidate ops per edge of the ENAS micro space ({@link #numOps()}: of this supernet). */
  public static final int NUM_OPS = 5;

  /**
   * The candidate ops of every edge and what a cell outputs.
   *
   * @param ops the candidates, registry entries; an architecture's op is an index into this list
   * @param inputsOut whether a cell input no node reads joins the cell's output (ENAS's micro
   *     cell) or only the nodes no node reads do (NASNet's "unused hidden states")
   * @param combiner whether each node also chooses its combiner, add or concat (NASNet's step
   *     5): an architecture then has 5 integers per node, the fifth 0 (add) or 1 (concat)
   */
  public record Candidates(List<Op> ops, boolean inputsOut, boolean combiner) {
    /** ENAS's five ops, in ENAS id order; unread inputs join the output. */
    public static final Candidates ENAS = new Candidates(java.util.Arrays.stream(EnasOp.values()).map(EnasOp::op).toList(), true,
        false);

    /** Checks the list: not empty, no op twice. */
    public Candidates {
      ops = List.copyOf(ops);
      if (ops.isEmpty()) throw new IllegalArgumentException("supernet: no candidate ops");
      if (ops.stream().distinct().count() != ops.size()) throw new IllegalArgumentException("supernet: an op is listed twice: " + ops);
    }

    /** A NASNet-style space's ops (NASNet's 13, AmoebaNet's 8) and combiner choice; unread inputs do not join the output. */
    public static Candidates of(NasNetSpace space) {
      return new Candidates(space.ops(), false, space.hasCombiner());
    }

    /** Integers per node of an architecture: 4, or 5 with the combiner. */
    public int perNode() {
      return combiner ? 5 : 4;
    }

    /** The registry ids, in candidate order. */
    int[] registryIds() {
      return ops.stream().mapToInt(Op::id).toArray();
    }
  }

  /**
   * Shape of the supernet.
   *
   * @param inChannels image channels (3 for CIFAR-10, 1 for MNIST)
   * @param height image height
   * @param width image width
   * @param numClasses classes
   * @param layers L, the number of normal layers (two reduction layers are added, as ENAS)
   * @param channels C, the first cells' channel count (doubled at each reduction)
   * @param nodes B, the nodes per cell
   * @param seed weight-initialization seed
   * @param candidates the ops of every edge ({@link Candidates#ENAS} for the ENAS micro space)
   * @param stridedReduce whether a reduction layer runs its cell's ops on the cell inputs at
   *     stride 2, as the trained network's reduction cell does ({@code --supernet-reduce
   *     strided}); false: ENAS's factorized reduce of the previous layer, then the reduction
   *     cell at stride 1
   */
  public record Config(int inChannels, int height, int width, int numClasses, int layers, int channels, int nodes,
      long seed, Candidates candidates, boolean stridedReduce) {
    /** The ENAS micro space's supernet of this shape. */
    public Config(int inChannels, int height, int width, int numClasses, int layers, int channels, int nodes, long seed) {
      this(inChannels, height, width, numClasses, layers, channels, nodes, seed, Candidates.ENAS);
    }

    /** A supernet over these candidates with ENAS's reductions. */
    public Config(int inChannels, int height, int width, int numClasses, int layers, int channels, int nodes, long seed,
        Candidates candidates) {
      this(inChannels, height, width, numClasses, layers, channels, nodes, seed, candidates, false);
    }

    /** This shape with the given reductions. */
    public Config withStridedReduce(boolean strided) {
      return new Config(inChannels, height, width, numClasses, layers, channels, nodes, seed, candidates, strided);
    }

    /** Checks every field; throws {@link IllegalArgumentException} naming the bad one. */
    public Config {
      positive("inChannels", inChannels);
      positive("height", height);
      positive("width", width);
      if (numClasses < 2) throw new IllegalArgumentException("supernet: numClasses is " + numClasses + ", expected at least 2");
      if (layers < 0) throw new IllegalArgumentException("supernet: layers is " + layers + ", expected 0 or more");
      if (channels < 2 || channels % 2 != 0) {
        throw new IllegalArgumentException("supernet: channels is " + channels + ", expected an even number >= 2 (factorized reduce splits it in halves)");
      }
      positive("nodes", nodes);
      java.util.Objects.requireNonNull(candidates, "supernet: candidates");
      if (height < 4 || width < 4) {
        throw new IllegalArgumentException("supernet: image " + height + "x" + width + " is too small for two reductions, expected at least 4x4");
      }
    }

    private static void positive(String name, int v) {
      if (v <= 0) throw new IllegalArgumentException("supernet: " + name + " is " + v + ", expected a positive value");
    }
  }

  /**
   * Result of one step or evaluation.
   *
   * @param loss mean cross-entropy over the batch
   * @param correct argmax hits
   * @param batch batch size
   * @param gradNorm global gradient norm before clipping (NaN where no gradient was computed)
   */
  public record Result(float loss, int correct, int batch, float gradNorm) {
    /** Fraction of the batch classified correctly. */
    public double accuracy() {
      return correct / (double) batch;
    }
  }

  /**
   * Optimizer settings of a training step.
   *
   * @param lr learning rate
   * @param momentum Nesterov momentum
   * @param weightDecay L2 weight decay
   * @param gradClip global-norm clip (0 or less: none)
   * @param keepProb dropout keep probability before the classifier
   */
  public record Hyper(float lr, float momentum, float weightDecay, float gradClip, float keepProb) {
    /** Checks every field. */
    public Hyper {
      if (!(lr >= 0 && Float.isFinite(lr))) throw new IllegalArgumentException("supernet: lr is " + lr + ", expected a finite value >= 0");
      if (!(momentum >= 0 && momentum < 1)) throw new IllegalArgumentException("supernet: momentum is " + momentum + ", expected [0, 1)");
      if (!(weightDecay >= 0 && Float.isFinite(weightDecay))) throw new IllegalArgumentException("supernet: weightDecay is " + weightDecay + ", expected >= 0");
      if (!Float.isFinite(gradClip)) throw new IllegalArgumentException("supernet: gradClip is " + gradClip + ", expected a finite value");
      if (!(keepProb > 0 && keepProb <= 1)) throw new IllegalArgumentException("supernet: keepProb is " + keepProb + ", expected (0, 1]");
    }
  }

  /** Which of the three parameter-sized buffers. */
  public enum Buffer {
    /** The shared weights. */
    WEIGHTS,
    /** Their gradients (after a forward/backward). */
    GRADIENTS,
    /** The SGD momentum. */
    MOMENTUM
  }

  private final Config config;

  /** Builds the supernet on the backend in use and initializes its weights from {@code config.seed()}. */
  public Supernet(Config config) {
    this(config, Backends.current());
  }

  /** Builds the supernet on {@code backend} and initializes its weights from {@code config.seed()}. */
  public Supernet(Config config, Backend backend) {
    super("supernet", backend, new SupernetSpec(config.inChannels(), config.height(), config.width(),
        config.numClasses(), config.layers(), config.channels(), config.nodes(), config.candidates().registryIds(),
        config.candidates().inputsOut(), config.candidates().combiner(), config.stridedReduce(), config.seed()));
    this.config = config;
  }

  /**
   * The bytes of backend memory a supernet of this shape takes while training at batch
   * {@code batch}: weights, gradients and momentum, and the activation arena of the most
   * memory-hungry architecture (every node on one op, for each op). Measured by building and
   * stepping it on the {@code dry} backend: exact, and nothing is allocated.
   */
  public static long requiredBytes(Config config, int batch) {
    if (batch < 2) throw new IllegalArgumentException("supernet: batch is " + batch + ", expected at least 2");
    long most = 0;
    for (int op = 0; op < config.candidates().ops().size(); op++) {
      int per = config.candidates().perNode();
      int[] arc = new int[per * config.nodes()];
      for (int j = 0; j < config.nodes(); j++) {
        arc[per * j + 1] = op;
        arc[per * j + 3] = op;
        if (per == 5) arc[per * j + 4] = 1;  // concat: its halves and their sum are live too
      }
      try (Backend dry = Backends.dry(); Supernet s = new Supernet(config, dry)) {
        s.dryRun(MODE_TRAIN_STEP, arc, arc, batch, hyper(0.1f, 0.9f, 0f, 5f, 0.9f, 1f, 0f, false));
        most = Math.max(most, dry.peakBytes());
      }
    }
    return most;
  }

  /** The configuration. */
  public Config config() {
    return config;
  }

  /** Candidate ops per edge: an architecture's ops are in {@code [0, numOps())}. */
  public int numOps() {
    return config.candidates().ops().size();
  }

  /** Floats in each parameter-sized buffer (weights, gradients, momentum); includes alignment padding. */
  public long numParams() {
    return bufferSize(BUF_WEIGHTS);
  }

  /** Number of shared weights (the sum of the named tensors' sizes). */
  public long numWeights() {
    long n = 0;
    for (TensorInfo t : tensors()) n += t.size();
    return n;
  }

  /** One training step: forward, backward, clip, Nesterov SGD. {@code seed} draws the dropout mask. */
  public Result trainStep(int[] normalArc, int[] reduceArc, Tensor images, IntTensor labels, Hyper h, long seed) {
    int b = check("train_step", normalArc, reduceArc, images, labels);
    float[] o = run("train_step", MODE_TRAIN_STEP, normalArc, reduceArc, images, labels,
        hyper(h.lr(), h.momentum(), h.weightDecay(), h.gradClip(), h.keepProb(), 1f, 0f, false), seed, null);
    return new Result(o[OUT_LOSS], (int) o[OUT_CORRECT], b, o[OUT_GRAD_NORM]);
  }

  /** Forward and backward without an update; the gradients are then readable with {@link #get}. */
  public Result forwardBackward(int[] normalArc, int[] reduceArc, Tensor images, IntTensor labels, float keepProb,
      long seed) {
    int b = check("forward_backward", normalArc, reduceArc, images, labels);
    if (!(keepProb > 0 && keepProb <= 1)) throw new IllegalArgumentException("supernet: keepProb is " + keepProb + ", expected (0, 1]");
    float[] o = run("forward_backward", MODE_FORWARD_BACKWARD, normalArc, reduceArc, images, labels,
        hyper(0f, 0f, 0f, 0f, keepProb, 1f, 0f, false), seed, null);
    return new Result(o[OUT_LOSS], (int) o[OUT_CORRECT], b, Float.NaN);
  }

  /** Loss and accuracy of an architecture on a batch, with the shared weights; updates nothing. */
  public Result evaluate(int[] normalArc, int[] reduceArc, Tensor images, IntTensor labels) {
    int b = check("evaluate", normalArc, reduceArc, images, labels);
    float[] o = run("evaluate", MODE_EVALUATE, normalArc, reduceArc, images, labels, null, 0, null);
    return new Result(o[OUT_LOSS], (int) o[OUT_CORRECT], b, Float.NaN);
  }

  /** A copy of one buffer. */
  public float[] get(Buffer which) {
    return getBuffer(which.ordinal());
  }

  /** Overwrites one buffer; {@code values} must hold {@link #numParams()} floats. */
  public void set(Buffer which, float[] values) {
    setBuffer(which.ordinal(), which.toString(), values);
  }

  /**
   * The plan of the network with this architecture: every primitive step of a forward for one
   * image and every cell with its edges (see {@link NetworkPlan}).
   */
  public NetworkPlan plan(int[] normalArc, int[] reduceArc) {
    checkArc("normal_arc", normalArc, config.nodes(), config.candidates());
    checkArc("reduce_arc", reduceArc, config.nodes(), config.candidates());
    return super.plan(normalArc, reduceArc);
  }

  /** Forward FLOPs (2 x multiply-adds) of one image through this architecture. */
  public double forwardFlops(int[] normalArc, int[] reduceArc) {
    checkArc("normal_arc", normalArc, config.nodes(), config.candidates());
    checkArc("reduce_arc", reduceArc, config.nodes(), config.candidates());
    return flops(normalArc, reduceArc);
  }

  /**
   * Checks an architecture against a node count and the candidates (their number, and whether
   * each node has a fifth integer, its combiner).
   *
   * @throws IllegalArgumentException naming the array, the position and the reason
   */
  public static void checkArc(String name, int[] arc, int nodes, Candidates candidates) {
    int per = candidates.perNode(), numOps = candidates.ops().size();
    if (arc == null) throw new IllegalArgumentException("supernet: " + name + " is null");
    if (arc.length != per * nodes) {
      throw new IllegalArgumentException("supernet: " + name + " has " + arc.length + " integers, expected " + (per * nodes) + " ("
          + per + " per node, " + nodes + " nodes)");
    }
    for (int j = 0; j < nodes; j++) {
      for (int k = 0; k < 2; k++) {
        int in = arc[per * j + 2 * k], op = arc[per * j + 2 * k + 1];
        if (in < 0 || in >= j + 2) {
          throw new IllegalArgumentException("supernet: " + name + "[" + (per * j + 2 * k) + "] = " + in + ": input of node " + j + " must be in [0, " + (j + 2) + ")");
        }
        if (op < 0 || op >= numOps) {
          throw new IllegalArgumentException("supernet: " + name + "[" + (per * j + 2 * k + 1) + "] = " + op + ": op must be in [0, " + numOps + ")");
        }
      }
      if (per == 5 && arc[per * j + 4] != 0 && arc[per * j + 4] != 1) {
        throw new IllegalArgumentException("supernet: " + name + "[" + (per * j + 4) + "] = " + arc[per * j + 4] + ": the combiner of node "
            + j + " must be 0 (add) or 1 (concat)");
      }
    }
  }

  private int check(String op, int[] normalArc, int[] reduceArc, Tensor images, IntTensor labels) {
    checkArc("normal_arc", normalArc, config.nodes(), config.candidates());
    checkArc("reduce_arc", reduceArc, config.nodes(), config.candidates());
    return checkBatch(op, images, labels, true, 2);
  }
}
