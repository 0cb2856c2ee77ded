package io.jnas.controller;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What an {@link LstmController} samples: a short program of LSTM steps, written as data.
 * Three programs are built in:
 *
 * <ul>
 *   <li>{@link #categorical(int[])}: one op-like decision per LSTM step, in order (NASNet /
 *       NAS-Bench-201 style, e.g. 6 edges x 5 ops). Decisions with the same number of choices
 *       share one softmax and one embedding table (a "group"), as ENAS shares its op softmax
 *       across positions; the LSTM state tells positions apart.
 *   <li>{@link #enasMicro(int, int, boolean)}: the ENAS micro controller of
 *       {@code micro_controller.py}: per cell two anchor steps for the cell inputs, then per node
 *       {@code index_1, index_2} by attention over the anchors, {@code op_1, op_2} by softmax,
 *       then one step whose hidden state becomes the node's anchor. The reduction cell
 *       continues from the normal cell's LSTM state with fresh anchors.
 *   <li>{@link #enasMacro(int, int, double)}: the ENAS macro controller of
 *       {@code general_controller.py}: per layer an op by softmax, then its skip connections to
 *       every earlier layer by attention, each a two-way choice.
 * </ul>
 *
 * <p>Each decision step writes its action to a {@linkplain Step#slot() slot} of the action
 * vector, so the sampling order (ENAS samples both inputs before both ops) can differ from the
 * vector order (ENAS writes {@code index_1 op_1 index_2 op_2}).
 */
public final class ControllerSpec {
  /** Kinds of program step. */
  public enum Kind {
    /** No LSTM step: clears the anchors and sets the next input to {@code g_emb} (start of a cell). */
    BEGIN_CELL,
    /** LSTM step whose {@code h W_attn_1} becomes an anchor key with a zero value (an ENAS cell input). */
    ZERO_ANCHOR,
    /** LSTM step whose {@code h} becomes an anchor (key {@code h W_attn_1}, value {@code h}); next input {@code g_emb}. */
    ANCHOR,
    /** Decision by attention over the first {@code arg} anchors; next input is the chosen anchor's value. */
    INPUT,
    /** Decision by softmax of group {@code arg}; next input is that group's embedding of the choice. */
    OP,
    /**
     * LSTM step; {@code arg} two-way decisions (slots {@code slot .. slot+arg-1}), one per anchor
     * {@code j < arg}, by attention with logits {@code [-u_j, u_j]} (ENAS's macro skip
     * connections); next input is the mean of the chosen anchors' values over
     * {@code 1 + chosen}; then this step's {@code h} becomes an anchor, as {@link #ANCHOR}.
     */
    SKIPS
  }

  /**
   * One program step.
   *
   * @param kind what the step does
   * @param slot the action-vector index it writes (decisions only, else -1)
   * @param arg the group (OP) or the number of anchors to attend over (INPUT), else 0
   * @param fixedBias whether the group's fixed (not learned) logit bias is added (OP only)
   */
  public record Step(Kind kind, int slot, int arg, boolean fixedBias) {}

  private final String name;
  private final List<Step> steps;
  private final int[] choices; // (numDecisions) choices of each slot
  private final int[] groupSizes; // (numGroups)
  private final double[][] biasInit; // (numGroups)(K_g) initial learned bias b_soft
  private final double[][] fixedBias; // (numGroups)(K_g) fixed bias for OP steps with fixedBias
  private final boolean attention;
  private final double skipTarget;

  private ControllerSpec(String name, List<Step> steps, int[] choices, int[] groupSizes, double[][] biasInit,
      double[][] fixedBias) {
    this(name, steps, choices, groupSizes, biasInit, fixedBias, Double.NaN);
  }

  private ControllerSpec(String name, List<Step> steps, int[] choices, int[] groupSizes, double[][] biasInit,
      double[][] fixedBias, double skipTarget) {
    this.skipTarget = skipTarget;
    this.name = name;
    this.steps = List.copyOf(steps);
    this.choices = choices;
    this.groupSizes = groupSizes;
    this.biasInit = biasInit;
    this.fixedBias = fixedBias;
    this.attention = steps.stream().anyMatch(s -> s.kind == Kind.INPUT || s.kind == Kind.SKIPS);
  }

  /**
   * A plain sequence of categorical decisions; decisions with equal choice counts share a group.
   *
   * @param numChoices choices of each decision (each at least 1)
   */
  public static ControllerSpec categorical(int[] numChoices) {
    Map<Integer, Integer> byCount = new LinkedHashMap<>();
    int[] groups = new int[numChoices.length];
    for (int i = 0; i < numChoices.length; i++) {
      int k = numChoices[i];
      groups[i] = byCount.computeIfAbsent(k, x -> byCount.size());
    }
    return categorical(numChoices, groups);
  }

  /**
   * A plain sequence of categorical decisions, each with its own softmax and embedding (NAS /
   * NASNet style). On a 6 x 5 toy reward this learned several times faster than sharing by
   * choice count (see {@code ReinforceStrategyTest}).
   *
   * @param numChoices choices of each decision (each at least 1)
   */
  public static ControllerSpec categoricalPerDecision(int[] numChoices) {
    int[] groups = new int[numChoices.length];
    for (int i = 0; i < groups.length; i++) groups[i] = i;
    return categorical(numChoices, groups);
  }

  /**
   * A plain sequence of categorical decisions with explicit groups (decisions of one group share
   * softmax weights and embeddings, so must have equal choice counts).
   *
   * @param numChoices choices of each decision (each at least 1)
   * @param groups group of each decision, numbered from 0 without gaps
   */
  public static ControllerSpec categorical(int[] numChoices, int[] groups) {
    if (numChoices.length == 0) throw new IllegalArgumentException("at least one decision needed");
    if (groups.length != numChoices.length) throw new IllegalArgumentException("groups and numChoices differ in length");
    for (int i = 0; i < groups.length; i++) {
      if (groups[i] < 0) throw new IllegalArgumentException("decision " + i + " has negative group " + groups[i]);
    }
    int numGroups = Arrays.stream(groups).max().getAsInt() + 1;
    int[] sizes = new int[numGroups];
    for (int i = 0; i < groups.length; i++) {
      if (numChoices[i] < 1) throw new IllegalArgumentException("decision " + i + " has " + numChoices[i] + " choices");
      if (groups[i] < 0) throw new IllegalArgumentException("decision " + i + " has negative group");
      if (sizes[groups[i]] != 0 && sizes[groups[i]] != numChoices[i]) {
        throw new IllegalArgumentException("decision " + i + ": group " + groups[i] + " mixes " + sizes[groups[i]]
            + " and " + numChoices[i] + " choices");
      }
      sizes[groups[i]] = numChoices[i];
    }
    for (int g = 0; g < numGroups; g++) {
      if (sizes[g] == 0) throw new IllegalArgumentException("group " + g + " is unused (groups must have no gaps)");
    }
    List<Step> steps = new ArrayList<>();
    for (int i = 0; i < numChoices.length; i++) steps.add(new Step(Kind.OP, i, groups[i], false));
    double[][] zero = new double[numGroups][];
    double[][] zero2 = new double[numGroups][];
    for (int g = 0; g < numGroups; g++) {
      zero[g] = new double[sizes[g]];
      zero2[g] = new double[sizes[g]];
    }
    return new ControllerSpec("categorical" + Arrays.toString(numChoices) + Arrays.toString(groups), steps,
        numChoices.clone(), sizes, zero, zero2);
  }

  /**
   * The ENAS micro controller's program for two cells (normal, reduction) of {@code numNodes}
   * nodes over {@code numOps} ops; the action vector is the ENAS integer string.
   *
   * @param enasBiases as the official code: the op softmax bias {@code b_soft} starts at
   *     {@code [10, 10, 0, ...]} and the normal cell's op logits get the fixed bias
   *     {@code [0.25, 0.25, -0.25, ...]} (favouring the two separable convolutions); false: both zero
   */
  public static ControllerSpec enasMicro(int numNodes, int numOps, boolean enasBiases) {
    return enasMicro(numNodes, numOps, enasBiases, false);
  }

  /**
   * {@link #enasMicro(int, int, boolean)}, and with {@code combiner} one more decision per node
   * after its two ops: its combiner, add or concat (NASNet's step 5), by a softmax of its own
   * (group 1, two choices, zero biases). The action vector then has 5 entries per node,
   * {@code input1 op1 input2 op2 combiner} ({@code io.jnas.space.NasNetSpace#withCombiner()}).
   */
  public static ControllerSpec enasMicro(int numNodes, int numOps, boolean enasBiases, boolean combiner) {
    if (numNodes < 1 || numOps < 1) throw new IllegalArgumentException("numNodes and numOps must be >= 1");
    int per = combiner ? 5 : 4;
    List<Step> steps = new ArrayList<>();
    int[] choices = new int[2 * per * numNodes];
    for (int cell = 0; cell < 2; cell++) {
      int base = per * numNodes * cell;
      steps.add(new Step(Kind.BEGIN_CELL, -1, 0, false));
      steps.add(new Step(Kind.ZERO_ANCHOR, -1, 0, false));
      steps.add(new Step(Kind.ZERO_ANCHOR, -1, 0, false));
      for (int j = 0; j < numNodes; j++) {
        int p = base + per * j;
        steps.add(new Step(Kind.INPUT, p, j + 2, false));
        steps.add(new Step(Kind.INPUT, p + 2, j + 2, false));
        steps.add(new Step(Kind.OP, p + 1, 0, enasBiases && cell == 0));
        steps.add(new Step(Kind.OP, p + 3, 0, enasBiases && cell == 0));
        if (combiner) {
          steps.add(new Step(Kind.OP, p + 4, 1, false));
          choices[p + 4] = 2;
        }
        steps.add(new Step(Kind.ANCHOR, -1, 0, false));
        choices[p] = j + 2;
        choices[p + 2] = j + 2;
        choices[p + 1] = numOps;
        choices[p + 3] = numOps;
      }
    }
    double[] init = new double[numOps];
    double[] fixed = new double[numOps];
    if (enasBiases) {
      for (int k = 0; k < numOps; k++) {
        init[k] = k < 2 ? 10.0 : 0.0;
        fixed[k] = k < 2 ? 0.25 : -0.25;
      }
    }
    String name = "enas-micro(nodes=" + numNodes + ",ops=" + numOps + ",enasBiases=" + enasBiases + (combiner ? ",combiner" : "") + ")";
    return combiner
        ? new ControllerSpec(name, steps, choices, new int[] {numOps, 2}, new double[][] {init, new double[2]},
            new double[][] {fixed, new double[2]})
        : new ControllerSpec(name, steps, choices, new int[] {numOps}, new double[][] {init}, new double[][] {fixed});
  }

  /**
   * The ENAS macro controller's program ({@code general_controller.py}, whole channels) for
   * {@code layers} layers over {@code numOps} ops; the action vector is the ENAS macro string
   * ({@code io.jnas.enas.MacroArch}): per layer {@code l} its op, then {@code l} skip bits. Per
   * layer: an {@link Kind#OP} step (one softmax group, zero biases), then an {@link Kind#ANCHOR}
   * step (layer 0) or a {@link Kind#SKIPS} step over the {@code l} earlier layers' anchors.
   *
   * @param skipTarget the skip probability the skip penalty pulls toward (ENAS: 0.4); see
   *     {@link #skipTarget()}
   */
  public static ControllerSpec enasMacro(int layers, int numOps, double skipTarget) {
    if (layers < 1 || numOps < 1) throw new IllegalArgumentException("layers and numOps must be >= 1");
    if (!(skipTarget > 0 && skipTarget < 1)) throw new IllegalArgumentException("skipTarget must be in (0, 1), got " + skipTarget);
    List<Step> steps = new ArrayList<>();
    int[] choices = new int[layers + layers * (layers - 1) / 2];
    steps.add(new Step(Kind.BEGIN_CELL, -1, 0, false));
    for (int l = 0; l < layers; l++) {
      int o = l + l * (l - 1) / 2;
      steps.add(new Step(Kind.OP, o, 0, false));
      choices[o] = numOps;
      if (l == 0) {
        steps.add(new Step(Kind.ANCHOR, -1, 0, false));
      } else {
        steps.add(new Step(Kind.SKIPS, o + 1, l, false));
        for (int j = 0; j < l; j++) choices[o + 1 + j] = 2;
      }
    }
    return new ControllerSpec("enas-macro(layers=" + layers + ",ops=" + numOps + ",skipTarget=" + skipTarget + ")", steps,
        choices, new int[] {numOps}, new double[][] {new double[numOps]}, new double[][] {new double[numOps]}, skipTarget);
  }

  /**
   * The target skip probability {@code t} of the skip penalty of {@link Kind#SKIPS} decisions,
   * or NaN where the program has none. ENAS's penalty, per skip decision with logits
   * {@code [-l, l]}: {@code KL = (1-s) log((1-s)/(1-t)) + s log(s/t)} with {@code s = sigmoid(l)}
   * ({@code general_controller.py}: {@code skip_prob * log(skip_prob / skip_targets)}).
   */
  public double skipTarget() {
    return skipTarget;
  }

  /** A description that identifies the program (checked when restoring saved state). */
  public String name() {
    return name;
  }

  /** The program steps in order. */
  public List<Step> steps() {
    return steps;
  }

  /** Length of the action vector. */
  public int numDecisions() {
    return choices.length;
  }

  /**
   * The entropy of the uniform distribution over action vectors, {@code sum_i ln numChoices(i)}
   * in nats: the most a sample's entropy (a sum over its decisions) can be, and about where an
   * untrained controller starts.
   */
  public double uniformEntropy() {
    double h = 0;
    for (int c : choices) h += Math.log(c);
    return h;
  }

  /** Number of choices of action slot {@code i}. */
  public int numChoices(int i) {
    return choices[i];
  }

  /** Number of softmax groups. */
  public int numGroups() {
    return groupSizes.length;
  }

  /** Number of choices of group {@code g}. */
  public int groupSize(int g) {
    return groupSizes[g];
  }

  /** Initial learned op bias of group {@code g} (a copy). */
  public double[] biasInit(int g) {
    return biasInit[g].clone();
  }

  /** Fixed op bias of group {@code g}, added where a step asks for it (a copy). */
  public double[] fixedBias(int g) {
    return fixedBias[g].clone();
  }

  /** Whether any step decides by attention (the controller then has attention weights). */
  public boolean usesAttention() {
    return attention;
  }

  @Override
  public String toString() {
    return name;
  }
}
