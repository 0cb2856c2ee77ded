// cuda_stub.cpp: the CUDA half of jnas.h for builds without nvcc. Every call
// answers "no CUDA", so the Java side falls back to the CPU backend.
#include "jnas.h"

#include <cstring>

extern "C" {

int jnas_cuda_built(void) { return 0; }
int jnas_cuda_device_count(int* count) {
  *count = 0;
  return 100;  // cudaErrorNoDevice
}
int jnas_cuda_device_info(int, char* name, int name_len, int64_t* total, int64_t* free_mem,
                          int* major, int* minor) {
  if (name_len > 0) name[0] = 0;
  *total = *free_mem = 0;
  *major = *minor = 0;
  return JNAS_E_NO_CUDA;
}
const char* jnas_cuda_error_string(int code) {
  return code == 0 ? "no error" : "jnas was built without CUDA (nvcc was not found at build time)";
}

}  // extern "C"
