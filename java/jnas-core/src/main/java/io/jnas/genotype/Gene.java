package io.jnas.genotype;

import java.util.Objects;

/**
 * One edge of a cell: an op applied to a state. States 0 and 1 are the cell's inputs
 * (c_{k-2}, c_{k-1}); state {@code 2 + i} is node {@code i}.
 *
 * @param op the operation
 * @param input the state it reads (0 or more)
 */
public record Gene(Op op, int input) {
  /** Checks the op is present and the input is not negative. */
  public Gene {
    Objects.requireNonNull(op, "op");
    if (input < 0) throw new IllegalArgumentException("gene input " + input + " is negative");
  }

  /** Shorthand for {@code new Gene(Op.fromLabel(op), input)}. */
  public static Gene of(String op, int input) {
    return new Gene(Op.fromLabel(op), input);
  }
}
