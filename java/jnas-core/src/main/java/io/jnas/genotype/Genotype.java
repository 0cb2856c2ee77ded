package io.jnas.genotype;

import io.jnas.enas.EnasArch;
import io.jnas.enas.EnasCell;
import io.jnas.enas.EnasNode;
import io.jnas.space.CellSpace;
import io.jnas.space.Spaces;
import io.jnas.util.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A discrete architecture for final training, DARTS's {@code Genotype}: per cell a list of genes,
 * two per node (node {@code j} = genes {@code 2j} and {@code 2j+1}, summed), and the states whose
 * channel concat is the cell's output. A gene of node {@code j} reads a state in
 * {@code [0, j+2)}: 0 and 1 are the cell inputs, {@code 2+i} node {@code i}. The normal and the
 * reduction cell may have different node counts.
 *
 * <p>JSON form ({@link #toJson()}, {@link #fromJson(String)}), as DARTS prints it:
 * <pre>
 * {"format": "genotype", "normal": [["sep_conv_3x3", 1], ...], "normal_concat": [2, 3, 4, 5],
 *  "reduce": [["max_pool_3x3", 0], ...], "reduce_concat": [2, 3, 4, 5]}
 * </pre>
 *
 * <p>A node adds its two results unless its cell's combiner list says {@link Combiner#CONCAT}
 * (NASNet's second combination); the JSON form then also has {@code "normal_combine"} and/or
 * {@code "reduce_combine"}, one {@code "add"} or {@code "concat"} per node. A genotype whose nodes
 * all add is written without them, as before.
 *
 * @param normal the normal cell's genes (an even number, at least 2); copied
 * @param normalConcat the normal cell's output states; copied
 * @param reduce the reduction cell's genes; copied
 * @param reduceConcat the reduction cell's output states; copied
 * @param normalCombine the normal cell's combiner per node (null: every node adds); copied
 * @param reduceCombine the reduction cell's combiner per node (null: every node adds); copied
 */
public record Genotype(List<Gene> normal, List<Integer> normalConcat, List<Gene> reduce, List<Integer> reduceConcat,
    List<Combiner> normalCombine, List<Combiner> reduceCombine) {

  /** Checks both cells; the message names the cell, the gene or concat entry, and the rule. */
  public Genotype {
    normal = List.copyOf(checkGenes("normal", normal));
    reduce = List.copyOf(checkGenes("reduce", reduce));
    normalConcat = List.copyOf(checkConcat("normal", normalConcat, normal.size() / 2));
    reduceConcat = List.copyOf(checkConcat("reduce", reduceConcat, reduce.size() / 2));
    normalCombine = checkCombine("normal", normalCombine, normal.size() / 2);
    reduceCombine = checkCombine("reduce", reduceCombine, reduce.size() / 2);
  }

  /** A genotype whose every node adds its two results (DARTS's). */
  public Genotype(List<Gene> normal, List<Integer> normalConcat, List<Gene> reduce, List<Integer> reduceConcat) {
    this(normal, normalConcat, reduce, reduceConcat, null, null);
  }

  private static List<Combiner> checkCombine(String cell, List<Combiner> combine, int nodes) {
    if (combine == null) return Collections.nCopies(nodes, Combiner.ADD);
    if (combine.size() != nodes) {
      throw new IllegalArgumentException("genotype " + cell + "_combine: " + combine.size() + " entries, expected one per node (" + nodes + ")");
    }
    for (int j = 0; j < nodes; j++) {
      if (combine.get(j) == null) throw new IllegalArgumentException("genotype " + cell + "_combine[" + j + "]: null");
    }
    return List.copyOf(combine);
  }

  /** Whether some node of either cell concatenates (so the JSON and native forms carry the combiners). */
  public boolean hasConcatCombiner() {
    return normalCombine.contains(Combiner.CONCAT) || reduceCombine.contains(Combiner.CONCAT);
  }

  private static List<Gene> checkGenes(String cell, List<Gene> genes) {
    if (genes == null || genes.isEmpty() || genes.size() % 2 != 0) {
      throw new IllegalArgumentException("genotype " + cell + ": expected an even, non-zero number of genes (two per node), got "
          + (genes == null ? "none" : genes.size()));
    }
    for (int i = 0; i < genes.size(); i++) {
      Gene g = genes.get(i);
      if (g == null) throw new IllegalArgumentException("genotype " + cell + " gene " + i + ": null");
      int node = i / 2;
      if (g.input() >= node + 2) {
        throw new IllegalArgumentException("genotype " + cell + " gene " + i + " (node " + node + "): input " + g.input()
            + " out of range [0, " + (node + 1) + "] (0, 1 = cell inputs, 2.. = earlier nodes)");
      }
    }
    return genes;
  }

  private static List<Integer> checkConcat(String cell, List<Integer> concat, int nodes) {
    if (concat == null || concat.isEmpty()) throw new IllegalArgumentException("genotype " + cell + "_concat: empty");
    Set<Integer> seen = new HashSet<>();
    for (Integer c : concat) {
      if (c == null || c < 0 || c >= nodes + 2) {
        throw new IllegalArgumentException("genotype " + cell + "_concat: state " + c + " out of range [0, " + (nodes + 1) + "]");
      }
      if (!seen.add(c)) throw new IllegalArgumentException("genotype " + cell + "_concat: state " + c + " twice");
    }
    return concat;
  }

  /** Nodes of the normal cell. */
  public int normalNodes() {
    return normal.size() / 2;
  }

  /** Nodes of the reduction cell. */
  public int reduceNodes() {
    return reduce.size() / 2;
  }

  // ------------------------------------------------------------------ published cells

  /** ENAS's final CIFAR-10 cell ({@link EnasArch#ENAS_FINAL}, Pham et al. 2018), converted by {@link #of(EnasArch)}. */
  public static final Genotype ENAS = of(EnasArch.ENAS_FINAL);

  // NASNet-A (Zoph et al. 2018), AmoebaNet-A (Real et al. 2019), DARTS V1 (first order) and
  // V2 (second order) (Liu et al. 2019): as transcribed in DARTS's cnn/genotypes.py
  // (github.com/quark0/darts), which is the form these constants follow.

  /**
   * NASNet-A as DARTS transcribes it: the cells' genes exactly (the TF-slim release's, inputs
   * 0 and 1 swapped to DARTS's order), concat lists the blocks no block reads (the paper's rule
   * and the {@code nasnet} space's). 3.06M weights at the paper's CIFAR-10 size (20 cells, 32
   * channels: "6 @ 768"), 7% under its 3.3M: see {@link #NASNET_A_TF}.
   */
  public static final Genotype NASNET_A = new Genotype(
      genes("sep_conv_5x5", 1, "sep_conv_3x3", 0, "sep_conv_5x5", 0, "sep_conv_3x3", 0, "avg_pool_3x3", 1,
          "skip_connect", 0, "avg_pool_3x3", 0, "avg_pool_3x3", 0, "sep_conv_3x3", 1, "skip_connect", 1),
      List.of(2, 3, 4, 5, 6),
      genes("sep_conv_5x5", 1, "sep_conv_7x7", 0, "max_pool_3x3", 1, "sep_conv_7x7", 0, "avg_pool_3x3", 1,
          "sep_conv_5x5", 0, "skip_connect", 3, "avg_pool_3x3", 2, "sep_conv_3x3", 2, "max_pool_3x3", 1),
      List.of(4, 5, 6));

  /**
   * NASNet-A as the authors' release builds it (TensorFlow models, {@code research/slim/nets/nasnet/nasnet_utils.py},
   * {@code NasNetANormalCell} and {@code NasNetAReductionCell}): {@link #NASNET_A}'s genes, but
   * the concat lists its {@code used_hiddenstates} give: the normal cell also concatenates
   * {@code c_{k-2}} (6 states, so 6 x 128 = 768 filters at the end of the "6 @ 768" network), the
   * reduction cell also block 1. 3.33M weights at 20 cells x 32 channels, the paper's 3.3M.
   * Not in the {@code nasnet} space: those two states are read by other blocks.
   */
  public static final Genotype NASNET_A_TF = new Genotype(NASNET_A.normal(), List.of(0, 2, 3, 4, 5, 6), NASNET_A.reduce(),
      List.of(3, 4, 5, 6));

  /**
   * AmoebaNet-A, as DARTS transcribes it; in the {@code amoebanet} and {@code nasnet} spaces.
   * 3.15M weights at the paper's CIFAR-10 size (N = 6, F = 36: 20 cells x 36 channels), its 3.2M
   * within 2%. (The cells named {@code amoeba_net_a} in the TensorFlow TPU models,
   * {@code models/official/amoeba_net/model_specs.py}, differ from this transcription.)
   */
  public static final Genotype AMOEBANET_A = new Genotype(
      genes("avg_pool_3x3", 0, "max_pool_3x3", 1, "sep_conv_3x3", 0, "sep_conv_5x5", 2, "sep_conv_3x3", 0,
          "avg_pool_3x3", 3, "sep_conv_3x3", 1, "skip_connect", 1, "skip_connect", 0, "avg_pool_3x3", 1),
      List.of(4, 5, 6),
      genes("avg_pool_3x3", 0, "sep_conv_3x3", 1, "max_pool_3x3", 0, "sep_conv_7x7", 2, "sep_conv_7x7", 0,
          "avg_pool_3x3", 1, "max_pool_3x3", 0, "max_pool_3x3", 1, "conv_7x1_1x7", 0, "sep_conv_3x3", 5),
      List.of(3, 4, 6));

  /** DARTS V1 (first-order search). */
  public static final Genotype DARTS_V1 = new Genotype(
      genes("sep_conv_3x3", 1, "sep_conv_3x3", 0, "skip_connect", 0, "sep_conv_3x3", 1, "skip_connect", 0,
          "sep_conv_3x3", 1, "sep_conv_3x3", 0, "skip_connect", 2),
      List.of(2, 3, 4, 5),
      genes("max_pool_3x3", 0, "max_pool_3x3", 1, "skip_connect", 2, "max_pool_3x3", 0, "max_pool_3x3", 0,
          "skip_connect", 2, "skip_connect", 2, "avg_pool_3x3", 0),
      List.of(2, 3, 4, 5));

  /** DARTS V2 (second-order search; DARTS's default {@code DARTS}). */
  public static final Genotype DARTS_V2 = new Genotype(
      genes("sep_conv_3x3", 0, "sep_conv_3x3", 1, "sep_conv_3x3", 0, "sep_conv_3x3", 1, "sep_conv_3x3", 1,
          "skip_connect", 0, "skip_connect", 0, "dil_conv_3x3", 2),
      List.of(2, 3, 4, 5),
      genes("max_pool_3x3", 0, "max_pool_3x3", 1, "skip_connect", 2, "max_pool_3x3", 1, "max_pool_3x3", 0,
          "skip_connect", 2, "skip_connect", 2, "max_pool_3x3", 1),
      List.of(2, 3, 4, 5));

  private static final Map<String, Genotype> NAMED = new LinkedHashMap<>();

  static {
    NAMED.put("enas", ENAS);
    NAMED.put("nasnet-a", NASNET_A);
    NAMED.put("nasnet-a-tf", NASNET_A_TF);
    NAMED.put("amoebanet-a", AMOEBANET_A);
    NAMED.put("darts-v1", DARTS_V1);
    NAMED.put("darts-v2", DARTS_V2);
  }

  /** The names {@link #named(String)} knows, in a fixed order. */
  public static List<String> names() {
    return List.copyOf(NAMED.keySet());
  }

  /**
   * A published genotype by name ({@link #names()}), case-insensitive.
   *
   * @throws IllegalArgumentException naming the unknown name and the known ones
   */
  public static Genotype named(String name) {
    Genotype g = name == null ? null : NAMED.get(name.toLowerCase(Locale.ROOT));
    if (g == null) throw new IllegalArgumentException("unknown genotype '" + name + "'; known: " + String.join(", ", names()));
    return g;
  }

  /** What {@link #resolve} accepts, for messages. */
  private static final String FORMS = "a name (" + String.join(", ", names()) + "), an ENAS integer string, a space's decision"
      + " vector ('nasnet: 0 2 1 9 ...'), a genotype JSON file, a final_arch.txt, a search or train run folder, or a multitrial trial RUNDIR#ID";

  /** {@code nasnet: 0 2 1 9 ...}: a cell space's name and a decision vector (a NASNet-style search's final_arch.txt). */
  private static final Pattern SPACE_VECTOR = Pattern.compile("([a-z][a-z0-9-]*):\\s*([0-9][0-9\\s]*)",
      Pattern.CASE_INSENSITIVE);

  /** The genotype of a {@link #SPACE_VECTOR} match: the vector decoded in the named cell space (B from its length). */
  private static Genotype fromSpaceVector(Matcher m) {
    String[] parts = m.group(2).strip().split("\\s+");
    int[] d = new int[parts.length];
    for (int i = 0; i < d.length; i++) d[i] = Integer.parseInt(parts[i]);
    int per = Spaces.cell(m.group(1), 1).numDecisions();  // per block, both cells
    if (d.length == 0 || d.length % per != 0) {
      throw new IllegalArgumentException(m.group(1) + " decision vector: " + d.length + " integers, expected " + per + " per block"
          + " (B blocks: " + per + " B)");
    }
    CellSpace<?> space = Spaces.cell(m.group(1), d.length / per);
    if (!space.isValid(d)) {
      throw new IllegalArgumentException(m.group(1) + " decision vector '" + m.group(2).strip() + "': an entry is out of its"
          + " decision's range (inputs of block j in [0, j+2), ops in [0, " + space.numOps() + "))");
    }
    return space.genotypeOf(d);
  }

  /**
   * A genotype from a command-line value, tried in this order:
   * <ol>
   *   <li>a published name ({@link #names()}), case-insensitive;
   *   <li>an ENAS integer string ({@code "0 2 0 0 ..."});
   *   <li>a cell space's decision vector after its name ({@code "nasnet: 0 2 1 9 ..."});
   *   <li>a file: JSON (this class's form, or an ENAS arch, {@code "format": "enas-micro"}, as a
   *       search's {@code final_arch.json}), or text whose first line is an ENAS integer string
   *       or a space's decision vector (a search's {@code final_arch.txt});
   *   <li>a folder: a search run ({@code final_arch.json}) or a train run ({@code genotype.json});
   *   <li>a multitrial trial, {@code RUNDIR#ID} or {@code RUNDIR/trials.jsonl#ID}: the
   *       {@code genotype} of the line of {@code trials.jsonl} whose {@code id} is ID.
   * </ol>
   *
   * @throws IllegalArgumentException naming the value, what was tried, and what was expected
   */
  public static Genotype resolve(String spec) {
    if (spec == null || spec.isBlank()) throw new IllegalArgumentException("genotype: empty; expected " + FORMS);
    String s = spec.strip();
    if (NAMED.containsKey(s.toLowerCase(Locale.ROOT))) return NAMED.get(s.toLowerCase(Locale.ROOT));
    if (s.matches("[0-9\\s]+") && s.contains(" ")) {
      try {
        return of(EnasArch.parse(s));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("genotype '" + s + "': not a valid ENAS integer string: " + e.getMessage(), e);
      }
    }
    Matcher vm = SPACE_VECTOR.matcher(s);
    if (vm.matches()) {
      try {
        return fromSpaceVector(vm);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("genotype '" + s + "': " + e.getMessage(), e);
      }
    }
    Path p = Path.of(s);
    if (Files.isRegularFile(p)) return fromFile(p);
    if (Files.isDirectory(p)) return fromRunFolder(p);
    int hash = s.lastIndexOf('#');
    if (hash > 0) return fromTrial(s.substring(0, hash), s.substring(hash + 1), s);
    throw new IllegalArgumentException("genotype '" + s + "': neither a known name (" + String.join(", ", names())
        + "), an ENAS integer string, nor a file or folder; expected " + FORMS);
  }

  /** A genotype file: JSON, or text whose first non-blank line is an ENAS integer string (final_arch.txt). */
  private static Genotype fromFile(Path p) {
    String text;
    try {
      text = Files.readString(p);
    } catch (IOException e) {
      throw new IllegalArgumentException(p + ": cannot read: " + e.getMessage(), e);
    }
    String t = text.strip();
    if (t.startsWith("{")) {
      try {
        return fromJson(t);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(p + ": " + e.getMessage(), e);
      }
    }
    String first = t.isEmpty() ? "" : t.lines().findFirst().orElse("").strip();
    if (first.matches("[0-9][0-9\\s]*")) {
      try {
        return of(EnasArch.parse(first));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(p + ": first line is not a valid ENAS integer string: " + e.getMessage(), e);
      }
    }
    Matcher vm = SPACE_VECTOR.matcher(first);
    if (vm.matches()) {
      try {
        return fromSpaceVector(vm);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(p + ": first line: " + e.getMessage(), e);
      }
    }
    throw new IllegalArgumentException(p + ": neither genotype JSON nor text whose first line is an ENAS integer string"
        + " or a space's decision vector (as a search's final_arch.txt)");
  }

  /** The genotype of a run folder: a search's final_arch.json, or a train run's genotype.json. */
  private static Genotype fromRunFolder(Path dir) {
    for (String f : List.of("final_arch.json", "genotype.json")) {
      if (Files.isRegularFile(dir.resolve(f))) return fromFile(dir.resolve(f));
    }
    if (Files.isRegularFile(dir.resolve("trials.jsonl"))) {
      throw new IllegalArgumentException("genotype '" + dir + "': a multitrial run; name one of its trials as " + dir + "#ID"
          + " (the \"id\" of a line of its trials.jsonl)");
    }
    throw new IllegalArgumentException("genotype '" + dir + "': a folder with no final_arch.json (a search run),"
        + " genotype.json (a train run) or trials.jsonl (a multitrial run)");
  }

  /** The genotype of trial {@code id} of a multitrial run ({@code where}: its folder or its trials.jsonl). */
  private static Genotype fromTrial(String where, String id, String spec) {
    Path p = Path.of(where);
    Path file = Files.isDirectory(p) ? p.resolve("trials.jsonl") : p;
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("genotype '" + spec + "': " + file + " not found (before '#': a multitrial run folder"
          + " or its trials.jsonl; expected " + FORMS + ")");
    }
    int want;
    try {
      want = Integer.parseInt(id.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("genotype '" + spec + "': trial id '" + id + "' is not an integer");
    }
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (IOException e) {
      throw new IllegalArgumentException(file + ": cannot read: " + e.getMessage(), e);
    }
    Map<String, Object> found = null;
    int lo = Integer.MAX_VALUE, hi = Integer.MIN_VALUE;
    for (String line : lines) {
      if (line.isBlank()) continue;
      Map<String, Object> m;
      try {
        m = Json.parseObject(line);
      } catch (IllegalArgumentException e) {
        continue;  // a line cut by a kill: not a trial
      }
      if (!(m.get("id") instanceof Number n)) continue;
      lo = Math.min(lo, n.intValue());
      hi = Math.max(hi, n.intValue());
      if (n.intValue() == want) found = m;  // the last line of that id
    }
    if (found == null) {
      throw new IllegalArgumentException("genotype '" + spec + "': no trial " + want + " in " + file
          + (lo <= hi ? " (ids " + lo + " to " + hi + ")" : " (no trials)"));
    }
    if (!(found.get("genotype") instanceof Map<?, ?> gm)) {
      throw new IllegalArgumentException("genotype '" + spec + "': trial " + want + " has no genotype (status " + found.get("status")
          + (found.get("reason") == null ? "" : ": " + found.get("reason")) + ")");
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> g = (Map<String, Object>) gm;
    try {
      return fromMap(g);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + " trial " + want + ": " + e.getMessage(), e);
    }
  }

  // ------------------------------------------------------------------ ENAS conversion

  /**
   * The genotype of an ENAS micro architecture: each node's two (op, input) pairs in order, ops
   * mapped by {@link Op#of}, and the concat list the states no node reads, cell inputs included
   * ({@link EnasCell#outputIndices()}), as ENAS's final network concatenates them.
   */
  public static Genotype of(EnasArch arch) {
    return new Genotype(genesOf(arch.normal()), arch.normal().outputIndices(), genesOf(arch.reduce()),
        arch.reduce().outputIndices());
  }

  private static List<Gene> genesOf(EnasCell c) {
    List<Gene> g = new ArrayList<>();
    for (EnasNode n : c.nodes()) {
      g.add(new Gene(n.op1().op(), n.input1()));
      g.add(new Gene(n.op2().op(), n.input2()));
    }
    return g;
  }

  // ------------------------------------------------------------------ native form

  /** The normal cell as the native genotype ints: {@code [nodes, (op, input) x 2 nodes, n_concat, concat...]}. */
  public int[] normalInts() {
    return ints(normal, normalConcat, normalCombine);
  }

  /** The reduction cell as the native genotype ints. */
  public int[] reduceInts() {
    return ints(reduce, reduceConcat, reduceCombine);
  }

  /** {@code [nodes, (op, input) x 2 nodes, n_concat, concat...]}, then a 0/1 combiner per node where a node concatenates. */
  private static int[] ints(List<Gene> genes, List<Integer> concat, List<Combiner> combine) {
    boolean flags = combine.contains(Combiner.CONCAT);
    int[] a = new int[2 + 2 * genes.size() + concat.size() + (flags ? combine.size() : 0)];
    int k = 0;
    a[k++] = genes.size() / 2;
    for (Gene g : genes) {
      a[k++] = g.op().id();
      a[k++] = g.input();
    }
    a[k++] = concat.size();
    for (int c : concat) a[k++] = c;
    if (flags) for (Combiner c : combine) a[k++] = c == Combiner.CONCAT ? 1 : 0;
    return a;
  }

  // ------------------------------------------------------------------ JSON

  /** JSON-ready map (see the class comment). */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("format", "genotype");
    m.put("normal", geneList(normal));
    m.put("normal_concat", new ArrayList<>(normalConcat));
    m.put("reduce", geneList(reduce));
    m.put("reduce_concat", new ArrayList<>(reduceConcat));
    if (hasConcatCombiner()) {
      m.put("normal_combine", normalCombine.stream().map(Combiner::label).toList());
      m.put("reduce_combine", reduceCombine.stream().map(Combiner::label).toList());
    }
    return m;
  }

  private static List<Object> geneList(List<Gene> genes) {
    List<Object> l = new ArrayList<>();
    for (Gene g : genes) l.add(List.of(g.op().label(), g.input()));
    return l;
  }

  /** Indented JSON of {@link #toMap()}. */
  public String toJson() {
    return Json.pretty(toMap());
  }

  /**
   * The genotype of a {@link #toMap()} map, or of an ENAS arch map ({@code "format": "enas-micro"}).
   *
   * @throws IllegalArgumentException naming the key, the gene and what was expected
   */
  public static Genotype fromMap(Map<String, Object> m) {
    if ("enas-micro".equals(m.get("format"))) return of(EnasArch.fromMap(m));
    for (String k : List.of("normal", "normal_concat", "reduce", "reduce_concat")) {
      if (!m.containsKey(k)) throw new IllegalArgumentException("genotype JSON: missing '" + k + "'");
    }
    return new Genotype(parseGenes("normal", m.get("normal")), parseConcat("normal_concat", m.get("normal_concat")),
        parseGenes("reduce", m.get("reduce")), parseConcat("reduce_concat", m.get("reduce_concat")),
        parseCombine("normal_combine", m.get("normal_combine")), parseCombine("reduce_combine", m.get("reduce_combine")));
  }

  /** An optional combiner list: null where absent. */
  private static List<Combiner> parseCombine(String key, Object v) {
    if (v == null) return null;
    if (!(v instanceof List<?> l)) throw new IllegalArgumentException("genotype JSON: '" + key + "' must be a list of \"add\" or \"concat\"");
    List<Combiner> out = new ArrayList<>();
    for (int i = 0; i < l.size(); i++) {
      if (!(l.get(i) instanceof String c)) throw new IllegalArgumentException("genotype JSON: " + key + "[" + i + "] must be \"add\" or \"concat\", got " + l.get(i));
      try {
        out.add(Combiner.fromLabel(c));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("genotype JSON: " + key + "[" + i + "]: " + e.getMessage(), e);
      }
    }
    return out;
  }

  /** The genotype of JSON text ({@link #fromMap}). */
  public static Genotype fromJson(String json) {
    return fromMap(Json.parseObject(json));
  }

  private static List<Gene> parseGenes(String key, Object v) {
    if (!(v instanceof List<?> l)) throw new IllegalArgumentException("genotype JSON: '" + key + "' must be a list of [op, input] pairs");
    List<Gene> out = new ArrayList<>();
    for (int i = 0; i < l.size(); i++) {
      if (!(l.get(i) instanceof List<?> pair) || pair.size() != 2 || !(pair.get(0) instanceof String op)
          || !(pair.get(1) instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
        throw new IllegalArgumentException("genotype JSON: " + key + "[" + i + "] must be [\"op\", input], got " + l.get(i));
      }
      try {
        out.add(new Gene(Op.fromLabel(op), n.intValue()));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("genotype JSON: " + key + "[" + i + "]: " + e.getMessage(), e);
      }
    }
    return out;
  }

  private static List<Integer> parseConcat(String key, Object v) {
    if (!(v instanceof List<?> l)) throw new IllegalArgumentException("genotype JSON: '" + key + "' must be a list of integers");
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < l.size(); i++) {
      if (!(l.get(i) instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
        throw new IllegalArgumentException("genotype JSON: " + key + "[" + i + "] must be an integer, got " + l.get(i));
      }
      out.add(n.intValue());
    }
    return out;
  }

  private static List<Gene> genes(Object... pairs) {
    List<Gene> g = new ArrayList<>();
    for (int i = 0; i < pairs.length; i += 2) g.add(Gene.of((String) pairs[i], (Integer) pairs[i + 1]));
    return g;
  }

  /** DARTS's printed form, e.g. {@code Genotype(normal=[('sep_conv_3x3', 1), ...], normal_concat=[2, 3], ...)}. */
  @Override
  public String toString() {
    String combine = !hasConcatCombiner() ? "" : ", normal_combine=" + normalCombine.stream().map(Combiner::label).toList()
        + ", reduce_combine=" + reduceCombine.stream().map(Combiner::label).toList();
    return "Genotype(normal=" + py(normal) + ", normal_concat=" + normalConcat + ", reduce=" + py(reduce)
        + ", reduce_concat=" + reduceConcat + combine + ")";
  }

  private static String py(List<Gene> genes) {
    StringBuilder sb = new StringBuilder("[");
    for (Gene g : genes) sb.append(sb.length() > 1 ? ", " : "").append("('").append(g.op().label()).append("', ").append(g.input()).append(')');
    return sb.append(']').toString();
  }
}
