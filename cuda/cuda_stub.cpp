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

// Device runtime: every one answers JNAS_E_NO_CUDA (void** outputs get NULL).
int jnas_cuda_set_device(int) { return JNAS_E_NO_CUDA; }
int jnas_cuda_device_synchronize(void) { return JNAS_E_NO_CUDA; }
int jnas_cuda_malloc(int64_t, void** ptr) { *ptr = nullptr; return JNAS_E_NO_CUDA; }
int jnas_cuda_free(void*) { return JNAS_E_NO_CUDA; }
int jnas_cuda_memset(void*, int, int64_t) { return JNAS_E_NO_CUDA; }
int jnas_cuda_memset_async(void*, int, int64_t, void*) { return JNAS_E_NO_CUDA; }
int jnas_cuda_memcpy_htod(void*, const void*, int64_t) { return JNAS_E_NO_CUDA; }
int jnas_cuda_memcpy_dtoh(void*, const void*, int64_t) { return JNAS_E_NO_CUDA; }
int jnas_cuda_memcpy_dtod(void*, const void*, int64_t) { return JNAS_E_NO_CUDA; }
int jnas_cuda_memcpy_htod_async(void*, const void*, int64_t, void*) { return JNAS_E_NO_CUDA; }
int jnas_cuda_memcpy_dtoh_async(void*, const void*, int64_t, void*) { return JNAS_E_NO_CUDA; }
int jnas_cuda_memcpy_dtod_async(void*, const void*, int64_t, void*) { return JNAS_E_NO_CUDA; }
int jnas_cuda_stream_create(void** stream) { *stream = nullptr; return JNAS_E_NO_CUDA; }
int jnas_cuda_stream_destroy(void*) { return JNAS_E_NO_CUDA; }
int jnas_cuda_stream_synchronize(void*) { return JNAS_E_NO_CUDA; }
int jnas_cuda_malloc_host(int64_t, void** ptr) { *ptr = nullptr; return JNAS_E_NO_CUDA; }
int jnas_cuda_free_host(void*) { return JNAS_E_NO_CUDA; }
int jnas_cuda_last_error(void) { return JNAS_E_NO_CUDA; }
// Every kernel of the backend table, generated from the one list (a signature
// that differs from jnas.h does not compile).
#define JNAS_UNPAREN(...) __VA_ARGS__
#define JNAS_OP(name, params, args) \
  int jnas_cuda_##name(JNAS_UNPAREN params, void*) { return JNAS_E_NO_CUDA; }
#include "graph/backend_ops.def"
#undef JNAS_OP

}  // extern "C"
