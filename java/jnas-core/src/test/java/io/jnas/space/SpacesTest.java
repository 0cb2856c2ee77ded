package io.jnas.space;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SpacesTest {
  static final String CELL = "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|";

  @Test
  void nb201StringRoundTrips() {
    Nb201Cell c = Nb201Cell.parse(CELL);
    assertEquals(CELL, c.toString());
    assertEquals(List.of(Nb201Op.NOR_CONV_3X3, Nb201Op.NOR_CONV_3X3, Nb201Op.AVG_POOL_3X3, Nb201Op.SKIP_CONNECT,
        Nb201Op.NOR_CONV_3X3, Nb201Op.SKIP_CONNECT), c.ops());
    NasBench201Space s = new NasBench201Space();
    assertArrayEquals(new int[] {3, 3, 4, 1, 3, 1}, s.encode(c));
    assertEquals(c, s.decode(s.encode(c)));
    assertEquals(15625, s.cardinality());
    SplittableRandom r = new SplittableRandom(1);
    for (int k = 0; k < 200; k++) {
      int[] d = s.sample(r);
      Nb201Cell x = s.decode(d);
      assertEquals(x, Nb201Cell.parse(x.toString()));
      assertArrayEquals(d, s.encode(x));
    }
    assertEquals("edge 3<-2", s.decisionName(5));
  }

  @Test
  void nb201ParseErrorsNameThePosition() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Nb201Cell.parse("|nor_conv_3x3~0|+|conv~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|"));
    assertTrue(e.getMessage().contains("position 18"), e.getMessage());
    assertTrue(e.getMessage().contains("'conv'"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Nb201Cell.parse("|nor_conv_3x3~1|+"));
    assertTrue(e.getMessage().contains("position 14") && e.getMessage().contains("source node 0"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Nb201Cell.parse(CELL.substring(0, CELL.length() - 1)));
    assertTrue(e.getMessage().contains("position " + (CELL.length() - 1)), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Nb201Cell.parse(CELL + "x"));
    assertTrue(e.getMessage().contains("end of the string"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Nb201Cell.parse(""));
  }

  @Test
  void nb101ValidityRules() {
    NasBench101Space s = new NasBench101Space();
    assertEquals(26, s.numDecisions());
    int[] d = new int[26];
    assertFalse(s.isValid(d), "no edges: output unreachable");
    d[Nb101Cell.pair(0, 6)] = 1;
    assertTrue(s.isValid(d), "input straight to output");
    d = new int[26];
    d[Nb101Cell.pair(0, 1)] = 1;
    d[Nb101Cell.pair(2, 6)] = 1;
    assertFalse(s.isValid(d), "0->1 and 2->6 do not connect");
    d[Nb101Cell.pair(1, 2)] = 1;
    assertTrue(s.isValid(d));
    Nb101Cell c = s.decode(d);
    boolean[] used = c.usedVertices();
    assertTrue(used[0] && used[1] && used[2] && used[6]);
    assertFalse(used[3] || used[4] || used[5]);
    // 10 edges: over the limit of 9
    int[] many = new int[26];
    int n = 0;
    for (int i = 0; i < 7 && n < 10; i++) for (int j = i + 1; j < 7 && n < 10; j++, n++) many[Nb101Cell.pair(i, j)] = 1;
    assertEquals(1, many[Nb101Cell.pair(0, 6)]);
    assertFalse(s.isValid(many), "10 edges");
    int[] bad = d.clone();
    bad[21] = 3;
    assertFalse(s.isValid(bad), "op out of range");
    assertEquals(c, s.decode(s.encode(c)));
    SplittableRandom r = new SplittableRandom(3);
    for (int k = 0; k < 200; k++) {
      int[] x = s.sample(r);
      assertTrue(s.isValid(x));
      assertTrue(s.decode(x).numEdges() <= 9);
      assertArrayEquals(x, s.encode(s.decode(x)));
    }
  }
}
