package io.jnas.study;

import io.jnas.enas.EnasArch;
import io.jnas.enas.EnasMacroSpace;
import io.jnas.enas.EnasMicroSpace;
import io.jnas.enas.MacroArch;
import io.jnas.genotype.Genotype;
import io.jnas.space.NasBench101Space;
import io.jnas.space.NasBench201Space;
import io.jnas.space.CellSpace;
import io.jnas.space.SearchSpace;
import io.jnas.space.Spaces;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The search spaces a study can be created over, by their JSON description:
 * <ul>
 *   <li>{@code {"name": "enas-micro", "nodes": 5}}: ENAS micro cells (4 decisions per node, normal
 *       then reduction cell); a trial's architecture is its ENAS integer string and genotype;
 *   <li>{@code {"name": "nasnet", "nodes": 5}}, {@code "amoebanet"}, {@code "nasnet-combine"}:
 *       NASNet's and AmoebaNet's cells ({@link io.jnas.space.NasNetSpace}; the last with a
 *       combiner decision per block); the decision vector and the genotype;
 *   <li>{@code {"name": "enas-macro", "layers": 12}}: ENAS's macro network; its macro string and
 *       architecture;
 *   <li>{@code {"name": "nb201"}}: NAS-Bench-201 cells (6 edges of 5 ops); the cell string;
 *   <li>{@code {"name": "nb101"}}: NAS-Bench-101 cells;
 *   <li>{@code {"name": "categorical", "choices": [3, 4, 2], "names": ["lr", "depth", "act"]}}:
 *       independent decisions ({@link CategoricalSpace}); the decisions by name.
 * </ul>
 */
public final class StudySpaces {
  private StudySpaces() {}

  /**
   * The space of a description.
   *
   * @throws IllegalArgumentException naming the field ({@code space.nodes}) that is wrong
   */
  public static SearchSpace<?> fromMap(Map<String, Object> m) {
    Object name = m.get("name");
    if (!(name instanceof String n)) {
      throw new IllegalArgumentException("'space.name' is " + Pruners.describe(name) + ", expected " + KNOWN);
    }
    switch (n) {
      case "enas-micro", "nasnet", "amoebanet", "nasnet-combine": {
        allow(m, "name", "nodes");
        return Spaces.cell(n, intField(m, "nodes", 5, 12));
      }
      case "enas-macro": {
        allow(m, "name", "layers");
        return new EnasMacroSpace(intField(m, "layers", MacroArch.DEFAULT_LAYERS, 48));
      }
      case "nb201":
        allow(m, "name");
        return new NasBench201Space();
      case "nb101":
        allow(m, "name");
        return new NasBench101Space();
      case "categorical": {
        allow(m, "name", "choices", "names");
        if (!(m.get("choices") instanceof List<?> cl) || cl.isEmpty() || cl.size() > 10_000) {
          throw new IllegalArgumentException("'space.choices' is " + Pruners.describe(m.get("choices")) + ", expected a list of 1 to 10000 integers");
        }
        int[] choices = new int[cl.size()];
        for (int i = 0; i < choices.length; i++) {
          Object c = cl.get(i);
          if (!(c instanceof Number x) || x.doubleValue() != Math.rint(x.doubleValue()) || x.doubleValue() < 1 || x.doubleValue() > 1e6) {
            throw new IllegalArgumentException("'space.choices[" + i + "]' is " + Pruners.describe(c) + ", expected an integer in 1..1000000");
          }
          choices[i] = x.intValue();
        }
        List<String> names = null;
        if (m.get("names") != null) {
          if (!(m.get("names") instanceof List<?> nl) || nl.size() != choices.length) {
            throw new IllegalArgumentException("'space.names' is " + Pruners.describe(m.get("names")) + ", expected a list of " + choices.length + " strings");
          }
          names = new ArrayList<>();
          for (int i = 0; i < nl.size(); i++) {
            if (!(nl.get(i) instanceof String s)) throw new IllegalArgumentException("'space.names[" + i + "]' is " + Pruners.describe(nl.get(i)) + ", expected a string");
            names.add(s);
          }
        }
        return new CategoricalSpace(choices, names);
      }
      default:
        throw new IllegalArgumentException("'space.name' is \"" + n + "\", expected " + KNOWN);
    }
  }

  private static final String KNOWN = "\"enas-micro\", \"nasnet\", \"amoebanet\", \"nasnet-combine\", \"enas-macro\", \"nb201\","
      + " \"nb101\" or \"categorical\"";

  /** An optional integer field in {@code [1, max]}, {@code dflt} where absent. */
  private static int intField(Map<String, Object> m, String key, int dflt, int max) {
    Object v = m.get(key);
    if (v == null) return dflt;
    if (!(v instanceof Number x) || x.doubleValue() != Math.rint(x.doubleValue()) || x.doubleValue() < 1 || x.doubleValue() > max) {
      throw new IllegalArgumentException("'space." + key + "' is " + Pruners.describe(v) + ", expected an integer in 1.." + max);
    }
    return x.intValue();
  }

  private static void allow(Map<String, Object> m, String... keys) {
    for (String k : m.keySet()) {
      if (!List.of(keys).contains(k)) throw new IllegalArgumentException("'space." + k + "' is unknown for space " + m.get("name") + ", expected " + String.join(", ", keys));
    }
  }

  /** What a trial's decisions stand for in {@code space}, as JSON: see the class comment. */
  public static Map<String, Object> describe(SearchSpace<?> space, int[] d) {
    Map<String, Object> m = new LinkedHashMap<>();
    if (space instanceof EnasMicroSpace e) {
      EnasArch a = e.decode(d);
      m.put("arc", a.toArcString());
      m.put("genotype", Genotype.of(a).toMap());
    } else if (space instanceof CellSpace<?> c) {
      m.put("arc", Arrays.stream(d).mapToObj(String::valueOf).collect(Collectors.joining(" ")));
      m.put("genotype", c.genotypeOf(d).toMap());
    } else if (space instanceof EnasMacroSpace x) {
      MacroArch a = x.decode(d);
      m.put("arc", a.toArcString());
      m.put("architecture", a.toMap());
    } else if (space instanceof CategoricalSpace c) {
      for (int i = 0; i < d.length; i++) m.put(c.decisionName(i), d[i]);
    } else {
      m.put("cell", String.valueOf(space.decode(d)));
    }
    return m;
  }
}
