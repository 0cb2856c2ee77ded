// conv2d.cu: 2-D convolution (groups, stride, padding, dilation), the CUDA twin
// of native/cpu/conv2d.cpp, with a naive reference beside the fast paths.
//
// Letters: B batch, C_in/C_out channels, H/W input, OH/OW output, KH/KW kernel,
// G groups, Cig = C_in/G and Cog = C_out/G channels per group, KK = KH*KW,
// P = OH*OW. Layout NCHW float32, device pointers:
//   out    (B, C_out, OH, OW)
//   inp    (B, C_in, H, W)
//   weight (C_out, Cig, KH, KW)
//   bias   (C_out) or NULL
// Contract: forward OVERWRITES out; backward ADDS into dinp, dweight, dbias
// (NULL skips one). Deterministic (no atomics anywhere).
//
// Paths:
//  - Depthwise (G == C_in == C_out, KH == KW in {1, 3, 5, 7}), the ENAS/DARTS
//    hot path (3x3 and 5x5 separable convs): direct kernels templated on K so
//    the window loops unroll and the weight-gradient accumulators stay in
//    registers. Forward: one thread per output. Input gradient: one thread per
//    input element, gathering the outputs whose windows hold it (no scatter,
//    no atomics). Weight gradient: grid (S, C); each block reduces one slice
//    of the B*P positions of one channel into KK partial sums (fixed-order
//    block tree), and the S partials are added in order (add_splits_kernel).
//  - Everything else: implicit GEMM on gemm.cuh's tiled SGEMM, per group:
//      forward  out[g](Cog, B*P)      = W[g](Cog, Cig*KK) x im2col(Cig*KK, B*P)
//      dinp     dinp[g](Cig, B*H*W)  += W[g]^T(Cig, Cog*KK) x dcol(Cog*KK, B*H*W)
//               (a transposed-conv gather of dout: a gather, so no col2im
//               scatter and no atomics)
//      dweight  dW[g](Cog, Cig*KK)   += dout[g](Cog, B*P) x im2col^T(B*P, Cig*KK)
//               (split-K over B*P, partials added in split order)
//    The batch is folded into the GEMM's N (or K) so one launch covers it.
//  - dbias: one block per output channel, double accumulation, fixed order.
//  - *_ref: one thread per output / input / weight element, plain loops over
//    everything: the GPU-side oracle of the fast paths (slow; for tests).
#include <algorithm>

#include "gemm.cuh"

