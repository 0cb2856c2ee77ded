package io.jnas.cli;

import io.jnas.backend.BackendInfo;
import io.jnas.backend.Backends;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/**
 * {@code jnas info}: version, backend in use and why, threads, GPUs; with {@code --genotype} a
 * final network's size, with {@code --space} a search space's size and decisions.
 */
final class InfoCommand implements Command {
  @Override
  public String name() {
    return "info";
  }

  @Override
  public String summary() {
    return "print the version, the backend in use and why, CPU threads, GPUs";
  }

  @Override
  public Options options() {
    return new Options(name()).flag("json", "print one JSON object instead of text")
        .value("genotype", "NAME|FILE", null, "also print a final network's weight count and forward FLOPs per image (enas-macro: ENAS's 24-layer macro network at --channels)")
        .value("layers", "L", "15", "with --genotype: cells, reductions included")
        .value("channels", "C", "36", "with --genotype: channels of the first cells")
        .value("classes", "V", "10", "with --genotype: classes")
        .value("image", "CxHxW", "3x32x32", "with --genotype: input shape")
        .value("space", "S", null, "print a search space's size and its decisions: " + String.join(", ", io.jnas.space.Spaces.names()))
        .value("nodes", "B", "5", "with --space: nodes (blocks) per cell of a cell space (--layers: enas-macro's layers, default 12)");
  }

  @Override
  public int run(Options.Parsed args, PrintStream out) {
    if (args.has("space")) return spaceInfo(args, out);
    if (args.has("genotype")) return networkInfo(args, out);
    BackendInfo i = Backends.info();
    int blas = openblasThreads();
    if (args.flag("json")) {
      StringBuilder sb = new StringBuilder();
      sb.append("{\"version\":\"").append(Main.version()).append("\",\"backend\":\"").append(i.backend().id())
          .append("\",\"reason\":").append(quote(i.reason())).append(",\"cpu_threads\":").append(i.cpuThreads())
          .append(",\"openblas_threads\":").append(blas).append(",\"cpu_isa\":\"").append(Backends.cpuIsa())
          .append("\",\"cuda_built\":").append(i.cudaBuilt())
          .append(",\"backends_compiled\":[");
      for (int k = 0; k < i.compiled().size(); k++) sb.append(k > 0 ? "," : "").append(quote(i.compiled().get(k)));
      sb.append("],\"gpus\":[");
      for (int k = 0; k < i.gpus().size(); k++) {
        BackendInfo.Gpu g = i.gpus().get(k);
        if (k > 0) sb.append(',');
        sb.append("{\"index\":").append(g.index()).append(",\"name\":").append(quote(g.name()))
            .append(",\"total_bytes\":").append(g.totalBytes()).append(",\"free_bytes\":").append(g.freeBytes())
            .append(",\"compute_capability\":\"").append(g.computeCapability()).append("\"}");
      }
      out.println(sb.append("]}"));
      return 0;
    }
    out.println("jnas " + Main.version());
    out.println("java             " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")");
    out.println("backend          " + i.backend().id() + "  (" + i.reason() + ")");
    out.println("cpu threads      " + i.cpuThreads() + " jnas, " + blas + " OpenBLAS (inside jnas's), "
        + Runtime.getRuntime().availableProcessors() + " available");
    out.println("cpu kernels      " + Backends.cpuIsa() + " (JNAS_CPU_ISA=avx2 forces AVX2)");
    out.println("cuda in build    " + (i.cudaBuilt() ? "yes" : "no"));
    out.println("backends built   " + String.join(", ", i.compiled()));
    if (i.gpus().isEmpty()) {
      out.println("gpus             none");
    }
    for (BackendInfo.Gpu g : i.gpus()) {
      out.println(String.format(Locale.ROOT, "gpu %d            %s, compute %s, %.1f GiB (%.1f GiB free)", g.index(),
          g.name(), g.computeCapability(), g.totalBytes() / 1073741824.0, g.freeBytes() / 1073741824.0));
    }
    return 0;
  }

  private static int networkInfo(Options.Parsed a, PrintStream out) {
    String[] dims = a.string("image").split("x");
    int[] d = new int[3];
    if (dims.length != 3) throw new UsageException("info: --image is '" + a.string("image") + "', expected CxHxW, e.g. 3x32x32");
    for (int k = 0; k < 3; k++) {
      try {
        d[k] = Integer.parseInt(dims[k].trim());
      } catch (NumberFormatException e) {
        throw new UsageException("info: --image is '" + a.string("image") + "', expected CxHxW, e.g. 3x32x32");
      }
    }
    if (a.string("genotype").strip().equalsIgnoreCase("enas-macro")) return macroInfo(a, d, out);
    io.jnas.genotype.Genotype g = io.jnas.genotype.Genotype.resolve(a.string("genotype"));
    var cfg = new io.jnas.train.FinalNetwork.Config(g, a.integer("channels", 2), a.integer("layers", 1),
        a.integer("classes", 2), d[0], d[1], d[2], true, 1);
    // on the dry backend: sizes and FLOPs without allocating the network (any size answers)
    try (var dry = Backends.dry(); var net = new io.jnas.train.FinalNetwork(cfg, dry)) {
      long w = net.numWeights(), wa = net.numWeightsWithAux();
      double f = net.forwardFlops();
      if (a.flag("json")) {
        out.println(String.format(Locale.ROOT, "{\"genotype\":%s,\"layers\":%d,\"channels\":%d,\"classes\":%d,\"image\":\"%s\","
            + "\"num_weights\":%d,\"num_weights_with_aux\":%d,\"forward_flops_per_image\":%.0f}", quote(a.string("genotype")),
            cfg.layers(), cfg.channels(), cfg.numClasses(), a.string("image"), w, wa, f));
      } else {
        out.println(String.format(Locale.ROOT, "%s, %d layers, %d channels, %d classes, %s images:", a.string("genotype"),
            cfg.layers(), cfg.channels(), cfg.numClasses(), a.string("image")));
        out.println(String.format(Locale.ROOT, "  weights          %,d (%.2fM; %,d with the auxiliary head)", w, w / 1e6, wa));
        out.println(String.format(Locale.ROOT, "  forward FLOPs    %.1fM per image (2 x multiply-adds; %.1fM multiply-adds)", f / 1e6, f / 2e6));
      }
    }
    return 0;
  }

