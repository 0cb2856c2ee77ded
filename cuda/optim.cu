// optim.cu: parameter updates and the global gradient norm, the CUDA twin of
// native/cpu/optim.cpp (scale lives in elementwise.cu, as on the CPU).
//
// Letters: N a flat element count. Every buffer (N) float32, device memory,
// updated in place; each element's update reads only that element.
//   SGD (torch.optim.SGD, dampening 0):
//     g = grad + wd*param; buf = momentum*buf + g;
//     g = nesterov ? g + momentum*buf : buf; param -= lr*g
//     With momentum == 0 (or momentum_buf NULL) the buffer is not used.
//   Adam (torch.optim.Adam, L2 weight decay added to the gradient, step >= 1):
//     the bias corrections are computed on the host in double, as on the CPU.
//   Clip by norm: buf *= max_norm / *norm where *norm > max_norm > 0, the norm
//     read on the device.
//   Global norm: sqrt of the sum of squares of n_bufs buffers. `bufs` and
//     `sizes` are HOST arrays (of device pointers and counts); `out` is one
//     device float. Deterministic: each buffer is cut into a number of blocks
//     that depends on its size only; each block writes its partial sum (in
//     double, fixed-order tree) to scratch; one block then adds the partials
//     in a fixed order. One launch per buffer: fine for the usual single
//     flat gradient buffer, slow for hundreds of small ones.
#include <cmath>

#include "common.cuh"

namespace {

__global__ void sgd_kernel(float* param,              // (N)
                           float* momentum_buf,       // (N) or NULL
                           const float* __restrict__ grad,  // (N)
                           int64_t N, float lr, float momentum, float weight_decay, int nesterov) {
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < N;
       i += (int64_t)gridDim.x * blockDim.x) {
    float g = grad[i] + weight_decay * param[i];
    if (momentum_buf) {
      const float buf = momentum * momentum_buf[i] + g;
      momentum_buf[i] = buf;
      g = nesterov ? g + momentum * buf : buf;
    }
    param[i] -= lr * g;
  }
}

__global__ void adam_kernel(float* param, float* m, float* v,  // (N) each
                            const float* __restrict__ grad,    // (N)
                            int64_t N, float beta1, float beta2, float eps, float weight_decay,
                            float step_size, float inv_sqrt_bc2) {
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < N;
       i += (int64_t)gridDim.x * blockDim.x) {
    const float g = grad[i] + weight_decay * param[i];
    const float mi = beta1 * m[i] + (1.f - beta1) * g;
    const float vi = beta2 * v[i] + (1.f - beta2) * g * g;
    m[i] = mi;
    v[i] = vi;
    param[i] -= step_size * mi / (sqrtf(vi) * inv_sqrt_bc2 + eps);
  }
}

constexpr int kNormThreads = 256;
constexpr int64_t kNormPerBlock = 8192;  // elements per block, at most
constexpr int kNormMaxBlocks = 1024;

int norm_blocks(int64_t n) {
  int64_t b = (n + kNormPerBlock - 1) / kNormPerBlock;
  if (b < 1) b = 1;
  if (b > kNormMaxBlocks) b = kNormMaxBlocks;
  return (int)b;
}

// partial[blockIdx.x] = sum over this block's grid-stride share of x^2 (double).
__global__ void sumsq_partial_kernel(double* __restrict__ partial,  // (gridDim.x)
                                     const float* __restrict__ x,   // (n)
                                     int64_t n) {
  double s = 0.0;
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n;
       i += (int64_t)gridDim.x * blockDim.x) {
    const double v = x[i];
    s += v * v;
  }
  s = jnas_cuda::block_reduce_sum(s);
  if (threadIdx.x == 0) partial[blockIdx.x] = s;
}

// out[0] = sqrt(sum of partial[0..n)), one block, fixed order.
__global__ void norm_finish_kernel(float* out, const double* __restrict__ partial, int n) {
  double s = 0.0;
  for (int i = threadIdx.x; i < n; i += blockDim.x) s += partial[i];
  s = jnas_cuda::block_reduce_sum(s);
  if (threadIdx.x == 0) out[0] = (float)sqrt(s);
}

}  // namespace