namespace {

using jnas_cuda::ceil_div;

struct Geom {
  int B, C_in, H, W, C_out, KH, KW, stride, ph, pw, dil, G, OH, OW, Cig, Cog;
};

Geom make_geom(int B, int C_in, int H, int W, int C_out, int KH, int KW, int stride, int ph,
               int pw, int dil, int G) {
  Geom g{B, C_in, H, W, C_out, KH, KW, stride, ph, pw, dil, G, 0, 0, 0, 0};
  g.OH = (H + 2 * ph - dil * (KH - 1) - 1) / stride + 1;
  g.OW = (W + 2 * pw - dil * (KW - 1) - 1) / stride + 1;
  g.Cig = G > 0 ? C_in / G : 0;
  g.Cog = G > 0 ? C_out / G : 0;
  return g;
}

bool geom_ok(const Geom& g) {
  return g.B > 0 && g.C_in > 0 && g.C_out > 0 && g.G > 0 && g.C_in % g.G == 0 && g.C_out % g.G == 0 &&
         g.KH > 0 && g.KW > 0 && g.stride > 0 && g.dil > 0 && g.ph >= 0 && g.pw >= 0 && g.OH > 0 && g.OW > 0;
}

// Element (k, n) of group g's im2col matrix (Cig*KK, B*P): k = (c, kh, kw),
// n = (b, oh, ow); zero in the padding.
__device__ __forceinline__ float im2col_at(const Geom& q, const float* __restrict__ inp, int g, int k, int n) {
  const int KK = q.KH * q.KW, P = q.OH * q.OW;
  const int c = k / KK, r = k - c * KK, kh = r / q.KW, kw = r - kh * q.KW;
  const int b = n / P, p = n - b * P, oh = p / q.OW, ow = p - oh * q.OW;
  const int ih = oh * q.stride - q.ph + kh * q.dil, iw = ow * q.stride - q.pw + kw * q.dil;
  if ((unsigned)ih >= (unsigned)q.H || (unsigned)iw >= (unsigned)q.W) return 0.f;
  return inp[(((int64_t)b * q.C_in + g * q.Cig + c) * q.H + ih) * q.W + iw];
}

struct FwdOp {  // out[g](Cog, B*P) = W[g] x im2col (+ bias)
  Geom q;
  float* out;               // (B, C_out, OH, OW)
  const float* inp;         // (B, C_in, H, W)
  const float* weight;      // (C_out, Cig, KH, KW)
  const float* bias;        // (C_out) or NULL
  __device__ float a(int g, int m, int k) const {
    return weight[((int64_t)g * q.Cog + m) * (q.Cig * q.KH * q.KW) + k];
  }
  __device__ float b(int g, int k, int n) const { return im2col_at(q, inp, g, k, n); }
  __device__ void store(int g, int m, int n, float acc, int) const {
    const int P = q.OH * q.OW, bb = n / P, p = n - bb * P, co = g * q.Cog + m;
    out[((int64_t)bb * q.C_out + co) * P + p] = bias ? acc + bias[co] : acc;
  }
};

struct DgradOp {  // dinp[g](Cig, B*H*W) += W[g]^T x dcol
  Geom q;
  float* dinp;              // (B, C_in, H, W)
  const float* dout;        // (B, C_out, OH, OW)
  const float* weight;      // (C_out, Cig, KH, KW)
  __device__ float a(int g, int m, int k) const {  // m = input channel in group, k = (co, kh, kw)
    const int KK = q.KH * q.KW, co = k / KK, r = k - co * KK;
    return weight[(((int64_t)g * q.Cog + co) * q.Cig + m) * KK + r];
  }
  __device__ float b(int g, int k, int n) const {  // n = (b, ih, iw)
    const int KK = q.KH * q.KW, co = k / KK, r = k - co * KK, kh = r / q.KW, kw = r - kh * q.KW;
    const int HW = q.H * q.W, bb = n / HW, t = n - bb * HW, ih = t / q.W, iw = t - ih * q.W;
    const int th = ih + q.ph - kh * q.dil, tw = iw + q.pw - kw * q.dil;
    if (th < 0 || tw < 0) return 0.f;
    const int oh = th / q.stride, ow = tw / q.stride;
    if (oh * q.stride != th || ow * q.stride != tw || oh >= q.OH || ow >= q.OW) return 0.f;
    return dout[(((int64_t)bb * q.C_out + g * q.Cog + co) * q.OH + oh) * q.OW + ow];
  }
  __device__ void store(int g, int m, int n, float acc, int) const {
    const int HW = q.H * q.W, bb = n / HW, t = n - bb * HW;
    dinp[((int64_t)bb * q.C_in + g * q.Cig + m) * HW + t] += acc;
  }
};

struct WgradOp : jnas_cuda::SplitStore {  // dW[g](Cog, Cig*KK) += dout[g] x im2col^T
  Geom q;
  const float* dout;        // (B, C_out, OH, OW)
  const float* inp;         // (B, C_in, H, W)
  __device__ float a(int g, int m, int k) const {  // k = (b, oh, ow)
    const int P = q.OH * q.OW, bb = k / P, p = k - bb * P;
    return dout[((int64_t)bb * q.C_out + g * q.Cog + m) * P + p];
  }
  __device__ float b(int g, int k, int n) const { return im2col_at(q, inp, g, n, k); }
};

// ---------------------------------------------------------------- depthwise

template <int K>
__global__ void dw_forward_kernel(float* __restrict__ out,           // (B, C, OH, OW)
                                  const float* __restrict__ inp,     // (B, C, H, W)
                                  const float* __restrict__ weight,  // (C, 1, K, K)
                                  const float* __restrict__ bias,    // (C) or NULL
                                  const Geom q) {
  const int64_t P = (int64_t)q.OH * q.OW, N = (int64_t)q.B * q.C_in * P;
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < N;
       i += (int64_t)gridDim.x * blockDim.x) {
    const int ow = (int)(i % q.OW), oh = (int)((i / q.OW) % q.OH);
    const int64_t bc = i / P;
    const int c = (int)(bc % q.C_in);
    const float* x = inp + bc * q.H * q.W;  // (H, W)
    const float* w = weight + c * K * K;    // (K, K)
    const int ih0 = oh * q.stride - q.ph, iw0 = ow * q.stride - q.pw;
    float s = 0.f;
#pragma unroll
    for (int kh = 0; kh < K; kh++) {
      const int ih = ih0 + kh * q.dil;
      if ((unsigned)ih >= (unsigned)q.H) continue;
#pragma unroll
      for (int kw = 0; kw < K; kw++) {
        const int iw = iw0 + kw * q.dil;
        if ((unsigned)iw < (unsigned)q.W) s = fmaf(w[kh * K + kw], x[ih * q.W + iw], s);
      }
    }
    out[i] = bias ? s + bias[c] : s;
  }
}

