// relu.cu: ReLU forward and backward, the CUDA twin of native/cpu/relu.cpp.
//   out  (N)  = max(inp, 0)                    (overwrites)
//   dinp (N) += dout where inp > 0             (gradient rule: accumulate)
// Layout: flat (N) float32, device pointers. One grid-stride loop per call;
// memory-bound, each element read and written once, coalesced.
#include "common.cuh"

namespace {

__global__ void relu_forward_kernel(float* __restrict__ out,        // (N)
                                    const float* __restrict__ inp,  // (N)
                                    int64_t N) {
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < N;
       i += (int64_t)gridDim.x * blockDim.x) {
    const float x = inp[i];
    out[i] = x > 0.f ? x : 0.f;
  }
}

__global__ void relu_backward_kernel(float* dinp,                     // (N)
                                     const float* __restrict__ dout,  // (N)
                                     const float* __restrict__ inp,   // (N)
                                     int64_t N) {
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < N;
       i += (int64_t)gridDim.x * blockDim.x) {
    if (inp[i] > 0.f) dinp[i] += dout[i];
  }
}

}  // namespace

extern "C" {

int jnas_cuda_relu_forward(float* out, const float* inp, int64_t N, void* stream) {
  if (N <= 0) return JNAS_OK;
  relu_forward_kernel<<<jnas_cuda::grid1d(N), jnas_cuda::kThreads, 0, JNAS_STREAM(stream)>>>(out, inp, N);
  JNAS_LAUNCH_CHECK();
  return JNAS_OK;
}

int jnas_cuda_relu_backward(float* dinp, const float* dout, const float* inp, int64_t N, void* stream) {
  if (N <= 0 || !dinp) return JNAS_OK;
  relu_backward_kernel<<<jnas_cuda::grid1d(N), jnas_cuda::kThreads, 0, JNAS_STREAM(stream)>>>(dinp, dout, inp, N);
  JNAS_LAUNCH_CHECK();
  return JNAS_OK;
}

}  // extern "C"
