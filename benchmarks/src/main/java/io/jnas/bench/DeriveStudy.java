package io.jnas.bench;

import io.jnas.data.BatchLoader;
import io.jnas.data.DataSource;
import io.jnas.data.Datasets;
import io.jnas.data.Splits;
import io.jnas.enas.EnasSearch;
import io.jnas.enas.Supernet;
import io.jnas.tensor.IntTensor;
import io.jnas.tensor.Tensor;
import io.jnas.controller.SplitMix64;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * The raw material for studying derivation rules (issue 14): opens a finished ENAS micro search
 * ({@code --run DIR}), samples {@code --candidates} architectures from its trained controller and
 * {@code --random} uniformly random ones, and scores every one with the final shared weights on
 * every batch of the validation split and then of the test split (evaluation transform, in
 * order). The run is opened as {@code jnas search --resume} opens it (locked while the study
 * runs; its log gains a {@code resume} event), and nothing else in it changes. Writes a JSON
 * matrix: per architecture its kind ({@code c} controller, {@code r} random), its arc, its
 * correct count and mean loss on each batch. Which batches select and which score held out is
 * then a question for the matrix, not for new searches.
 *
 * <p>Usage: {@code DeriveStudy --run DIR [--candidates 100] [--random 300] [--seed 0] [--eval-batch B: images per
 * evaluation, so per batch-norm statistic; default the search's batch] [--checks true: also the cells of the run's
 * verify.json and ranking.json, kind {@code k}] [--test false: the validation split only] --out FILE}
 */
public final class DeriveStudy {
  private DeriveStudy() {}

  /**
   * Writes {@code head} (a JSON object's opening and its first keys, ending in a comma and a
   * newline), then {@code "hits"} and {@code "loss"}: one row per architecture, one column per
   * batch. {@link SupernetLearning}'s {@code --matrix} writes the same keys.
   */
  static void writeMatrix(Path file, StringBuilder head, int[][] hits, float[][] loss) throws java.io.IOException {
    head.append("\"hits\": [");
    for (int i = 0; i < hits.length; i++) head.append(i == 0 ? "" : ",\n").append(Arrays.toString(hits[i]));
    head.append("],\n\"loss\": [");
    for (int i = 0; i < loss.length; i++) head.append(i == 0 ? "" : ",\n").append(Arrays.toString(loss[i]));
    Files.writeString(file, head.append("]}\n").toString());
  }

  /**
   * The cells the run trained from scratch: {@code verify.json}'s derived cell and its random
   * ones, then {@code ranking.json}'s rows, each file where it exists (kind {@code k} in the
   * matrix, in that order), so that their shared-weight scores on every batch can be set beside
   * their from-scratch accuracies.
   */
  static java.util.List<int[]> checkedArcs(Path run) throws java.io.IOException {
    java.util.List<int[]> out = new java.util.ArrayList<>();
    java.util.List<String> arcs = new java.util.ArrayList<>();
    Path verify = run.resolve("verify.json"), ranking = run.resolve("ranking.json");
    if (Files.exists(verify)) {
      var v = io.jnas.util.Json.parseObject(Files.readString(verify));
      arcs.add((String) v.get("derived_arc"));
      for (Object r : (java.util.List<?>) v.get("random")) arcs.add((String) ((java.util.Map<?, ?>) r).get("arc"));
    }
    if (Files.exists(ranking)) {
      for (Object r : (java.util.List<?>) io.jnas.util.Json.parseObject(Files.readString(ranking)).get("rows")) {
        arcs.add((String) ((java.util.Map<?, ?>) r).get("arc"));
      }
    }
    for (String a : arcs) out.add(Arrays.stream(a.strip().split(" +")).mapToInt(Integer::parseInt).toArray());
    return out;
  }