template <int K>
__global__ void dw_dgrad_kernel(float* dinp,                        // (B, C, H, W)
                                const float* __restrict__ dout,     // (B, C, OH, OW)
                                const float* __restrict__ weight,   // (C, 1, K, K)
                                const Geom q) {
  const int64_t HW = (int64_t)q.H * q.W, N = (int64_t)q.B * q.C_in * HW;
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < N;
       i += (int64_t)gridDim.x * blockDim.x) {
    const int iw = (int)(i % q.W), ih = (int)((i / q.W) % q.H);
    const int64_t bc = i / HW;
    const int c = (int)(bc % q.C_in);
    const float* dy = dout + bc * q.OH * q.OW;  // (OH, OW)
    const float* w = weight + c * K * K;        // (K, K)
    float s = 0.f;
#pragma unroll
    for (int kh = 0; kh < K; kh++) {
      const int th = ih + q.ph - kh * q.dil;
      if (th < 0) continue;
      const int oh = th / q.stride;
      if (oh * q.stride != th || oh >= q.OH) continue;
#pragma unroll
      for (int kw = 0; kw < K; kw++) {
        const int tw = iw + q.pw - kw * q.dil;
        if (tw < 0) continue;
        const int ow = tw / q.stride;
        if (ow * q.stride != tw || ow >= q.OW) continue;
        s = fmaf(w[kh * K + kw], dy[oh * q.OW + ow], s);
      }
    }
    dinp[i] += s;
  }
}

constexpr int kDwThreads = 256;

