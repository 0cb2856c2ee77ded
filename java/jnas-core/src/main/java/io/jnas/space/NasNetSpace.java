package io.jnas.space;

import io.jnas.genotype.Combiner;
import io.jnas.genotype.Gene;
import io.jnas.genotype.Genotype;
import io.jnas.genotype.Op;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The NASNet search space (Zoph et al. 2018) and its AmoebaNet restriction (Real et al. 2019):
 * a normal and a reduction cell of {@code B} blocks each (B = 5 in both papers). Block {@code j}
 * picks two hidden states among the cell's two inputs and the blocks before it, one op for each
 * from the space's op list, and adds the two results; the cell's output is the channel concat
 * of the blocks no block reads (the papers' "unused hidden states"; NDS's and NNI's
 * {@code loose_end}). Ops on a cell input of a reduction cell run at stride 2.
 *
 * <p>Decision vector: {@code 8 B} entries, as the ENAS integer string: for the normal then the
 * reduction cell, per block {@code input1, op1, input2, op2}; an input of block {@code j} has
 * {@code j + 2} choices (0, 1 the cell inputs, {@code 2 + i} block {@code i}), an op
 * {@link #ops()}{@code .size()} choices (an index into the op list). Every in-range vector is
 * valid. A vector decodes to a {@link Genotype} whose concat lists are the loose ends in
 * increasing order; a genotype encodes when it has {@code B} nodes per cell, only ops of the
 * list, and those concat lists.
 *
 * <p>The op lists follow NDS ({@code facebookresearch/unnas} {@code pycls/models/nas}) and NNI's
 * {@code nasnet.py}: {@link #NASNET_OPS} (13) and {@link #AMOEBANET_OPS} (8).
 *
 * <p>NASNet's paper also lets a block concatenate its two results instead of adding them (step 5
 * of a block). {@link #withCombiner()} is the space with that choice ({@code nasnet-combine}):
 * five decisions per block, {@code input1, op1, input2, op2, combiner} (0 add, 1 concat; see
 * {@link Combiner} for how a concat node keeps C channels), {@code 10 B} in all.
 */
public final class NasNetSpace implements CellSpace<Genotype> {
  /** NASNet's 13 ops, in the paper's order. */
  public static final List<Op> NASNET_OPS = List.of(Op.SKIP_CONNECT, Op.CONV_3X1_1X3, Op.CONV_7X1_1X7, Op.DIL_CONV_3X3,
      Op.AVG_POOL_3X3, Op.MAX_POOL_3X3, Op.MAX_POOL_5X5, Op.MAX_POOL_7X7, Op.CONV_1X1, Op.CONV_3X3, Op.SEP_CONV_3X3,
      Op.SEP_CONV_5X5, Op.SEP_CONV_7X7);
  /** AmoebaNet's 8 ops, in NDS's order. */
  public static final List<Op> AMOEBANET_OPS = List.of(Op.SKIP_CONNECT, Op.SEP_CONV_3X3, Op.SEP_CONV_5X5,
      Op.SEP_CONV_7X7, Op.AVG_POOL_3X3, Op.MAX_POOL_3X3, Op.DIL_SEP_CONV_3X3, Op.CONV_7X1_1X7);
  /** Blocks per cell in both papers. */
  public static final int DEFAULT_BLOCKS = 5;

  private final String name;
  private final List<Op> ops;
  private final int blocks;
  private final boolean combiner;
  private final int per;  // decisions per block: 4, or 5 with the combiner

  /**
   * A space over {@code ops} with {@code blocks} blocks per cell.
   *
   * @param name the space's name, e.g. {@code nasnet}
   * @throws IllegalArgumentException for no ops, a repeated op, or fewer than one block
   */
  public NasNetSpace(String name, List<Op> ops, int blocks) {
    this(name, ops, blocks, false);
  }

  private NasNetSpace(String name, List<Op> ops, int blocks, boolean combiner) {
    if (ops == null || ops.isEmpty()) throw new IllegalArgumentException(name + ": no ops");
    if (ops.stream().distinct().count() != ops.size()) throw new IllegalArgumentException(name + ": an op is listed twice: " + ops);
    if (blocks < 1) throw new IllegalArgumentException(name + ": blocks must be >= 1, got " + blocks);
    this.name = name;
    this.ops = List.copyOf(ops);
    this.blocks = blocks;
    this.combiner = combiner;
    this.per = combiner ? 5 : 4;
  }

  /**
   * This space with a combiner decision per block (add or concat), named with {@code -combine}:
   * {@code nasnet-combine}.
   *
   * @throws IllegalStateException if it has one already
   */
  public NasNetSpace withCombiner() {
    if (combiner) throw new IllegalStateException(name + " has a combiner decision already");
    return new NasNetSpace(name + "-combine", ops, blocks, true);
  }

  /** Whether each block also chooses its combiner (add or concat). */
  public boolean hasCombiner() {
    return combiner;
  }

  /** NASNet's space: 13 ops, {@code blocks} blocks per cell. */
  public static NasNetSpace nasnet(int blocks) {
    return new NasNetSpace("nasnet", NASNET_OPS, blocks);
  }

  /** AmoebaNet's space: 8 ops, {@code blocks} blocks per cell. */
  public static NasNetSpace amoebanet(int blocks) {
    return new NasNetSpace("amoebanet", AMOEBANET_OPS, blocks);
  }

  /** The candidate ops, in decision order. */
  public List<Op> ops() {
    return ops;
  }

  @Override
  public int numNodes() {
    return blocks;
  }

  @Override
  public int numOps() {
    return ops.size();
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public int numDecisions() {
    return 2 * per * blocks;
  }

  @Override
  public int numChoices(int i) {
    checkIndex(i);
    int block = (i % (per * blocks)) / per, k = i % per;
    return k == 4 ? 2 : k % 2 == 0 ? block + 2 : ops.size();
  }

  @Override
  public String decisionName(int i) {
    checkIndex(i);
    String cell = i < per * blocks ? "normal" : "reduce";
    String[] what = {"input1", "op1", "input2", "op2", "combiner"};
    return cell + " b" + (i % (per * blocks)) / per + " " + what[i % per];
  }

  @Override
  public String choiceLabel(int i, int k) {
    checkIndex(i);
    if (k < 0 || k >= numChoices(i)) throw new IndexOutOfBoundsException("choice " + k + " of decision " + i);
    if (i % per == 4) return Combiner.values()[k].label();
    if (i % per % 2 == 1) return ops.get(k).label();
    return k == 0 ? "c_{k-2}" : k == 1 ? "c_{k-1}" : "b" + (k - 2);
  }

  /**
   * log10 of the number of distinct architectures: {@link CellSpace}'s count, times two
   * combiners per block where the space has the choice (concat, like add, does not depend on
   * the order of a block's two results up to a permutation of the 1x1 conv's weights).
   */
  @Override
  public double log10Architectures() {
    return CellSpace.super.log10Architectures() + (combiner ? 2 * blocks * Math.log10(2) : 0);
  }

  @Override
  public Genotype decode(int[] decisions) {
    if (!isValid(decisions)) throw new IllegalArgumentException(name + ": invalid decision vector " + Arrays.toString(decisions));
    List<Gene> normal = genes(decisions, 0), reduce = genes(decisions, per * blocks);
    return new Genotype(normal, looseEnds(normal, blocks), reduce, looseEnds(reduce, blocks), combiners(decisions, 0),
        combiners(decisions, per * blocks));
  }

  private List<Gene> genes(int[] d, int base) {
    List<Gene> g = new ArrayList<>(2 * blocks);
    for (int j = 0; j < blocks; j++) {
      int p = base + per * j;
      g.add(new Gene(ops.get(d[p + 1]), d[p]));
      g.add(new Gene(ops.get(d[p + 3]), d[p + 2]));
    }
    return g;
  }

  /** The cell's combiners; null (every block adds) without the decision. */
  private List<Combiner> combiners(int[] d, int base) {
    if (!combiner) return null;
    List<Combiner> c = new ArrayList<>(blocks);
    for (int j = 0; j < blocks; j++) c.add(Combiner.values()[d[base + per * j + 4]]);
    return c;
  }

  /** The blocks ({@code 2 .. nodes+1}) that no gene reads, in increasing order. */
  public static List<Integer> looseEnds(List<Gene> genes, int nodes) {
    boolean[] read = new boolean[nodes + 2];
    for (Gene g : genes) read[g.input()] = true;
    List<Integer> out = new ArrayList<>();
    for (int s = 2; s < nodes + 2; s++) if (!read[s]) out.add(s);
    return out;
  }

  /**
   * The vector of a genotype of this space.
   *
   * @throws IllegalArgumentException naming the cell and what does not fit: the node count, an
   *     op outside the list, or a concat list other than the loose ends
   */
  @Override
  public int[] encode(Genotype g) {
    int[] d = new int[numDecisions()];
    encodeCell("normal", g.normal(), g.normalConcat(), g.normalCombine(), d, 0);
    encodeCell("reduce", g.reduce(), g.reduceConcat(), g.reduceCombine(), d, per * blocks);
    return d;
  }

  private void encodeCell(String cell, List<Gene> genes, List<Integer> concat, List<Combiner> combine, int[] d, int base) {
    if (genes.size() != 2 * blocks) {
      throw new IllegalArgumentException(name + ": the " + cell + " cell has " + genes.size() / 2 + " nodes, the space " + blocks);
    }
    for (int j = 0; j < blocks; j++) {
      for (int k = 0; k < 2; k++) {
        Gene gene = genes.get(2 * j + k);
        int op = ops.indexOf(gene.op());
        if (op < 0) {
          throw new IllegalArgumentException(name + ": the " + cell + " cell's node " + j + " uses " + gene.op().label()
              + ", not one of the space's ops " + labels());
        }
        d[base + per * j + 2 * k] = gene.input();
        d[base + per * j + 2 * k + 1] = op;
      }
      if (combiner) {
        d[base + per * j + 4] = combine.get(j).ordinal();
      } else if (combine.get(j) != Combiner.ADD) {
        throw new IllegalArgumentException(name + ": the " + cell + " cell's node " + j + " concatenates its results; this space"
            + " only adds (" + name + "-combine has the choice)");
      }
    }
    List<Integer> ends = looseEnds(genes, blocks);
    if (!concat.equals(ends)) {
      throw new IllegalArgumentException(name + ": the " + cell + " cell concatenates " + concat + "; the space concatenates"
          + " the nodes no node reads, " + ends);
    }
  }

  private List<String> labels() {
    return ops.stream().map(Op::label).toList();
  }

  @Override
  public Genotype genotype(Genotype architecture) {
    return architecture;
  }

  private void checkIndex(int i) {
    if (i < 0 || i >= numDecisions()) {
      throw new IndexOutOfBoundsException("decision " + i + " out of range [0, " + numDecisions() + ")");
    }
  }
}
