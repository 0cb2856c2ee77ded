// probe.cu: CUDA twin of native/cpu/probe.cpp (NASWOT's activation-pattern kernel).
// K (B, B) += per pair (i, j) the features of x (B, F) where both samples are > 0 or both
// <= 0. One block per pair; the count is an integer, added once per pair (no atomics).
#include "common.cuh"

namespace {

constexpr int kThreads = 256;

__global__ void code_gram_kernel(float* K, const float* __restrict__ x, int B, int64_t F) {
  const int i = blockIdx.x / B, j = blockIdx.x % B;
  const float* xi = x + (int64_t)i * F;
  const float* xj = x + (int64_t)j * F;
  long long same = 0;
  for (int64_t f = threadIdx.x; f < F; f += blockDim.x) same += ((xi[f] > 0.f) == (xj[f] > 0.f)) ? 1 : 0;
  __shared__ long long sh[kThreads];
  sh[threadIdx.x] = same;
  __syncthreads();
  for (int o = blockDim.x / 2; o > 0; o >>= 1) {
    if (threadIdx.x < o) sh[threadIdx.x] += sh[threadIdx.x + o];
    __syncthreads();
  }
  if (threadIdx.x == 0) K[(int64_t)i * B + j] += (float)sh[0];
}

}  // namespace

extern "C" int jnas_cuda_binary_code_gram(float* K, const float* x, int B, int64_t F, void* stream) {
  if (B < 1 || F < 0) return JNAS_E_ARG;
  if (F == 0) return JNAS_OK;
  code_gram_kernel<<<(unsigned)B * B, kThreads, 0, JNAS_STREAM(stream)>>>(K, x, B, F);
  JNAS_LAUNCH_CHECK();
  return JNAS_OK;
}