// Block (s, c): KK sums over slice s of channel c's B*P output positions.
// S == 1: added into dweight; else written to partial (S, C, KK).
template <int K>
__global__ void __launch_bounds__(kDwThreads) dw_wgrad_kernel(float* dweight,     // (C, 1, K, K)
                                                              float* partial,     // (S, C, K*K) or NULL
                                                              const float* __restrict__ dout,  // (B, C, OH, OW)
                                                              const float* __restrict__ inp,   // (B, C, H, W)
                                                              const Geom q) {
  const int s = blockIdx.x, S = gridDim.x, c = blockIdx.y, C = q.C_in;
  const int P = q.OH * q.OW;
  const int64_t n = (int64_t)q.B * P, per = (n + S - 1) / S, j0 = s * per, j1 = min(n, j0 + per);
  float acc[K * K];
#pragma unroll
  for (int r = 0; r < K * K; r++) acc[r] = 0.f;
  for (int64_t j = j0 + threadIdx.x; j < j1; j += blockDim.x) {
    const int b = (int)(j / P), p = (int)(j - (int64_t)b * P), oh = p / q.OW, ow = p - oh * q.OW;
    const float dy = dout[((int64_t)b * C + c) * P + p];
    const float* x = inp + ((int64_t)b * C + c) * q.H * q.W;  // (H, W)
    const int ih0 = oh * q.stride - q.ph, iw0 = ow * q.stride - q.pw;
#pragma unroll
    for (int kh = 0; kh < K; kh++) {
      const int ih = ih0 + kh * q.dil;
      if ((unsigned)ih >= (unsigned)q.H) continue;
#pragma unroll
      for (int kw = 0; kw < K; kw++) {
        const int iw = iw0 + kw * q.dil;
        if ((unsigned)iw < (unsigned)q.W) acc[kh * K + kw] = fmaf(dy, x[ih * q.W + iw], acc[kh * K + kw]);
      }
    }
  }
#pragma unroll
  for (int r = 0; r < K * K; r++) {
    const float v = jnas_cuda::block_reduce_sum(acc[r]);
    if (threadIdx.x == 0) {
      if (partial) partial[((int64_t)s * C + c) * K * K + r] = v;
      else dweight[(int64_t)c * K * K + r] += v;
    }
  }
}

// Per-slice count of the depthwise weight gradient: a function of the shape only.
int dw_slices(int64_t n) {
  int64_t s = (n + 4095) / 4096;
  if (s < 1) s = 1;
  if (s > 64) s = 64;
  return (int)s;
}

template <int K>
int depthwise_forward(float* out, const float* inp, const float* weight, const float* bias,
                      const Geom& q, cudaStream_t st) {
  const int64_t N = (int64_t)q.B * q.C_in * q.OH * q.OW;
  dw_forward_kernel<K><<<jnas_cuda::grid1d(N), jnas_cuda::kThreads, 0, st>>>(out, inp, weight, bias, q);
  return (int)cudaGetLastError();
}

template <int K>
int depthwise_backward(float* dinp, float* dweight, const float* dout, const float* inp,
                       const float* weight, const Geom& q, cudaStream_t st) {
  if (dinp) {
    const int64_t N = (int64_t)q.B * q.C_in * q.H * q.W;
    dw_dgrad_kernel<K><<<jnas_cuda::grid1d(N), jnas_cuda::kThreads, 0, st>>>(dinp, dout, weight, q);
    const int rc = (int)cudaGetLastError();
    if (rc) return rc;
  }
  if (dweight) {
    const int S = dw_slices((int64_t)q.B * q.OH * q.OW);
    float* partial = nullptr;  // (S, C, KK)
    const int64_t slice = (int64_t)q.C_in * K * K;
    if (S > 1) {
      cudaError_t e = cudaMallocAsync((void**)&partial, sizeof(float) * S * slice, st);
      if (e != cudaSuccess) return (int)e;
    }
    dw_wgrad_kernel<K><<<dim3(S, q.C_in), kDwThreads, 0, st>>>(dweight, partial, dout, inp, q);
    int rc = (int)cudaGetLastError();
    if (S > 1) {
      if (rc == 0) {
        jnas_cuda::add_splits_kernel<<<jnas_cuda::grid1d(slice), jnas_cuda::kThreads, 0, st>>>(
            dweight, partial, slice, S);
        rc = (int)cudaGetLastError();
      }
      cudaError_t e = cudaFreeAsync(partial, st);
      if (rc == 0) rc = (int)e;
    }
    if (rc) return rc;
  }
  return 0;
}

bool is_depthwise(const Geom& q) {
  return q.G == q.C_in && q.C_in == q.C_out && q.KH == q.KW &&
         (q.KH == 1 || q.KH == 3 || q.KH == 5 || q.KH == 7);
}

// ------------------------------------------------------------------- bias

