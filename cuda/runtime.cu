// runtime.cu: device discovery and the device runtime of the CUDA backend:
// memory (device and pinned host), copies, memsets and streams, each a thin
// wrapper that returns the cudaError_t code (no CUDA type crosses jnas.h:
// streams are void*). cudart is linked statically; with no driver,
// cudaGetDeviceCount answers error 35 and nothing crashes, so the Java side
// can fall back to the CPU.
#include "jnas.h"

#include <cuda_runtime.h>
#include <cstring>

extern "C" {

int jnas_cuda_built(void) { return 1; }

int jnas_cuda_device_count(int* count) {
  *count = 0;
  cudaError_t e = cudaGetDeviceCount(count);
  if (e != cudaSuccess) {
    *count = 0;
    cudaGetLastError();  // clear the sticky-free error state
  }
  return (int)e;
}

int jnas_cuda_device_info(int device, char* name, int name_len, int64_t* total_mem,
                          int64_t* free_mem, int* cc_major, int* cc_minor) {
  cudaDeviceProp p;
  cudaError_t e = cudaGetDeviceProperties(&p, device);
  if (e != cudaSuccess) return (int)e;
  if (name_len > 0) {
    std::strncpy(name, p.name, name_len - 1);
    name[name_len - 1] = 0;
  }
  *cc_major = p.major;
  *cc_minor = p.minor;
  int prev = 0;
  cudaGetDevice(&prev);
  cudaSetDevice(device);
  size_t f = 0, t = 0;
  e = cudaMemGetInfo(&f, &t);
  cudaSetDevice(prev);
  *free_mem = (int64_t)f;
  *total_mem = (int64_t)t;
  return (int)e;
}

const char* jnas_cuda_error_string(int code) { return cudaGetErrorString((cudaError_t)code); }

int jnas_cuda_set_device(int device) { return (int)cudaSetDevice(device); }

int jnas_cuda_device_synchronize(void) { return (int)cudaDeviceSynchronize(); }

int jnas_cuda_malloc(int64_t bytes, void** ptr) {
  *ptr = nullptr;
  if (bytes < 0) return (int)cudaErrorInvalidValue;
  cudaError_t e = cudaMalloc(ptr, (size_t)bytes);
  if (e != cudaSuccess) *ptr = nullptr;
  return (int)e;
}

int jnas_cuda_free(void* ptr) { return (int)cudaFree(ptr); }

int jnas_cuda_memset(void* ptr, int value, int64_t bytes) {
  return (int)cudaMemset(ptr, value, (size_t)bytes);
}

int jnas_cuda_memset_async(void* ptr, int value, int64_t bytes, void* stream) {
  return (int)cudaMemsetAsync(ptr, value, (size_t)bytes, static_cast<cudaStream_t>(stream));
}

int jnas_cuda_memcpy_htod(void* dst, const void* src, int64_t bytes) {
  return (int)cudaMemcpy(dst, src, (size_t)bytes, cudaMemcpyHostToDevice);
}

int jnas_cuda_memcpy_dtoh(void* dst, const void* src, int64_t bytes) {
  return (int)cudaMemcpy(dst, src, (size_t)bytes, cudaMemcpyDeviceToHost);
}

int jnas_cuda_memcpy_dtod(void* dst, const void* src, int64_t bytes) {
  return (int)cudaMemcpy(dst, src, (size_t)bytes, cudaMemcpyDeviceToDevice);
}

int jnas_cuda_memcpy_htod_async(void* dst, const void* src, int64_t bytes, void* stream) {
  return (int)cudaMemcpyAsync(dst, src, (size_t)bytes, cudaMemcpyHostToDevice,
                              static_cast<cudaStream_t>(stream));
}

int jnas_cuda_memcpy_dtoh_async(void* dst, const void* src, int64_t bytes, void* stream) {
  return (int)cudaMemcpyAsync(dst, src, (size_t)bytes, cudaMemcpyDeviceToHost,
                              static_cast<cudaStream_t>(stream));
}

int jnas_cuda_memcpy_dtod_async(void* dst, const void* src, int64_t bytes, void* stream) {
  return (int)cudaMemcpyAsync(dst, src, (size_t)bytes, cudaMemcpyDeviceToDevice,
                              static_cast<cudaStream_t>(stream));
}

int jnas_cuda_stream_create(void** stream) {
  cudaStream_t s = nullptr;
  cudaError_t e = cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking);
  *stream = e == cudaSuccess ? static_cast<void*>(s) : nullptr;
  return (int)e;
}

int jnas_cuda_stream_destroy(void* stream) {
  return (int)cudaStreamDestroy(static_cast<cudaStream_t>(stream));
}

int jnas_cuda_stream_synchronize(void* stream) {
  return (int)cudaStreamSynchronize(static_cast<cudaStream_t>(stream));
}

int jnas_cuda_malloc_host(int64_t bytes, void** ptr) {
  *ptr = nullptr;
  if (bytes < 0) return (int)cudaErrorInvalidValue;
  cudaError_t e = cudaMallocHost(ptr, (size_t)bytes);
  if (e != cudaSuccess) *ptr = nullptr;
  return (int)e;
}

int jnas_cuda_free_host(void* ptr) { return (int)cudaFreeHost(ptr); }

int jnas_cuda_last_error(void) { return (int)cudaGetLastError(); }

}  // extern "C"
