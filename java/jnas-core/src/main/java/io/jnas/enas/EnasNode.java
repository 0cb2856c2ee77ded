package io.jnas.enas;

import java.util.Objects;

/**
 * One node of an ENAS micro cell: {@code node = op1(input1) + op2(input2)}. Inputs are ENAS
 * indices: 0 and 1 are the cell's two inputs (c_{k-2}, c_{k-1}), {@code 2 + j} is node
 * {@code j} of the same cell. Range checks against the node's position live in
 * {@link EnasCell}.
 *
 * @param input1 ENAS index of the first input (at least 0)
 * @param op1 op applied to the first input
 * @param input2 ENAS index of the second input (at least 0)
 * @param op2 op applied to the second input
 */
public record EnasNode(int input1, EnasOp op1, int input2, EnasOp op2) {
  /** Checks the inputs are non-negative and the ops present. */
  public EnasNode {
    Objects.requireNonNull(op1, "op1");
    Objects.requireNonNull(op2, "op2");
    if (input1 < 0 || input2 < 0) {
      throw new IllegalArgumentException("node inputs must be >= 0, got " + input1 + ", " + input2);
    }
  }

  /** Node from ENAS integers {@code (index_1, op_1, index_2, op_2)}. */
  public static EnasNode of(int input1, int op1, int input2, int op2) {
    return new EnasNode(input1, EnasOp.fromId(op1), input2, EnasOp.fromId(op2));
  }
}
