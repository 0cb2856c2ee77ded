package io.jnas.plot;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The shared part of the plots: a white image, a title, axes with "nice" ticks (linear or
 * log10 on x), grid lines, axis labels and a legend. Data coordinates map to pixels through
 * {@link #px} and {@link #py}.
 */
final class Frame {
  /** Colours of successive series (colour-blind-safe, after Okabe and Ito). */
  static final Color[] PALETTE = {
    new Color(0, 114, 178), new Color(213, 94, 0), new Color(0, 158, 115), new Color(204, 121, 167),
    new Color(230, 159, 0), new Color(86, 180, 233), new Color(120, 120, 120), new Color(0, 0, 0)
  };

  final BufferedImage image;
  final Graphics2D g;
  final int left, right, top, bottom;
  final double x0, x1, y0, y1;
  final boolean logX;
  /** Ticks on x at whole numbers only (epochs, queries). */
  boolean integerX;

  Frame(int width, int height, double x0, double x1, double y0, double y1, boolean logX) {
    if (width < 200 || height < 150) throw new IllegalArgumentException("plot: " + width + "x" + height + " is too small");
    this.image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    this.g = image.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, width, height);
    this.left = 80;
    this.right = width - 30;
    this.top = 50;
    this.bottom = height - 60;
    this.logX = logX;
    if (logX) {
      x0 = Math.log10(x0);
      x1 = Math.log10(x1);
    }
    if (!(x1 > x0)) {
      x0 -= 0.5;
      x1 += 0.5;
    }
    if (!(y1 > y0)) {
      y0 -= 0.5;
      y1 += 0.5;
    }
    this.x0 = x0;
    this.x1 = x1;
    this.y0 = y0;
    this.y1 = y1;
  }

  double px(double x) {
    double v = logX ? Math.log10(x) : x;
    return left + (v - x0) / (x1 - x0) * (right - left);
  }

  double py(double y) {
    return bottom - (y - y0) / (y1 - y0) * (bottom - top);
  }

  /** Grid, ticks, labels and title; call before drawing data. */
  void axes(String title, String xLabel, String yLabel) {
    Font small = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
    g.setFont(small);
    FontMetrics fm = g.getFontMetrics();
    for (double t : ticks(y0, y1)) {
      int y = (int) Math.round(py(t));
      g.setColor(new Color(230, 230, 230));
      g.drawLine(left, y, right, y);
      g.setColor(Color.DARK_GRAY);
      String s = fmt(t);
      g.drawString(s, left - 6 - fm.stringWidth(s), y + fm.getAscent() / 2 - 1);
    }
    List<Double> xt = new ArrayList<>();
    if (logX) {
      xt = logTicks(x0, x1);
    } else if (integerX) {
      xt = integerTicks(x0, x1);
    } else {
      xt = ticks(x0, x1);
    }
    for (double t : xt) {
      int x = (int) Math.round(px(t));
      g.setColor(new Color(230, 230, 230));
      g.drawLine(x, top, x, bottom);
      g.setColor(Color.DARK_GRAY);
      String s = logX ? fmtLog(t) : fmt(t);
      g.drawString(s, x - fm.stringWidth(s) / 2, bottom + fm.getAscent() + 6);
    }
    g.setColor(Color.BLACK);
    g.setStroke(new BasicStroke(1.2f));
    g.drawRect(left, top, right - left, bottom - top);
    Font label = new Font(Font.SANS_SERIF, Font.PLAIN, 15);
    g.setFont(label);
    fm = g.getFontMetrics();
    g.drawString(xLabel, (left + right - fm.stringWidth(xLabel)) / 2, bottom + 44);
    AffineTransform at = g.getTransform();
    g.rotate(-Math.PI / 2);
    g.drawString(yLabel, -(top + bottom + fm.stringWidth(yLabel)) / 2, 22);
    g.setTransform(at);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
    fm = g.getFontMetrics();
    g.drawString(title, (image.getWidth() - fm.stringWidth(title)) / 2, 30);
  }

  /** Clips drawing to the plot area. */
  void clip() {
    g.setClip(left, top, right - left + 1, bottom - top + 1);
  }

  /** How a legend entry is drawn: a line (solid or dashed), a dot, or both. */
  record Entry(String name, Color color, boolean line, boolean marker, boolean dashed) {}

  /** Legend corners. */
  enum Corner { UPPER_LEFT, UPPER_RIGHT, LOWER_LEFT, LOWER_RIGHT }

  /** A legend box at the chosen corner (true: lower right, false: upper right); markers: dots, else lines. */
  void legend(List<String> names, List<Color> colors, List<Boolean> markers, boolean lowerRight) {
    List<Entry> e = new ArrayList<>();
    for (int k = 0; k < names.size(); k++) e.add(new Entry(names.get(k), colors.get(k), !markers.get(k), markers.get(k), false));
    legend(e, lowerRight ? Corner.LOWER_RIGHT : Corner.UPPER_RIGHT);
  }

  /** The legend box's bounds {@code {x, y, w, h}} at {@code corner}, in pixels. */
  int[] legendBox(List<Entry> entries, Corner corner) {
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
    FontMetrics fm = g.getFontMetrics();
    int w = 0;
    for (Entry e : entries) w = Math.max(w, fm.stringWidth(e.name()));
    int lh = fm.getHeight() + 4;
    int bw = w + 46, bh = lh * entries.size() + 10;
    boolean leftSide = corner == Corner.UPPER_LEFT || corner == Corner.LOWER_LEFT;
    boolean lower = corner == Corner.LOWER_LEFT || corner == Corner.LOWER_RIGHT;
    return new int[] {leftSide ? left + 10 : right - bw - 10, lower ? bottom - bh - 10 : top + 10, bw, bh};
  }

  /** A legend box at {@code corner}. */
  void legend(List<Entry> entries, Corner corner) {
    g.setClip(null);
    int[] box = legendBox(entries, corner);
    FontMetrics fm = g.getFontMetrics();
    int lh = fm.getHeight() + 4;
    int bx = box[0], by = box[1], bw = box[2], bh = box[3];
    g.setColor(new Color(255, 255, 255, 230));
    g.fillRect(bx, by, bw, bh);
    g.setColor(Color.GRAY);
    g.setStroke(new BasicStroke(1f));
    g.drawRect(bx, by, bw, bh);
    for (int k = 0; k < entries.size(); k++) {
      Entry e = entries.get(k);
      int cy = by + 5 + lh * k + lh / 2;
      g.setColor(e.color());
      if (e.line()) {
        g.setStroke(e.dashed() ? dashed(2f) : new BasicStroke(2.5f));
        g.drawLine(bx + 8, cy, bx + 32, cy);
      }
      if (e.marker()) g.fillOval(bx + 16, cy - 4, 9, 9);
      g.setColor(Color.BLACK);
      g.drawString(e.name(), bx + 38, cy + fm.getAscent() / 2 - 1);
    }
  }

  /** A dashed stroke of the given width. */
  static BasicStroke dashed(float width) {
    return new BasicStroke(width, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, new float[] {7f, 5f}, 0f);
  }

  /**
   * Ticks at whole numbers spanning {@code [lo, hi]}: a step of 1, 2 or 5 times a power of ten,
   * never below 1, about 6 of them.
   */
  static List<Double> integerTicks(double lo, double hi) {
    double raw = Math.max(1, (hi - lo) / 6);
    double mag = Math.pow(10, Math.floor(Math.log10(raw)));
    double step = Math.max(1, mag * (raw / mag < 1.5 ? 1 : raw / mag < 3.5 ? 2 : raw / mag < 7.5 ? 5 : 10));
    List<Double> t = new ArrayList<>();
    for (double v = Math.ceil(lo / step - 1e-9) * step; v <= hi + 1e-9; v += step) t.add(v);
    return t;
  }

  /** Ticks at 1, 2 or 5 times a power of ten, about 6 of them. */
  static List<Double> ticks(double lo, double hi) {
    double raw = (hi - lo) / 6;
    double mag = Math.pow(10, Math.floor(Math.log10(raw)));
    double step = mag * (raw / mag < 1.5 ? 1 : raw / mag < 3.5 ? 2 : raw / mag < 7.5 ? 5 : 10);
    List<Double> t = new ArrayList<>();
    for (double v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) t.add(Math.abs(v) < step * 1e-9 ? 0 : v);
    return t;
  }

  static String fmt(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e7) return String.valueOf((long) v);
    if (Math.abs(v) >= 1e5 || Math.abs(v) < 1e-3) return String.format(Locale.ROOT, "%.2g", v);
    return String.format(Locale.ROOT, "%.4g", v).replaceAll("0+$", "").replaceAll("\\.$", "");
  }

  /**
   * Ticks of a log10 axis spanning {@code [lo, hi]} (in log10 units): the decades, and within
   * them 2 and 5 (under three decades) or every digit (under one decade), so a narrow range
   * still gets several labelled ticks.
   */
  static List<Double> logTicks(double lo, double hi) {
    double span = hi - lo;
    int[] mult = span < 1 ? new int[] {1, 2, 3, 4, 5, 6, 7, 8, 9} : span < 3 ? new int[] {1, 2, 5} : new int[] {1};
    List<Double> out = new ArrayList<>();
    for (int e = (int) Math.floor(lo); e <= Math.ceil(hi); e++) {
      for (int m : mult) {
        double v = m * Math.pow(10, e), l = Math.log10(v);
        if (l >= lo - 1e-9 && l <= hi + 1e-9) out.add(v);
      }
    }
    return out;
  }

  static String fmtLog(double v) {
    if (v >= 1e9) return fmt(v / 1e9) + "G";
    if (v >= 1e6) return fmt(v / 1e6) + "M";
    if (v >= 1e3) return fmt(v / 1e3) + "k";
    return fmt(v);
  }

  /** Lower and upper bound of finite values, padded by {@code pad} of the range. */
  static double[] range(List<double[]> arrays, double pad) {
    double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
    for (double[] a : arrays) {
      if (a == null) continue;
      for (double v : a) {
        if (!Double.isFinite(v)) continue;
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    }
    if (lo > hi) return new double[] {0, 1};
    double p = (hi - lo) * pad;
    return new double[] {lo - p, hi + p};
  }
}
