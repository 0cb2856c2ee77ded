package io.jnas.tensor;

import java.util.Arrays;
import java.util.random.RandomGenerator;
import org.bytedeco.javacpp.FloatPointer;

/**
 * A dense float32 tensor in native (off-heap) memory, row-major (NCHW for images).
 *
 * <p>A tensor owns its memory: close it (or use try-with-resources) to free it at once;
 * otherwise JavaCPP frees it when the tensor is garbage-collected. Shapes are fixed.
 */
public final class Tensor implements AutoCloseable {
  private final FloatPointer data;
  private final int[] shape;
  private final long size;
  private boolean closed;

  private Tensor(int[] shape) {
    this.shape = shape.clone();
    this.size = sizeOf("shape", this.shape);
    this.data = new FloatPointer(Math.max(1, size));
    this.data.zero();
  }

  /** A tensor of zeros. Every dimension must be positive. */
  public static Tensor zeros(int... shape) {
    return new Tensor(shape);
  }

  /** A tensor holding a copy of {@code values}, whose length must equal the shape's product. */
  public static Tensor of(float[] values, int... shape) {
    Tensor t = new Tensor(shape);
    t.copyFrom(values);
    return t;
  }

  /** Values drawn from a normal distribution with the given standard deviation. */
  public static Tensor randn(RandomGenerator rng, float std, int... shape) {
    Tensor t = new Tensor(shape);
    float[] v = new float[Math.toIntExact(t.size)];
    for (int i = 0; i < v.length; i++) v[i] = (float) (rng.nextGaussian() * std);
    t.copyFrom(v);
    return t;
  }

  /** Values drawn uniformly from [lo, hi). */
  public static Tensor uniform(RandomGenerator rng, float lo, float hi, int... shape) {
    Tensor t = new Tensor(shape);
    float[] v = new float[Math.toIntExact(t.size)];
    for (int i = 0; i < v.length; i++) v[i] = lo + (hi - lo) * rng.nextFloat();
    t.copyFrom(v);
    return t;
  }

  static long sizeOf(String what, int[] shape) {
    if (shape.length == 0) throw new IllegalArgumentException(what + ": at least one dimension expected");
    long n = 1;
    for (int i = 0; i < shape.length; i++) {
      if (shape[i] <= 0) {
        throw new IllegalArgumentException(what + ": dimension " + i + " is " + shape[i]
            + ", expected a positive size (shape " + Arrays.toString(shape) + ")");
      }
      n = Math.multiplyExact(n, shape[i]);
    }
    return n;
  }

  /** The shape (a copy). */
  public int[] shape() {
    return shape.clone();
  }

  /** Number of dimensions. */
  public int rank() {
    return shape.length;
  }

  /** Size of dimension {@code i}. */
  public int dim(int i) {
    return shape[i];
  }

  /** Number of elements. */
  public long size() {
    return size;
  }

  /** Whether this tensor has exactly the given shape. */
  public boolean hasShape(int... expected) {
    return Arrays.equals(shape, expected);
  }

  /** Element {@code i} of the flattened tensor. */
  public float get(long i) {
    checkIndex(i);
    return data.get(i);
  }

  /** Sets element {@code i} of the flattened tensor. */
  public void set(long i, float v) {
    checkIndex(i);
    data.put(i, v);
  }

  /** Copies all values into a new array. */
  public float[] toArray() {
    ensureOpen();
    float[] v = new float[Math.toIntExact(size)];
    data.get(v);
    return v;
  }

  /** Overwrites all values from {@code values}, whose length must equal {@link #size()}. */
  public Tensor copyFrom(float[] values) {
    ensureOpen();
    if (values.length != size) {
      throw new IllegalArgumentException("copyFrom: got " + values.length + " values, expected "
          + size + " for shape " + Arrays.toString(shape));
    }
    data.put(values);
    return this;
  }

  /** Copies all values from a tensor of the same size. */
  public Tensor copyFrom(Tensor other) {
    ensureOpen();
    other.ensureOpen();
    if (other.size != size) {
      throw new IllegalArgumentException("copyFrom: source has " + other.size + " elements, expected " + size);
    }
    org.bytedeco.javacpp.Pointer.memcpy(data, other.data, size * Float.BYTES);
    return this;
  }

  /** Sets every element to {@code v}. */
  public Tensor fill(float v) {
    ensureOpen();
    if (v == 0f) {
      data.zero();
    } else {
      float[] a = new float[Math.toIntExact(size)];
      Arrays.fill(a, v);
      data.put(a);
    }
    return this;
  }

  /** Sets every element to zero. */
  public Tensor zero() {
    return fill(0f);
  }

  /** A new tensor with the same values. */
  public Tensor copy() {
    return new Tensor(shape).copyFrom(this);
  }

  /**
   * The native memory, for backends and bindings. Callers must not keep it past
   * {@link #close()}.
   */
  public FloatPointer pointer() {
    ensureOpen();
    return data;
  }

  /** Frees the native memory now. Further use throws {@link IllegalStateException}. */
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

  private void checkIndex(long i) {
    ensureOpen();
    if (i < 0 || i >= size) throw new IndexOutOfBoundsException("index " + i + ", size " + size);
  }

  @Override
  public String toString() {
    return "Tensor" + Arrays.toString(shape);
  }
}
