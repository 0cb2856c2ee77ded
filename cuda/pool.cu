// pool.cu: max pooling, average pooling, global average pooling; the CUDA twin
// of native/cpu/pool.cpp.
//
// Layout: NCHW float32, device pointers. Letters: B batch, C channels, H/W
// input, OH/OW output, K square window, HW = H*W.
//   OH = (H + 2*pad - K)/stride + 1 (jnas_out_size), likewise OW.
// Same semantics as the CPU: padding never wins the max (skipped), the first
// maximum in row-major window order wins a tie, argmax is the index into the
// input's H*W plane; average pooling divides by the in-bounds count
// (count_include_pad=False). Forwards overwrite; backwards ADD into dinp.
// Shape: forwards are one thread per output element. Backwards are GATHERS,
// one thread per input element, which visits the (few) windows that contain
// it in row-major order: no atomics, deterministic, and overlapping windows
// (stride < K, the ENAS 3x3 stride-1 pools) need no second pass.
// Global average pooling: one warp per (b, c) plane, sum in double (the CPU
// sums in double too), fixed-order shuffle tree.
#include "common.cuh"

namespace {

// The output rows whose windows hold input row ih: oh in [lo, hi].
__device__ __forceinline__ void window_range(int ih, int K, int stride, int pad, int OH, int* lo, int* hi) {
  const int t = ih + pad;                 // position in padded coordinates
  int l = t - K + 1;                      // oh*stride >= t - K + 1
  l = l <= 0 ? 0 : (l + stride - 1) / stride;
  int h = t / stride;                     // oh*stride <= t
  if (h > OH - 1) h = OH - 1;
  *lo = l;
  *hi = h;
}

__global__ void maxpool_forward_kernel(float* __restrict__ out,       // (B, C, OH, OW)
                                       int32_t* __restrict__ argmax,  // (B, C, OH, OW)
                                       const float* __restrict__ inp, // (B, C, H, W)
                                       int64_t BC, int H, int W, int OH, int OW, int K, int stride, int pad) {
  const int64_t N = BC * OH * OW;
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < N;
       i += (int64_t)gridDim.x * blockDim.x) {
    const int ow = (int)(i % OW);
    const int oh = (int)((i / OW) % OH);
    const int64_t p = i / ((int64_t)OH * OW);
    const float* x = inp + p * H * W;  // (H, W)
    const int h0 = max(oh * stride - pad, 0), h1 = min(oh * stride - pad + K, H);
    const int w0 = max(ow * stride - pad, 0), w1 = min(ow * stride - pad + K, W);
    int best = h0 * W + w0;
    float m = x[best];
    for (int h = h0; h < h1; h++)
      for (int w = w0; w < w1; w++) {
        const float v = x[h * W + w];
        if (v > m) {
          m = v;
          best = h * W + w;
        }
      }
    out[i] = m;
    argmax[i] = best;
  }
}

__global__ void maxpool_backward_kernel(float* dinp,                        // (B, C, H, W)
                                        const float* __restrict__ dout,     // (B, C, OH, OW)
                                        const int32_t* __restrict__ argmax, // (B, C, OH, OW)
                                        int64_t BC, int H, int W, int OH, int OW, int K, int stride, int pad) {
  const int64_t N = BC * H * W;
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < N;
       i += (int64_t)gridDim.x * blockDim.x) {
    const int iw = (int)(i % W);
    const int ih = (int)((i / W) % H);
    const int64_t p = i / ((int64_t)H * W);
    const int me = ih * W + iw;
    const float* dy = dout + p * OH * OW;    // (OH, OW)
    const int32_t* a = argmax + p * OH * OW; // (OH, OW)
    int oh0, oh1, ow0, ow1;
    window_range(ih, K, stride, pad, OH, &oh0, &oh1);
    window_range(iw, K, stride, pad, OW, &ow0, &ow1);
    float s = 0.f;
    bool hit = false;
    for (int oh = oh0; oh <= oh1; oh++)
      for (int ow = ow0; ow <= ow1; ow++)
        if (a[oh * OW + ow] == me) {
          s += dy[oh * OW + ow];
          hit = true;
        }
    if (hit) dinp[i] += s;
  }
}

