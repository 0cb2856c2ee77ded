package io.jnas.plot;

import java.awt.AlphaComposite;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Line plot with optional shaded bands (e.g. mean ± one standard deviation), dots at the
 * points ({@link #markers()}), dashed horizontal reference lines ({@link #hline}), and whole
 * number ticks on x ({@link #integerX()}, for epochs), drawn with Java2D into a
 * {@link BufferedImage}; works headless. Usage:
 * {@code new LinePlot("title", "x", "y").series("random", x, mean, lo, hi).writePng(path, 900, 600)}.
 */
public final class LinePlot {
  private static final class Series {
    final String name;
    final double[] x, y, lo, hi;
    boolean markers, dashed;

    Series(String name, double[] x, double[] y, double[] lo, double[] hi) {
      this.name = name;
      this.x = x;
      this.y = y;
      this.lo = lo;
      this.hi = hi;
    }
  }

  private record HLine(String name, double y) {}

  private static final Color REFERENCE = new Color(120, 120, 120);

  private final String title;
  private final String xLabel;
  private final String yLabel;
  private final List<Series> series = new ArrayList<>();
  private final List<HLine> hlines = new ArrayList<>();
  private double yMin = Double.NaN;
  private double yMax = Double.NaN;
  private Frame.Corner legendCorner = Frame.Corner.LOWER_RIGHT;
  private boolean legendBest;
  private boolean integerX;
  /** Where the last {@link #render} put the legend, and the y range it used (for tests). */
  Frame.Corner lastCorner;
  double[] lastYRange;

  /** An empty plot with its title and axis labels. */
  public LinePlot(String title, String xLabel, String yLabel) {
    this.title = title;
    this.xLabel = xLabel;
    this.yLabel = yLabel;
  }

  /**
   * Adds a curve; {@code lo} and {@code hi} (both or neither, may be null) bound a shaded band.
   *
   * @throws IllegalArgumentException where the arrays' lengths differ
   */
  public LinePlot series(String name, double[] x, double[] y, double[] lo, double[] hi) {
    if (x.length != y.length || (lo == null) != (hi == null) || (lo != null && (lo.length != x.length || hi.length != x.length))) {
      throw new IllegalArgumentException("plot: series " + name + " has arrays of different lengths");
    }
    series.add(new Series(name, x.clone(), y.clone(), lo == null ? null : lo.clone(), hi == null ? null : hi.clone()));
    return this;
  }

  /**
   * Draws a dot at every point of the series added last (so that a series of one point shows).
   *
   * @throws IllegalStateException if no series was added yet
   */
  public LinePlot markers() {
    if (series.isEmpty()) throw new IllegalStateException("plot: markers() before any series");
    series.get(series.size() - 1).markers = true;
    return this;
  }

  /**
   * Draws the series added last dashed.
   *
   * @throws IllegalStateException if no series was added yet
   */
  public LinePlot dashed() {
    if (series.isEmpty()) throw new IllegalStateException("plot: dashed() before any series");
    series.get(series.size() - 1).dashed = true;
    return this;
  }

  /** A dashed grey horizontal line at {@code y} across the plot, named in the legend (e.g. chance). */
  public LinePlot hline(String name, double y) {
    hlines.add(new HLine(name, y));
    return this;
  }

  /** Ticks on the x axis at whole numbers only (epochs), with half a step of room at both ends for the dots. */
  public LinePlot integerX() {
    this.integerX = true;
    return this;
  }

  /**
   * Puts the legend in the corner where it hides the fewest points of the curves; where every
   * corner hides some (and the y range is not fixed), the y range grows upwards to make room.
   */
  public LinePlot legendBest() {
    this.legendBest = true;
    return this;
  }

  /** Fixes the y range (otherwise it spans every value and band, padded by 5%). */
  public LinePlot yRange(double min, double max) {
    this.yMin = min;
    this.yMax = max;
    return this;
  }

  /** Puts the legend in the lower right (default, true) or the upper right (false). */
  public LinePlot legendLowerRight(boolean lowerRight) {
    this.legendCorner = lowerRight ? Frame.Corner.LOWER_RIGHT : Frame.Corner.UPPER_RIGHT;
    this.legendBest = false;
    return this;
  }

  /** The title. */
  public String title() {
    return title;
  }

  /** The legend's names in order: reference lines first, then the series. */
  public List<String> legendNames() {
    List<String> names = new ArrayList<>();
    for (HLine h : hlines) names.add(h.name);
    for (Series s : series) names.add(s.name);
    return names;
  }

  /**
   * A curve's points {@code {x, y}} (copies), or a reference line's {@code {{}, {y}}}.
   *
   * @throws IllegalArgumentException if no series or line has that name
   */
  public double[][] data(String name) {
    for (Series s : series) if (s.name.equals(name)) return new double[][] {s.x.clone(), s.y.clone()};
    for (HLine h : hlines) if (h.name.equals(name)) return new double[][] {{}, {h.y}};
    throw new IllegalArgumentException("plot: no series '" + name + "'; have " + legendNames());
  }

  /** Draws the plot. */
  public BufferedImage render(int width, int height) {
    List<double[]> xs = new ArrayList<>(), ys = new ArrayList<>();
    for (Series s : series) {
      xs.add(s.x);
      ys.add(s.y);
      ys.add(s.lo);
      ys.add(s.hi);
    }
    if (!hlines.isEmpty()) ys.add(hlines.stream().mapToDouble(HLine::y).toArray());
    double[] xr = Frame.range(xs, 0);
    if (integerX) {
      double pad = Math.max(0.3, 0.02 * (xr[1] - xr[0]));
      xr = new double[] {xr[0] - pad, xr[1] + pad};
    }
    double[] yr = Frame.range(ys, 0.05);
    if (!Double.isNaN(yMin)) yr = new double[] {yMin, yMax};
    List<Frame.Entry> legend = new ArrayList<>();
    for (HLine h : hlines) legend.add(new Frame.Entry(h.name, REFERENCE, true, false, true));
    for (int k = 0; k < series.size(); k++) {
      Series s = series.get(k);
      legend.add(new Frame.Entry(s.name, Frame.PALETTE[k % Frame.PALETTE.length], true, s.markers || s.x.length == 1, s.dashed));
    }
    Frame f = new Frame(width, height, xr[0], xr[1], yr[0], yr[1], false);
    Frame.Corner corner = legendCorner;
    if (legendBest && !legend.isEmpty()) {
      corner = bestCorner(f, legend);
      if (covered(f, legend, corner) > 0 && Double.isNaN(yMin)) {
        // every corner hides some of the curves: make room above them for the legend
        f.g.dispose();
        int[] box = f.legendBox(legend, corner);
        double room = (f.bottom - f.top) / (double) Math.max(1, f.bottom - f.top - box[3] - 20);
        f = new Frame(width, height, xr[0], xr[1], yr[0], yr[0] + (yr[1] - yr[0]) * room, false);
        corner = bestCorner(f, legend);
      }
    }
    lastCorner = corner;
    lastYRange = new double[] {f.y0, f.y1};
    f.integerX = integerX;
    f.axes(title, xLabel, yLabel);
    f.clip();
    for (HLine h : hlines) {
      f.g.setColor(REFERENCE);
      f.g.setStroke(Frame.dashed(1.5f));
      f.g.draw(new Line2D.Double(f.left, f.py(h.y), f.right, f.py(h.y)));
    }
    for (int k = 0; k < series.size(); k++) {
      Series s = series.get(k);
      Color c = Frame.PALETTE[k % Frame.PALETTE.length];
      if (s.lo != null) {
        Path2D band = new Path2D.Double();
        for (int i = 0; i < s.x.length; i++) {
          if (i == 0) band.moveTo(f.px(s.x[i]), f.py(s.hi[i]));
          else band.lineTo(f.px(s.x[i]), f.py(s.hi[i]));
        }
        for (int i = s.x.length - 1; i >= 0; i--) band.lineTo(f.px(s.x[i]), f.py(s.lo[i]));
        band.closePath();
        f.g.setComposite(AlphaComposite.getInstance(AlphaComposite.SRC_OVER, 0.18f));
        f.g.setColor(c);
        f.g.fill(band);
        f.g.setComposite(AlphaComposite.SrcOver);
      }
      Path2D line = new Path2D.Double();
      for (int i = 0; i < s.x.length; i++) {
        if (i == 0) line.moveTo(f.px(s.x[i]), f.py(s.y[i]));
        else line.lineTo(f.px(s.x[i]), f.py(s.y[i]));
      }
      f.g.setColor(c);
      f.g.setStroke(s.dashed ? Frame.dashed(2.2f) : new BasicStroke(2.2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
      f.g.draw(line);
      if (s.markers || s.x.length == 1) {  // a line through one point would not show
        for (int i = 0; i < s.x.length; i++) f.g.fill(new Ellipse2D.Double(f.px(s.x[i]) - 4.5, f.py(s.y[i]) - 4.5, 9, 9));
      }
    }
    if (!legend.isEmpty()) f.legend(legend, corner);
    f.g.dispose();
    return f.image;
  }

  /** The corner whose legend box covers the fewest points of the curves; ties: the preferred corner, then lower right, upper right, upper left. */
  private Frame.Corner bestCorner(Frame f, List<Frame.Entry> legend) {
    Frame.Corner best = legendCorner;
    long fewest = Long.MAX_VALUE;
    List<Frame.Corner> order = new ArrayList<>(List.of(Frame.Corner.LOWER_RIGHT, Frame.Corner.UPPER_RIGHT,
        Frame.Corner.UPPER_LEFT, Frame.Corner.LOWER_LEFT));
    order.remove(legendCorner);
    order.add(0, legendCorner);
    for (Frame.Corner c : order) {
      long n = covered(f, legend, c);
      if (n < fewest) {
        fewest = n;
        best = c;
      }
    }
    return best;
  }

  /** How much of the curves (points sampled along each segment, dots, reference lines) the legend hides at {@code c}. */
  private long covered(Frame f, List<Frame.Entry> legend, Frame.Corner c) {
    int[] b = f.legendBox(legend, c);
    long n = 0;
    for (Series s : series) {
      for (int i = 0; i + 1 < s.x.length; i++) {
        for (int t = 0; t < 20; t++) {
          double u = t / 20.0;
          n += inside(b, f.px(s.x[i] + u * (s.x[i + 1] - s.x[i])), f.py(s.y[i] + u * (s.y[i + 1] - s.y[i])));
        }
      }
      for (int i = 0; i < s.x.length; i++) n += 20 * inside(b, f.px(s.x[i]), f.py(s.y[i]));
    }
    for (HLine h : hlines) {
      double y = f.py(h.y);
      if (y >= b[1] - 4 && y <= b[1] + b[3] + 4) n += 10;
    }
    return n;
  }

  private static int inside(int[] b, double x, double y) {
    return x >= b[0] && x <= b[0] + b[2] && y >= b[1] && y <= b[1] + b[3] ? 1 : 0;
  }

  /** Draws the plot and writes it as a PNG, atomically. */
  public void writePng(Path path, int width, int height) throws IOException {
    BufferedImage img = render(width, height);
    io.jnas.util.AtomicFiles.write(path, out -> {
      if (!javax.imageio.ImageIO.write(img, "png", out)) throw new IOException("no PNG writer");
    });
  }
}
