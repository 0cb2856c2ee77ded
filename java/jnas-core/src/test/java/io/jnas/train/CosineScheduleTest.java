package io.jnas.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CosineScheduleTest {
  @Test
  void warmRestartsAtT0ThenEveryDoubledPeriod() {
    CosineSchedule s = CosineSchedule.enasSearch();
    assertEquals(0.05, s.at(0), 1e-12);
    assertEquals(0.05, s.at(10), 1e-12);   // first restart after T0 = 10
    assertEquals(0.05, s.at(30), 1e-12);   // then after 20 more
    assertEquals(0.05, s.at(70), 1e-12);   // then after 40 more
    // halfway through the first period: the mean of max and min
    assertEquals((0.05 + 5e-4) / 2, s.at(5), 1e-12);
    assertTrue(s.at(9) < s.at(8) && s.at(9) > 5e-4);
    assertEquals((0.05 + 5e-4) / 2, s.at(20), 1e-12);  // halfway through the 20-epoch period
  }

  @Test
  void badArguments() {
    assertThrows(IllegalArgumentException.class, () -> new CosineSchedule(0.05, 0.1, 10, 2));
    assertThrows(IllegalArgumentException.class, () -> new CosineSchedule(0.05, 0.0, 0, 2));
    assertThrows(IllegalArgumentException.class, () -> CosineSchedule.enasSearch().at(-1));
  }
}
