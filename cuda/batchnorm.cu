// batchnorm.cu: batch normalization over (B, HW) per channel; the CUDA twin of
// native/cpu/batchnorm.cpp (same formulas, read that file's header).
//
// Layout: inp/out/dout/dinp (B, C, HW) float32, device memory; per-channel
// vectors (C). n = B*HW values per channel; channel c of sample b is the
// contiguous plane at (b*C + c)*HW.
//   xhat = (x - mean) * rstd, rstd = 1/sqrt(var + eps); out = gamma*xhat + beta
//   training: batch statistics, biased var normalizes; running stats move with
//             the unbiased var (PyTorch). inference: running stats, no update.
//   backward ADDS: dbeta += sum(dout), dgamma += sum(dout*xhat),
//     training:  dinp += gamma*rstd*(dout - mean(dout) - xhat*mean(dout*xhat))
//     inference: dinp += gamma*rstd*dout
// Shape (three launches per call, each fully parallel, all deterministic):
//  1. partial sums: grid (S, C), block 256; block (s, c) reduces slice s of
//     channel c's n values (S = ceil(n/8192) capped at 64, a function of the
//     shape only) in double with a fixed-order tree, into scratch.
//     Forward sums x - shift and (x - shift)^2 with shift = the channel's first
//     value (so one pass is as accurate as the CPU's two passes: no
//     cancellation when |mean| >> std). Backward sums dout and dout*xhat.
//  2. finish: one thread per channel adds its S partials in order (double) and
//     writes mean/rstd/running stats (forward) or dgamma/dbeta and the two means
//     (backward).
//  3. elementwise: out = x*scale + shift, or the dinp formula, grid-stride.
// Scratch comes from cudaMallocAsync on the stream. No float atomics.
#include <cmath>

#include "common.cuh"

namespace {

constexpr int kBnThreads = 256;
constexpr int64_t kBnPerSlice = 8192;
constexpr int kBnMaxSlices = 64;

int bn_slices(int64_t n) {
  int64_t s = (n + kBnPerSlice - 1) / kBnPerSlice;
  if (s < 1) s = 1;
  if (s > kBnMaxSlices) s = kBnMaxSlices;
  return (int)s;
}

// Element j in [0, n) of channel c: sample j / HW, pixel j % HW.
__device__ __forceinline__ int64_t bn_index(int64_t j, int c, int C, int HW) {
  const int64_t b = j / HW;
  return (b * C + c) * HW + (j - b * HW);
}

// partial[(c*S + s)*2 + 0/1] = sum (x - x0), sum (x - x0)^2 over slice s.
__global__ void bn_stats_kernel(double* __restrict__ partial,     // (C, S, 2)
                                const float* __restrict__ inp,    // (B, C, HW)
                                int C, int HW, int64_t n) {
  const int s = blockIdx.x, S = gridDim.x, c = blockIdx.y;
  const int64_t per = (n + S - 1) / S, j0 = s * per, j1 = min(n, j0 + per);
  const double x0 = inp[(int64_t)c * HW];  // the shift: sample 0, pixel 0 of channel c
  double s1 = 0.0, s2 = 0.0;
  for (int64_t j = j0 + threadIdx.x; j < j1; j += blockDim.x) {
    const double d = (double)inp[bn_index(j, c, C, HW)] - x0;
    s1 += d;
    s2 += d * d;
  }
  s1 = jnas_cuda::block_reduce_sum(s1);
  s2 = jnas_cuda::block_reduce_sum(s2);
  if (threadIdx.x == 0) {
    partial[((int64_t)c * S + s) * 2 + 0] = s1;
    partial[((int64_t)c * S + s) * 2 + 1] = s2;
  }
}

__global__ void bn_stats_finish_kernel(float* __restrict__ mean, float* __restrict__ rstd,  // (C)
                                       float* running_mean, float* running_var,             // (C) or NULL
                                       const double* __restrict__ partial,                  // (C, S, 2)
                                       const float* __restrict__ inp,                       // (B, C, HW)
                                       int C, int HW, int64_t n, int S, float eps, float momentum) {
  const int c = blockIdx.x * blockDim.x + threadIdx.x;
  if (c >= C) return;
  double s1 = 0.0, s2 = 0.0;
  for (int s = 0; s < S; s++) {
    s1 += partial[((int64_t)c * S + s) * 2 + 0];
    s2 += partial[((int64_t)c * S + s) * 2 + 1];
  }
  const double x0 = inp[(int64_t)c * HW];
  const double dm = s1 / n;               // mean - x0
  double ss = s2 - s1 * dm;               // sum (x - mean)^2
  if (ss < 0.0) ss = 0.0;
  const double mu = x0 + dm, var = ss / n;
  if (running_mean) running_mean[c] = (float)((1.0 - momentum) * running_mean[c] + momentum * mu);
  if (running_var) {
    const double unbiased = n > 1 ? ss / (n - 1) : var;
    running_var[c] = (float)((1.0 - momentum) * running_var[c] + momentum * unbiased);
  }
  mean[c] = (float)mu;
  rstd[c] = (float)(1.0 / sqrt(var + (double)eps));
}

// Inference: mean/rstd from the running statistics.
__global__ void bn_running_kernel(float* __restrict__ mean, float* __restrict__ rstd,  // (C)
                                  const float* __restrict__ running_mean,              // (C)
                                  const float* __restrict__ running_var,               // (C)
                                  int C, float eps) {
  const int c = blockIdx.x * blockDim.x + threadIdx.x;
  if (c >= C) return;
  mean[c] = running_mean[c];
  rstd[c] = (float)(1.0 / sqrt((double)running_var[c] + (double)eps));
}

__global__ void bn_normalize_kernel(float* __restrict__ out,          // (B, C, HW)
                                    const float* __restrict__ inp,    // (B, C, HW)
                                    const float* __restrict__ mean,   // (C)
                                    const float* __restrict__ rstd,   // (C)
                                    const float* __restrict__ gamma,  // (C) or NULL
                                    const float* __restrict__ beta,   // (C) or NULL
                                    int C, int HW, int64_t N) {
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < N;
       i += (int64_t)gridDim.x * blockDim.x) {
    const int c = (int)((i / HW) % C);
    const float g = gamma ? gamma[c] : 1.f, bt = beta ? beta[c] : 0.f;
    const float scale = g * rstd[c], shift = bt - mean[c] * scale;
    out[i] = inp[i] * scale + shift;
  }
}

