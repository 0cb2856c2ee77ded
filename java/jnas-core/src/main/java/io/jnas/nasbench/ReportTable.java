package io.jnas.nasbench;

import io.jnas.space.NasBench201Space;
import io.jnas.space.Nb201Cell;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A second NAS-Bench-201 table used only to report a benchmark's picks, e.g. the test
 * accuracies after longer training that the literature reports, while the search is still
 * rewarded by the main table's validation accuracy. Same CSV format as
 * {@link NasBench201Table}; only {@code cellstr} and the data set's {@code <prefix>-test}
 * column are read, and cells may be missing (a pick outside the table has no report accuracy:
 * NaN). Joined with the picks by cell (the string's form does not matter, the cell does).
 */
public final class ReportTable {
  private final Path source;
  private final Nb201Dataset dataset;
  private final double[] test = new double[NasBench201Table.SIZE];
  private int covered;

  private ReportTable(Path source, Nb201Dataset dataset) {
    this.source = source;
    this.dataset = dataset;
    Arrays.fill(test, Double.NaN);
  }

  /**
   * Reads the CSV's cells and test accuracies on {@code d}.
   *
   * @throws java.nio.file.NoSuchFileException where the file is absent
   * @throws IllegalArgumentException for a bad header or row: {@code FILE:LINE: what}
   */
  public static ReportTable load(Path file, Nb201Dataset d) throws IOException {
    ReportTable t = new ReportTable(file, d);
    NasBench201Space space = new NasBench201Space();
    int[] seenLine = new int[NasBench201Table.SIZE];
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String header = r.readLine();
      if (header == null) throw new IllegalArgumentException(file + ":1: empty file, expected a CSV header");
      String[] names = header.trim().split(",", -1);
      int cellCol = -1, testCol = -1;
      for (int i = 0; i < names.length; i++) {
        if (names[i].trim().equals("cellstr")) cellCol = i;
        if (names[i].trim().equals(d.column() + "-test")) testCol = i;
      }
      if (cellCol < 0) throw new IllegalArgumentException(file + ":1: no column 'cellstr' in the header");
      if (testCol < 0) throw new IllegalArgumentException(file + ":1: no column '" + d.column() + "-test' in the header");
      String line;
      int lineNo = 1;
      while ((line = r.readLine()) != null) {
        lineNo++;
        if (line.isBlank()) continue;
        String[] f = line.split(",", -1);
        if (f.length != names.length) {
          throw new IllegalArgumentException(file + ":" + lineNo + ": expected " + names.length + " columns, got " + f.length);
        }
        int k;
        try {
          k = NasBench201Space.index(space.encode(Nb201Cell.parse(f[cellCol].trim())));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(file + ":" + lineNo + ": " + e.getMessage(), e);
        }
        if (seenLine[k] != 0) {
          throw new IllegalArgumentException(file + ":" + lineNo + ": cell " + f[cellCol].trim() + " already on line " + seenLine[k]);
        }
        seenLine[k] = lineNo;
        String v = f[testCol].trim();
        try {
          t.test[k] = Double.parseDouble(v);
          if (!Double.isFinite(t.test[k])) throw new NumberFormatException();
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(file + ":" + lineNo + ": column " + names[testCol].trim() + " is '" + v + "', expected a number");
        }
        t.covered++;
      }
    }
    if (t.covered == 0) throw new IllegalArgumentException(file + ": no cells");
    return t;
  }

  /** The file read. */
  public Path source() {
    return source;
  }

  /** The data set whose test column was read. */
  public Nb201Dataset dataset() {
    return dataset;
  }

  /** Number of cells the table has. */
  public int covered() {
    return covered;
  }

  /** Test accuracy (percent) of a cell given as its string, or NaN where the table lacks it. */
  public double test(String cell) {
    return test[NasBench201Space.index(new NasBench201Space().encode(Nb201Cell.parse(cell)))];
  }

  /** Test accuracy (percent) of the cell with this decision vector, or NaN where the table lacks it. */
  public double test(int[] decisions) {
    return test[NasBench201Space.index(decisions)];
  }

  /** The highest test accuracy of any cell in the table. */
  public double bestTest() {
    double b = Double.NEGATIVE_INFINITY;
    for (double v : test) if (!Double.isNaN(v)) b = Math.max(b, v);
    return b;
  }
}
