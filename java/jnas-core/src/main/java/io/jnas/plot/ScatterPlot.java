package io.jnas.plot;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Scatter plot of point groups, one of which may be highlighted as a front (drawn larger, on
 * top, joined by a staircase line in x order), e.g. all architectures and their Pareto front.
 * The x axis may be log10 (for parameter counts and FLOPs). Drawn with Java2D; works headless.
 */
public final class ScatterPlot {
  private record Group(String name, double[] x, double[] y, boolean front) {}

  private final String title;
  private final String xLabel;
  private final String yLabel;
  private final List<Group> groups = new ArrayList<>();
  private boolean logX;
  private boolean frontMaximizesY = true;

  /** An empty plot with its title and axis labels. */
  public ScatterPlot(String title, String xLabel, String yLabel) {
    this.title = title;
    this.xLabel = xLabel;
    this.yLabel = yLabel;
  }

  /** Uses a log10 x axis (all x must be positive). */
  public ScatterPlot logX(boolean on) {
    this.logX = on;
    return this;
  }

  /** Adds a group of points, drawn small and translucent. */
  public ScatterPlot points(String name, double[] x, double[] y) {
    if (x.length != y.length) throw new IllegalArgumentException("plot: group " + name + " has x and y of different lengths");
    groups.add(new Group(name, x.clone(), y.clone(), false));
    return this;
  }

  /**
   * Adds the highlighted front. The staircase joining its points assumes x is minimized and
   * y maximized ({@code maximizeY = true}) or minimized.
   */
  public ScatterPlot front(String name, double[] x, double[] y, boolean maximizeY) {
    if (x.length != y.length) throw new IllegalArgumentException("plot: front " + name + " has x and y of different lengths");
    groups.add(new Group(name, x.clone(), y.clone(), true));
    this.frontMaximizesY = maximizeY;
    return this;
  }

  /** Draws the plot. */
  public BufferedImage render(int width, int height) {
    List<double[]> xs = new ArrayList<>(), ys = new ArrayList<>();
    for (Group gr : groups) {
      xs.add(gr.x);
      ys.add(gr.y);
    }
    double[] xr = Frame.range(xs, logX ? 0 : 0.03);
    if (logX) {
      if (xr[0] <= 0) throw new IllegalArgumentException("plot: log x axis needs positive x, got " + xr[0]);
      xr = new double[] {xr[0] / 1.3, xr[1] * 1.3};
    }
    double[] yr = Frame.range(ys, 0.05);
    Frame f = new Frame(width, height, xr[0], xr[1], yr[0], yr[1], logX);
    f.axes(title, xLabel, yLabel);
    f.clip();
    List<String> names = new ArrayList<>();
    List<Color> colors = new ArrayList<>();
    List<Boolean> markers = new ArrayList<>();
    int k = 0;
    for (Group gr : groups) {
      if (gr.front) continue;
      Color c = Frame.PALETTE[k++ % Frame.PALETTE.length];
      f.g.setColor(new Color(c.getRed(), c.getGreen(), c.getBlue(), 90));
      for (int i = 0; i < gr.x.length; i++) f.g.fillOval((int) Math.round(f.px(gr.x[i])) - 3, (int) Math.round(f.py(gr.y[i])) - 3, 6, 6);
      names.add(gr.name);
      colors.add(c);
      markers.add(true);
    }
    for (Group gr : groups) {
      if (!gr.front) continue;
      Color c = new Color(200, 30, 30);
      Integer[] order = new Integer[gr.x.length];
      for (int i = 0; i < order.length; i++) order[i] = i;
      Arrays.sort(order, (a, b) -> Double.compare(gr.x[a], gr.x[b]));
      Path2D stair = new Path2D.Double();
      for (int i = 0; i < order.length; i++) {
        double x = f.px(gr.x[order[i]]), y = f.py(gr.y[order[i]]);
        if (i == 0) {
          stair.moveTo(x, y);
        } else {
          stair.lineTo(x, f.py(gr.y[order[i - 1]]));
          stair.lineTo(x, y);
        }
      }
      f.g.setColor(c);
      f.g.setStroke(new BasicStroke(1.5f));
      f.g.draw(stair);
      for (int i = 0; i < gr.x.length; i++) {
        int x = (int) Math.round(f.px(gr.x[i])), y = (int) Math.round(f.py(gr.y[i]));
        f.g.fillOval(x - 5, y - 5, 10, 10);
        f.g.setColor(Color.BLACK);
        f.g.drawOval(x - 5, y - 5, 10, 10);
        f.g.setColor(c);
      }
      names.add(gr.name);
      colors.add(c);
      markers.add(true);
    }
    if (!names.isEmpty()) f.legend(names, colors, markers, frontMaximizesY);
    f.g.dispose();
    return f.image;
  }

  /** Draws the plot and writes it as a PNG, atomically. */
  public void writePng(Path path, int width, int height) throws IOException {
    BufferedImage img = render(width, height);
    io.jnas.util.AtomicFiles.write(path, out -> {
      if (!javax.imageio.ImageIO.write(img, "png", out)) throw new IOException("no PNG writer");
    });
  }
}
