package io.jnas.backend;

import java.lang.ref.Cleaner;
import java.util.function.Consumer;
import org.bytedeco.javacpp.Pointer;

/**
 * A native object freed exactly once: by {@link #close()}, or by a {@link Cleaner} once its
 * owner is unreachable. {@code keepAlive} (e.g. the backend a network lives on) stays reachable
 * until the object is freed, so a backend is never freed before the networks built on it.
 */
final class NativeHandle implements AutoCloseable {
  private static final Cleaner CLEANER = Cleaner.create();

  /** What the cleaner runs; it must not reach the owner. */
  private static final class Free implements Runnable {
    private Pointer ptr;
    private final Consumer<Pointer> destroy;
    @SuppressWarnings("unused") private final Object keepAlive;

    Free(Pointer ptr, Consumer<Pointer> destroy, Object keepAlive) {
      this.ptr = ptr;
      this.destroy = destroy;
      this.keepAlive = keepAlive;
    }

    @Override
    public synchronized void run() {
      if (ptr != null) {
        destroy.accept(ptr);
        ptr = null;
      }
    }
  }

  private final Free free;
  private final Cleaner.Cleanable cleanable;

  NativeHandle(Object owner, Pointer ptr, Consumer<Pointer> destroy, Object keepAlive) {
    this.free = new Free(ptr, destroy, keepAlive);
    this.cleanable = CLEANER.register(owner, free);
  }

  /** The pointer, or null once freed. */
  Pointer get() {
    return free.ptr;
  }

  @Override
  public void close() {
    cleanable.clean();
  }
}
