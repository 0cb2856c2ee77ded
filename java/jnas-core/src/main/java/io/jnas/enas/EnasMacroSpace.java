package io.jnas.enas;

import io.jnas.space.SearchSpace;

/**
 * ENAS's macro search space as a {@link SearchSpace}: the decision vector is the ENAS macro
 * integer string ({@link MacroArch}): per layer {@code l} its op ({@link MacroArch#OPS}, 6
 * choices), then {@code l} skip bits (2 choices each); {@code L + L(L-1)/2} decisions, 78 for
 * ENAS's 12 layers, {@code 6^12 x 2^66}, about 1.6e29 architectures, as the paper counts. Every
 * in-range vector is valid.
 */
public final class EnasMacroSpace implements SearchSpace<MacroArch> {
  private final int layers;

  /** The space of ENAS's macro search: {@link MacroArch#DEFAULT_LAYERS} layers. */
  public EnasMacroSpace() {
    this(MacroArch.DEFAULT_LAYERS);
  }

  /** The space of {@code layers} layers (at least 1). */
  public EnasMacroSpace(int layers) {
    if (layers < 1) throw new IllegalArgumentException("enas-macro: layers must be >= 1, got " + layers);
    this.layers = layers;
  }

  /** Layers {@code L}. */
  public int layers() {
    return layers;
  }

  @Override
  public String name() {
    return "enas-macro";
  }

  @Override
  public int numDecisions() {
    return MacroArch.length(layers);
  }

  @Override
  public int numChoices(int i) {
    return isOp(i) ? MacroArch.OPS.size() : 2;
  }

  private boolean isOp(int i) {
    if (i < 0 || i >= numDecisions()) throw new IndexOutOfBoundsException("decision " + i + " out of range [0, " + numDecisions() + ")");
    return MacroArch.offset(layerOf(i)) == i;
  }

  private int layerOf(int i) {
    int l = 0;
    while (l + 1 < layers && MacroArch.offset(l + 1) <= i) l++;
    return l;
  }

  @Override
  public String decisionName(int i) {
    int l = layerOf(i);
    if (isOp(i)) return "layer " + l + " op";
    int j = i - MacroArch.offset(l) - 1;
    return "layer " + l + " skip from " + (j == 0 ? "stem" : "layer " + (j - 1));
  }

  @Override
  public String choiceLabel(int i, int k) {
    if (k < 0 || k >= numChoices(i)) throw new IndexOutOfBoundsException("choice " + k + " of decision " + i);
    return isOp(i) ? MacroArch.OPS.get(k).label() : k == 0 ? "no" : "yes";
  }

  @Override
  public MacroArch decode(int[] decisions) {
    if (!isValid(decisions)) throw new IllegalArgumentException("enas-macro: invalid decision vector " + java.util.Arrays.toString(decisions));
    return MacroArch.fromInts(decisions, layers);
  }

  @Override
  public int[] encode(MacroArch architecture) {
    if (architecture.layers() != layers) {
      throw new IllegalArgumentException("enas-macro: the architecture has " + architecture.layers() + " layers, the space " + layers);
    }
    return architecture.toInts();
  }
}
