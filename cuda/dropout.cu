// dropout.cu: dropout (per element) and drop-path (per sample), the CUDA twin
// of native/cpu/dropout.cpp.
//
// Letters: N a flat element count, B batch, per_sample = N / B.
// Masks hold 0 or 1/keep_prob (inverted dropout) and come from
// keep_mask(seed, index) (rng_cuda.cuh, equal to native/cpu/rng.h): a pure
// function of (seed, index), so every thread draws its own element with no
// state, and CPU and GPU draw the same masks bit for bit. Dropout uses the
// element index, drop-path the sample index.
//   forward:  mask = draw; out = inp * mask   (overwrites out and mask)
//   backward: dinp += dout * mask             (ADDS, gradient rule)
// Device pointers; grid-stride loops, coalesced.
#include "common.cuh"
#include "rng_cuda.cuh"

namespace {

__global__ void dropout_forward_kernel(float* __restrict__ out,        // (N)
                                       float* __restrict__ mask,       // (N)
                                       const float* __restrict__ inp,  // (N)
                                       int64_t N, float keep_prob, uint64_t seed) {
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < N;
       i += (int64_t)gridDim.x * blockDim.x) {
    const float m = jnas_cuda_rng::keep_mask(seed, (uint64_t)i, keep_prob);
    mask[i] = m;
    out[i] = inp[i] * m;
  }
}

__global__ void mul_add_kernel(float* dinp,                     // (N)
                               const float* __restrict__ dout,  // (N)
                               const float* __restrict__ mask,  // (N)
                               int64_t N) {
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < N;
       i += (int64_t)gridDim.x * blockDim.x)
    dinp[i] += dout[i] * mask[i];
}

// Each thread draws its sample's mask itself (a few integer multiplies, cheaper
// than a second launch); the first element of each sample stores it.
__global__ void drop_path_forward_kernel(float* __restrict__ out,        // (B, per_sample)
                                         float* __restrict__ mask,       // (B)
                                         const float* __restrict__ inp,  // (B, per_sample)
                                         int64_t N, int64_t per_sample, float keep_prob,
                                         uint64_t seed) {
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < N;
       i += (int64_t)gridDim.x * blockDim.x) {
    const int64_t b = i / per_sample;
    const float m = jnas_cuda_rng::keep_mask(seed, (uint64_t)b, keep_prob);
    if (i - b * per_sample == 0) mask[b] = m;
    out[i] = inp[i] * m;
  }
}

__global__ void drop_path_backward_kernel(float* dinp,                     // (B, per_sample)
                                          const float* __restrict__ dout,  // (B, per_sample)
                                          const float* __restrict__ mask,  // (B)
                                          int64_t N, int64_t per_sample) {
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < N;
       i += (int64_t)gridDim.x * blockDim.x)
    dinp[i] += dout[i] * mask[i / per_sample];
}

}  // namespace

extern "C" {

int jnas_cuda_dropout_forward(float* out, float* mask, const float* inp, int64_t N,
                              float keep_prob, uint64_t seed, void* stream) {
  if (N <= 0) return JNAS_OK;
  dropout_forward_kernel<<<jnas_cuda::grid1d(N), jnas_cuda::kThreads, 0, JNAS_STREAM(stream)>>>(
      out, mask, inp, N, keep_prob, seed);
  JNAS_LAUNCH_CHECK();
  return JNAS_OK;
}

int jnas_cuda_dropout_backward(float* dinp, const float* dout, const float* mask, int64_t N,
                               void* stream) {
  if (N <= 0 || !dinp) return JNAS_OK;
  mul_add_kernel<<<jnas_cuda::grid1d(N), jnas_cuda::kThreads, 0, JNAS_STREAM(stream)>>>(dinp, dout, mask, N);
  JNAS_LAUNCH_CHECK();
  return JNAS_OK;
}

int jnas_cuda_drop_path_forward(float* out, float* mask, const float* inp, int B,
                                int64_t per_sample, float keep_prob, uint64_t seed, void* stream) {
  const int64_t N = (int64_t)B * per_sample;
  if (N <= 0) return JNAS_OK;
  drop_path_forward_kernel<<<jnas_cuda::grid1d(N), jnas_cuda::kThreads, 0, JNAS_STREAM(stream)>>>(
      out, mask, inp, N, per_sample, keep_prob, seed);
  JNAS_LAUNCH_CHECK();
  return JNAS_OK;
}

int jnas_cuda_drop_path_backward(float* dinp, const float* dout, const float* mask, int B,
                                 int64_t per_sample, void* stream) {
  const int64_t N = (int64_t)B * per_sample;
  if (N <= 0 || !dinp) return JNAS_OK;
  drop_path_backward_kernel<<<jnas_cuda::grid1d(N), jnas_cuda::kThreads, 0, JNAS_STREAM(stream)>>>(
      dinp, dout, mask, N, per_sample);
  JNAS_LAUNCH_CHECK();
  return JNAS_OK;
}

}  // extern "C"
