package io.jnas.backend;

/**
 * Where a network's memory lives and which kernels run on it: one engine behind the same
 * networks ({@link NativeNetwork}) and the same C API. The backend in use is chosen at run
 * time ({@link Backends#current()}, {@code -Djnas.backend=auto|cpu|cuda}); a network can also
 * be given one explicitly.
 *
 * <ul>
 *   <li>{@code cpu}: host memory, the C++ kernels on OpenBLAS; always available.
 *   <li>{@code cuda}: device memory, the CUDA kernels; where this build has them and a GPU
 *       answers.
 *   <li>{@code hostblind}: the CPU kernels on memory that the host cannot read or write outside
 *       a kernel call (pages mapped {@code PROT_NONE} in between). A network that runs on it
 *       proves that its orchestration never touches backend memory on the host, which is what
 *       a GPU step needs; tests use it.
 *   <li>{@code dry}: touches no memory and runs no kernel. A network built and stepped on it
 *       gives its sizes, FLOPs, plan and the exact bytes a real backend would allocate,
 *       without allocating them ({@code Supernet.estimateBytes}).
 * </ul>
 *
 * <p>A backend must outlive the networks built on it (each network holds a reference to its
 * own). The process-wide {@code cpu} and {@code cuda} backends are never closed; a
 * {@code hostblind} or {@code dry} backend is closed by its owner (or freed when unreachable).
 * One backend serves one thread at a time.
 */
public sealed interface Backend extends AutoCloseable permits NativeBackend {
  /** The kind: {@code cpu}, {@code cuda}, {@code hostblind} or {@code dry}. */
  String id();

  /** One line for people, e.g. {@code cpu (2 kernel threads, avx512, OpenBLAS 2)}. */
  String description();

  /** Whether network memory lives off the host (CUDA), so that reading it costs a copy. */
  boolean deviceMemory();

  /** Bytes of backend memory allocated now. */
  long allocatedBytes();

  /** The most bytes of backend memory allocated at once so far. */
  long peakBytes();

  /** Frees the backend; the process-wide ones ignore this. Networks built on it must be closed first. */
  @Override
  void close();
}
