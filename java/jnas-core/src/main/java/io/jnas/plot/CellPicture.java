package io.jnas.plot;

import io.jnas.util.AtomicFiles;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.awt.geom.RoundRectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Pictures of a {@link CellGraph}, DARTS-style: inputs on the left, nodes in columns by depth,
 * the output on the right, op labels on the edges (see {@link CellLayout} for the layout and
 * what it guarantees). Edges into the output are grey and unlabelled.
 *
 * <p>Two renderers share one layout: {@link #svg} writes SVG text by hand (no library; text
 * widths estimated, since the viewer picks the font) and {@link #render} draws with Java2D
 * (headless-safe; text measured with the font it draws) for PNG.
 */
public final class CellPicture {
  private CellPicture() {}

  private static final Color INPUT = new Color(0xC1, 0xE1, 0xC1); // darkseagreen2, as DARTS
  private static final Color INNER = new Color(0xAD, 0xD8, 0xE6); // lightblue
  private static final Color OUTPUT = new Color(0xEE, 0xE8, 0xAA); // palegoldenrod
  private static final Color OP_EDGE = new Color(0x33, 0x33, 0x33);
  private static final Color CONCAT_EDGE = new Color(0x99, 0x99, 0x99);
  private static final double ARROW = 8;

  private static Color fill(CellLayout.Kind k) {
    return k == CellLayout.Kind.INPUT ? INPUT : k == CellLayout.Kind.OUTPUT ? OUTPUT : INNER;
  }

  /** The SVG text of the cell. */
  public static String svg(CellGraph graph) {
    CellLayout l = CellLayout.of(graph, CellLayout.ESTIMATE);
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\""
            + " font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" font-size=\"%.0f\">%n",
        Math.ceil(l.width), Math.ceil(l.height), Math.ceil(l.width), Math.ceil(l.height), CellLayout.FONT));
    sb.append(String.format(Locale.ROOT, "  <rect width=\"%.0f\" height=\"%.0f\" fill=\"white\"/>%n",
        Math.ceil(l.width), Math.ceil(l.height)));
    if (graph.title() != null) {
      sb.append(String.format(Locale.ROOT, "  <text x=\"%.1f\" y=\"%.1f\" font-size=\"%.0f\" font-weight=\"bold\">%s</text>%n",
          CellLayout.MARGIN, CellLayout.MARGIN + 11, CellLayout.TITLE_FONT, esc(graph.title())));
    }
    for (CellLayout.Edge e : l.edges) {
      double[] p = e.path();
      StringBuilder d = new StringBuilder(String.format(Locale.ROOT, "M%.1f,%.1f", p[0], p[1]));
      int n = e.segments();
      for (int s = 0; s < n; s++) {
        int b = 2 + 6 * s;
        d.append(String.format(Locale.ROOT, " C%.1f,%.1f %.1f,%.1f %.1f,%.1f", p[b], p[b + 1], p[b + 2], p[b + 3],
            p[b + 4], p[b + 5]));
      }
      String color = hex(e.op() == null ? CONCAT_EDGE : OP_EDGE);
      sb.append(String.format(Locale.ROOT, "  <path d=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.4\"/>%n", d, color));
      double x = p[p.length - 2], y = p[p.length - 1];
      sb.append(String.format(Locale.ROOT, "  <polygon points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f\" fill=\"%s\"/>%n",
          x, y, x - ARROW, y - ARROW * 0.4, x - ARROW, y + ARROW * 0.4, color));
    }
    for (CellLayout.Label lb : l.labels) {
      CellLayout.Rect r = lb.rect();
      sb.append(String.format(Locale.ROOT, "  <rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"white\"/>%n",
          r.x(), r.y(), r.w(), r.h()));
      sb.append(String.format(Locale.ROOT,
          "  <text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" dominant-baseline=\"central\">%s</text>%n",
          r.cx(), r.cy(), esc(lb.text())));
    }
    for (CellLayout.Box b : l.boxes) {
      CellLayout.Rect r = b.rect();
      sb.append(String.format(Locale.ROOT,
          "  <rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" rx=\"8\" fill=\"%s\" stroke=\"#333\"/>%n",
          r.x(), r.y(), r.w(), r.h(), hex(fill(b.kind()))));
      String[] name = CellGraph.splitSubscript(b.name());
      String text = esc(name[0]) + (name[1] == null ? ""
          : String.format(Locale.ROOT, "<tspan dy=\"%.0f\" font-size=\"%.0f\">%s</tspan>", CellLayout.SUB_DROP,
              CellLayout.SUB_FONT, esc(name[1])));
      double w = CellLayout.nameWidth(b.name(), CellLayout.ESTIMATE);
      sb.append(String.format(Locale.ROOT, "  <text x=\"%.1f\" y=\"%.1f\">%s</text>%n", r.cx() - w / 2,
          r.cy() + 4, text));
    }
    sb.append("</svg>\n");
    return sb.toString();
  }

  private static String hex(Color c) {
    return String.format(Locale.ROOT, "#%06x", c.getRGB() & 0xFFFFFF);
  }

  private static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }

  /** Text widths measured with Java2D's sans-serif font, the one {@link #render} draws with. */
  static CellLayout.Measure java2d() {
    BufferedImage probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = probe.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setRenderingHint(RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_ON);
      var frc = g.getFontRenderContext();
      Font base = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
      return (s, size) -> base.deriveFont(size == CellLayout.TITLE_FONT ? Font.BOLD : Font.PLAIN, size)
          .getStringBounds(s, frc).getWidth();
    } finally {
      g.dispose();
    }
  }

  /** The cell drawn with Java2D at {@code scale} (1 = one pixel per layout unit; 2 reads well). */
  public static BufferedImage render(CellGraph graph, double scale) {
    CellLayout.Measure m = java2d();
    CellLayout l = CellLayout.of(graph, m);
    BufferedImage img = new BufferedImage((int) Math.ceil(l.width * scale), (int) Math.ceil(l.height * scale),
        BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setRenderingHint(RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_ON);
      g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, img.getWidth(), img.getHeight());
      g.scale(scale, scale);
      Font font = new Font(Font.SANS_SERIF, Font.PLAIN, 12).deriveFont(CellLayout.FONT);
      if (graph.title() != null) {
        g.setColor(Color.BLACK);
        g.setFont(font.deriveFont(Font.BOLD, CellLayout.TITLE_FONT));
        g.drawString(graph.title(), (float) CellLayout.MARGIN, (float) (CellLayout.MARGIN + 11));
      }
      g.setStroke(new BasicStroke(1.4f));
      for (CellLayout.Edge e : l.edges) {
        double[] p = e.path();
        Path2D path = new Path2D.Double();
        path.moveTo(p[0], p[1]);
        for (int s = 0; s < e.segments(); s++) {
          int b = 2 + 6 * s;
          path.curveTo(p[b], p[b + 1], p[b + 2], p[b + 3], p[b + 4], p[b + 5]);
        }
        g.setColor(e.op() == null ? CONCAT_EDGE : OP_EDGE);
        g.draw(path);
        double x = p[p.length - 2], y = p[p.length - 1];
        Path2D head = new Path2D.Double();
        head.moveTo(x, y);
        head.lineTo(x - ARROW, y - ARROW * 0.4);
        head.lineTo(x - ARROW, y + ARROW * 0.4);
        head.closePath();
        g.fill(head);
      }
      g.setFont(font);
      FontMetrics fm = g.getFontMetrics();
      for (CellLayout.Label lb : l.labels) {
        CellLayout.Rect r = lb.rect();
        g.setColor(Color.WHITE);
        g.fill(new Rectangle2D.Double(r.x(), r.y(), r.w(), r.h()));
        g.setColor(Color.BLACK);
        double w = m.width(lb.text(), CellLayout.FONT);
        g.drawString(lb.text(), (float) (r.cx() - w / 2), (float) (r.cy() + (fm.getAscent() - fm.getDescent()) / 2.0));
      }
      Font sub = font.deriveFont(CellLayout.SUB_FONT);
      for (CellLayout.Box b : l.boxes) {
        CellLayout.Rect r = b.rect();
        RoundRectangle2D rr = new RoundRectangle2D.Double(r.x(), r.y(), r.w(), r.h(), 16, 16);
        g.setColor(fill(b.kind()));
        g.fill(rr);
        g.setColor(OP_EDGE);
        g.setStroke(new BasicStroke(1.2f));
        g.draw(rr);
        g.setColor(Color.BLACK);
        String[] name = CellGraph.splitSubscript(b.name());
        double w = m.width(name[0], CellLayout.FONT);
        double total = CellLayout.nameWidth(b.name(), m);
        float x = (float) (r.cx() - total / 2), y = (float) (r.cy() + (fm.getAscent() - fm.getDescent()) / 2.0);
        g.setFont(font);
        g.drawString(name[0], x, y);
        if (name[1] != null) {
          g.setFont(sub);
          g.drawString(name[1], (float) (x + w + 1), (float) (y + CellLayout.SUB_DROP));
          g.setFont(font);
        }
      }
    } finally {
      g.dispose();
    }
    return img;
  }

  /** Writes {@link #svg} to {@code target} atomically. */
  public static void writeSvg(CellGraph graph, Path target) throws IOException {
    AtomicFiles.writeString(target, svg(graph));
  }

  /** Writes {@link #render} at scale 2 as PNG to {@code target} atomically. */
  public static void writePng(CellGraph graph, Path target) throws IOException {
    BufferedImage img = render(graph, 2.0);
    AtomicFiles.write(target, out -> {
      if (!javax.imageio.ImageIO.write(img, "png", out)) throw new IOException("no PNG writer available");
    });
  }
}
