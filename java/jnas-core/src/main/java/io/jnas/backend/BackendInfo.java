package io.jnas.backend;

import java.util.List;

/**
 * What the probe found: the backend in use, why, and what the machine and this build offer.
 *
 * @param backend the backend in use
 * @param reason one sentence: why this backend (property, probe result)
 * @param cpuThreads threads of jnas's own CPU loops
 * @param cudaBuilt whether this build contains the CUDA backend (nvcc was present)
 * @param compiled the backend kinds this build can make ({@code cpu}, {@code cuda} where built,
 *     {@code hostblind}, {@code dry})
 * @param gpus the usable GPUs (empty where none)
 */
public record BackendInfo(Backend backend, String reason, int cpuThreads, boolean cudaBuilt, List<String> compiled,
    List<Gpu> gpus) {
  /**
   * One GPU.
   *
   * @param index device index
   * @param name device name
   * @param totalBytes total memory
   * @param freeBytes free memory at probe time
   * @param computeCapability e.g. "9.0"
   */
  public record Gpu(int index, String name, long totalBytes, long freeBytes, String computeCapability) {}
}
