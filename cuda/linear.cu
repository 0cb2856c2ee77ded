// linear.cu: fully connected layer (the classifier head), the CUDA twin of
// native/cpu/linear.cpp.
//   out    (B, OC) = inp (B, IC) x weight^T (IC, OC) + bias
//   inp    (B, IC)
//   weight (OC, IC)   (PyTorch's nn.Linear layout)
//   bias   (OC) or NULL
// Contract: forward OVERWRITES out; backward ADDS into dinp, dweight, dbias
// (NULL skips). Device pointers.
// Shape: the three products are gemm.cuh's tiled SGEMM with plain row-major
// loaders (dweight with split-K over B, partials added in split order); dbias
// is one thread per column summing the B rows in order (coalesced across
// threads). Deterministic, no atomics.
#include "gemm.cuh"

namespace {

struct FwdOp {  // out (B, OC) = inp (B, IC) x weight^T
  float* out; const float* inp; const float* weight; const float* bias; int IC, OC;
  __device__ float a(int, int m, int k) const { return inp[(int64_t)m * IC + k]; }
  __device__ float b(int, int k, int n) const { return weight[(int64_t)n * IC + k]; }
  __device__ void store(int, int m, int n, float acc, int) const {
    out[(int64_t)m * OC + n] = bias ? acc + bias[n] : acc;
  }
};

struct DgradOp {  // dinp (B, IC) += dout (B, OC) x weight (OC, IC)
  float* dinp; const float* dout; const float* weight; int IC, OC;
  __device__ float a(int, int m, int k) const { return dout[(int64_t)m * OC + k]; }
  __device__ float b(int, int k, int n) const { return weight[(int64_t)k * IC + n]; }
  __device__ void store(int, int m, int n, float acc, int) const { dinp[(int64_t)m * IC + n] += acc; }
};

struct WgradOp : jnas_cuda::SplitStore {  // dweight (OC, IC) += dout^T (OC, B) x inp (B, IC)
  const float* dout; const float* inp; int IC, OC;
  __device__ float a(int, int m, int k) const { return dout[(int64_t)k * OC + m]; }
  __device__ float b(int, int k, int n) const { return inp[(int64_t)k * IC + n]; }
};

__global__ void dbias_kernel(float* dbias, const float* __restrict__ dout, int B, int OC) {
  const int j = blockIdx.x * blockDim.x + threadIdx.x;
  if (j >= OC) return;
  float s = 0.f;
  for (int b = 0; b < B; b++) s += dout[(int64_t)b * OC + j];
  dbias[j] += s;
}

}  // namespace

extern "C" {

int jnas_cuda_linear_forward(float* out, const float* inp, const float* weight, const float* bias,
                             int B, int IC, int OC, void* stream) {
  if (B <= 0 || IC <= 0 || OC <= 0) return JNAS_E_ARG;
  FwdOp op{out, inp, weight, bias, IC, OC};
  return jnas_cuda::launch_gemm(op, B, OC, IC, 1, JNAS_STREAM(stream));
}

int jnas_cuda_linear_backward(float* dinp, float* dweight, float* dbias,
                              const float* dout, const float* inp, const float* weight,
                              int B, int IC, int OC, void* stream) {
  if (B <= 0 || IC <= 0 || OC <= 0) return JNAS_E_ARG;
  cudaStream_t st = JNAS_STREAM(stream);
  int rc = 0;
  if (dinp) {
    DgradOp op{dinp, dout, weight, IC, OC};
    rc = jnas_cuda::launch_gemm(op, B, IC, OC, 1, st);
    if (rc) return rc;
  }
  if (dweight) {
    WgradOp op{};
    op.dout = dout;
    op.inp = inp;
    op.IC = IC;
    op.OC = OC;
    rc = jnas_cuda::run_wgrad_gemm<true>(op, dweight, OC, IC, B, 1, st);
    if (rc) return rc;
  }
  if (dbias) {
    dbias_kernel<<<jnas_cuda::ceil_div(OC, 128), 128, 0, st>>>(dbias, dout, B, OC);
    JNAS_LAUNCH_CHECK();
  }
  return 0;
}

}  // extern "C"