__global__ void dbias_kernel(float* dbias,                     // (C_out)
                             const float* __restrict__ dout,   // (B, C_out, P)
                             int B, int C_out, int P) {
  const int co = blockIdx.x;
  const int64_t n = (int64_t)B * P;
  double s = 0.0;
  for (int64_t j = threadIdx.x; j < n; j += blockDim.x) {
    const int64_t b = j / P;
    s += dout[(b * C_out + co) * P + (j - b * P)];
  }
  s = jnas_cuda::block_reduce_sum(s);
  if (threadIdx.x == 0) dbias[co] += (float)s;
}

// ------------------------------------------------------- naive references

__global__ void ref_forward_kernel(float* out, const float* inp, const float* weight, const float* bias,
                                   const Geom q) {
  const int64_t P = (int64_t)q.OH * q.OW, N = (int64_t)q.B * q.C_out * P;
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < N;
       i += (int64_t)gridDim.x * blockDim.x) {
    const int ow = (int)(i % q.OW), oh = (int)((i / q.OW) % q.OH);
    const int co = (int)((i / P) % q.C_out), b = (int)(i / (P * q.C_out));
    const int g = co / q.Cog;
    float s = 0.f;
    for (int c = 0; c < q.Cig; c++)
      for (int kh = 0; kh < q.KH; kh++)
        for (int kw = 0; kw < q.KW; kw++) {
          const int ih = oh * q.stride - q.ph + kh * q.dil, iw = ow * q.stride - q.pw + kw * q.dil;
          if (ih < 0 || ih >= q.H || iw < 0 || iw >= q.W) continue;
          s += weight[(((int64_t)co * q.Cig + c) * q.KH + kh) * q.KW + kw] *
               inp[(((int64_t)b * q.C_in + g * q.Cig + c) * q.H + ih) * q.W + iw];
        }
    out[i] = bias ? s + bias[co] : s;
  }
}

__global__ void ref_dgrad_kernel(float* dinp, const float* dout, const float* weight, const Geom q) {
  const int64_t HW = (int64_t)q.H * q.W, N = (int64_t)q.B * q.C_in * HW;
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < N;
       i += (int64_t)gridDim.x * blockDim.x) {
    const int iw = (int)(i % q.W), ih = (int)((i / q.W) % q.H);
    const int ci = (int)((i / HW) % q.C_in), b = (int)(i / (HW * q.C_in));
    const int g = ci / q.Cig, c = ci - g * q.Cig;
    float s = 0.f;
    for (int m = 0; m < q.Cog; m++) {
      const int co = g * q.Cog + m;
      for (int kh = 0; kh < q.KH; kh++)
        for (int kw = 0; kw < q.KW; kw++) {
          const int th = ih + q.ph - kh * q.dil, tw = iw + q.pw - kw * q.dil;
          if (th < 0 || tw < 0 || th % q.stride || tw % q.stride) continue;
          const int oh = th / q.stride, ow = tw / q.stride;
          if (oh >= q.OH || ow >= q.OW) continue;
          s += weight[(((int64_t)co * q.Cig + c) * q.KH + kh) * q.KW + kw] *
               dout[(((int64_t)b * q.C_out + co) * q.OH + oh) * q.OW + ow];
        }
    }
    dinp[i] += s;
  }
}

__global__ void ref_wgrad_kernel(float* dweight, const float* dout, const float* inp, const Geom q) {
  const int64_t N = (int64_t)q.C_out * q.Cig * q.KH * q.KW;
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < N;
       i += (int64_t)gridDim.x * blockDim.x) {
    const int kw = (int)(i % q.KW), kh = (int)((i / q.KW) % q.KH);
    const int c = (int)((i / (q.KW * q.KH)) % q.Cig), co = (int)(i / ((int64_t)q.KW * q.KH * q.Cig));
    const int g = co / q.Cog;
    float s = 0.f;
    for (int b = 0; b < q.B; b++)
      for (int oh = 0; oh < q.OH; oh++)
        for (int ow = 0; ow < q.OW; ow++) {
          const int ih = oh * q.stride - q.ph + kh * q.dil, iw = ow * q.stride - q.pw + kw * q.dil;
          if (ih < 0 || ih >= q.H || iw < 0 || iw >= q.W) continue;
          s += dout[(((int64_t)b * q.C_out + co) * q.OH + oh) * q.OW + ow] *
               inp[(((int64_t)b * q.C_in + g * q.Cig + c) * q.H + ih) * q.W + iw];
        }
    dweight[i] += s;
  }
}

