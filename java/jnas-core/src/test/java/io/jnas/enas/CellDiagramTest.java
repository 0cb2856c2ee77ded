package io.jnas.enas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnas.genotype.Genotype;
import io.jnas.plot.CellGraph;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cell pictures: every node, op label and output edge is drawn; names have no raw LaTeX; PNG is written headless. */
class CellDiagramTest {
  @Test
  void enasAdapterKeepsEveryEdgeAndTheConcat() {
    EnasCell cell = EnasArch.ENAS_FINAL.reduce();
    CellGraph g = CellDiagram.graph(cell, "reduction cell");
    assertEquals(CellGraph.CELL_INPUTS, g.inputs());
    assertEquals(cell.numNodes(), g.nodes().size());
    for (int j = 0; j < cell.numNodes(); j++) {
      EnasNode n = cell.nodes().get(j);
      assertEquals(List.of(new CellGraph.Input(n.input1(), n.op1().label()), new CellGraph.Input(n.input2(), n.op2().label())),
          g.nodes().get(j).inputs());
      assertEquals(String.valueOf(j), g.nodes().get(j).name());
    }
    assertEquals(cell.outputIndices(), g.outputs());
  }

  @Test
  void genotypeAdapterUsesTheConcatList() {
    CellGraph g = CellDiagram.graph(Genotype.NASNET_A, true, null);
    assertEquals(Genotype.NASNET_A.reduceNodes(), g.nodes().size());
    assertEquals(List.of(4, 5, 6), g.outputs());
    assertEquals(new CellGraph.Input(3, "skip_connect"), g.nodes().get(3).inputs().get(0));
    CellGraph n = CellDiagram.graph(Genotype.NASNET_A, false, "normal");
    assertEquals(List.of(2, 3, 4, 5, 6), n.outputs());
    assertEquals("normal", n.title());
  }

  @Test
  void svgHasEveryNodeEdgeAndLabel(@TempDir Path dir) throws Exception {
    EnasCell cell = EnasArch.ENAS_FINAL.reduce();
    String svg = CellDiagram.svg(cell, "reduction <cell>");
    assertTrue(svg.startsWith("<svg"));
    assertTrue(svg.contains("reduction &lt;cell&gt;"));
    assertFalse(svg.contains("_{"), "no raw LaTeX in the names");
    for (String name : new String[] {">k-2<", ">k-1<", ">k<", ">0<", ">4<"}) assertTrue(svg.contains(name), name);
    int paths = svg.split("<path d=\"M", -1).length - 1;
    assertEquals(2 * cell.numNodes() + cell.outputIndices().size(), paths);
    for (EnasNode n : cell.nodes()) {
      assertTrue(svg.contains(">" + n.op1().label() + "<") && svg.contains(">" + n.op2().label() + "<"));
    }
    int labelled = 0;
    for (String line : svg.split("\n")) if (line.contains("<path") && line.contains("stroke=\"#333333\"")) labelled++;
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
    assertEquals(0xFFFFFF, img.getRGB(img.getWidth() - 1, img.getHeight() - 1) & 0xFFFFFF, "white to the last pixel");
  }
}
