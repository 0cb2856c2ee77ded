// runtime.cu: device discovery for the CUDA backend. cudart is linked
// statically; with no driver, cudaGetDeviceCount answers error 35 and
// nothing crashes, so the Java side can fall back to the CPU.
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

}  // extern "C"
