package io.jnas.util;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A small JSON writer and parser, enough for jnas's own files (run logs, genotypes, results,
 * checkpoints' metadata). Values map to Java as: object = {@code Map<String,Object>} (insertion
 * ordered), array = {@code List<Object>}, string, number ({@code Double} when parsed; any
 * {@link Number} when written), boolean, null. Non-finite numbers are written as null.
 */
public final class Json {
  private Json() {}

  /** Compact one-line JSON (for JSON-lines logs). */
  public static String write(Object value) {
    StringBuilder sb = new StringBuilder();
    write(sb, value, -1, 0);
    return sb.toString();
  }

  /** Indented JSON (two spaces), ending without a newline. */
  public static String pretty(Object value) {
    StringBuilder sb = new StringBuilder();
    write(sb, value, 2, 0);
    return sb.toString();
  }

  private static void write(StringBuilder sb, Object v, int indent, int depth) {
    if (v == null) {
      sb.append("null");
    } else if (v instanceof String s) {
      quote(sb, s);
    } else if (v instanceof Boolean b) {
      sb.append(b);
    } else if (v instanceof Double || v instanceof Float) {
      double d = ((Number) v).doubleValue();
      if (!Double.isFinite(d)) {
        sb.append("null");
      } else if (d == Math.rint(d) && Math.abs(d) < 1e15) {
        sb.append((long) d);
      } else {
        sb.append(v instanceof Float ? Float.toString((Float) v) : Double.toString(d));
      }
    } else if (v instanceof Number n) {
      sb.append(n);
    } else if (v instanceof Map<?, ?> m) {
      sb.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (!first) sb.append(',');
        first = false;
        newline(sb, indent, depth + 1);
        quote(sb, String.valueOf(e.getKey()));
        sb.append(indent >= 0 ? ": " : ":");
        write(sb, e.getValue(), indent, depth + 1);
      }
      if (!m.isEmpty()) newline(sb, indent, depth);
      sb.append('}');
    } else if (v instanceof Iterable<?> it) {
      sb.append('[');
      boolean first = true;
      boolean simple = true;
      for (Object o : it) simple &= !(o instanceof Map || o instanceof Iterable);
      for (Object o : it) {
        if (!first) sb.append(indent >= 0 && simple ? ", " : ",");
        first = false;
        if (!simple) newline(sb, indent, depth + 1);
        write(sb, o, indent, depth + 1);
      }
      if (!first && !simple) newline(sb, indent, depth);
      sb.append(']');
    } else if (v instanceof int[] a) {
      List<Object> l = new ArrayList<>();
      for (int x : a) l.add(x);
      write(sb, l, indent, depth);
    } else if (v instanceof double[] a) {
      List<Object> l = new ArrayList<>();
      for (double x : a) l.add(x);
      write(sb, l, indent, depth);
    } else if (v instanceof float[] a) {
      List<Object> l = new ArrayList<>();
      for (float x : a) l.add(x);
      write(sb, l, indent, depth);
    } else if (v instanceof long[] a) {
      List<Object> l = new ArrayList<>();
      for (long x : a) l.add(x);
      write(sb, l, indent, depth);
    } else {
      quote(sb, v.toString());
    }
  }

  private static void newline(StringBuilder sb, int indent, int depth) {
    if (indent < 0) return;
    sb.append('\n');
    for (int i = 0; i < indent * depth; i++) sb.append(' ');
  }

  private static void quote(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20) sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          else sb.append(c);
        }
      }
    }
    sb.append('"');
  }

  /**
   * Parses one JSON value.
   *
   * @throws IllegalArgumentException naming the position and what was expected
   */
  public static Object parse(String text) {
    Parser p = new Parser(text);
    p.ws();
    Object v = p.value();
    p.ws();
    if (p.i != text.length()) throw p.error("end of input");
    return v;
  }

  /** Parses a JSON object. */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> parseObject(String text) {
    Object v = parse(text);
    if (!(v instanceof Map)) throw new IllegalArgumentException("JSON: expected an object at the top level");
    return (Map<String, Object>) v;
  }

  private static final class Parser {
    final String s;
    int i;

    Parser(String s) {
      this.s = s;
    }

    IllegalArgumentException error(String expected) {
      int line = 1, col = 1;
      for (int k = 0; k < Math.min(i, s.length()); k++) {
        if (s.charAt(k) == '\n') {
          line++;
          col = 1;
        } else {
          col++;
        }
      }
      return new IllegalArgumentException("JSON: at line " + line + ", column " + col + ": expected " + expected);
    }

    void ws() {
      while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
    }

    Object value() {
      if (i >= s.length()) throw error("a value");
      char c = s.charAt(i);
      switch (c) {
        case '{': return object();
        case '[': return array();
        case '"': return string();
        case 't': return literal("true", Boolean.TRUE);
        case 'f': return literal("false", Boolean.FALSE);
        case 'n': return literal("null", null);
        default:
          if (c == '-' || (c >= '0' && c <= '9')) return number();
          throw error("a value");
      }
    }

    Object literal(String word, Object v) {
      if (!s.startsWith(word, i)) throw error("'" + word + "'");
      i += word.length();
      return v;
    }

    Double number() {
      int start = i;
      if (s.charAt(i) == '-') i++;
      while (i < s.length() && "0123456789.eE+-".indexOf(s.charAt(i)) >= 0) i++;
      try {
        return Double.valueOf(s.substring(start, i));
      } catch (NumberFormatException e) {
        i = start;
        throw error("a number");
      }
    }

    String string() {
      i++;
      StringBuilder sb = new StringBuilder();
      while (true) {
        if (i >= s.length()) throw error("a closing quote");
        char c = s.charAt(i++);
        if (c == '"') return sb.toString();
        if (c == '\\') {
          if (i >= s.length()) throw error("an escape");
          char e = s.charAt(i++);
          switch (e) {
            case 'n' -> sb.append('\n');
            case 't' -> sb.append('\t');
            case 'r' -> sb.append('\r');
            case 'b' -> sb.append('\b');
            case 'f' -> sb.append('\f');
            case 'u' -> {
              if (i + 4 > s.length()) throw error("four hex digits");
              sb.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
              i += 4;
            }
            default -> sb.append(e);
          }
        } else {
          sb.append(c);
        }
      }
    }

    List<Object> array() {
      i++;
      List<Object> l = new ArrayList<>();
      ws();
      if (i < s.length() && s.charAt(i) == ']') {
        i++;
        return l;
      }
      while (true) {
        ws();
        l.add(value());
        ws();
        if (i >= s.length()) throw error("',' or ']'");
        char c = s.charAt(i++);
        if (c == ']') return l;
        if (c != ',') {
          i--;
          throw error("',' or ']'");
        }
      }
    }

    Map<String, Object> object() {
      i++;
      Map<String, Object> m = new LinkedHashMap<>();
      ws();
      if (i < s.length() && s.charAt(i) == '}') {
        i++;
        return m;
      }
      while (true) {
        ws();
        if (i >= s.length() || s.charAt(i) != '"') throw error("a key string");
        String k = string();
        ws();
        if (i >= s.length() || s.charAt(i) != ':') throw error("':'");
        i++;
        ws();
        m.put(k, value());
        ws();
        if (i >= s.length()) throw error("',' or '}'");
        char c = s.charAt(i++);
        if (c == '}') return m;
        if (c != ',') {
          i--;
          throw error("',' or '}'");
        }
      }
    }
  }
}
