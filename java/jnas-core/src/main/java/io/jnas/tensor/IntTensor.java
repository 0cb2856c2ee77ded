package io.jnas.tensor;

import java.util.Arrays;
import org.bytedeco.javacpp.IntPointer;

/** A dense int32 tensor in native memory: class labels, argmax indices. */
public final class IntTensor implements AutoCloseable {
  private final IntPointer data;
  private final int[] shape;
  private final long size;
  private boolean closed;

  private IntTensor(int[] shape) {
    this.shape = shape.clone();
    this.size = Tensor.sizeOf("shape", this.shape);
    this.data = new IntPointer(Math.max(1, size));
    this.data.zero();
  }

  /** A tensor of zeros. */
  public static IntTensor zeros(int... shape) {
    return new IntTensor(shape);
  }

  /** A tensor holding a copy of {@code values}. */
  public static IntTensor of(int[] values, int... shape) {
    IntTensor t = new IntTensor(shape);
    t.copyFrom(values);
    return t;
  }

  /** The shape (a copy). */
  public int[] shape() {
    return shape.clone();
  }

  /** Size of dimension {@code i}. */
  public int dim(int i) {
    return shape[i];
  }

  /** Number of dimensions. */
  public int rank() {
    return shape.length;
  }

  /** Number of elements. */
  public long size() {
    return size;
  }

  /** Whether this tensor has exactly the given shape. */
  public boolean hasShape(int... expected) {
    return Arrays.equals(shape, expected);
  }

  /** Element {@code i}. */
  public int get(long i) {
    ensureOpen();
    if (i < 0 || i >= size) throw new IndexOutOfBoundsException("index " + i + ", size " + size);
    return data.get(i);
  }

  /** Copies all values into a new array. */
  public int[] toArray() {
    ensureOpen();
    int[] v = new int[Math.toIntExact(size)];
    data.get(v);
    return v;
  }

  /** Overwrites all values. */
  public IntTensor copyFrom(int[] values) {
    ensureOpen();
    if (values.length != size) {
      throw new IllegalArgumentException("copyFrom: got " + values.length + " values, expected " + size);
    }
    data.put(values);
    return this;
  }

  /** The native memory, for backends and bindings. */
  public IntPointer pointer() {
    ensureOpen();
    return data;
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      data.close();
    }
  }

  private void ensureOpen() {
    if (closed) throw new IllegalStateException("tensor " + Arrays.toString(shape) + " is closed");
  }

  @Override
  public String toString() {
    return "IntTensor" + Arrays.toString(shape);
  }
}
