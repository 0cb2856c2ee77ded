package io.jnas.plot;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Font;
import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The confusion picture is wide enough for its title, whatever the number of classes. */
class ConfusionPlotTest {
  @Test
  void titleFitsWithFewClasses() {
    String title = "fashion-mnist: confusion, test accuracy 0.9123";
    BufferedImage img = ConfusionPlot.render(title, new int[][] {{3, 1}, {0, 4}}, List.of("a", "b"));
    int w = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics()
        .getFontMetrics(new Font(Font.SANS_SERIF, Font.BOLD, 16)).stringWidth(title);
    assertTrue(img.getWidth() >= w + 10, img.getWidth() + " px for a title of " + w + " px");
  }
}
