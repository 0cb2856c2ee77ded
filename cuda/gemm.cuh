// gemm.cuh: one shared-memory tiled SGEMM with pluggable operand loaders and
// epilogue, the engine of conv2d (implicit GEMM: forward, input gradient and
// weight gradient), linear and factorized reduce. cuBLAS is not linked.
//
//   C[g](M, N) = A[g](M, K) x B[g](K, N)   for each group g
// The operands are never materialized: an Op functor says where element
// (m, k) of A and (k, n) of B live (im2col is a gather inside b(), so no
// scratch), and what to do with each result (overwrite, add, or write a
// split-K partial):
//   struct Op {
//     __device__ float a(int g, int m, int k) const;
//     __device__ float b(int g, int k, int n) const;
//     __device__ void store(int g, int m, int n, float acc, int split) const;
//   };
// Tiling: a 256-thread block computes a 64x64 tile of C; K advances in steps
// of 16 through shared memory (A stored k-major with one float of padding);
// each thread owns a 4x4 micro-tile at rows ty + 16i and columns tx + 16j, so
// its shared-memory reads are broadcasts or consecutive words, and its
// stores hit 16 consecutive n (coalesced for NCHW outputs). Tile loads put
// consecutive threads along k for A and along n for B (or along k when
// kBAlongK: the weight-gradient case, where B's k is the pixel index).
// Grid: x over N tiles, y over M tiles, z over groups x K splits.
// Determinism: each C element is the sum of its K terms in increasing k
// order within one thread; split-K partials go to scratch and are added in
// split order by add_splits_kernel. No atomics. Split counts depend only on
// the shapes (not on the device), so every GPU gives the same bits.
// This is the simple, correct version (FFMA, no tensor cores, no async
// copies); it is the baseline later Hopper work (wgmma/TMA) must beat.
#pragma once
#include "common.cuh"

namespace jnas_cuda {

constexpr int kBM = 64, kBN = 64, kBK = 16, kGemmThreads = 256;

template <class Op, bool kBAlongK>
__global__ void __launch_bounds__(kGemmThreads) gemm_kernel(const Op op, int M, int N, int K,
                                                            int splits, int kps) {
  __shared__ float As[kBK][kBM + 1];  // A tile, k-major: As[k][m]
  __shared__ float Bs[kBK][kBN + 1];  // B tile: Bs[k][n]
  const int tid = threadIdx.x, tx = tid & 15, ty = tid >> 4;
  const int n0 = blockIdx.x * kBN, m0 = blockIdx.y * kBM;
  const int g = blockIdx.z / splits, split = blockIdx.z - g * splits;
  const int k_begin = split * kps, k_end = min(K, k_begin + kps);
  float acc[4][4];
#pragma unroll
  for (int i = 0; i < 4; i++)
#pragma unroll
    for (int j = 0; j < 4; j++) acc[i][j] = 0.f;
  for (int k0 = k_begin; k0 < k_end; k0 += kBK) {
#pragma unroll
    for (int r = 0; r < (kBM * kBK) / kGemmThreads; r++) {
      const int e = tid + r * kGemmThreads;
      {
        const int kk = e % kBK, mm = e / kBK;
        const int m = m0 + mm, k = k0 + kk;
        As[kk][mm] = (m < M && k < k_end) ? op.a(g, m, k) : 0.f;
      }
      {
        const int kk = kBAlongK ? e % kBK : e / kBN;
        const int nn = kBAlongK ? e / kBK : e % kBN;
        const int n = n0 + nn, k = k0 + kk;
        Bs[kk][nn] = (n < N && k < k_end) ? op.b(g, k, n) : 0.f;
      }
    }
    __syncthreads();
#pragma unroll
    for (int kk = 0; kk < kBK; kk++) {
      float a[4], b[4];
#pragma unroll
      for (int i = 0; i < 4; i++) a[i] = As[kk][ty + 16 * i];
#pragma unroll
      for (int j = 0; j < 4; j++) b[j] = Bs[kk][tx + 16 * j];
#pragma unroll
      for (int i = 0; i < 4; i++)
#pragma unroll
        for (int j = 0; j < 4; j++) acc[i][j] = fmaf(a[i], b[j], acc[i][j]);
    }
    __syncthreads();
  }
#pragma unroll
  for (int i = 0; i < 4; i++) {
    const int m = m0 + ty + 16 * i;
    if (m >= M) continue;
#pragma unroll
    for (int j = 0; j < 4; j++) {
      const int n = n0 + tx + 16 * j;
      if (n < N) op.store(g, m, n, acc[i][j], split);
    }
  }
}

// Launches C = A x B for `groups` groups with no K split (the store decides
// what to do with the results).
template <bool kBAlongK = false, class Op>
int launch_gemm(const Op& op, int M, int N, int K, int groups, cudaStream_t st) {
  if (M <= 0 || N <= 0 || groups <= 0) return 0;
  const dim3 grid((unsigned)ceil_div(N, kBN), (unsigned)ceil_div(M, kBM), (unsigned)groups);
  gemm_kernel<Op, kBAlongK><<<grid, kGemmThreads, 0, st>>>(op, M, N, K, 1, K > 0 ? K : 1);
  return (int)cudaGetLastError();
}

// The output side of a weight-gradient GEMM: dst (groups, M, N) += C, either
// directly (one split) or through partials (splits, groups, M, N) in scratch.
struct SplitStore {
  float* dst;        // (groups, M, N)
  float* partial;    // (splits, groups, M, N) or NULL
  int64_t slice;     // groups * M * N
  int M, N;
  __device__ __forceinline__ void store(int g, int m, int n, float acc, int split) const {
    const int64_t idx = ((int64_t)g * M + m) * N + n;
    if (partial) partial[split * slice + idx] = acc;
    else dst[idx] += acc;
  }
};

// dst[i] += sum over s in order of partial[s*slice + i].
static __global__ void add_splits_kernel(float* dst, const float* __restrict__ partial, int64_t slice,
                                  int splits) {
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < slice;
       i += (int64_t)gridDim.x * blockDim.x) {
    float s = 0.f;
    for (int k = 0; k < splits; k++) s += partial[k * slice + i];
    dst[i] += s;
  }
}

