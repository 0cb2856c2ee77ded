package io.jnas.enas;

import io.jnas.genotype.Genotype;
import io.jnas.space.CellSpace;

/**
 * The ENAS micro search space as a {@link SearchSpace}: the decision vector is the ENAS
 * integer string ({@link EnasArch#toInts()}), {@code 8 B} entries. Entry {@code 4 j + 0} and
 * {@code 4 j + 2} of a cell (node {@code j}'s inputs) have {@code j + 2} choices; entries
 * {@code 4 j + 1}, {@code 4 j + 3} (its ops) have {@link EnasOp#count()}. Every in-range vector
 * is valid (ENAS allows a node to read the same input twice). As a {@link CellSpace} an
 * architecture is ENAS's final network ({@link Genotype#of(EnasArch)}).
 */
public final class EnasMicroSpace implements CellSpace<EnasArch> {
  private final int numNodes;

  /** The space with {@link EnasArch#DEFAULT_NODES} nodes per cell. */
  public EnasMicroSpace() {
    this(EnasArch.DEFAULT_NODES);
  }

  /** The space with {@code numNodes} nodes per cell (at least 1). */
  public EnasMicroSpace(int numNodes) {
    if (numNodes < 1) throw new IllegalArgumentException("numNodes must be >= 1, got " + numNodes);
    this.numNodes = numNodes;
  }

  /** Nodes per cell {@code B}. */
  @Override
  public int numNodes() {
    return numNodes;
  }

  @Override
  public int numOps() {
    return EnasOp.count();
  }

  @Override
  public String name() {
    return "enas-micro";
  }

  @Override
  public int numDecisions() {
    return 8 * numNodes;
  }

  @Override
  public int numChoices(int i) {
    checkIndex(i);
    int k = i % 4;
    int node = (i % (4 * numNodes)) / 4;
    return k % 2 == 0 ? node + 2 : EnasOp.count();
  }

  @Override
  public String decisionName(int i) {
    checkIndex(i);
    String cell = i < 4 * numNodes ? "normal" : "reduce";
    int node = (i % (4 * numNodes)) / 4;
    String[] what = {"input1", "op1", "input2", "op2"};
    return cell + " n" + node + " " + what[i % 4];
  }

  @Override
  public EnasArch decode(int[] decisions) {
    return EnasArch.fromInts(decisions, numNodes);
  }

  @Override
  public int[] encode(EnasArch architecture) {
    if (architecture.numNodes() != numNodes) {
      throw new IllegalArgumentException("architecture has " + architecture.numNodes() + " nodes per cell, space "
          + numNodes);
    }
    return architecture.toInts();
  }

  @Override
  public String choiceLabel(int i, int k) {
    checkIndex(i);
    if (k < 0 || k >= numChoices(i)) throw new IndexOutOfBoundsException("choice " + k + " of decision " + i);
    if (i % 2 == 1) return EnasOp.fromId(k).label();
    return k == 0 ? "c_{k-2}" : k == 1 ? "c_{k-1}" : "n" + (k - 2);
  }

  /** ENAS's final network of the architecture ({@link Genotype#of(EnasArch)}: the unused states, inputs included, concatenated). */
  @Override
  public Genotype genotype(EnasArch architecture) {
    return Genotype.of(architecture);
  }

  private void checkIndex(int i) {
    if (i < 0 || i >= numDecisions()) {
      throw new IndexOutOfBoundsException("decision " + i + " out of range [0, " + numDecisions() + ")");
    }
  }
}
