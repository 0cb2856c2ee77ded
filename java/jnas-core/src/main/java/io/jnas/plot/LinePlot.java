package io.jnas.plot;

import java.awt.AlphaComposite;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Line plot with optional shaded bands (e.g. mean ± one standard deviation), drawn with Java2D
 * into a {@link BufferedImage}; works headless. Usage:
 * {@code new LinePlot("title", "x", "y").series("random", x, mean, lo, hi).writePng(path, 900, 600)}.
 */
public final class LinePlot {
  private record Series(String name, double[] x, double[] y, double[] lo, double[] hi) {}

  private final String title;
  private final String xLabel;
  private final String yLabel;
  private final List<Series> series = new ArrayList<>();
  private double yMin = Double.NaN;
  private double yMax = Double.NaN;
  private boolean legendLowerRight = true;

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

  /** Fixes the y range (otherwise it spans every value and band, padded by 5%). */
  public LinePlot yRange(double min, double max) {
    this.yMin = min;
    this.yMax = max;
    return this;
  }

  /** Puts the legend in the lower right (default, true) or the upper right (false). */
  public LinePlot legendLowerRight(boolean lowerRight) {
    this.legendLowerRight = lowerRight;
    return this;
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
    double[] xr = Frame.range(xs, 0);
    if (integerX) xr = integerRange(xr);
    double[] yr = Frame.range(ys, 0.05);
    if (!Double.isNaN(yMin)) yr = new double[] {yMin, yMax};
    Frame f = new Frame(width, height, xr[0], xr[1], yr[0], yr[1], false);
    f.axes(title, xLabel, yLabel);
    f.clip();
    List<String> names = new ArrayList<>();
    List<Color> colors = new ArrayList<>();
    List<Boolean> markers = new ArrayList<>();
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
      f.g.setStroke(new BasicStroke(2.2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
      f.g.draw(line);
      names.add(s.name);
      colors.add(c);
      markers.add(false);
    }
    if (!names.isEmpty()) f.legend(names, colors, markers, legendLowerRight);
    f.g.dispose();
    return f.image;
  }

  private boolean integerX;

  /** Labels the x axis at whole numbers only (query or epoch counts): a range narrower than 5 is widened to 5. */
  public LinePlot integerX() {
    this.integerX = true;
    return this;
  }

  /** An x range whose {@link Frame#ticks} are whole numbers: one narrower than 5 (ticks at halves) widened to 5. */
  static double[] integerRange(double[] xr) {
    return xr[1] - xr[0] < 5 ? new double[] {xr[0], xr[0] + 5} : xr;
  }

  /** Draws the plot and writes it as a PNG, atomically. */
  public void writePng(Path path, int width, int height) throws IOException {
    BufferedImage img = render(width, height);
    io.jnas.util.AtomicFiles.write(path, out -> {
      if (!javax.imageio.ImageIO.write(img, "png", out)) throw new IOException("no PNG writer");
    });
  }
}