// Splits of a reduction of length K over `tiles` output tiles: about two
// waves of a 132-SM H100, at least 512 terms per split, at most 64 splits.
// A function of the shape only.
inline void choose_splits(int64_t tiles, int K, int* splits, int* kps) {
  int64_t want = (264 + tiles - 1) / tiles;
  int64_t most = K / 512;
  int64_t s = want < most ? want : most;
  if (s > 64) s = 64;
  if (s < 1) s = 1;
  int64_t per = (K + s - 1) / s;
  per = (per + kBK - 1) / kBK * kBK;
  if (per < 1) per = 1;
  *kps = (int)per;
  *splits = (int)((K + per - 1) / per);
  if (*splits < 1) *splits = 1;
}

// dst (groups, M, N) += A x B with split-K; Op derives from SplitStore.
template <bool kBAlongK = false, class Op>
int run_wgrad_gemm(Op op, float* dst, int M, int N, int K, int groups, cudaStream_t st) {
  if (M <= 0 || N <= 0 || groups <= 0 || K <= 0) return 0;
  const int64_t tiles = (int64_t)ceil_div(N, kBN) * ceil_div(M, kBM) * groups;
  int splits, kps;
  choose_splits(tiles, K, &splits, &kps);
  while ((int64_t)groups * splits > 65535 && splits > 1) {  // grid.z limit
    splits = (splits + 1) / 2;
    kps = (int)(((int64_t)K + splits - 1) / splits);
    kps = (kps + kBK - 1) / kBK * kBK;
    splits = (K + kps - 1) / kps;
  }
  op.dst = dst;
  op.M = M;
  op.N = N;
  op.slice = (int64_t)groups * M * N;
  op.partial = nullptr;
  if (splits > 1) {
    cudaError_t e = cudaMallocAsync((void**)&op.partial, sizeof(float) * splits * op.slice, st);
    if (e != cudaSuccess) return (int)e;
  }
  const dim3 grid((unsigned)ceil_div(N, kBN), (unsigned)ceil_div(M, kBM), (unsigned)(groups * splits));
  gemm_kernel<Op, kBAlongK><<<grid, kGemmThreads, 0, st>>>(op, M, N, K, splits, kps);
  int rc = (int)cudaGetLastError();
  if (splits > 1) {
    if (rc == 0) {
      add_splits_kernel<<<grid1d(op.slice), kThreads, 0, st>>>(dst, op.partial, op.slice, splits);
      rc = (int)cudaGetLastError();
    }
    cudaError_t e = cudaFreeAsync(op.partial, st);
    if (rc == 0) rc = (int)e;
  }
  return rc;
}

}  // namespace jnas_cuda