__global__ void avgpool_forward_kernel(float* __restrict__ out,        // (B, C, OH, OW)
                                       const float* __restrict__ inp,  // (B, C, H, W)
                                       int64_t BC, int H, int W, int OH, int OW, int K, int stride, int pad) {
  const int64_t N = BC * OH * OW;
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < N;
       i += (int64_t)gridDim.x * blockDim.x) {
    const int ow = (int)(i % OW);
    const int oh = (int)((i / OW) % OH);
    const int64_t p = i / ((int64_t)OH * OW);
    const float* x = inp + p * H * W;  // (H, W)
    const int h0 = max(oh * stride - pad, 0), h1 = min(oh * stride - pad + K, H);
    const int w0 = max(ow * stride - pad, 0), w1 = min(ow * stride - pad + K, W);
    float s = 0.f;
    for (int h = h0; h < h1; h++)
      for (int w = w0; w < w1; w++) s += x[h * W + w];
    out[i] = s / (float)((h1 - h0) * (w1 - w0));
  }
}

__global__ void avgpool_backward_kernel(float* dinp,                     // (B, C, H, W)
                                        const float* __restrict__ dout,  // (B, C, OH, OW)
                                        int64_t BC, int H, int W, int OH, int OW, int K, int stride, int pad) {
  const int64_t N = BC * H * W;
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < N;
       i += (int64_t)gridDim.x * blockDim.x) {
    const int iw = (int)(i % W);
    const int ih = (int)((i / W) % H);
    const int64_t p = i / ((int64_t)H * W);
    const float* dy = dout + p * OH * OW;  // (OH, OW)
    int oh0, oh1, ow0, ow1;
    window_range(ih, K, stride, pad, OH, &oh0, &oh1);
    window_range(iw, K, stride, pad, OW, &ow0, &ow1);
    float s = 0.f;
    for (int oh = oh0; oh <= oh1; oh++) {
      const int h0 = max(oh * stride - pad, 0), h1 = min(oh * stride - pad + K, H);
      for (int ow = ow0; ow <= ow1; ow++) {
        const int w0 = max(ow * stride - pad, 0), w1 = min(ow * stride - pad + K, W);
        s += dy[oh * OW + ow] / (float)((h1 - h0) * (w1 - w0));
      }
    }
    dinp[i] += s;
  }
}

// One warp per plane p in [0, BC).
__global__ void global_avgpool_forward_kernel(float* __restrict__ out,        // (B, C)
                                              const float* __restrict__ inp,  // (B, C, HW)
                                              int64_t BC, int HW) {
  const int64_t warps = ((int64_t)gridDim.x * blockDim.x) >> 5;
  const int lane = threadIdx.x & 31;
  for (int64_t p = (blockIdx.x * (int64_t)blockDim.x + threadIdx.x) >> 5; p < BC; p += warps) {
    const float* x = inp + p * HW;  // (HW)
    double s = 0.0;
    for (int i = lane; i < HW; i += 32) s += x[i];
    s = jnas_cuda::warp_reduce_sum(s);
    if (lane == 0) out[p] = (float)(s / HW);
  }
}

__global__ void global_avgpool_backward_kernel(float* dinp,                     // (B, C, HW)
                                               const float* __restrict__ dout,  // (B, C)
                                               int64_t BC, int HW) {
  const int64_t N = BC * HW;
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < N;
       i += (int64_t)gridDim.x * blockDim.x)
    dinp[i] += dout[i / HW] / (float)HW;
}

}  // namespace

