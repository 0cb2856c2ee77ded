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

// Device runtime and ops: every one answers JNAS_E_NO_CUDA (void** outputs get NULL).
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
int jnas_cuda_conv2d_forward(float*, const float*, const float*, const float*, int, int, int, int, int, int, int, int, int, int, int, int, void*) { return JNAS_E_NO_CUDA; }
int jnas_cuda_conv2d_backward(float*, float*, float*, const float*, const float*, const float*, int, int, int, int, int, int, int, int, int, int, int, int, void*) { return JNAS_E_NO_CUDA; }
int jnas_cuda_conv2d_forward_ref(float*, const float*, const float*, const float*, int, int, int, int, int, int, int, int, int, int, int, int, void*) { return JNAS_E_NO_CUDA; }
int jnas_cuda_conv2d_backward_ref(float*, float*, float*, const float*, const float*, const float*, int, int, int, int, int, int, int, int, int, int, int, int, void*) { return JNAS_E_NO_CUDA; }
int jnas_cuda_sepconv_forward(float*, float*, const float*, const float*, const float*, int, int, int, int, int, int, int, int, int, void*) { return JNAS_E_NO_CUDA; }
int jnas_cuda_sepconv_backward(float*, float*, float*, const float*, const float*, const float*, const float*, const float*, int, int, int, int, int, int, int, int, int, void*) { return JNAS_E_NO_CUDA; }
int jnas_cuda_maxpool_forward(float*, int32_t*, const float*, int, int, int, int, int, int, int, void*) { return JNAS_E_NO_CUDA; }
int jnas_cuda_maxpool_backward(float*, const float*, const int32_t*, int, int, int, int, int, int, int, void*) { return JNAS_E_NO_CUDA; }
int jnas_cuda_avgpool_forward(float*, const float*, int, int, int, int, int, int, int, void*) { return JNAS_E_NO_CUDA; }
int jnas_cuda_avgpool_backward(float*, const float*, int, int, int, int, int, int, int, void*) { return JNAS_E_NO_CUDA; }
int jnas_cuda_global_avgpool_forward(float*, const float*, int, int, int, void*) { return JNAS_E_NO_CUDA; }
int jnas_cuda_global_avgpool_backward(float*, const float*, int, int, int, void*) { return JNAS_E_NO_CUDA; }
int jnas_cuda_batchnorm_forward(float*, float*, float*, const float*, const float*, const float*, float*, float*, int, int, int, float, float, int, void*) { return JNAS_E_NO_CUDA; }
int jnas_cuda_batchnorm_backward(float*, float*, float*, const float*, const float*, const float*, const float*, const float*, int, int, int, int, void*) { return JNAS_E_NO_CUDA; }
int jnas_cuda_relu_forward(float*, const float*, int64_t, void*) { return JNAS_E_NO_CUDA; }
int jnas_cuda_relu_backward(float*, const float*, const float*, int64_t, void*) { return JNAS_E_NO_CUDA; }
int jnas_cuda_sum_forward(float*, const float* const*, int, int64_t, void*) { return JNAS_E_NO_CUDA; }
int jnas_cuda_sum_backward(float* const*, const float*, int, int64_t, void*) { return JNAS_E_NO_CUDA; }
int jnas_cuda_concat_forward(float*, const float* const*, const int32_t*, int, int, int, void*) { return JNAS_E_NO_CUDA; }
int jnas_cuda_concat_backward(float* const*, const float*, const int32_t*, int, int, int, void*) { return JNAS_E_NO_CUDA; }
int jnas_cuda_factorized_reduce_forward(float*, const float*, const float*, const float*, int, int, int, int, int, void*) { return JNAS_E_NO_CUDA; }
int jnas_cuda_factorized_reduce_backward(float*, float*, float*, const float*, const float*, const float*, const float*, int, int, int, int, int, void*) { return JNAS_E_NO_CUDA; }
int jnas_cuda_linear_forward(float*, const float*, const float*, const float*, int, int, int, void*) { return JNAS_E_NO_CUDA; }
int jnas_cuda_linear_backward(float*, float*, float*, const float*, const float*, const float*, int, int, int, void*) { return JNAS_E_NO_CUDA; }
int jnas_cuda_softmax_xent_forward(float*, float*, const float*, const int32_t*, int, int, float, void*) { return JNAS_E_NO_CUDA; }
int jnas_cuda_softmax_xent_backward(float*, const float*, const int32_t*, int, int, float, float, void*) { return JNAS_E_NO_CUDA; }
int jnas_cuda_dropout_forward(float*, float*, const float*, int64_t, float, uint64_t, void*) { return JNAS_E_NO_CUDA; }
int jnas_cuda_dropout_backward(float*, const float*, const float*, int64_t, void*) { return JNAS_E_NO_CUDA; }
int jnas_cuda_drop_path_forward(float*, float*, const float*, int, int64_t, float, uint64_t, void*) { return JNAS_E_NO_CUDA; }
int jnas_cuda_drop_path_backward(float*, const float*, const float*, int, int64_t, void*) { return JNAS_E_NO_CUDA; }
int jnas_cuda_sgd_update(float*, float*, const float*, int64_t, float, float, float, int, void*) { return JNAS_E_NO_CUDA; }
int jnas_cuda_adam_update(float*, float*, float*, const float*, int64_t, float, float, float, float, float, int, void*) { return JNAS_E_NO_CUDA; }
int jnas_cuda_global_norm(float*, const float* const*, const int64_t*, int, void*) { return JNAS_E_NO_CUDA; }
int jnas_cuda_scale(float*, int64_t, float, void*) { return JNAS_E_NO_CUDA; }

}  // extern "C"
