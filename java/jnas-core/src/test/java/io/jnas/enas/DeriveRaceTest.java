package io.jnas.enas;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnas.util.Json;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The derivation's race: the best fifth after 2 batches, or successive halving. */
class DeriveRaceTest {
  @Test
  void cutsOfBothRaces() {
    assertCuts(EnasSearch.raceCuts(200, 30, true), new int[] {2, 100}, new int[] {4, 50}, new int[] {8, 25}, new int[] {16, 12});
    assertCuts(EnasSearch.raceCuts(50, 7, false), new int[] {2, 10});
    assertCuts(EnasSearch.raceCuts(50, 7, true), new int[] {2, 25}, new int[] {4, 12});
    assertCuts(EnasSearch.raceCuts(3, 30, true), new int[] {2, 1});
    assertCuts(EnasSearch.raceCuts(9, 2, true));
    assertCuts(EnasSearch.raceCuts(9, 1, false));
  }

  @Test
  void settingsKeepTheRaceAndOldRunsRaceAsBefore() {
    SearchSettings q = SearchSettings.quick();
    assertTrue(q.derive().halving(), "the quick preset halves");
    assertFalse(SearchSettings.enas("synthetic").derive().halving());
    assertEquals(q, SearchSettings.fromMap(Json.parseObject(Json.pretty(q.toMap()))));
    Map<String, Object> old = Json.parseObject(Json.pretty(q.toMap()));
    old.remove("derive_halving");
    assertFalse(SearchSettings.fromMap(old).derive().halving(), "runs from before the setting kept the best fifth");
    old.put("derive_halving", 1);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SearchSettings.fromMap(old));
    assertTrue(e.getMessage().contains("derive_halving"), e.getMessage());
  }

  private static void assertCuts(List<int[]> got, int[]... want) {
    assertEquals(want.length, got.size(), "cuts");
    for (int i = 0; i < want.length; i++) assertArrayEquals(want[i], got.get(i), "cut " + i);
  }
}
