package io.jnas.backend;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;

/**
 * A backend of the native core: a {@code jnas_backend*} of the given kind. The kernels and
 * the memory of each kind are C++ ({@code native/graph/backend.cpp}); this class holds the
 * handle, frees it once (on {@link #close()}, or when unreachable: {@link NativeHandle})
 * and answers the questions of {@link Backend}.
 */
final class NativeBackend implements Backend {
  private final String id;
  private final boolean shared;
  private final NativeHandle handle;
  private final String description;

  private NativeBackend(String id, Pointer ptr, boolean shared, String description) {
    this.id = id;
    this.shared = shared;
    this.handle = new NativeHandle(this, ptr, NativeLib::jnas_backend_destroy, null);
    this.description = description;
  }

  /**
   * Creates a backend of a kind.
   *
   * @param shared whether it is a process-wide backend that {@link #close()} leaves alone
   * @throws IllegalStateException with the native reason where the kind cannot be made here
   */
  static NativeBackend create(String kind, int device, boolean shared, String description) {
    NativeLib.load();
    Pointer p;
    try (BytePointer k = new BytePointer(kind)) {
      p = NativeLib.jnas_backend_create(k, device);
    }
    if (p == null || p.isNull()) throw new IllegalStateException("backend " + kind + ": " + lastError());
    return new NativeBackend(kind, p, shared, description);
  }

  /** This thread's last native error message. */
  static String lastError() {
    BytePointer m = NativeLib.jnas_last_error();
    String s = m == null || m.isNull() ? "" : m.getString();
    return s.isEmpty() ? "unknown native error" : s;
  }

  /** The native handle; throws once closed. */
  Pointer handle() {
    Pointer p = handle.get();
    if (p == null) throw new IllegalStateException("backend " + id + " is closed");
    return p;
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public String description() {
    return description;
  }

  @Override
  public boolean deviceMemory() {
    return id.equals("cuda");
  }

  @Override
  public long allocatedBytes() {
    return NativeLib.jnas_backend_bytes(handle(), 0);
  }

  @Override
  public long peakBytes() {
    return NativeLib.jnas_backend_bytes(handle(), 1);
  }

  @Override
  public void close() {
    if (!shared) handle.close();
  }

  @Override
  public String toString() {
    return description;
  }
}
