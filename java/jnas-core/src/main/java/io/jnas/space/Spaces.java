package io.jnas.space;

import io.jnas.enas.EnasMacroSpace;
import io.jnas.enas.EnasMicroSpace;
import io.jnas.enas.MacroArch;
import java.util.List;
import java.util.Locale;

/**
 * The search spaces by name, as {@code --space} takes them. The cell spaces
 * ({@link #cellNames()}: {@code enas-micro}, {@code nasnet}, {@code amoebanet}) decode to
 * genotypes of the final network; with ENAS's macro space ({@code enas-macro}) they serve
 * multi-trial search ({@link #trialNames()}); {@link #names()} adds the tabular benchmark spaces
 * ({@code nb201}, {@code nb101}).
 */
public final class Spaces {
  private Spaces() {}

  private static final List<String> CELL = List.of("enas-micro", "nasnet", "amoebanet", "nasnet-combine");
  private static final List<String> TRIAL = List.of("enas-micro", "nasnet", "amoebanet", "nasnet-combine", "enas-macro");
  private static final List<String> ALL = List.of("enas-micro", "nasnet", "amoebanet", "nasnet-combine", "enas-macro", "nb201", "nb101");

  /** The cell spaces' names, in a fixed order. */
  public static List<String> cellNames() {
    return CELL;
  }

  /** The spaces multi-trial search trains: the cell spaces and {@code enas-macro}. */
  public static List<String> trialNames() {
    return TRIAL;
  }

  /**
   * A space multi-trial search trains: a cell space with {@code nodes} nodes per cell, or the
   * ENAS macro space of {@code layers} layers.
   *
   * @throws IllegalArgumentException naming the unknown name and the known ones
   */
  public static SearchSpace<?> trial(String name, int nodes, int layers) {
    if (key(name).equals("enas-macro")) return new EnasMacroSpace(layers);
    if (!CELL.contains(key(name))) throw new IllegalArgumentException("unknown space '" + name + "'; known: " + String.join(", ", TRIAL));
    return cell(name, nodes);
  }

  /** Every space's name, in a fixed order. */
  public static List<String> names() {
    return ALL;
  }

  /**
   * The cell space {@code name} with {@code nodes} nodes (blocks) per cell.
   *
   * @throws IllegalArgumentException naming the unknown name and the known ones
   */
  public static CellSpace<?> cell(String name, int nodes) {
    return switch (key(name)) {
      case "enas-micro" -> new EnasMicroSpace(nodes);
      case "nasnet" -> NasNetSpace.nasnet(nodes);
      case "amoebanet" -> NasNetSpace.amoebanet(nodes);
      case "nasnet-combine" -> NasNetSpace.nasnet(nodes).withCombiner();
      default -> throw new IllegalArgumentException("unknown cell space '" + name + "'; known: " + String.join(", ", CELL));
    };
  }

  /**
   * Any space by name; the cell spaces with {@code nodes} nodes per cell, the macro space with
   * ENAS's {@link MacroArch#DEFAULT_LAYERS} layers (the benchmark spaces have fixed cells).
   *
   * @throws IllegalArgumentException naming the unknown name and the known ones
   */
  public static SearchSpace<?> any(String name, int nodes) {
    return any(name, nodes, MacroArch.DEFAULT_LAYERS);
  }

  /** {@link #any(String, int)} with the macro space of {@code layers} layers. */
  public static SearchSpace<?> any(String name, int nodes, int layers) {
    return switch (key(name)) {
      case "enas-macro" -> new EnasMacroSpace(layers);
      case "nb201" -> new NasBench201Space();
      case "nb101" -> new NasBench101Space();
      default -> {
        if (!CELL.contains(key(name))) {
          throw new IllegalArgumentException("unknown space '" + name + "'; known: " + String.join(", ", ALL));
        }
        yield cell(name, nodes);
      }
    };
  }

  private static String key(String name) {
    return name == null ? "" : name.strip().toLowerCase(Locale.ROOT);
  }
}