// partial[(c*S + s)*2 + 0/1] = sum dout, sum dout*xhat over slice s.
__global__ void bn_grad_stats_kernel(double* __restrict__ partial,    // (C, S, 2)
                                     const float* __restrict__ dout,  // (B, C, HW)
                                     const float* __restrict__ inp,   // (B, C, HW)
                                     const float* __restrict__ mean,  // (C)
                                     const float* __restrict__ rstd,  // (C)
                                     int C, int HW, int64_t n) {
  const int s = blockIdx.x, S = gridDim.x, c = blockIdx.y;
  const int64_t per = (n + S - 1) / S, j0 = s * per, j1 = min(n, j0 + per);
  const float mu = mean[c], r = rstd[c];
  double sdy = 0.0, sdyx = 0.0;
  for (int64_t j = j0 + threadIdx.x; j < j1; j += blockDim.x) {
    const int64_t k = bn_index(j, c, C, HW);
    const float dy = dout[k];
    sdy += dy;
    sdyx += (double)dy * ((inp[k] - mu) * r);
  }
  sdy = jnas_cuda::block_reduce_sum(sdy);
  sdyx = jnas_cuda::block_reduce_sum(sdyx);
  if (threadIdx.x == 0) {
    partial[((int64_t)c * S + s) * 2 + 0] = sdy;
    partial[((int64_t)c * S + s) * 2 + 1] = sdyx;
  }
}

__global__ void bn_grad_finish_kernel(float* dgamma, float* dbeta,          // (C) or NULL
                                      float* __restrict__ coef,             // (C, 2): mean dout, mean dout*xhat
                                      const double* __restrict__ partial,   // (C, S, 2)
                                      int C, int64_t n, int S) {
  const int c = blockIdx.x * blockDim.x + threadIdx.x;
  if (c >= C) return;
  double sdy = 0.0, sdyx = 0.0;
  for (int s = 0; s < S; s++) {
    sdy += partial[((int64_t)c * S + s) * 2 + 0];
    sdyx += partial[((int64_t)c * S + s) * 2 + 1];
  }
  if (dbeta) dbeta[c] += (float)sdy;
  if (dgamma) dgamma[c] += (float)sdyx;
  coef[2 * c + 0] = (float)(sdy / n);
  coef[2 * c + 1] = (float)(sdyx / n);
}

__global__ void bn_dinp_kernel(float* dinp,                        // (B, C, HW)
                               const float* __restrict__ dout,     // (B, C, HW)
                               const float* __restrict__ inp,      // (B, C, HW)
                               const float* __restrict__ mean,     // (C)
                               const float* __restrict__ rstd,     // (C)
                               const float* __restrict__ gamma,    // (C) or NULL
                               const float* __restrict__ coef,     // (C, 2) or NULL (inference)
                               int C, int HW, int64_t N) {
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < N;
       i += (int64_t)gridDim.x * blockDim.x) {
    const int c = (int)((i / HW) % C);
    const float r = rstd[c];
    const float k = (gamma ? gamma[c] : 1.f) * r;
    if (coef) {
      dinp[i] += k * (dout[i] - coef[2 * c] - (inp[i] - mean[c]) * r * coef[2 * c + 1]);
    } else {
      dinp[i] += k * dout[i];
    }
  }
}

}  // namespace