extern "C" {

int jnas_cuda_maxpool_forward(float* out, int32_t* argmax, const float* inp,
                              int B, int C, int H, int W, int K, int stride, int pad, void* stream) {
  const int OH = jnas_cuda::out_size(H, K, stride, pad, 1), OW = jnas_cuda::out_size(W, K, stride, pad, 1);
  if (OH <= 0 || OW <= 0) return JNAS_E_ARG;
  const int64_t BC = (int64_t)B * C, N = BC * OH * OW;
  if (N == 0) return JNAS_OK;
  maxpool_forward_kernel<<<jnas_cuda::grid1d(N), jnas_cuda::kThreads, 0, JNAS_STREAM(stream)>>>(
      out, argmax, inp, BC, H, W, OH, OW, K, stride, pad);
  JNAS_LAUNCH_CHECK();
  return JNAS_OK;
}

int jnas_cuda_maxpool_backward(float* dinp, const float* dout, const int32_t* argmax,
                               int B, int C, int H, int W, int K, int stride, int pad, void* stream) {
  const int OH = jnas_cuda::out_size(H, K, stride, pad, 1), OW = jnas_cuda::out_size(W, K, stride, pad, 1);
  if (OH <= 0 || OW <= 0) return JNAS_E_ARG;
  const int64_t BC = (int64_t)B * C, N = BC * H * W;
  if (N == 0 || !dinp) return JNAS_OK;
  maxpool_backward_kernel<<<jnas_cuda::grid1d(N), jnas_cuda::kThreads, 0, JNAS_STREAM(stream)>>>(
      dinp, dout, argmax, BC, H, W, OH, OW, K, stride, pad);
  JNAS_LAUNCH_CHECK();
  return JNAS_OK;
}

int jnas_cuda_avgpool_forward(float* out, const float* inp,
                              int B, int C, int H, int W, int K, int stride, int pad, void* stream) {
  const int OH = jnas_cuda::out_size(H, K, stride, pad, 1), OW = jnas_cuda::out_size(W, K, stride, pad, 1);
  if (OH <= 0 || OW <= 0) return JNAS_E_ARG;
  const int64_t BC = (int64_t)B * C, N = BC * OH * OW;
  if (N == 0) return JNAS_OK;
  avgpool_forward_kernel<<<jnas_cuda::grid1d(N), jnas_cuda::kThreads, 0, JNAS_STREAM(stream)>>>(
      out, inp, BC, H, W, OH, OW, K, stride, pad);
  JNAS_LAUNCH_CHECK();
  return JNAS_OK;
}

int jnas_cuda_avgpool_backward(float* dinp, const float* dout,
                               int B, int C, int H, int W, int K, int stride, int pad, void* stream) {
  const int OH = jnas_cuda::out_size(H, K, stride, pad, 1), OW = jnas_cuda::out_size(W, K, stride, pad, 1);
  if (OH <= 0 || OW <= 0) return JNAS_E_ARG;
  const int64_t BC = (int64_t)B * C, N = BC * H * W;
  if (N == 0 || !dinp) return JNAS_OK;
  avgpool_backward_kernel<<<jnas_cuda::grid1d(N), jnas_cuda::kThreads, 0, JNAS_STREAM(stream)>>>(
      dinp, dout, BC, H, W, OH, OW, K, stride, pad);
  JNAS_LAUNCH_CHECK();
  return JNAS_OK;
}

int jnas_cuda_global_avgpool_forward(float* out, const float* inp, int B, int C, int HW, void* stream) {
  const int64_t BC = (int64_t)B * C;
  if (BC == 0) return JNAS_OK;
  if (HW <= 0) return JNAS_E_ARG;
  global_avgpool_forward_kernel<<<jnas_cuda::grid1d(BC * 32), jnas_cuda::kThreads, 0, JNAS_STREAM(stream)>>>(
      out, inp, BC, HW);
  JNAS_LAUNCH_CHECK();
  return JNAS_OK;
}

int jnas_cuda_global_avgpool_backward(float* dinp, const float* dout, int B, int C, int HW,
                                      void* stream) {
  const int64_t BC = (int64_t)B * C, N = BC * HW;
  if (N == 0 || !dinp) return JNAS_OK;
  global_avgpool_backward_kernel<<<jnas_cuda::grid1d(N), jnas_cuda::kThreads, 0, JNAS_STREAM(stream)>>>(
      dinp, dout, BC, HW);
  JNAS_LAUNCH_CHECK();
  return JNAS_OK;
}

}  // extern "C"