__global__ void ref_dbias_kernel(float* dbias, const float* dout, const Geom q) {
  const int co = blockIdx.x * blockDim.x + threadIdx.x;
  if (co >= q.C_out) return;
  const int P = q.OH * q.OW;
  float s = 0.f;
  for (int b = 0; b < q.B; b++)
    for (int p = 0; p < P; p++) s += dout[((int64_t)b * q.C_out + co) * P + p];
  dbias[co] += s;
}

}  // namespace

// ---------------------------------------------------------------- fused ReLU
// relu_in: the convolution of ReLU(inp). Here (correct first, fast later: the GPU issue)
// the ReLU runs as its own pass into a scratch copy, and the backward adds the gradient
// through it with jnas_cuda_relu_backward; the CPU kernels fuse it for real.
namespace {

// r (n) = ReLU(inp) in a stream-ordered scratch buffer the caller frees with cudaFreeAsync.
int relu_copy(float** r, const float* inp, int64_t n, cudaStream_t st) {
  JNAS_CUDA_TRY(cudaMallocAsync((void**)r, sizeof(float) * (size_t)std::max<int64_t>(n, 1), st));
  return jnas_cuda_relu_forward(*r, inp, n, st);
}

template <typename F>
int with_relu_input(const float* inp, int64_t n, cudaStream_t st, F&& f) {
  float* r = nullptr;
  int rc = relu_copy(&r, inp, n, st);
  if (rc == 0) rc = f(r);
  cudaError_t e = cudaFreeAsync(r, st);
  return rc ? rc : (int)e;
}

// The backward through a fused ReLU: f(x, dx) runs the plain backward on x = ReLU(inp) into a
// zeroed scratch dx (when dinp is wanted), which is then added into dinp where inp > 0.
template <typename F>
int backward_through_relu(float* dinp, const float* inp, int64_t n, cudaStream_t st, F&& f) {
  return with_relu_input(inp, n, st, [&](const float* x) {
    if (!dinp) return f(x, (float*)nullptr);
    float* dx = nullptr;
    JNAS_CUDA_TRY(cudaMallocAsync((void**)&dx, sizeof(float) * (size_t)std::max<int64_t>(n, 1), st));
    int rc = (int)cudaMemsetAsync(dx, 0, sizeof(float) * (size_t)n, st);
    if (rc == 0) rc = f(x, dx);
    if (rc == 0) rc = jnas_cuda_relu_backward(dinp, dx, inp, n, st);
    cudaError_t e = cudaFreeAsync(dx, st);
    return rc ? rc : (int)e;
  });
}

}  // namespace

