package io.jnas.enas;

import io.jnas.util.AtomicFiles;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.geom.QuadCurve2D;
import java.awt.geom.RoundRectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Pictures of one ENAS cell, DARTS-style: the inputs c_{k-2} and c_{k-1} on the left, nodes
 * {@code 0 .. B-1} in columns by depth, c_{k} on the right; each node has two incoming edges
 * labelled with their op names; every ENAS index no node reads (see
 * {@link EnasCell#outputIndices()}) feeds c_{k} with an unlabelled grey edge.
 *
 * <p>Two renderers share one layout: {@link #svg} writes SVG text by hand (no library) and
 * {@link #render} draws with Java2D (headless-safe) for PNG.
 */
public final class CellDiagram {
  private CellDiagram() {}

  private static final double COL_W = 250, ROW_H = 90, LABEL_T = 0.7, MARGIN = 30, TITLE_H = 28, BOX_H = 30;
  private static final double CHAR_W = 7.5; // width estimate of one 12px sans character, SVG only
  private static final Color INPUT = new Color(0xC1, 0xE1, 0xC1); // darkseagreen2, as DARTS
  private static final Color INNER = new Color(0xAD, 0xD8, 0xE6); // lightblue
  private static final Color OUTPUT = new Color(0xEE, 0xE8, 0xAA); // palegoldenrod

  private record Box(String label, double cx, double cy, double w, double h, Color fill) {}

  private record Edge(int from, int to, String label, double bend) {}

  private record Layout(List<Box> boxes, List<Edge> edges, double width, double height, String title) {}

  private static Layout layout(EnasCell cell, String title, FontMetrics fm) {
    int b = cell.numNodes();
    int[] depth = new int[b + 2];
    int maxDepth = 0;
    for (int j = 0; j < b; j++) {
      EnasNode n = cell.nodes().get(j);
      depth[j + 2] = 1 + Math.max(depth[n.input1()], depth[n.input2()]);
      maxDepth = Math.max(maxDepth, depth[j + 2]);
    }
    int cols = maxDepth + 2;
    int[] perCol = new int[cols];
    for (int i = 0; i < b + 2; i++) perCol[depth[i]]++;
    perCol[cols - 1] = 1;
    int rows = 0;
    for (int c : perCol) rows = Math.max(rows, c);
    double top = MARGIN + (title == null ? 0 : TITLE_H);
    double height = top + rows * ROW_H + MARGIN;
    double width = 2 * MARGIN + (cols - 1) * COL_W + 90;
    int[] seen = new int[cols];
    List<Box> boxes = new ArrayList<>();
    for (int i = 0; i <= b + 2; i++) {
      int col = i == b + 2 ? cols - 1 : depth[i];
      String label = i == b + 2 ? "c_{k}" : i < 2 ? EnasCell.indexName(i) : String.valueOf(i - 2);
      double cx = MARGIN + 45 + col * COL_W;
      double cy = top + (rows - perCol[col]) * ROW_H / 2 + (seen[col]++ + 0.5) * ROW_H;
      double w = Math.max(34, textWidth(fm, label) + 18);
      Color fill = i < 2 ? INPUT : i == b + 2 ? OUTPUT : INNER;
      boxes.add(new Box(label, cx, cy, w, BOX_H, fill));
    }
    List<Edge> edges = new ArrayList<>();
    for (int j = 0; j < b; j++) {
      EnasNode n = cell.nodes().get(j);
      boolean same = n.input1() == n.input2();
      edges.add(new Edge(n.input1(), j + 2, n.op1().label(), same ? -45 : 0));
      edges.add(new Edge(n.input2(), j + 2, n.op2().label(), same ? 45 : 0));
    }
    for (int i : cell.outputIndices()) edges.add(new Edge(i, b + 2, null, 0));
    return new Layout(boxes, edges, width, height, title);
  }

  private static double textWidth(FontMetrics fm, String s) {
    return fm != null ? fm.stringWidth(s) : s.length() * CHAR_W;
  }

  /** Geometry of one edge: start, control and end points, label point. */
  private static double[] curve(Layout l, Edge e) {
    Box a = l.boxes.get(e.from), z = l.boxes.get(e.to);
    double dx = z.cx - a.cx, dy = z.cy - a.cy, len = Math.max(1e-9, Math.hypot(dx, dy));
    double mx = (a.cx + z.cx) / 2 - dy / len * e.bend, my = (a.cy + z.cy) / 2 + dx / len * e.bend;
    double[] s = border(a, mx - a.cx, my - a.cy);
    double[] t = border(z, mx - z.cx, my - z.cy);
    // label at t = 0.7 on the curve: near the target, where edges fanning out of one input are apart
    double u = LABEL_T, a0 = (1 - u) * (1 - u), a1 = 2 * u * (1 - u), a2 = u * u;
    double lx = a0 * s[0] + a1 * mx + a2 * t[0], ly = a0 * s[1] + a1 * my + a2 * t[1];
    return new double[] {s[0], s[1], mx, my, t[0], t[1], lx, ly};
  }

  private static double[] border(Box b, double dx, double dy) {
    double k = Math.min(Math.abs(dx) < 1e-9 ? Double.MAX_VALUE : b.w / 2 / Math.abs(dx),
        Math.abs(dy) < 1e-9 ? Double.MAX_VALUE : b.h / 2 / Math.abs(dy));
    return new double[] {b.cx + dx * k, b.cy + dy * k};
  }

  /**
   * SVG text of the cell.
   *
   * @param title a caption above the picture, or null for none
   */
  public static String svg(EnasCell cell, String title) {
    Layout l = layout(cell, title, null);
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\""
            + " font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" font-size=\"12\">%n",
        l.width, l.height, l.width, l.height));
    sb.append("  <defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"8\""
        + " markerHeight=\"8\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#333\"/>"
        + "</marker></defs>\n");
    sb.append(String.format(Locale.ROOT, "  <rect width=\"%.0f\" height=\"%.0f\" fill=\"white\"/>%n",
        l.width, l.height));
    if (title != null) {
      sb.append(String.format(Locale.ROOT,
          "  <text x=\"%.1f\" y=\"%.1f\" font-size=\"15\" font-weight=\"bold\">%s</text>%n",
          MARGIN, MARGIN + 6, esc(title)));
    }
    for (Edge e : l.edges) {
      double[] c = curve(l, e);
      sb.append(String.format(Locale.ROOT,
          "  <path d=\"M%.1f,%.1f Q%.1f,%.1f %.1f,%.1f\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.4\""
              + " marker-end=\"url(#arrow)\"/>%n",
          c[0], c[1], c[2], c[3], c[4], c[5], e.label == null ? "#999" : "#333"));
    }
    for (Edge e : l.edges) {
      if (e.label == null) continue;
      double[] c = curve(l, e);
      double w = textWidth(null, e.label) + 6;
      sb.append(String.format(Locale.ROOT,
          "  <rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"16\" fill=\"white\" fill-opacity=\"0.85\"/>%n",
          c[6] - w / 2, c[7] - 8, w));
      sb.append(String.format(Locale.ROOT,
          "  <text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" dominant-baseline=\"central\">%s</text>%n",
          c[6], c[7], esc(e.label)));
    }
    for (Box b : l.boxes) {
      sb.append(String.format(Locale.ROOT,
          "  <rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" rx=\"8\" fill=\"#%06x\" stroke=\"#333\"/>%n",
          b.cx - b.w / 2, b.cy - b.h / 2, b.w, b.h, b.fill.getRGB() & 0xFFFFFF));
      sb.append(String.format(Locale.ROOT,
          "  <text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" dominant-baseline=\"central\">%s</text>%n",
          b.cx, b.cy, esc(b.label)));
    }
    sb.append("</svg>\n");
    return sb.toString();
  }

  private static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }

  /**
   * The cell drawn with Java2D at {@code scale} (1 = one pixel per layout unit; 2 reads well).
   *
   * @param title a caption above the picture, or null for none
   */
  public static BufferedImage render(EnasCell cell, String title, double scale) {
    Font font = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
    BufferedImage probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
    Graphics2D pg = probe.createGraphics();
    FontMetrics fm = pg.getFontMetrics(font);
    Layout l = layout(cell, title, fm);
    pg.dispose();
    BufferedImage img = new BufferedImage((int) Math.ceil(l.width * scale), (int) Math.ceil(l.height * scale),
        BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.scale(scale, scale);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, (int) Math.ceil(l.width), (int) Math.ceil(l.height));
      if (title != null) {
        g.setColor(Color.BLACK);
        g.setFont(font.deriveFont(Font.BOLD, 15f));
        g.drawString(title, (float) MARGIN, (float) (MARGIN + 11));
      }
      g.setFont(font);
      g.setStroke(new BasicStroke(1.4f));
      for (Edge e : l.edges) {
        double[] c = curve(l, e);
        g.setColor(e.label == null ? new Color(0x99, 0x99, 0x99) : new Color(0x33, 0x33, 0x33));
        g.draw(new QuadCurve2D.Double(c[0], c[1], c[2], c[3], c[4], c[5]));
        arrowHead(g, c[2], c[3], c[4], c[5]);
      }
      FontMetrics m = g.getFontMetrics();
      for (Edge e : l.edges) {
        if (e.label == null) continue;
        double[] c = curve(l, e);
        double w = m.stringWidth(e.label) + 6;
        g.setColor(new Color(255, 255, 255, 220));
        g.fill(new java.awt.geom.Rectangle2D.Double(c[6] - w / 2, c[7] - 8, w, 16));
        g.setColor(Color.BLACK);
        g.drawString(e.label, (float) (c[6] - m.stringWidth(e.label) / 2.0),
            (float) (c[7] + (m.getAscent() - m.getDescent()) / 2.0));
      }
      for (Box b : l.boxes) {
        RoundRectangle2D r = new RoundRectangle2D.Double(b.cx - b.w / 2, b.cy - b.h / 2, b.w, b.h, 16, 16);
        g.setColor(b.fill);
        g.fill(r);
        g.setColor(new Color(0x33, 0x33, 0x33));
        g.draw(r);
        g.setColor(Color.BLACK);
        g.drawString(b.label, (float) (b.cx - m.stringWidth(b.label) / 2.0),
            (float) (b.cy + (m.getAscent() - m.getDescent()) / 2.0));
      }
    } finally {
      g.dispose();
    }
    return img;
  }

  private static void arrowHead(Graphics2D g, double fx, double fy, double tx, double ty) {
    double a = Math.atan2(ty - fy, tx - fx), len = 9, half = 0.4;
    Path2D p = new Path2D.Double();
    p.moveTo(tx, ty);
    p.lineTo(tx - len * Math.cos(a - half), ty - len * Math.sin(a - half));
    p.lineTo(tx - len * Math.cos(a + half), ty - len * Math.sin(a + half));
    p.closePath();
    g.fill(p);
  }

  /** Writes {@link #svg} to {@code target} atomically. */
  public static void writeSvg(EnasCell cell, String title, Path target) throws IOException {
    AtomicFiles.writeString(target, svg(cell, title));
  }

  /** Writes {@link #render} at scale 2 as PNG to {@code target} atomically. */
  public static void writePng(EnasCell cell, String title, Path target) throws IOException {
    BufferedImage img = render(cell, title, 2.0);
    AtomicFiles.write(target, out -> {
      if (!javax.imageio.ImageIO.write(img, "png", out)) throw new IOException("no PNG writer available");
    });
  }
}
