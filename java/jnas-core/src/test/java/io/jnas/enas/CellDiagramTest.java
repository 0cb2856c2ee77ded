package io.jnas.enas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cell pictures: every node, op label and output edge is drawn; PNG is written headless. */
class CellDiagramTest {
  @Test
  void svgHasEveryNodeEdgeAndLabel(@TempDir Path dir) throws Exception {
    EnasCell cell = EnasArch.ENAS_FINAL.reduce();
    String svg = CellDiagram.svg(cell, "reduction <cell>");
    assertTrue(svg.startsWith("<svg"));
    assertTrue(svg.contains("reduction &lt;cell&gt;"));
    for (String name : new String[] {"c_{k-2}", "c_{k-1}", "c_{k}", ">0<", ">4<"}) {
      assertTrue(svg.contains(name), name);
    }
    int paths = svg.split("<path d=\"M", -1).length - 2; // less the arrow marker's path
    assertEquals(2 * cell.numNodes() + cell.outputIndices().size(), paths);
    int labelled = 0;
    for (EnasNode n : cell.nodes()) {
      assertTrue(svg.contains(">" + n.op1().label() + "<") && svg.contains(">" + n.op2().label() + "<"));
    }
    for (String line : svg.split("\n")) if (line.contains("stroke=\"#333\" stroke-width")) labelled++;
    assertEquals(2 * cell.numNodes(), labelled);
    Path f = dir.resolve("cell.svg");
    CellDiagram.writeSvg(cell, null, f);
    assertEquals(CellDiagram.svg(cell, null), Files.readString(f));
  }

  @Test
  void pngIsWrittenAndNotBlank(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("cell.png");
    CellDiagram.writePng(EnasArch.ENAS_FINAL.normal(), "normal", f);
    BufferedImage img = ImageIO.read(f.toFile());
    assertTrue(img.getWidth() > 400 && img.getHeight() > 300, img.getWidth() + "x" + img.getHeight());
    int dark = 0;
    for (int y = 0; y < img.getHeight(); y += 2) {
      for (int x = 0; x < img.getWidth(); x += 2) if ((img.getRGB(x, y) & 0xFF) < 100) dark++;
    }
    assertTrue(dark > 500, "only " + dark + " dark pixels");
  }
}
