package io.jnas.nasbench;

import io.jnas.space.NasBench201Space;
import io.jnas.space.Nb201Cell;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The NAS-Bench-201 table in memory: validation and test accuracy (percent, as doubles: the
 * file's decimals, not widened floats) of each of the
 * 15,625 cells on each {@link Nb201Dataset}, indexed by {@link NasBench201Space#index}.
 *
 * <p>The CSV has a header naming at least {@code cellstr} and, for each data set,
 * {@code <prefix>-test} and {@code <prefix>-val}; columns are found by name. Every cell must
 * appear exactly once.
 */
public final class NasBench201Table {
  /** Number of cells of the space. */
  public static final int SIZE = 15_625;

  private final Path source;
  // doubles, so that 82.91 in the file is 82.91 in results.json (a float widened is 82.91000366)
  private final double[][] val = new double[Nb201Dataset.values().length][SIZE];
  private final double[][] test = new double[Nb201Dataset.values().length][SIZE];

  private NasBench201Table(Path source) {
    this.source = source;
  }

  /** The file the table was read from. */
  public Path source() {
    return source;
  }

  /**
   * Reads the CSV.
   *
   * @throws NoSuchFileException where the file is absent (its message is the path)
   * @throws IllegalArgumentException for a bad header or row: {@code FILE:LINE: what}
   */
  public static NasBench201Table load(Path file) throws IOException {
    NasBench201Table t = new NasBench201Table(file);
    NasBench201Space space = new NasBench201Space();
    boolean[] seen = new boolean[SIZE];
    int[] seenLine = new int[SIZE];
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String header = r.readLine();
      if (header == null) throw new IllegalArgumentException(file + ":1: empty file, expected a CSV header");
      String[] names = header.trim().split(",", -1);
      Map<String, Integer> col = new HashMap<>();
      for (int i = 0; i < names.length; i++) col.put(names[i].trim(), i);
      int cellCol = need(col, "cellstr", file);
      int nd = Nb201Dataset.values().length;
      int[] valCol = new int[nd], testCol = new int[nd];
      for (Nb201Dataset d : Nb201Dataset.values()) {
        valCol[d.ordinal()] = need(col, d.column() + "-val", file);
        testCol[d.ordinal()] = need(col, d.column() + "-test", file);
      }
      String line;
      int lineNo = 1;
      while ((line = r.readLine()) != null) {
        lineNo++;
        if (line.isBlank()) continue;
        String[] f = line.split(",", -1);
        if (f.length != names.length) {
          throw new IllegalArgumentException(file + ":" + lineNo + ": expected " + names.length + " columns, got " + f.length);
        }
        Nb201Cell cell;
        try {
          cell = Nb201Cell.parse(f[cellCol].trim());
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(file + ":" + lineNo + ": " + e.getMessage(), e);
        }
        int k = NasBench201Space.index(space.encode(cell));
        if (seen[k]) {
          throw new IllegalArgumentException(file + ":" + lineNo + ": cell " + cell + " already on line " + seenLine[k]);
        }
        seen[k] = true;
        seenLine[k] = lineNo;
        for (int d = 0; d < nd; d++) {
          t.val[d][k] = number(f, valCol[d], names, file, lineNo);
          t.test[d][k] = number(f, testCol[d], names, file, lineNo);
        }
      }
    }
    for (int k = 0; k < SIZE; k++) {
      if (!seen[k]) {
        int missing = 0;
        for (boolean s : seen) if (!s) missing++;
        int[] d = NasBench201Space.decisions(k);
        throw new IllegalArgumentException(file + ": " + missing + " of " + SIZE + " cells are missing, e.g. " + space.decode(d));
      }
    }
    return t;
  }

  private static int need(Map<String, Integer> col, String name, Path file) {
    Integer i = col.get(name);
    if (i == null) throw new IllegalArgumentException(file + ":1: no column '" + name + "' in the header");
    return i;
  }

  private static double number(String[] f, int c, String[] names, Path file, int lineNo) {
    String s = f[c].trim();
    try {
      double v = Double.parseDouble(s);
      if (!Double.isFinite(v)) throw new NumberFormatException();
      return v;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(file + ":" + lineNo + ": column " + names[c] + " is '" + s + "', expected a number");
    }
  }

  /** Validation accuracy (percent) of the cell with this decision vector. */
  public double validation(Nb201Dataset d, int[] decisions) {
    return val[d.ordinal()][NasBench201Space.index(decisions)];
  }

  /** Test accuracy (percent) of the cell with this decision vector. */
  public double test(Nb201Dataset d, int[] decisions) {
    return test[d.ordinal()][NasBench201Space.index(decisions)];
  }

  /** The highest test accuracy of any cell (the oracle). */
  public double bestTest(Nb201Dataset d) {
    double b = Double.NEGATIVE_INFINITY;
    for (double v : test[d.ordinal()]) b = Math.max(b, v);
    return b;
  }

  /**
   * The test accuracy of the cell with the highest validation accuracy (the first such): the
   * ceiling a search rewarded by validation accuracy can reach.
   */
  public double testOfBestValidation(Nb201Dataset d) {
    return test(d, bestValidation(d));
  }

  /** The decision vector of the cell with the highest validation accuracy (the first such in index order). */
  public int[] bestValidation(Nb201Dataset d) {
    double[] v = val[d.ordinal()];
    int arg = 0;
    for (int k = 1; k < v.length; k++) if (v[k] > v[arg]) arg = k;
    return NasBench201Space.decisions(arg);
  }

  /** The test accuracies of every cell, by index (a copy). */
  public double[] testColumn(Nb201Dataset d) {
    return Arrays.copyOf(test[d.ordinal()], SIZE);
  }

  /** The validation accuracies of every cell, by index (a copy). */
  public double[] validationColumn(Nb201Dataset d) {
    return Arrays.copyOf(val[d.ordinal()], SIZE);
  }
}
