// mixed.cu: CUDA twins of native/cpu/mixed.cpp (the weighted sum of a relaxed op, fill).
// Same contract: out = sum_k w[k] inps[k] (NULL skipped); dinps[k] += w[k] dout;
// dw[k] += sum_i dout[i] inps[k][i] (inps[k] NULL: sum_i dout[i]). w is host memory and
// travels by value with the launch, as sum's pointers do. The dot products are reduced per
// block in double into a scratch array, then summed in block order by one block: the same
// result for the same launch shape, run to run.
#include "common.cuh"

namespace {

constexpr int kMaxInputs = JNAS_MIX_MAX_INPUTS;
constexpr int kDotThreads = 256;
constexpr int kDotBlocks = 256;

struct MixArgs {
  const float* x[kMaxInputs];
  float* dx[kMaxInputs];
  float w[kMaxInputs];
};

__global__ void wsum_forward_kernel(float* out, MixArgs a, int n, int64_t N) {
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < N; i += (int64_t)gridDim.x * blockDim.x) {
    float s = 0.f;
    for (int k = 0; k < n; k++)
      if (a.x[k]) s += a.w[k] * a.x[k][i];
    out[i] = s;
  }
}

__global__ void wsum_backward_kernel(const float* __restrict__ dout, MixArgs a, int n, int64_t N) {
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < N; i += (int64_t)gridDim.x * blockDim.x) {
    const float d = dout[i];
    for (int k = 0; k < n; k++)
      if (a.dx[k]) a.dx[k][i] += a.w[k] * d;
  }
}

// partial[k * gridDim.x + block] = this block's share of sum_i dout[i] * x_k[i] (x_k NULL: 1).
__global__ void wsum_dot_kernel(double* partial, const float* __restrict__ dout, MixArgs a, int n, int64_t N) {
  __shared__ double sh[kDotThreads];
  for (int k = 0; k < n; k++) {
    double s = 0;
    const float* x = a.x[k];
    for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < N; i += (int64_t)gridDim.x * blockDim.x)
      s += x ? (double)dout[i] * x[i] : (double)dout[i];
    sh[threadIdx.x] = s;
    __syncthreads();
    for (int o = blockDim.x / 2; o > 0; o >>= 1) {
      if (threadIdx.x < o) sh[threadIdx.x] += sh[threadIdx.x + o];
      __syncthreads();
    }
    if (threadIdx.x == 0) partial[(int64_t)k * gridDim.x + blockIdx.x] = sh[0];
    __syncthreads();
  }
}

__global__ void wsum_dot_finish_kernel(float* dw, const double* partial, int n, int blocks) {
  const int k = threadIdx.x;
  if (k >= n) return;
  double s = 0;
  for (int b = 0; b < blocks; b++) s += partial[(int64_t)k * blocks + b];
  dw[k] += (float)s;
}

__global__ void fill_kernel(float* buf, int64_t N, float v) {
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < N; i += (int64_t)gridDim.x * blockDim.x)
    buf[i] = v;
}

}  // namespace

extern "C" {

int jnas_cuda_weighted_sum_forward(float* out, const float* const* inps, const float* w, int n_inputs, int64_t N,
                                   void* stream) {
  if (n_inputs < 0 || n_inputs > kMaxInputs || N < 0) return JNAS_E_ARG;
  if (N == 0) return JNAS_OK;
  MixArgs a{};
  for (int k = 0; k < n_inputs; k++) {
    a.x[k] = inps[k];
    a.w[k] = w[k];
  }
  wsum_forward_kernel<<<jnas_cuda::grid1d(N), jnas_cuda::kThreads, 0, JNAS_STREAM(stream)>>>(out, a, n_inputs, N);
  JNAS_LAUNCH_CHECK();
  return JNAS_OK;
}

int jnas_cuda_weighted_sum_backward(float* const* dinps, float* dw, const float* dout, const float* const* inps,
                                    const float* w, int n_inputs, int64_t N, void* stream) {
  if (n_inputs < 0 || n_inputs > kMaxInputs || N < 0) return JNAS_E_ARG;
  if (N == 0 || n_inputs == 0) return JNAS_OK;
  cudaStream_t st = JNAS_STREAM(stream);
  MixArgs a{};
  bool any = false;
  for (int k = 0; k < n_inputs; k++) {
    a.x[k] = inps[k];
    a.dx[k] = dinps[k];
    a.w[k] = w[k];
    any = any || dinps[k];
  }
  if (any) {
    wsum_backward_kernel<<<jnas_cuda::grid1d(N), jnas_cuda::kThreads, 0, st>>>(dout, a, n_inputs, N);
    JNAS_LAUNCH_CHECK();
  }
  if (!dw) return JNAS_OK;
  double* partial = nullptr;
  JNAS_CUDA_TRY(cudaMallocAsync((void**)&partial, sizeof(double) * kDotBlocks * n_inputs, st));
  wsum_dot_kernel<<<kDotBlocks, kDotThreads, 0, st>>>(partial, dout, a, n_inputs, N);
  int rc = (int)cudaGetLastError();
  if (rc == JNAS_OK) {
    wsum_dot_finish_kernel<<<1, 32, 0, st>>>(dw, partial, n_inputs, kDotBlocks);
    rc = (int)cudaGetLastError();
  }
  cudaError_t e = cudaFreeAsync(partial, st);
  return rc != JNAS_OK ? rc : (int)e;
}

int jnas_cuda_fill(float* buf, int64_t N, float v, void* stream) {
  if (N < 0) return JNAS_E_ARG;
  if (N == 0) return JNAS_OK;
  fill_kernel<<<jnas_cuda::grid1d(N), jnas_cuda::kThreads, 0, JNAS_STREAM(stream)>>>(buf, N, v);
  JNAS_LAUNCH_CHECK();
  return JNAS_OK;
}

}  // extern "C"
