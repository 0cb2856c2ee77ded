// factorized_reduce.cu: ENAS/DARTS factorized reduce without its BN, the CUDA
// twin of native/cpu/factorized_reduce.cpp.
//   x = relu(inp)
//   out[:, :C1] = conv1x1 stride 2 of x with w1, pixel (oh, ow) reads x[2oh,   2ow]
//   out[:, C1:] = conv1x1 stride 2 of x shifted,  pixel (oh, ow) reads x[2oh+1, 2ow+1]
//                 (zero past the edge: the last row/column when H or W is odd)
//   C1 = C_out/2, C2 = C_out - C1; OH = (H+1)/2, OW = (W+1)/2; P = OH*OW.
//   out (B, C_out, OH, OW)   inp (B, C_in, H, W)
//   w1  (C1, C_in, 1, 1)     w2  (C2, C_in, 1, 1)
// Contract: forward OVERWRITES out; backward ADDS into dinp, dw1, dw2 (NULL skips).
// Shape: each path s (0, 1) is one implicit GEMM (gemm.cuh) whose loader does
// the stride-2 gather, the shift and the ReLU on the fly, so nothing is
// gathered into scratch:
//   forward  out[:, c0+m] (Ck, B*P)  = w (Ck, C_in) x xs (C_in, B*P)
//   dinp     dxs (C_in, B*P) = w^T x dout[:, c0:c0+Ck], added at the pixel
//            (2oh+s, 2ow+s) where inp > 0. The two paths touch disjoint pixels
//            (even/even and odd/odd), each pixel by one thread: no atomics.
//   dw       (Ck, C_in) += dout[:, c0:c0+Ck] (Ck, B*P) x xs^T, split-K.
#include "gemm.cuh"

namespace {

struct Fr {
  int B, C_in, H, W, C_out, OH, OW, s, c0, Ck;  // s = shift of this path, c0 its first channel
  __device__ __forceinline__ int64_t pixel(int c, int n, bool* inb) const {  // n = (b, oh, ow)
    const int P = OH * OW, b = n / P, p = n - b * P, oh = p / OW, ow = p - oh * OW;
    const int ih = 2 * oh + s, iw = 2 * ow + s;
    *inb = ih < H && iw < W;
    return (((int64_t)b * C_in + c) * H + ih) * W + iw;
  }
  __device__ __forceinline__ float xs(const float* __restrict__ inp, int c, int n) const {
    bool inb;
    const int64_t i = pixel(c, n, &inb);
    if (!inb) return 0.f;
    const float v = inp[i];
    return v > 0.f ? v : 0.f;
  }
  __device__ __forceinline__ int64_t out_index(int m, int n) const {  // channel c0+m of out
    const int P = OH * OW, b = n / P, p = n - b * P;
    return ((int64_t)b * C_out + c0 + m) * P + p;
  }
};

struct FwdOp {
  Fr f;
  float* out;          // (B, C_out, OH, OW)
  const float* inp;    // (B, C_in, H, W)
  const float* w;      // (Ck, C_in)
  __device__ float a(int, int m, int k) const { return w[(int64_t)m * f.C_in + k]; }
  __device__ float b(int, int k, int n) const { return f.xs(inp, k, n); }
  __device__ void store(int, int m, int n, float acc, int) const { out[f.out_index(m, n)] = acc; }
};

struct DgradOp {
  Fr f;
  float* dinp;         // (B, C_in, H, W)
  const float* dout;   // (B, C_out, OH, OW)
  const float* inp;    // (B, C_in, H, W)
  const float* w;      // (Ck, C_in)
  __device__ float a(int, int m, int k) const { return w[(int64_t)k * f.C_in + m]; }
  __device__ float b(int, int k, int n) const { return dout[f.out_index(k, n)]; }
  __device__ void store(int, int m, int n, float acc, int) const {
    bool inb;
    const int64_t i = f.pixel(m, n, &inb);
    if (inb && inp[i] > 0.f) dinp[i] += acc;
  }
};

struct WgradOp : jnas_cuda::SplitStore {
  Fr f;
  const float* dout;   // (B, C_out, OH, OW)
  const float* inp;    // (B, C_in, H, W)
  __device__ float a(int, int m, int k) const { return dout[f.out_index(m, k)]; }
  __device__ float b(int, int k, int n) const { return f.xs(inp, n, k); }
};

Fr make_fr(int B, int C_in, int H, int W, int C_out, int path) {
  const int C1 = C_out / 2;
  return Fr{B, C_in, H, W, C_out, (H + 1) / 2, (W + 1) / 2, path, path == 0 ? 0 : C1,
            path == 0 ? C1 : C_out - C1};
}

}  // namespace

extern "C" {

int jnas_cuda_factorized_reduce_forward(float* out, const float* inp,
                                        const float* w1, const float* w2,
                                        int B, int C_in, int H, int W, int C_out, void* stream) {
  if (B <= 0 || C_in <= 0 || H <= 0 || W <= 0 || C_out <= 0) return JNAS_E_ARG;
  for (int path = 0; path < 2; path++) {
    const Fr f = make_fr(B, C_in, H, W, C_out, path);
    if (f.Ck == 0) continue;
    FwdOp op{f, out, inp, path == 0 ? w1 : w2};
    const int rc = jnas_cuda::launch_gemm(op, f.Ck, B * f.OH * f.OW, C_in, 1, JNAS_STREAM(stream));
    if (rc) return rc;
  }
  return JNAS_OK;
}

int jnas_cuda_factorized_reduce_backward(float* dinp, float* dw1, float* dw2,
                                         const float* dout, const float* inp,
                                         const float* w1, const float* w2,
                                         int B, int C_in, int H, int W, int C_out, void* stream) {
  if (B <= 0 || C_in <= 0 || H <= 0 || W <= 0 || C_out <= 0) return JNAS_E_ARG;
  cudaStream_t st = JNAS_STREAM(stream);
  for (int path = 0; path < 2; path++) {
    const Fr f = make_fr(B, C_in, H, W, C_out, path);
    if (f.Ck == 0) continue;
    const int NP = B * f.OH * f.OW;
    if (dinp) {
      DgradOp op{f, dinp, dout, inp, path == 0 ? w1 : w2};
      const int rc = jnas_cuda::launch_gemm(op, C_in, NP, f.Ck, 1, st);
      if (rc) return rc;
    }
    float* dw = path == 0 ? dw1 : dw2;
    if (dw) {
      WgradOp op{};
      op.f = f;
      op.dout = dout;
      op.inp = inp;
      const int rc = jnas_cuda::run_wgrad_gemm<true>(op, dw, f.Ck, C_in, NP, 1, st);
      if (rc) return rc;
    }
  }
  return JNAS_OK;
}

}  // extern "C"