extern "C" {

static int conv2d_forward_plain(float* out, const float* inp, const float* weight, const float* bias,
                             int B, int C_in, int H, int W, int C_out, int KH, int KW,
                             int stride, int pad_h, int pad_w, int dilation, int groups,
                             void* stream) {
  const Geom q = make_geom(B, C_in, H, W, C_out, KH, KW, stride, pad_h, pad_w, dilation, groups);
  if (!geom_ok(q)) return JNAS_E_ARG;
  cudaStream_t st = JNAS_STREAM(stream);
  if (is_depthwise(q)) {
    switch (q.KH) {
      case 1: return depthwise_forward<1>(out, inp, weight, bias, q, st);
      case 3: return depthwise_forward<3>(out, inp, weight, bias, q, st);
      case 5: return depthwise_forward<5>(out, inp, weight, bias, q, st);
      case 7: return depthwise_forward<7>(out, inp, weight, bias, q, st);
    }
  }
  FwdOp op{q, out, inp, weight, bias};
  return jnas_cuda::launch_gemm(op, q.Cog, q.B * q.OH * q.OW, q.Cig * q.KH * q.KW, q.G, st);
}

static int conv2d_backward_plain(float* dinp, float* dweight, float* dbias,
                              const float* dout, const float* inp, const float* weight,
                              int B, int C_in, int H, int W, int C_out, int KH, int KW,
                              int stride, int pad_h, int pad_w, int dilation, int groups,
                              void* stream) {
  const Geom q = make_geom(B, C_in, H, W, C_out, KH, KW, stride, pad_h, pad_w, dilation, groups);
  if (!geom_ok(q)) return JNAS_E_ARG;
  cudaStream_t st = JNAS_STREAM(stream);
  int rc = 0;
  if (dbias) {
    dbias_kernel<<<q.C_out, jnas_cuda::kThreads, 0, st>>>(dbias, dout, q.B, q.C_out, q.OH * q.OW);
    JNAS_LAUNCH_CHECK();
  }
  if (is_depthwise(q)) {
    switch (q.KH) {
      case 1: return depthwise_backward<1>(dinp, dweight, dout, inp, weight, q, st);
      case 3: return depthwise_backward<3>(dinp, dweight, dout, inp, weight, q, st);
      case 5: return depthwise_backward<5>(dinp, dweight, dout, inp, weight, q, st);
      case 7: return depthwise_backward<7>(dinp, dweight, dout, inp, weight, q, st);
    }
  }
  const int KK = q.KH * q.KW;
  if (dinp) {
    DgradOp op{q, dinp, dout, weight};
    rc = jnas_cuda::launch_gemm(op, q.Cig, q.B * q.H * q.W, q.Cog * KK, q.G, st);
    if (rc) return rc;
  }
  if (dweight) {
    WgradOp op{};
    op.q = q;
    op.dout = dout;
    op.inp = inp;
    rc = jnas_cuda::run_wgrad_gemm<true>(op, dweight, q.Cog, q.Cig * KK, q.B * q.OH * q.OW, q.G, st);
    if (rc) return rc;
  }
  return 0;
}

static int conv2d_forward_ref_plain(float* out, const float* inp, const float* weight, const float* bias,
                                 int B, int C_in, int H, int W, int C_out, int KH, int KW,
                                 int stride, int pad_h, int pad_w, int dilation, int groups,
                                 void* stream) {
  const Geom q = make_geom(B, C_in, H, W, C_out, KH, KW, stride, pad_h, pad_w, dilation, groups);
  if (!geom_ok(q)) return JNAS_E_ARG;
  const int64_t N = (int64_t)B * C_out * q.OH * q.OW;
  ref_forward_kernel<<<jnas_cuda::grid1d(N), jnas_cuda::kThreads, 0, JNAS_STREAM(stream)>>>(
      out, inp, weight, bias, q);
  JNAS_LAUNCH_CHECK();
  return JNAS_OK;
}

static int conv2d_backward_ref_plain(float* dinp, float* dweight, float* dbias,
                                  const float* dout, const float* inp, const float* weight,
                                  int B, int C_in, int H, int W, int C_out, int KH, int KW,
                                  int stride, int pad_h, int pad_w, int dilation, int groups,
                                  void* stream) {
  const Geom q = make_geom(B, C_in, H, W, C_out, KH, KW, stride, pad_h, pad_w, dilation, groups);
  if (!geom_ok(q)) return JNAS_E_ARG;
  cudaStream_t st = JNAS_STREAM(stream);
  if (dinp) {
    const int64_t N = (int64_t)B * C_in * H * W;
    ref_dgrad_kernel<<<jnas_cuda::grid1d(N), jnas_cuda::kThreads, 0, st>>>(dinp, dout, weight, q);
    JNAS_LAUNCH_CHECK();
  }
  if (dweight) {
    const int64_t N = (int64_t)C_out * q.Cig * KH * KW;
    ref_wgrad_kernel<<<jnas_cuda::grid1d(N), jnas_cuda::kThreads, 0, st>>>(dweight, dout, inp, q);
    JNAS_LAUNCH_CHECK();
  }
  if (dbias) {
    ref_dbias_kernel<<<ceil_div(C_out, 128), 128, 0, st>>>(dbias, dout, q);
    JNAS_LAUNCH_CHECK();
  }
  return JNAS_OK;
}



int jnas_cuda_conv2d_forward(float* out, const float* inp, const float* weight, const float* bias,
                             int B, int C_in, int H, int W, int C_out, int KH, int KW,
                             int stride, int pad_h, int pad_w, int dilation, int groups, int relu_in,
                             void* stream) {
  if (!relu_in)
    return conv2d_forward_plain(out, inp, weight, bias, B, C_in, H, W, C_out, KH, KW, stride, pad_h, pad_w, dilation,
                                groups, stream);
  return with_relu_input(inp, (int64_t)B * C_in * H * W, JNAS_STREAM(stream), [&](const float* x) {
    return conv2d_forward_plain(out, x, weight, bias, B, C_in, H, W, C_out, KH, KW, stride, pad_h, pad_w, dilation,
                                groups, stream);
  });
}

int jnas_cuda_conv2d_backward(float* dinp, float* dweight, float* dbias,
                              const float* dout, const float* inp, const float* weight,
                              int B, int C_in, int H, int W, int C_out, int KH, int KW,
                              int stride, int pad_h, int pad_w, int dilation, int groups, int relu_in,
                              void* stream) {
  if (!relu_in)
    return conv2d_backward_plain(dinp, dweight, dbias, dout, inp, weight, B, C_in, H, W, C_out, KH, KW, stride, pad_h,
                                 pad_w, dilation, groups, stream);
  return backward_through_relu(dinp, inp, (int64_t)B * C_in * H * W, JNAS_STREAM(stream), [&](const float* x, float* dx) {
    return conv2d_backward_plain(dx, dweight, dbias, dout, x, weight, B, C_in, H, W, C_out, KH, KW, stride, pad_h,
                                 pad_w, dilation, groups, stream);
  });
}

int jnas_cuda_conv2d_forward_ref(float* out, const float* inp, const float* weight, const float* bias,
                                 int B, int C_in, int H, int W, int C_out, int KH, int KW,
                                 int stride, int pad_h, int pad_w, int dilation, int groups, int relu_in,
                                 void* stream) {
  if (!relu_in)
    return conv2d_forward_ref_plain(out, inp, weight, bias, B, C_in, H, W, C_out, KH, KW, stride, pad_h, pad_w,
                                    dilation, groups, stream);
  return with_relu_input(inp, (int64_t)B * C_in * H * W, JNAS_STREAM(stream), [&](const float* x) {
    return conv2d_forward_ref_plain(out, x, weight, bias, B, C_in, H, W, C_out, KH, KW, stride, pad_h, pad_w,
                                    dilation, groups, stream);
  });
}

int jnas_cuda_conv2d_backward_ref(float* dinp, float* dweight, float* dbias,
                                  const float* dout, const float* inp, const float* weight,
                                  int B, int C_in, int H, int W, int C_out, int KH, int KW,
                                  int stride, int pad_h, int pad_w, int dilation, int groups, int relu_in,
                                  void* stream) {
  if (!relu_in)
    return conv2d_backward_ref_plain(dinp, dweight, dbias, dout, inp, weight, B, C_in, H, W, C_out, KH, KW, stride,
                                     pad_h, pad_w, dilation, groups, stream);
  return backward_through_relu(dinp, inp, (int64_t)B * C_in * H * W, JNAS_STREAM(stream), [&](const float* x, float* dx) {
    return conv2d_backward_ref_plain(dx, dweight, dbias, dout, x, weight, B, C_in, H, W, C_out, KH, KW, stride,
                                     pad_h, pad_w, dilation, groups, stream);
  });
}

}  // extern "C"
