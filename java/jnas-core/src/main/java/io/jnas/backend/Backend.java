package io.jnas.backend;

/** Where tensors live and kernels run. */
public enum Backend {
  /** C++ kernels on OpenBLAS; always available. */
  CPU,
  /** Hand-written CUDA kernels (and cuDNN where it wins); needs a GPU and its driver. */
  CUDA;

  /** Lower-case name as used by {@code -Djnas.backend}. */
  public String id() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