namespace {

// Clip by norm: every thread reads the norm from device memory (no host round
// trip); the same arithmetic as the CPU: s = max_norm / norm, buf *= s.
__global__ void clip_by_norm_kernel(float* __restrict__ buf, int64_t N, const float* __restrict__ norm,
                                    float max_norm) {
  const float n = *norm;
  if (!(max_norm > 0.f && n > max_norm)) return;
  const float s = max_norm / n;
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < N; i += (int64_t)gridDim.x * blockDim.x)
    buf[i] *= s;
}

}  // namespace

extern "C" {

int jnas_cuda_sgd_update(float* param, float* momentum_buf, const float* grad, int64_t N,
                         float lr, float momentum, float weight_decay, int nesterov, void* stream) {
  if (N <= 0) return JNAS_OK;
  float* buf = momentum != 0.f ? momentum_buf : nullptr;
  sgd_kernel<<<jnas_cuda::grid1d(N), jnas_cuda::kThreads, 0, JNAS_STREAM(stream)>>>(
      param, buf, grad, N, lr, momentum, weight_decay, nesterov);
  JNAS_LAUNCH_CHECK();
  return JNAS_OK;
}

int jnas_cuda_adam_update(float* param, float* m, float* v, const float* grad, int64_t N,
                          float lr, float beta1, float beta2, float eps, float weight_decay,
                          int step, void* stream) {
  if (N <= 0) return JNAS_OK;
  const double bc1 = 1.0 - std::pow((double)beta1, step);
  const double bc2 = 1.0 - std::pow((double)beta2, step);
  const float step_size = (float)(lr / bc1);
  const float inv_sqrt_bc2 = (float)(1.0 / std::sqrt(bc2));
  adam_kernel<<<jnas_cuda::grid1d(N), jnas_cuda::kThreads, 0, JNAS_STREAM(stream)>>>(
      param, m, v, grad, N, beta1, beta2, eps, weight_decay, step_size, inv_sqrt_bc2);
  JNAS_LAUNCH_CHECK();
  return JNAS_OK;
}

int jnas_cuda_global_norm(float* out, const float* const* bufs, const int64_t* sizes, int n_bufs,
                          void* stream) {
  cudaStream_t st = JNAS_STREAM(stream);
  int total = 0;
  for (int k = 0; k < n_bufs; k++)
    if (sizes[k] > 0) total += norm_blocks(sizes[k]);
  if (total == 0) {  // no elements: the norm is 0
    JNAS_CUDA_TRY(cudaMemsetAsync(out, 0, sizeof(float), st));
    return JNAS_OK;
  }
  double* partial = nullptr;  // (total)
  JNAS_CUDA_TRY(cudaMallocAsync((void**)&partial, sizeof(double) * total, st));
  int at = 0, rc = JNAS_OK;
  for (int k = 0; k < n_bufs && rc == JNAS_OK; k++) {
    if (sizes[k] <= 0) continue;
    const int nb = norm_blocks(sizes[k]);
    sumsq_partial_kernel<<<nb, kNormThreads, 0, st>>>(partial + at, bufs[k], sizes[k]);
    rc = (int)cudaGetLastError();
    at += nb;
  }
  if (rc == JNAS_OK) {
    norm_finish_kernel<<<1, 1024, 0, st>>>(out, partial, total);
    rc = (int)cudaGetLastError();
  }
  cudaError_t e = cudaFreeAsync(partial, st);
  return rc != JNAS_OK ? rc : (int)e;
}

int jnas_cuda_clip_by_norm(float* buf, int64_t N, const float* norm, float max_norm, void* stream) {
  if (N <= 0) return JNAS_OK;
  clip_by_norm_kernel<<<jnas_cuda::grid1d(N), jnas_cuda::kThreads, 0, JNAS_STREAM(stream)>>>(buf, N, norm, max_norm);
  JNAS_LAUNCH_CHECK();
  return JNAS_OK;
}

}  // extern "C"
