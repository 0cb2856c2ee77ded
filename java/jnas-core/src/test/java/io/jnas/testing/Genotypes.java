package io.jnas.testing;

import io.jnas.genotype.Combiner;
import io.jnas.genotype.Gene;
import io.jnas.genotype.Genotype;
import java.util.List;

/** Genotypes the tests share. */
public final class Genotypes {
  private Genotypes() {}

  /**
   * Every op of the registry ({@link io.jnas.genotype.Op}), each one at stride 1 (normal cell)
   * and stride 2 (an edge of the reduction cell reading a cell input), {@code none} on a
   * stride-2 edge, and a reduction cell whose concat keeps a cell input (brought down by
   * factorized reduce).
   */
  public static final Genotype EVERY_OP = new Genotype(
      List.of(Gene.of("sep_conv_3x3", 0), Gene.of("sep_conv_5x5", 1), Gene.of("dil_conv_3x3", 2),
          Gene.of("avg_pool_3x3", 1), Gene.of("none", 0), Gene.of("skip_connect", 3),
          Gene.of("conv_3x1_1x3", 1), Gene.of("max_pool_5x5", 4), Gene.of("conv_1x1", 2),
          Gene.of("dil_sep_conv_3x3", 5), Gene.of("conv_3x3", 0), Gene.of("max_pool_7x7", 6),
          Gene.of("sep_conv_7x7", 1), Gene.of("conv_7x1_1x7", 7), Gene.of("dil_conv_5x5", 0),
          Gene.of("max_pool_3x3", 8), Gene.of("macro_conv_3x3", 9), Gene.of("macro_sep_conv_3x3", 1),
          Gene.of("macro_conv_5x5", 10), Gene.of("macro_sep_conv_5x5", 0), Gene.of("macro_avg_pool_3x3", 11),
          Gene.of("macro_max_pool_3x3", 2)),
      List.of(2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12),
      List.of(Gene.of("sep_conv_7x7", 0), Gene.of("conv_7x1_1x7", 1), Gene.of("max_pool_3x3", 0),
          Gene.of("dil_conv_5x5", 1), Gene.of("none", 1), Gene.of("avg_pool_3x3", 3), Gene.of("skip_connect", 1),
          Gene.of("max_pool_3x3", 4), Gene.of("conv_3x3", 0), Gene.of("max_pool_7x7", 1),
          Gene.of("conv_1x1", 1), Gene.of("dil_sep_conv_3x3", 0), Gene.of("max_pool_5x5", 0),
          Gene.of("conv_3x1_1x3", 1), Gene.of("sep_conv_3x3", 0), Gene.of("sep_conv_5x5", 1),
          Gene.of("dil_conv_3x3", 0), Gene.of("avg_pool_3x3", 1), Gene.of("macro_conv_3x3", 0),
          Gene.of("macro_sep_conv_3x3", 1), Gene.of("macro_conv_5x5", 1), Gene.of("macro_sep_conv_5x5", 0),
          Gene.of("macro_avg_pool_3x3", 0), Gene.of("macro_max_pool_3x3", 1)),
      List.of(0, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13));

  /**
   * NASNet's concat combiner on some nodes of both cells (a concat node on stride-2 edges, one
   * that another node reads, one that is a loose end), over the NASNet ops added after DARTS's.
   */
  public static final Genotype CONCAT_COMBINER = new Genotype(
      List.of(Gene.of("conv_3x1_1x3", 0), Gene.of("max_pool_5x5", 1), Gene.of("conv_1x1", 2),
          Gene.of("dil_sep_conv_3x3", 1), Gene.of("conv_3x3", 3), Gene.of("max_pool_7x7", 0)),
      List.of(2, 3, 4),
      List.of(Gene.of("conv_3x3", 0), Gene.of("conv_3x1_1x3", 1), Gene.of("conv_1x1", 0),
          Gene.of("max_pool_7x7", 1), Gene.of("dil_sep_conv_3x3", 0), Gene.of("max_pool_5x5", 1)),
      List.of(2, 3, 4),
      List.of(Combiner.CONCAT, Combiner.ADD, Combiner.CONCAT), List.of(Combiner.CONCAT, Combiner.CONCAT, Combiner.ADD));
}
