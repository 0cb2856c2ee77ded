package io.jnas.ops;

import io.jnas.tensor.IntTensor;
import io.jnas.tensor.Tensor;
import java.util.Arrays;

/**
 * Argument checks done at the Java boundary, before anything reaches native code.
 * Every failure is an {@link IllegalArgumentException} whose message names the op, the
 * argument, what it got and what was expected.
 */
final class Check {
  private Check() {}

  static void notNull(String op, String name, Object t) {
    if (t == null) throw new IllegalArgumentException(op + ": " + name + " is null, expected a tensor");
  }

  static void shape(String op, String name, Tensor t, int... expected) {
    notNull(op, name, t);
    if (!t.hasShape(expected)) {
      throw new IllegalArgumentException(op + ": " + name + " has shape " + Arrays.toString(t.shape())
          + ", expected " + Arrays.toString(expected));
    }
  }

  static void shape(String op, String name, IntTensor t, int... expected) {
    notNull(op, name, t);
    if (!t.hasShape(expected)) {
      throw new IllegalArgumentException(op + ": " + name + " has shape " + Arrays.toString(t.shape())
          + ", expected " + Arrays.toString(expected));
    }
  }

  /** Checks the shape of a tensor that may be null (an optional argument). */
  static void optionalShape(String op, String name, Tensor t, int... expected) {
    if (t != null) shape(op, name, t, expected);
  }

  static void rank(String op, String name, Tensor t, int rank) {
    notNull(op, name, t);
    if (t.rank() != rank) {
      throw new IllegalArgumentException(op + ": " + name + " has shape " + Arrays.toString(t.shape())
          + ", expected " + rank + " dimensions");
    }
  }

  static void size(String op, String name, Tensor t, long expected) {
    notNull(op, name, t);
    if (t.size() != expected) {
      throw new IllegalArgumentException(op + ": " + name + " has " + t.size() + " elements ("
          + Arrays.toString(t.shape()) + "), expected " + expected);
    }
  }

  static void positive(String op, String name, int v) {
    if (v <= 0) throw new IllegalArgumentException(op + ": " + name + " is " + v + ", expected a positive value");
  }

  static void nonNegative(String op, String name, int v) {
    if (v < 0) throw new IllegalArgumentException(op + ": " + name + " is " + v + ", expected 0 or more");
  }

  static void inRange(String op, String name, double v, double lo, double hi) {
    if (!(v >= lo && v <= hi)) {
      throw new IllegalArgumentException(op + ": " + name + " is " + v + ", expected a value in [" + lo + ", " + hi + "]");
    }
  }

  static void finite(String op, String name, double v) {
    if (!Double.isFinite(v)) throw new IllegalArgumentException(op + ": " + name + " is " + v + ", expected a finite number");
  }

  static void that(boolean ok, String message) {
    if (!ok) throw new IllegalArgumentException(message);
  }

  static void distinct(String op, String nameA, Object a, String nameB, Object b) {
    if (a != null && a == b) {
      throw new IllegalArgumentException(op + ": " + nameA + " and " + nameB + " are the same tensor, expected distinct buffers");
    }
  }

  /** Turns a native return code into an exception; 0 passes. */
  static void ok(String op, int code) {
    if (code != 0) throw new IllegalStateException(op + ": native call failed with code " + code);
  }
}