  public static void main(String[] args) throws Exception {
    String run = null, out = null;
    int nc = 100, nr = 300, evalBatch = 0;
    long seed = 0;
    boolean checks = false, test = true;
    for (int i = 0; i < args.length; i += 2) {
      switch (args[i]) {
        case "--run" -> run = args[i + 1];
        case "--out" -> out = args[i + 1];
        case "--candidates" -> nc = Integer.parseInt(args[i + 1]);
        case "--random" -> nr = Integer.parseInt(args[i + 1]);
        case "--seed" -> seed = Long.parseLong(args[i + 1]);
        case "--eval-batch" -> evalBatch = Integer.parseInt(args[i + 1]);
        case "--checks" -> checks = Boolean.parseBoolean(args[i + 1]);
        case "--test" -> test = Boolean.parseBoolean(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown flag " + args[i]);
      }
    }
    if (run == null || out == null) throw new IllegalArgumentException("usage: DeriveStudy --run DIR --out FILE");
    try (EnasSearch s = EnasSearch.resume(Path.of(run), null)) {
      if (s.epochsDone() < s.settings().child().epochs()) throw new IllegalArgumentException(run + ": the search is not finished");
      Supernet net = s.supernet();
      DataSource src = Datasets.open(s.settings().data());
      Splits sp = s.settings().validation() < 0 ? src.splits() : src.splits(s.settings().validation());
      int b = evalBatch > 0 ? evalBatch : s.settings().child().batch(), nodes = s.settings().net().nodes();
      SplitMix64 rng = new SplitMix64(seed * 0x9E3779B97F4A7C15L + 12345);
      java.util.List<int[]> checked = checks ? checkedArcs(Path.of(run)) : java.util.List.of();
      int n = nc + nr + checked.size();
      int[][] arcs = new int[n][];
      for (int i = 0; i < nc; i++) arcs[i] = s.controller().sample(rng).actions();
      java.util.SplittableRandom ur = new java.util.SplittableRandom(seed + 777);
      for (int i = 0; i < checked.size(); i++) arcs[nc + nr + i] = checked.get(i);
      for (int i = nc; i < nc + nr; i++) {
        int[] a = new int[8 * nodes];
        System.arraycopy(SupernetLearning.arc(ur, nodes, false), 0, a, 0, 4 * nodes);
        System.arraycopy(SupernetLearning.arc(ur, nodes, false), 0, a, 4 * nodes, 4 * nodes);
        arcs[i] = a;
      }
      int[][] h = new int[n][];
      float[][] l = new float[n][];
      long t0 = System.nanoTime();
      try (Tensor x = Tensor.zeros(b, sp.validation().channels(), sp.validation().height(), sp.validation().width());
          IntTensor y = IntTensor.zeros(b)) {
        var splits = new io.jnas.data.Dataset[] {sp.validation(), sp.test()};
        int[] per = {splits[0].size() / b, test ? splits[1].size() / b : 0};
        int total = per[0] + per[1];
        for (int i = 0; i < n; i++) {
          h[i] = new int[total];
          l[i] = new float[total];
        }
        int col = 0;
        for (int k = 0; k < 2; k++) {
          try (BatchLoader v = BatchLoader.builder(splits[k]).batchSize(b).shuffle(false).augmentation(src.evalAugmentation())
              .workers(0).dropLast(true).build(); BatchLoader.Epoch e = v.epoch(0)) {
            for (int q = 0; q < per[k]; q++, col++) {
              e.next(x, y);
              for (int i = 0; i < n; i++) {
                int half = arcs[i].length / 2;
                Supernet.Result r = net.evaluate(Arrays.copyOfRange(arcs[i], 0, half), Arrays.copyOfRange(arcs[i], half, arcs[i].length), x, y);
                h[i][col] = r.correct();
                l[i][col] = r.loss();
              }
              System.err.printf(Locale.ROOT, "batch %d/%d (%.0f s)%n", col + 1, total, (System.nanoTime() - t0) / 1e9);
            }
          }
        }
        StringBuilder sb = new StringBuilder("{\"batch\": " + b + ", \"validation_batches\": " + per[0] + ", \"kind\": [");
        for (int i = 0; i < n; i++) sb.append(i == 0 ? "" : ",").append(i < nc ? "\"c\"" : i < nc + nr ? "\"r\"" : "\"k\"");
        sb.append("],\n\"arc\": [");
        for (int i = 0; i < n; i++) sb.append(i == 0 ? "" : ",").append(Arrays.toString(arcs[i]));
        writeMatrix(Path.of(out), sb.append("],\n"), h, l);
      }
    }
  }
}
