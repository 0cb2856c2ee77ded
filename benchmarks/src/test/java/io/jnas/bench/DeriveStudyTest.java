package io.jnas.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link DeriveStudy#checkedArcs}: the cells a run trained from scratch, in file order. */
class DeriveStudyTest {
  @Test
  void readsVerifyThenRankingCells(@TempDir Path run) throws Exception {
    Files.writeString(run.resolve("verify.json"), """
        {"derived_arc": "0 1 1 4", "derived_accuracy": 0.9,
         "random": [{"arc": "1 2 0 3", "accuracy": 0.8}, {"arc": "0 0 1 1", "accuracy": 0.7}]}
        """);
    Files.writeString(run.resolve("ranking.json"), """
        {"rows": [{"arc": "1 3 1 2", "scratch_accuracy": 0.5, "shared_weight_accuracy": 0.4}]}
        """);
    List<int[]> a = DeriveStudy.checkedArcs(run);
    assertEquals(4, a.size());
    assertArrayEquals(new int[] {0, 1, 1, 4}, a.get(0));
    assertArrayEquals(new int[] {0, 0, 1, 1}, a.get(2));
    assertArrayEquals(new int[] {1, 3, 1, 2}, a.get(3));
  }

  @Test
  void aRunWithoutChecksHasNone(@TempDir Path run) throws Exception {
    assertEquals(0, DeriveStudy.checkedArcs(run).size());
  }
}
