// runtime.cpp: small shared helpers of the CPU backend (sizes, sgemm).
#include "jnas.h"

#include <cblas.h>

namespace {
// OpenBLAS runs single-threaded inside jnas, from the threads of jnas's own pool (conv2d.cpp
// splits its gemms): OpenBLAS's workers spin for a while after every call, and on a machine
// with few cores that spinning takes the CPU from the kernels that follow (the final
// network's step: 100 -> 132 images/s on 2 cores once it stopped). Set when the library loads.
const int kBlasSingleThreaded = (openblas_set_num_threads(1), 1);
}  // namespace

extern "C" {

int jnas_out_size(int in, int k, int stride, int pad, int dilation) {
  return (in + 2 * pad - dilation * (k - 1) - 1) / stride + 1;
}

void jnas_cpu_set_blas_threads(int n) { openblas_set_num_threads(n); }
int jnas_cpu_get_blas_threads(void) { return openblas_get_num_threads(); }

void jnas_cpu_sgemm(int trans_a, int trans_b, int M, int N, int K, float alpha,
                    const float* A, int lda, const float* B, int ldb, float beta,
                    float* C, int ldc) {
  cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
              trans_b ? CblasTrans : CblasNoTrans, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

}  // extern "C"
