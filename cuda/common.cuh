// common.cuh: small helpers every CUDA kernel file of jnas shares.
//
// - JNAS_STREAM(s): the header's void* stream as a cudaStream_t (NULL = the
//   legacy default stream).
// - JNAS_LAUNCH_CHECK(): after each launch, return the launch's cudaError_t
//   code (0 if fine). Errors that happen while a kernel runs surface at the
//   next synchronizing call (jnas_cuda_stream_synchronize), as in CUDA itself.
// - JNAS_CUDA_TRY(expr): return the code of a failing runtime call.
// - grid1d(n, threads): a 1-D grid for n elements with grid-stride loops,
//   capped so that huge n do not ask for absurd grids.
// - block_reduce_sum<T>(v): a sum over one block in a FIXED order (a tree over
//   warps with shuffles, then warp 0 over the warps' sums): the same inputs give
//   the same bits on every run, unlike float atomics. Every thread of the block
//   must call it; the result is valid in thread 0 (and broadcast to all when
//   the `broadcast` flag is set).
// Scratch memory: kernels that need a temporary take it from the stream-ordered
// allocator (cudaMallocAsync/cudaFreeAsync on the caller's stream), so a call
// stays asynchronous and needs no global state.
#pragma once
#include <cuda_runtime.h>
#include <stdint.h>

#include "jnas.h"

#define JNAS_STREAM(s) (static_cast<cudaStream_t>(s))

#define JNAS_LAUNCH_CHECK()                      \
  do {                                           \
    cudaError_t jnas_e_ = cudaGetLastError();    \
    if (jnas_e_ != cudaSuccess) return (int)jnas_e_; \
  } while (0)

#define JNAS_CUDA_TRY(expr)                      \
  do {                                           \
    cudaError_t jnas_e_ = (expr);                \
    if (jnas_e_ != cudaSuccess) return (int)jnas_e_; \
  } while (0)

namespace jnas_cuda {

constexpr int kThreads = 256;

// Blocks for a grid-stride loop over n elements: enough to fill any current GPU
// (132 SMs x 16 blocks of 256 threads) without launching one block per 256
// elements of a 100M-element buffer.
inline unsigned grid1d(int64_t n, int threads = kThreads) {
  int64_t b = (n + threads - 1) / threads;
  if (b < 1) b = 1;
  if (b > 8192) b = 8192;
  return (unsigned)b;
}

inline int ceil_div(int a, int b) { return (a + b - 1) / b; }

// jnas_out_size's formula, repeated here so that libjnas_cuda.a does not
// depend on libjnas_cpu.a (archive order in the JNI link).
inline int out_size(int in, int k, int stride, int pad, int dilation) {
  return (in + 2 * pad - dilation * (k - 1) - 1) / stride + 1;
}

template <typename T>
__device__ __forceinline__ T warp_reduce_sum(T v) {
#pragma unroll
  for (int o = 16; o > 0; o >>= 1) v += __shfl_down_sync(0xffffffffu, v, o);
  return v;
}

// Sum over the block, fixed order; blockDim.x must be a multiple of 32, <= 1024.
template <typename T>
__device__ T block_reduce_sum(T v, bool broadcast = false) {
  __shared__ T warp_sums[32];
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  const int nwarps = blockDim.x >> 5;
  v = warp_reduce_sum(v);
  __syncthreads();  // warp_sums may still be read by a previous call
  if (lane == 0) warp_sums[warp] = v;
  __syncthreads();
  T r = (threadIdx.x < nwarps) ? warp_sums[threadIdx.x] : T(0);
  if (warp == 0) r = warp_reduce_sum(r);
  if (broadcast) {
    __syncthreads();
    if (threadIdx.x == 0) warp_sums[0] = r;
    __syncthreads();
    r = warp_sums[0];
  }
  return r;
}

template <typename T>
__device__ __forceinline__ T warp_reduce_max(T v) {
#pragma unroll
  for (int o = 16; o > 0; o >>= 1) {
    T u = __shfl_down_sync(0xffffffffu, v, o);
    v = u > v ? u : v;
  }
  return v;
}

template <typename T>
__device__ T block_reduce_max(T v) {  // broadcast to every thread
  __shared__ T warp_max[32];
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  const int nwarps = blockDim.x >> 5;
  v = warp_reduce_max(v);
  __syncthreads();
  if (lane == 0) warp_max[warp] = v;
  __syncthreads();
  T r = (threadIdx.x < nwarps) ? warp_max[threadIdx.x] : warp_max[0];
  if (warp == 0) r = warp_reduce_max(r);
  __syncthreads();
  if (threadIdx.x == 0) warp_max[0] = r;
  __syncthreads();
  r = warp_max[0];
  return r;
}

}  // namespace jnas_cuda
