package io.jnas.space;

import io.jnas.enas.EnasMicroSpace;
import java.util.List;
import java.util.Locale;

/**
 * The search spaces by name, as {@code --space} takes them. The cell spaces
 * ({@link #cellNames()}: {@code enas-micro}, {@code nasnet}, {@code amoebanet}) decode to
 * genotypes of the final network and serve multi-trial search; {@link #names()} adds the
 * tabular benchmark spaces ({@code nb201}, {@code nb101}).
 */
public final class Spaces {
  private Spaces() {}

  private static final List<String> CELL = List.of("enas-micro", "nasnet", "amoebanet");
  private static final List<String> ALL = List.of("enas-micro", "nasnet", "amoebanet", "nb201", "nb101");

  /** The cell spaces' names, in a fixed order. */
  public static List<String> cellNames() {
    return CELL;
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
      default -> throw new IllegalArgumentException("unknown cell space '" + name + "'; known: " + String.join(", ", CELL));
    };
  }

  /**
   * Any space by name; the cell spaces with {@code nodes} nodes per cell (the benchmark spaces
   * have fixed cells).
   *
   * @throws IllegalArgumentException naming the unknown name and the known ones
   */
  public static SearchSpace<?> any(String name, int nodes) {
    return switch (key(name)) {
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
