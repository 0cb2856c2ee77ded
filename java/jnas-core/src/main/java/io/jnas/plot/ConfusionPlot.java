package io.jnas.plot;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A confusion matrix as a heat map (rows: true class, columns: predicted class), each cell shaded
 * by its share of its row and labelled with its count; the picture is wide enough for its title.
 * Drawn with Java2D; works headless.
 */
public final class ConfusionPlot {
  private ConfusionPlot() {}

  /**
   * Renders {@code counts[true][predicted]}.
   *
   * @param names class names, one per row
   */
  public static BufferedImage render(String title, int[][] counts, List<String> names) {
    int v = counts.length;
    int cell = Math.max(18, Math.min(60, 640 / Math.max(1, v)));
    int left = 130, top = 60, size = cell * v;
    Font titleFont = new Font(Font.SANS_SERIF, Font.BOLD, 16);
    Graphics2D probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics();
    int titleWidth = probe.getFontMetrics(titleFont).stringWidth(title);
    probe.dispose();
    BufferedImage img = new BufferedImage(Math.max(left + size + 30, titleWidth + 20), top + size + 90, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, img.getWidth(), img.getHeight());
    g.setColor(Color.BLACK);
    g.setFont(titleFont);
    g.drawString(title, 10, 25);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, Math.min(12, Math.max(8, cell / 4))));
    for (int r = 0; r < v; r++) {
      int n = 0;
      for (int c = 0; c < v; c++) n += counts[r][c];
      for (int c = 0; c < v; c++) {
        double f = n == 0 ? 0 : counts[r][c] / (double) n;
        int shade = (int) Math.round(255 * (1 - f));
        g.setColor(r == c ? new Color(shade, 255 - (int) (0.4 * (255 - shade)), shade) : new Color(255, shade, shade));
        g.fillRect(left + c * cell, top + r * cell, cell, cell);
        g.setColor(f > 0.6 ? Color.WHITE : Color.BLACK);
        if (cell >= 24) g.drawString(String.valueOf(counts[r][c]), left + c * cell + 3, top + r * cell + cell / 2 + 4);
      }
      g.setColor(Color.BLACK);
      g.drawString(label(names, r), 5, top + r * cell + cell / 2 + 4);
    }
    for (int c = 0; c < v; c++) {
      Graphics2D t = (Graphics2D) g.create();
      t.translate(left + c * cell + cell / 2 + 4, top + size + 8);
      t.rotate(Math.PI / 2);
      t.drawString(label(names, c), 0, 0);
      t.dispose();
    }
    g.setColor(Color.GRAY);
    g.drawRect(left, top, size, size);
    g.drawString("true class (rows) / predicted (columns)", left, top - 8);
    g.dispose();
    return img;
  }

  private static String label(List<String> names, int i) {
    String s = names != null && i < names.size() ? names.get(i) : String.valueOf(i);
    return s.length() > 14 ? s.substring(0, 14) : s;
  }

  /** Writes {@link #render} as a PNG, atomically. */
  public static void writePng(Path path, String title, int[][] counts, List<String> names) throws IOException {
    BufferedImage img = render(title, counts, names);
    io.jnas.util.AtomicFiles.write(path, out -> {
      if (!javax.imageio.ImageIO.write(img, "png", out)) throw new IOException("no PNG writer");
    });
  }
}
