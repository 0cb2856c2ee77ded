package io.jnas.enas;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnas.controller.SplitMix64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** ENAS genotype round trips, error messages, outputs, and the search space's encoding. */
class EnasArchTest {
  private static final String FINAL = "0 2 0 0 0 4 0 1 0 4 1 1 1 0 0 1 0 2 1 1 1 0 1 0 0 3 0 2 1 1 3 1 1 0 0 4 0 3 1 1";

  @Test
  void opIdsFollowTheOfficialOrder() {
    assertEquals(EnasOp.SEP_CONV_3X3, EnasOp.fromId(0));
    assertEquals(EnasOp.SEP_CONV_5X5, EnasOp.fromId(1));
    assertEquals(EnasOp.AVG_POOL_3X3, EnasOp.fromId(2));
    assertEquals(EnasOp.MAX_POOL_3X3, EnasOp.fromId(3));
    assertEquals(EnasOp.IDENTITY, EnasOp.fromId(4));
    assertEquals(EnasOp.IDENTITY, EnasOp.fromLabel("identity"));
  }

  @Test
  void finalCellRoundTripsAllThreeForms() {
    EnasArch a = EnasArch.ENAS_FINAL;
    assertEquals(FINAL, a.toArcString());
    assertEquals(a, EnasArch.parse(a.toArcString()));
    assertEquals(a, EnasArch.fromJson(a.toJson()));
    assertEquals(a, EnasArch.parseReadable(a.toReadable()));
    assertEquals(new EnasNode(0, EnasOp.AVG_POOL_3X3, 0, EnasOp.SEP_CONV_3X3), a.normal().nodes().get(0));
    assertTrue(a.toReadable().contains("n2 = sep_conv_5x5(c_{k-1}) + sep_conv_5x5(n1)"), a.toReadable());
  }

  @Test
  void randomArchitecturesRoundTrip() {
    EnasMicroSpace space = new EnasMicroSpace(4);
    SplitMix64 rng = new SplitMix64(1);
    for (int t = 0; t < 200; t++) {
      int[] d = space.sample(rng);
      EnasArch a = space.decode(d);
      assertArrayEquals(d, space.encode(a));
      assertEquals(a, EnasArch.parse(a.toArcString(), 4));
      assertEquals(a, EnasArch.fromJson(a.toJson()));
      assertEquals(a, EnasArch.parseReadable(a.toReadable()));
    }
  }

  @Test
  void parseIsTolerantOfWhitespace() {
    assertEquals(EnasArch.ENAS_FINAL, EnasArch.parse("  " + FINAL.replace(" ", "\t \n") + "\n"));
  }

  private static String error(String arc) {
    return assertThrows(IllegalArgumentException.class, () -> EnasArch.parse(arc)).getMessage();
  }

  @Test
  void errorsNameThePositionAndReason() {
    String notInt = error(FINAL.replaceFirst("^0 2 0 0 0 4", "0 2 0 0 x 4"));
    assertEquals("integer 4: 'x' is not an integer", notInt);
    // node 1 of the normal cell (integers 4..7) may read 0..2; integer 6 is its input2
    String[] t = FINAL.split(" ");
    t[6] = "3";
    assertEquals("integer 6: input 3 out of range for node 1 of the normal cell (allowed 0..2)",
        error(String.join(" ", t)));
    t = FINAL.split(" ");
    t[20] = "2"; // reduction node 0 input1
    assertEquals("integer 20: input 2 out of range for node 0 of the reduction cell (allowed 0..1)",
        error(String.join(" ", t)));
    t = FINAL.split(" ");
    t[7] = "5";
    assertEquals("integer 7: op id 5 out of range (allowed 0..4)", error(String.join(" ", t)));
    t = FINAL.split(" ");
    t[3] = "-1";
    assertEquals("integer 3: op id -1 out of range (allowed 0..4)", error(String.join(" ", t)));
    assertEquals("wrong count: 39 integers; expected a positive multiple of 8 (4 per node, two cells)",
        error(FINAL.substring(0, FINAL.length() - 2)));
    assertEquals("wrong count: empty architecture string", error("   "));
    String count = assertThrows(IllegalArgumentException.class, () -> EnasArch.parse(FINAL, 4)).getMessage();
    assertEquals("wrong count: 40 integers; expected 32 (4 per node x 4 nodes x 2 cells)", count);
  }

  @Test
  void jsonAndReadableErrorsNameTheirPlace() {
    String json = EnasArch.ENAS_FINAL.toJson().replaceFirst("\"avg_pool_3x3\"", "\"conv_7x7\"");
    String m = assertThrows(IllegalArgumentException.class, () -> EnasArch.fromJson(json)).getMessage();
    assertTrue(m.startsWith("normal node 0: 'op1'"), m);
    String text = EnasArch.ENAS_FINAL.toReadable().replace("n1 = identity(c_{k-2})", "n1 = identity(n3)");
    m = assertThrows(IllegalArgumentException.class, () -> EnasArch.parseReadable(text)).getMessage();
    assertTrue(m.contains("node 1"), m);
  }

  @Test
  void outputsAreTheUnreadIndices() {
    EnasCell normal = EnasArch.ENAS_FINAL.normal();
    // every node reads only the cell inputs: all five nodes are outputs
    assertEquals(List.of(2, 3, 4, 5, 6), normal.outputIndices());
    assertEquals(List.of(0, 1, 2, 3, 4), normal.unusedNodes());
    EnasCell reduce = EnasArch.ENAS_FINAL.reduce();
    assertEquals(List.of(2, 4, 5, 6), reduce.outputIndices());
    assertEquals(List.of(0, 2, 3, 4), reduce.unusedNodes());
    // a cell that never reads c_{k-2}: ENAS concatenates it into the output
    EnasCell c = EnasCell.fromInts(new int[] {1, 0, 1, 1, 2, 4, 1, 0}, 0, 2, "normal");
    assertEquals(List.of(0, 3), c.outputIndices());
    assertEquals(List.of(1), c.unusedNodes());
  }

  @Test
  void spaceChoicesAndValidity() {
    EnasMicroSpace s = new EnasMicroSpace();
    assertEquals(40, s.numDecisions());
    assertEquals(2, s.numChoices(0));
    assertEquals(5, s.numChoices(1));
    assertEquals(6, s.numChoices(4 * 4 + 2));
    assertEquals(2, s.numChoices(20));
    assertEquals("reduce n4 op2", s.decisionName(39));
    assertTrue(s.isValid(EnasArch.ENAS_FINAL.toInts()));
    int[] bad = EnasArch.ENAS_FINAL.toInts();
    bad[4] = 2; // node 1 may read 0..2: fine
    assertTrue(s.isValid(bad));
    bad[4] = 3;
    assertTrue(!s.isValid(bad));
    assertTrue(!s.isValid(new int[39]));
    assertEquals(EnasArch.ENAS_FINAL, s.decode(EnasArch.ENAS_FINAL.toInts()));
    // cardinality: per cell prod_j (j+2)^2 * 25; B = 5 gives about 2.6e25 (over a long: -1)
    assertEquals(-1, s.cardinality());
    long cell = 2 * 2 * 25 * 3 * 3 * 25;
    assertEquals(cell * cell, new EnasMicroSpace(2).cardinality());
    assertThrows(IllegalArgumentException.class, () -> new EnasMicroSpace(4).encode(EnasArch.ENAS_FINAL));
  }
}
