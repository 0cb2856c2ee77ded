package io.jnas.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class DatasetTest {
  @Test
  void viewsShareStorageAndKeepLabels() {
    Dataset d = AugmentationTest.tiny();
    assertEquals(2, d.size());
    assertEquals(72, d.imageSize());
    Dataset r = d.range(1, 2);
    assertEquals(1, r.size());
    assertEquals(1, r.label(0));
    assertEquals(d.pixel(1, 1, 2, 2), r.pixel(0, 1, 2, 2));
    Dataset s = d.select(new int[] {1, 0, 1});
    assertArrayEquals(new int[] {1, 0, 1}, s.labels());
    assertEquals(1, s.range(1, 3).select(new int[] {1}).label(0));
    assertThrows(IndexOutOfBoundsException.class, () -> d.range(1, 3));
    assertThrows(IllegalArgumentException.class,
        () -> Dataset.ofBytes("bad", new byte[10], new int[] {0}, 1, 3, 3, List.of("a")));
    assertThrows(IllegalArgumentException.class,
        () -> Dataset.ofFloats("bad", new float[9], new int[] {1}, 1, 3, 3, List.of("a")));
  }

  @Test
  void subsetIsSeededSortedAndSized() {
    Dataset d = SyntheticDataset.generate("s", 100, 2, 1);
    Dataset a = d.subset(0.25, 9), b = d.subset(0.25, 9), c = d.subset(0.25, 10);
    assertEquals(25, a.size());
    assertArrayEquals(a.labels(), b.labels());
    float[] x = new float[d.imageSize()], y = new float[d.imageSize()];
    boolean same = true;
    for (int i = 0; i < 25; i++) {
      a.readImage(i, x, 0);
      c.readImage(i, y, 0);
      same &= java.util.Arrays.equals(x, y);
    }
    assertTrue(!same, "another seed picks other images");
    assertEquals(d, d.subset(1, 0));
  }

  @Test
  void resizeAveragesBoxesAndKeepsLabels() {
    float[] px = new float[2 * 4 * 4];
    for (int k = 0; k < px.length; k++) px[k] = k;
    Dataset d = Dataset.ofFloats("f", px, new int[] {0, 1}, 1, 4, 4, List.of("a", "b"));
    Dataset h = d.resized(2, 2);
    assertEquals(2, h.height());
    assertEquals((0 + 1 + 4 + 5) / 4f, h.pixel(0, 0, 0, 0));
    assertEquals((24 + 25 + 28 + 29) / 4f, h.pixel(1, 0, 1, 0), 1e-5); // image 1, rows 2-3, cols 0-1
    assertArrayEquals(new int[] {0, 1}, h.labels());
    Dataset odd = d.resized(3, 3);
    assertEquals(5 / 6f, odd.pixel(0, 0, 0, 0), 1e-5); // bilinear at (1/6, 1/6) of 4y + x
    Dataset s = SyntheticDataset.generate("s", 3, 1, 1).resized(16, 16);
    assertEquals(16, s.width());
    assertTrue(s.isBytes());
  }
}
