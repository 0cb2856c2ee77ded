// loss.cu: softmax cross-entropy with label smoothing, mean over the batch;
// the CUDA twin of native/cpu/loss.cpp.
//
// Letters: B batch, V classes. logits, probs (B, V) row-major; labels (B) int32
// in [0, V); loss is ONE device float. Targets t[b, v] = (1-ls)*[v == y_b] + ls/V.
//   probs[b] = softmax(logits[b]) (max-subtracted)
//   loss     = (1/B) sum_b (lse_b - (1-ls) z[b, y_b] - (ls/V) sum_v z[b, v]),
//              z = logits - max, lse = log sum exp z (no log of a probability)
//   backward ADDS: dlogits += dloss * (probs - t) / B
// Shape: one block per row (V is 10..1000 here): the max, the sum of exps and
// the sum of z are block reductions in a fixed order, in double for the two
// sums as on the CPU; each row's loss goes to a scratch slot, and one block
// adds the B slots in a fixed order. Deterministic, no atomics.
#include "common.cuh"

namespace {

constexpr int kRowThreads = 256;

__global__ void softmax_xent_rows_kernel(double* __restrict__ row_loss,   // (B)
                                         float* __restrict__ probs,       // (B, V)
                                         const float* __restrict__ logits,  // (B, V)
                                         const int32_t* __restrict__ labels,  // (B)
                                         int V, float label_smoothing) {
  const int b = blockIdx.x;
  const float* z = logits + (int64_t)b * V;  // (V)
  float* p = probs + (int64_t)b * V;         // (V)
  float mx = -INFINITY;
  for (int v = threadIdx.x; v < V; v += blockDim.x) mx = fmaxf(mx, z[v]);
  mx = jnas_cuda::block_reduce_max(mx);
  double se = 0.0, sz = 0.0;
  for (int v = threadIdx.x; v < V; v += blockDim.x) {
    const float zs = z[v] - mx;
    const float e = expf(zs);
    p[v] = e;
    se += e;
    sz += zs;
  }
  se = jnas_cuda::block_reduce_sum(se, true);
  sz = jnas_cuda::block_reduce_sum(sz);
  const float inv = (float)(1.0 / se);
  for (int v = threadIdx.x; v < V; v += blockDim.x) p[v] *= inv;
  if (threadIdx.x == 0) {
    const double ls = label_smoothing;
    row_loss[b] = log(se) - (1.0 - ls) * (double)(z[labels[b]] - mx) - ls / V * sz;
  }
}

__global__ void mean_kernel(float* loss, const double* __restrict__ row_loss, int B) {  // one block
  double s = 0.0;
  for (int b = threadIdx.x; b < B; b += blockDim.x) s += row_loss[b];
  s = jnas_cuda::block_reduce_sum(s);
  if (threadIdx.x == 0) loss[0] = (float)(s / B);
}

__global__ void softmax_xent_backward_kernel(float* dlogits,                     // (B, V)
                                             const float* __restrict__ probs,    // (B, V)
                                             const int32_t* __restrict__ labels, // (B)
                                             int B, int V, float k, float on, float off) {
  const int64_t N = (int64_t)B * V;
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < N;
       i += (int64_t)gridDim.x * blockDim.x) {
    const int64_t b = i / V;
    const int v = (int)(i - b * V);
    dlogits[i] += k * (probs[i] - (v == labels[b] ? on : off));
  }
}

}  // namespace

namespace {

// Hits: one block; thread t scans rows t, t+blockDim, ... (argmax, the first of
// equal maxima, as on the CPU) and the block adds the counts in a fixed order.
constexpr int kHitThreads = 256;

__global__ void argmax_hits_kernel(int32_t* __restrict__ hits,          // (1)
                                   const float* __restrict__ logits,    // (B, V)
                                   const int32_t* __restrict__ labels,  // (B)
                                   int B, int V) {
  int n = 0;
  for (int b = threadIdx.x; b < B; b += blockDim.x) {
    const float* row = logits + (int64_t)b * V;  // (V)
    int best = 0;
    for (int v = 1; v < V; v++)
      if (row[v] > row[best]) best = v;
    n += best == labels[b];
  }
  n = jnas_cuda::block_reduce_sum(n);
  if (threadIdx.x == 0) *hits = n;
}

}  // namespace

extern "C" {

int jnas_cuda_softmax_xent_forward(float* loss, float* probs, const float* logits,
                                   const int32_t* labels, int B, int V, float label_smoothing,
                                   void* stream) {
  if (B <= 0 || V <= 0) return JNAS_E_ARG;
  cudaStream_t st = JNAS_STREAM(stream);
  double* row_loss = nullptr;  // (B)
  JNAS_CUDA_TRY(cudaMallocAsync((void**)&row_loss, sizeof(double) * B, st));
  softmax_xent_rows_kernel<<<B, kRowThreads, 0, st>>>(row_loss, probs, logits, labels, V,
                                                      label_smoothing);
  int rc = (int)cudaGetLastError();
  if (rc == JNAS_OK) {
    mean_kernel<<<1, 1024, 0, st>>>(loss, row_loss, B);
    rc = (int)cudaGetLastError();
  }
  cudaError_t e = cudaFreeAsync(row_loss, st);
  return rc != JNAS_OK ? rc : (int)e;
}

int jnas_cuda_softmax_xent_backward(float* dlogits, const float* probs, const int32_t* labels,
                                    int B, int V, float label_smoothing, float dloss, void* stream) {
  if (!dlogits || B <= 0 || V <= 0) return JNAS_OK;
  const float k = dloss / (float)B;
  const float off = label_smoothing / (float)V;
  const float on = 1.f - label_smoothing + off;
  const int64_t N = (int64_t)B * V;
  softmax_xent_backward_kernel<<<jnas_cuda::grid1d(N), jnas_cuda::kThreads, 0, JNAS_STREAM(stream)>>>(
      dlogits, probs, labels, B, V, k, on, off);
  JNAS_LAUNCH_CHECK();
  return JNAS_OK;
}

int jnas_cuda_argmax_hits(int32_t* hits, const float* logits, const int32_t* labels, int B, int V,
                          void* stream) {
  if (B <= 0 || V <= 0) return JNAS_E_ARG;
  argmax_hits_kernel<<<1, kHitThreads, 0, JNAS_STREAM(stream)>>>(hits, logits, labels, B, V);
  JNAS_LAUNCH_CHECK();
  return JNAS_OK;
}

}  // extern "C"
