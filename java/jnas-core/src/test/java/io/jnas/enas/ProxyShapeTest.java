package io.jnas.enas;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The default from-scratch network of {@code --verify} and {@code --check-ranking} follows the
 * searched one ({@link EnasSearch#proxyLayers}): the search's normal layers and its two
 * reductions, at least 5 cells.
 */
class ProxyShapeTest {

  /** The supernet's rule (native/graph/supernet.cpp): of L + 2 layers, L/3 and 2(L/3)+1 reduce. */
  private static boolean supernetReduces(int l, int normalLayers) {
    return l == normalLayers / 3 || l == 2 * (normalLayers / 3) + 1;
  }

  /** The final network's rule (native/graph/final_net.cpp): of L cells, L/3 and 2L/3 reduce. */
  private static boolean finalReduces(int l, int cells) {
    return l == cells / 3 || l == 2 * cells / 3;
  }

  @Test
  void cellCounts() {
    assertEquals(5, EnasSearch.proxyLayers(0));
    assertEquals(5, EnasSearch.proxyLayers(2));  // the quick preset
    assertEquals(5, EnasSearch.proxyLayers(3));
    assertEquals(8, EnasSearch.proxyLayers(6));  // ENAS's search
  }

  @Test
  void theReductionsSitWhereTheSupernetHasThemForMultiplesOfThree() {
    for (int normal = 3; normal <= 40; normal++) {
      int cells = EnasSearch.proxyLayers(normal);
      assertEquals(normal + 2, cells);
      int same = 0, reductions = 0;
      for (int l = 0; l < cells; l++) {
        if (supernetReduces(l, normal) == finalReduces(l, cells)) same++;
        if (finalReduces(l, cells)) reductions++;
      }
      assertEquals(2, reductions, normal + " normal layers");
      // a multiple of 3: every layer alike; otherwise a normal cell moves across one or both reductions
      if (normal % 3 == 0) assertEquals(cells, same, normal + " normal layers");
      else assertTrue(same >= cells - 4 && same < cells, normal + " normal layers: " + same + " of " + cells + " alike");
    }
    // below 3 the supernet reduces first (2 layers: reduce, reduce, normal, normal); the proxy keeps normal cells at
    // every resolution: normal, reduce, normal, reduce, normal
    boolean[] quick = new boolean[5];
    for (int l = 0; l < 5; l++) quick[l] = finalReduces(l, EnasSearch.proxyLayers(2));
    assertArrayEquals(new boolean[] {false, true, false, true, false}, quick);
    assertTrue(supernetReduces(0, 2) && supernetReduces(1, 2));
  }
}
