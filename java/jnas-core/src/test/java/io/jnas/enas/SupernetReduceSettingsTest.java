package io.jnas.enas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnas.util.Json;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The supernet's reductions as a setting: written, read back, absent in older runs, checked. */
class SupernetReduceSettingsTest {
  @Test
  void roundTripOlderFilesAndBadValues() {
    SearchSettings q = SearchSettings.quick();
    assertFalse(q.net().stridedReduce(), "ENAS's reductions unless asked");
    assertFalse(SearchSettings.enas("synthetic").net().stridedReduce());
    SearchSettings strided = q.withNet(q.net().withStridedReduce(true));
    Map<String, Object> m = Json.parseObject(Json.pretty(strided.toMap()));
    assertEquals("strided", m.get("supernet_reduce"));
    assertEquals(strided, SearchSettings.fromMap(m));
    assertEquals("enas", q.toMap().get("supernet_reduce"));
    assertEquals(q, SearchSettings.fromMap(Json.parseObject(Json.pretty(q.toMap()))));
    m.remove("supernet_reduce");
    assertFalse(SearchSettings.fromMap(m).net().stridedReduce(), "runs from before the setting reduced as ENAS");
    m.put("supernet_reduce", "pool");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SearchSettings.fromMap(m));
    assertTrue(e.getMessage().contains("supernet_reduce") && e.getMessage().contains("pool"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new SearchSettings.Net(SearchSettings.MACRO, 4, 8, 1, true));
    assertTrue(e.getMessage().contains("enas-macro"), e.getMessage());
  }
}