extern "C" {

int jnas_cuda_batchnorm_forward(float* out, float* mean, float* rstd,
                                const float* inp, const float* gamma, const float* beta,
                                float* running_mean, float* running_var,
                                int B, int C, int HW, float eps, float momentum, int training,
                                void* stream) {
  cudaStream_t st = JNAS_STREAM(stream);
  const int64_t n = (int64_t)B * HW, N = n * C;
  if (C <= 0 || n <= 0) return JNAS_OK;
  const unsigned cgrid = (unsigned)jnas_cuda::ceil_div(C, 128);
  if (training) {
    const int S = bn_slices(n);
    double* partial = nullptr;  // (C, S, 2)
    JNAS_CUDA_TRY(cudaMallocAsync((void**)&partial, sizeof(double) * 2 * C * S, st));
    bn_stats_kernel<<<dim3(S, C), kBnThreads, 0, st>>>(partial, inp, C, HW, n);
    int rc = (int)cudaGetLastError();
    if (rc == JNAS_OK) {
      bn_stats_finish_kernel<<<cgrid, 128, 0, st>>>(mean, rstd, running_mean, running_var, partial,
                                                    inp, C, HW, n, S, eps, momentum);
      rc = (int)cudaGetLastError();
    }
    cudaError_t e = cudaFreeAsync(partial, st);
    if (rc != JNAS_OK) return rc;
    if (e != cudaSuccess) return (int)e;
  } else {
    if (!running_mean || !running_var) return JNAS_E_ARG;
    bn_running_kernel<<<cgrid, 128, 0, st>>>(mean, rstd, running_mean, running_var, C, eps);
    JNAS_LAUNCH_CHECK();
  }
  bn_normalize_kernel<<<jnas_cuda::grid1d(N), jnas_cuda::kThreads, 0, st>>>(out, inp, mean, rstd,
                                                                             gamma, beta, C, HW, N);
  JNAS_LAUNCH_CHECK();
  return JNAS_OK;
}

int jnas_cuda_batchnorm_apply(float* out, const float* inp, const float* mean, const float* rstd,
                              const float* gamma, const float* beta, int B, int C, int HW, void* stream) {
  const int64_t N = (int64_t)B * C * HW;
  if (N <= 0) return JNAS_OK;
  // the forward's own normalize kernel: its output again, bit for bit
  bn_normalize_kernel<<<jnas_cuda::grid1d(N), jnas_cuda::kThreads, 0, JNAS_STREAM(stream)>>>(
      out, inp, mean, rstd, gamma, beta, C, HW, N);
  JNAS_LAUNCH_CHECK();
  return JNAS_OK;
}

int jnas_cuda_batchnorm_backward(float* dinp, float* dgamma, float* dbeta,
                                 const float* dout, const float* inp,
                                 const float* mean, const float* rstd, const float* gamma,
                                 int B, int C, int HW, int training, void* stream) {
  cudaStream_t st = JNAS_STREAM(stream);
  const int64_t n = (int64_t)B * HW, N = n * C;
  if (C <= 0 || n <= 0) return JNAS_OK;
  const bool need_stats = dgamma || dbeta || (dinp && training);
  float* coef = nullptr;  // (C, 2), lives after partial in one scratch block
  void* scratch = nullptr;
  int rc = JNAS_OK;
  if (need_stats) {
    const int S = bn_slices(n);
    const size_t pbytes = sizeof(double) * 2 * C * S;
    JNAS_CUDA_TRY(cudaMallocAsync(&scratch, pbytes + sizeof(float) * 2 * C, st));
    double* partial = static_cast<double*>(scratch);
    coef = reinterpret_cast<float*>(static_cast<char*>(scratch) + pbytes);
    bn_grad_stats_kernel<<<dim3(S, C), kBnThreads, 0, st>>>(partial, dout, inp, mean, rstd, C, HW, n);
    rc = (int)cudaGetLastError();
    if (rc == JNAS_OK) {
      bn_grad_finish_kernel<<<(unsigned)jnas_cuda::ceil_div(C, 128), 128, 0, st>>>(dgamma, dbeta, coef,
                                                                                   partial, C, n, S);
      rc = (int)cudaGetLastError();
    }
  }
  if (rc == JNAS_OK && dinp) {
    bn_dinp_kernel<<<jnas_cuda::grid1d(N), jnas_cuda::kThreads, 0, st>>>(
        dinp, dout, inp, mean, rstd, gamma, training ? coef : nullptr, C, HW, N);
    rc = (int)cudaGetLastError();
  }
  if (scratch) {
    cudaError_t e = cudaFreeAsync(scratch, st);
    if (rc == JNAS_OK) rc = (int)e;
  }
  return rc;
}

}  // extern "C"
