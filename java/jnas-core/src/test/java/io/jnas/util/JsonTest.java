package io.jnas.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
  @Test
  void writesAndParsesBack() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", "a \"quoted\"\nline");
    m.put("n", 3);
    m.put("x", 0.125);
    m.put("nan", Double.NaN);
    m.put("list", List.of(1, 2, List.of("z")));
    m.put("arc", new int[] {0, 4, 1});
    m.put("ok", true);
    m.put("none", null);
    String s = Json.write(m);
    assertEquals("{\"name\":\"a \\\"quoted\\\"\\nline\",\"n\":3,\"x\":0.125,\"nan\":null,\"list\":[1,2,[\"z\"]],\"arc\":[0,4,1],\"ok\":true,\"none\":null}", s);
    Map<String, Object> back = Json.parseObject(Json.pretty(m));
    assertEquals("a \"quoted\"\nline", back.get("name"));
    assertEquals(3.0, back.get("n"));
    assertEquals(List.of(1.0, 2.0, List.of("z")), back.get("list"));
    assertEquals(true, back.get("ok"));
    assertTrue(back.containsKey("none"));
  }

  @Test
  void errorsNameThePosition() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.parse("{\"a\": [1, 2,, 3]}"));
    assertTrue(e.getMessage().contains("line 1, column 13"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Json.parse("{\"a\": 1}\n x"));
    assertTrue(e.getMessage().contains("line 2"), e.getMessage());
  }
}