  /** {@code --genotype enas-macro}: ENAS's published macro network ({@code MacroArch.ENAS_MACRO_FINAL}, 24 layers) at --channels. */
  private static int macroInfo(Options.Parsed a, int[] d, PrintStream out) {
    io.jnas.enas.MacroArch arch = io.jnas.enas.MacroArch.ENAS_MACRO_FINAL;
    var cfg = new io.jnas.enas.MacroNetwork.Config(arch, a.integer("channels", 2), a.integer("classes", 2), d[0], d[1], d[2], 1);
    try (var dry = Backends.dry(); var net = new io.jnas.enas.MacroNetwork(cfg, dry)) {
      long w = net.numWeights();
      double f = net.forwardFlops();
      if (a.flag("json")) {
        out.println(String.format(Locale.ROOT, "{\"genotype\":\"enas-macro\",\"layers\":%d,\"channels\":%d,\"classes\":%d,"
            + "\"image\":\"%s\",\"num_weights\":%d,\"forward_flops_per_image\":%.0f}", arch.layers(), cfg.channels(),
            cfg.numClasses(), a.string("image"), w, f));
      } else {
        out.println(String.format(Locale.ROOT, "enas-macro, %d layers, %d channels, %d classes, %s images:", arch.layers(),
            cfg.channels(), cfg.numClasses(), a.string("image")));
        out.println(String.format(Locale.ROOT, "  weights          %,d (%.2fM)", w, w / 1e6));
        out.println(String.format(Locale.ROOT, "  forward FLOPs    %.1fM per image (2 x multiply-adds; %.1fM multiply-adds)", f / 1e6, f / 2e6));
      }
    }
    return 0;
  }

  /** {@code --space S}: log10 of the space's architectures and vectors, then every decision with its choices. */
  private static int spaceInfo(Options.Parsed a, PrintStream out) {
    io.jnas.space.SearchSpace<?> sp;
    try {
      sp = io.jnas.space.Spaces.any(a.string("space"), a.integer("nodes", 1),
          a.has("layers") ? a.integer("layers", 1) : io.jnas.enas.MacroArch.DEFAULT_LAYERS);
    } catch (IllegalArgumentException e) {
      throw new UsageException("info: --space: " + e.getMessage());
    }
    int n = sp.numDecisions();
    if (a.flag("json")) {
      StringBuilder sb = new StringBuilder("{\"space\":").append(quote(sp.name()))
          .append(String.format(Locale.ROOT, ",\"log10_architectures\":%.4f,\"log10_vectors\":%.4f,\"decisions\":[",
              sp.log10Architectures(), sp.log10Vectors()));
      for (int i = 0; i < n; i++) {
        sb.append(i > 0 ? "," : "").append("{\"name\":").append(quote(sp.decisionName(i))).append(",\"choices\":[");
        for (int k = 0; k < sp.numChoices(i); k++) sb.append(k > 0 ? "," : "").append(quote(sp.choiceLabel(i, k)));
        sb.append("]}");
      }
      out.println(sb.append("]}"));
      return 0;
    }
    out.println(String.format(Locale.ROOT, "%s: 10^%.2f architectures (10^%.2f decision vectors), %d decisions:", sp.name(),
        sp.log10Architectures(), sp.log10Vectors(), n));
    int w = 0;
    for (int i = 0; i < n; i++) w = Math.max(w, sp.decisionName(i).length());
    for (int i = 0; i < n; i++) {
      List<String> labels = new java.util.ArrayList<>();
      for (int k = 0; k < sp.numChoices(i); k++) labels.add(sp.choiceLabel(i, k));
      out.println(String.format(Locale.ROOT, "  %3d  %-" + w + "s  %2d: %s", i, sp.decisionName(i), sp.numChoices(i),
          String.join(" ", labels)));
    }
    return 0;
  }

  private static int openblasThreads() {
    try {
      return io.jnas.backend.Backends.blasThreads();
    } catch (Throwable t) {
      return -1;
    }
  }

  static String quote(String s) {
    StringBuilder sb = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        default -> sb.append(c < 0x20 ? String.format("\\u%04x", (int) c) : String.valueOf(c));
      }
    }
    return sb.append('"').toString();
  }
}
