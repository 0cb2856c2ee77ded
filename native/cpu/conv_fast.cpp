// conv_fast.cpp: register-blocked AVX2 paths for the two convolutions that
// dominate the ENAS supernet: pointwise 1x1 (the second half of every
// separable conv, the cell's final 1x1 convs) and stride-1 depthwise KxK (the
// first half). conv2d.cpp dispatches here when the shape fits (see
// conv_fast.h); everything else takes the im2col + sgemm or generic path.
//
// Why not sgemm for pointwise: at ENAS sizes the matrices are skinny
// (M = C_out = 20..80, K = C_in = 20..80, N = H*W), so sgemm spends its time
// packing, and NCHW forces an im2col-like copy to fold the batch into N. Here
// each sample's out (C_out, P) = W (C_out, C_in) x in (C_in, P) is computed
// in place: a 4-row x 16-column tile of the output lives in 8 ymm registers
// while the kernel streams C_in rows of the input (an L1-resident 16-float
// strip each), i.e. 8 FMAs per 2 loads + 4 broadcasts.
//
// Why a padded plane for depthwise: copying one (H, W) plane into a
// zero-bordered scratch (L1/L2-resident) removes every bounds test, so the
// stencil's inner loop is 8 output columns x KH*KW taps of unaligned loads
// and FMAs, each output element written once. The input gradient is the same
// stencil over the padded output gradient with the flipped kernel; the
// weight gradient is KH*KW dot products over the padded input.
//
// Contract (jnas.h): forward overwrites, backward adds; NULL grads skipped.
// Determinism: weight gradients are summed per chunk into partial buffers
// (pointwise) or per channel by one thread (depthwise), then combined in a
// fixed order: fixed results for a fixed thread count.
#include "conv_fast.h"

#include <immintrin.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "parallel.h"

namespace jnas {
namespace {

constexpr int64_t kTileP = 256;  // output columns per work item

// y += v where mask > 0 (the backward of a fused ReLU: mask is the ReLU's input).
inline void store_masked(float* y, __m256 v, const float* mask) {
  __m256 keep = _mm256_cmp_ps(_mm256_loadu_ps(mask), _mm256_setzero_ps(), _CMP_GT_OQ);
  _mm256_storeu_ps(y, _mm256_add_ps(_mm256_loadu_ps(y), _mm256_and_ps(v, keep)));
}

// ReLU of 8 floats, or the floats themselves.
template <bool RELU>
inline __m256 ld(const float* p) {
  __m256 v = _mm256_loadu_ps(p);
  return RELU ? _mm256_max_ps(v, _mm256_setzero_ps()) : v;
}
template <bool RELU>
inline float ld1(const float* p) {
  return RELU ? (*p > 0.f ? *p : 0.f) : *p;  // as jnas_cpu_relu_forward: -0 and NaN give 0
}

// Y (M, ldp) [+]= A (M, K) x X (K, ldp), columns [p0, p1) only; bias (M) or NULL
// initializes when not accumulating. RELU_X: X is read through a ReLU (a fused ReLU
// on the input). MASK (backward through a fused ReLU): Y += the product where
// mask (M, ldp) > 0, computed in full before it is masked and added (acc is ignored).
template <bool RELU_X, bool MASK>
void pw_block_t(float* Y, const float* A, const float* X, const float* bias, int M, int K, int64_t ldp,
                int64_t p0, int64_t p1, bool acc, const float* mask) {
  if (MASK) acc = false;
  int64_t p = p0;
  for (; p + 16 <= p1; p += 16) {
    int m = 0;
    for (; m + 4 <= M; m += 4) {
      __m256 c[4][2];
      for (int r = 0; r < 4; r++) {
        float* y = Y + (int64_t)(m + r) * ldp + p;
        if (acc) {
          c[r][0] = _mm256_loadu_ps(y);
          c[r][1] = _mm256_loadu_ps(y + 8);
        } else {
          c[r][0] = c[r][1] = _mm256_set1_ps(bias ? bias[m + r] : 0.f);
        }
      }
      const float* a = A + (int64_t)m * K;
      for (int k = 0; k < K; k++) {
        __m256 x0 = ld<RELU_X>(X + (int64_t)k * ldp + p);
        __m256 x1 = ld<RELU_X>(X + (int64_t)k * ldp + p + 8);
        for (int r = 0; r < 4; r++) {
          __m256 w = _mm256_broadcast_ss(a + (int64_t)r * K + k);
          c[r][0] = _mm256_fmadd_ps(w, x0, c[r][0]);
          c[r][1] = _mm256_fmadd_ps(w, x1, c[r][1]);
        }
      }
      for (int r = 0; r < 4; r++) {
        float* y = Y + (int64_t)(m + r) * ldp + p;
        if (MASK) {
          store_masked(y, c[r][0], mask + (int64_t)(m + r) * ldp + p);
          store_masked(y + 8, c[r][1], mask + (int64_t)(m + r) * ldp + p + 8);
        } else {
          _mm256_storeu_ps(y, c[r][0]);
          _mm256_storeu_ps(y + 8, c[r][1]);
        }
      }
    }
    for (; m < M; m++) {
      float* y = Y + (int64_t)m * ldp + p;
      __m256 c0 = acc ? _mm256_loadu_ps(y) : _mm256_set1_ps(bias ? bias[m] : 0.f);
      __m256 c1 = acc ? _mm256_loadu_ps(y + 8) : c0;
      for (int k = 0; k < K; k++) {
        __m256 w = _mm256_broadcast_ss(A + (int64_t)m * K + k);
        c0 = _mm256_fmadd_ps(w, ld<RELU_X>(X + (int64_t)k * ldp + p), c0);
        c1 = _mm256_fmadd_ps(w, ld<RELU_X>(X + (int64_t)k * ldp + p + 8), c1);
      }
      if (MASK) {
        store_masked(y, c0, mask + (int64_t)m * ldp + p);
        store_masked(y + 8, c1, mask + (int64_t)m * ldp + p + 8);
      } else {
        _mm256_storeu_ps(y, c0);
        _mm256_storeu_ps(y + 8, c1);
      }
    }
  }
  for (; p < p1; p++) {  // tail columns
    for (int m = 0; m < M; m++) {
      float* y = Y + (int64_t)m * ldp + p;
      float s = acc ? *y : (bias ? bias[m] : 0.f);
      for (int k = 0; k < K; k++) s += A[(int64_t)m * K + k] * ld1<RELU_X>(X + (int64_t)k * ldp + p);
      if (MASK) {
        *y += mask[(int64_t)m * ldp + p] > 0.f ? s : 0.f;
      } else {
        *y = s;
      }
    }
  }
}

void pw_block(float* Y, const float* A, const float* X, const float* bias, int M, int K, int64_t ldp, int64_t p0,
              int64_t p1, bool acc) {
  pw_block_t<false, false>(Y, A, X, bias, M, K, ldp, p0, p1, acc, nullptr);
}

inline float hsum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
  return _mm_cvtss_f32(s);
}

// G (M, N) += D (M, P) x X (N, P)^T: dot products along P, 4x2 blocks; X through a ReLU
// when RELU_X (the weight gradient of a convolution with a fused ReLU on its input).
template <bool RELU_X>
void dot_block(double* G, const float* D, const float* X, int M, int N, int64_t P) {
  int64_t P8 = P & ~int64_t(7);
  int m = 0;
  for (; m + 4 <= M; m += 4) {
    int n = 0;
    for (; n + 2 <= N; n += 2) {
      __m256 c[4][2];
      for (int r = 0; r < 4; r++) c[r][0] = c[r][1] = _mm256_setzero_ps();
      for (int64_t p = 0; p < P8; p += 8) {
        __m256 x0 = ld<RELU_X>(X + (int64_t)n * P + p);
        __m256 x1 = ld<RELU_X>(X + (int64_t)(n + 1) * P + p);
        for (int r = 0; r < 4; r++) {
          __m256 d = _mm256_loadu_ps(D + (int64_t)(m + r) * P + p);
          c[r][0] = _mm256_fmadd_ps(d, x0, c[r][0]);
          c[r][1] = _mm256_fmadd_ps(d, x1, c[r][1]);
        }
      }
      for (int r = 0; r < 4; r++) {
        for (int s = 0; s < 2; s++) {
          float t = hsum(c[r][s]);
          for (int64_t p = P8; p < P; p++) t += D[(int64_t)(m + r) * P + p] * ld1<RELU_X>(X + (int64_t)(n + s) * P + p);
          G[(int64_t)(m + r) * N + n + s] += t;
        }
      }
    }
    for (; n < N; n++) {
      for (int r = 0; r < 4; r++) {
        float t = 0.f;
        for (int64_t p = 0; p < P; p++) t += D[(int64_t)(m + r) * P + p] * ld1<RELU_X>(X + (int64_t)n * P + p);
        G[(int64_t)(m + r) * N + n] += t;
      }
    }
  }
  for (; m < M; m++) {
    for (int n = 0; n < N; n++) {
      __m256 c = _mm256_setzero_ps();
      for (int64_t p = 0; p < P8; p += 8) {
        c = _mm256_fmadd_ps(_mm256_loadu_ps(D + (int64_t)m * P + p), ld<RELU_X>(X + (int64_t)n * P + p), c);
      }
      float t = hsum(c);
      for (int64_t p = P8; p < P; p++) t += D[(int64_t)m * P + p] * ld1<RELU_X>(X + (int64_t)n * P + p);
      G[(int64_t)m * N + n] += t;
    }
  }
}

// Work items (sample, column tile) of a per-sample loop.
template <typename F>
void for_tiles(int B, int64_t P, F&& f) {
  int64_t tiles = (P + kTileP - 1) / kTileP;
  parallel_for((int64_t)B * tiles, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; i++) {
      int b = (int)(i / tiles);
      int64_t p0 = (i % tiles) * kTileP;
      f(b, p0, std::min(P, p0 + kTileP));
    }
  });
}

float* scratch(std::vector<float>& v, size_t n) {
  if (v.size() < n) v.resize(n);
  return v.data();
}

}  // namespace

bool pointwise_fits(int KH, int KW, int stride, int pad_h, int pad_w, int groups) {
  return KH == 1 && KW == 1 && stride == 1 && pad_h == 0 && pad_w == 0 && groups == 1;
}

void pointwise_forward(float* out, const float* inp, const float* weight, const float* bias, int B, int C_in,
                       int64_t P, int C_out, bool relu) {
  // out (B, C_out, P); inp (B, C_in, P); weight (C_out, C_in); bias (C_out) or NULL
  for_tiles(B, P, [&](int b, int64_t p0, int64_t p1) {
    float* o = out + (int64_t)b * C_out * P;
    const float* x = inp + (int64_t)b * C_in * P;
    if (relu) pw_block_t<true, false>(o, weight, x, bias, C_out, C_in, P, p0, p1, false, nullptr);
    else pw_block(o, weight, x, bias, C_out, C_in, P, p0, p1, false);
  });
}

void pointwise_backward(float* dinp, float* dweight, const float* dout, const float* inp, const float* weight,
                        int B, int C_in, int64_t P, int C_out, bool relu, bool overwrite) {
  // dinp (B, C_in, P) += W^T dout; dweight (C_out, C_in) += sum_b dout[b] inp[b]^T
  if (dinp) {
    std::vector<float> wt((size_t)C_in * C_out);  // (C_in, C_out)
    for (int o = 0; o < C_out; o++)
      for (int i = 0; i < C_in; i++) wt[(size_t)i * C_out + o] = weight[(size_t)o * C_in + i];
    for_tiles(B, P, [&](int b, int64_t p0, int64_t p1) {
      float* dx = dinp + (int64_t)b * C_in * P;
      const float* d = dout + (int64_t)b * C_out * P;
      if (relu) pw_block_t<false, true>(dx, wt.data(), d, nullptr, C_in, C_out, P, p0, p1, true, inp + (int64_t)b * C_in * P);
      else pw_block(dx, wt.data(), d, nullptr, C_in, C_out, P, p0, p1, !overwrite);
    });
  }
  if (dweight) {
    int chunks = parallel_chunks(B);
    std::vector<double> part((size_t)chunks * C_out * C_in, 0.0);
    parallel_for_chunks(B, chunks, [&](int ch, int64_t b0, int64_t b1) {
      double* g = part.data() + (size_t)ch * C_out * C_in;
      for (int64_t b = b0; b < b1; b++) {
        if (relu) dot_block<true>(g, dout + b * C_out * P, inp + b * C_in * P, C_out, C_in, P);
        else dot_block<false>(g, dout + b * C_out * P, inp + b * C_in * P, C_out, C_in, P);
      }
    });
    for (int ch = 0; ch < chunks; ch++)
      for (size_t k = 0; k < (size_t)C_out * C_in; k++) dweight[k] += (float)part[(size_t)ch * C_out * C_in + k];
  }
}

bool depthwise_s1_fits(int KH, int KW, int stride, int pad_h, int pad_w, int dilation) {
  return stride == 1 && pad_h <= dilation * (KH - 1) && pad_w <= dilation * (KW - 1) && KH * KW <= 64;
}

namespace {

// o (OH, OW) [+]= sum_{kh,kw} w[kh,kw] * xp[oh + kh*d, ow + kw*d]; xp (OH + d(KH-1), Wp).
// MASK (the backward of a fused ReLU): o += the sum where mask (OH, OW) > 0, the sum taken
// in full first (acc and b0 are then ignored).
template <bool MASK>
void stencil_t(float* o, const float* xp, int Wp, const float* w, int KH, int KW, int d, int OH, int OW, float b0,
               bool acc, const float* mask) {
  if (MASK) {
    acc = false;
    b0 = 0.f;
  }
  for (int oh = 0; oh < OH; oh++) {
    float* orow = o + (int64_t)oh * OW;
    int ow = 0;
    for (; ow + 8 <= OW; ow += 8) {
      __m256 a = acc ? _mm256_loadu_ps(orow + ow) : _mm256_set1_ps(b0);
      for (int kh = 0; kh < KH; kh++) {
        const float* r = xp + (int64_t)(oh + kh * d) * Wp + ow;
        for (int kw = 0; kw < KW; kw++) a = _mm256_fmadd_ps(_mm256_broadcast_ss(w + kh * KW + kw), _mm256_loadu_ps(r + kw * d), a);
      }
      if (MASK) store_masked(orow + ow, a, mask + (int64_t)oh * OW + ow);
      else _mm256_storeu_ps(orow + ow, a);
    }
    for (; ow < OW; ow++) {
      float a = acc ? orow[ow] : b0;
      for (int kh = 0; kh < KH; kh++) {
        const float* r = xp + (int64_t)(oh + kh * d) * Wp + ow;
        for (int kw = 0; kw < KW; kw++) a += w[kh * KW + kw] * r[kw * d];
      }
      if (MASK) orow[ow] += mask[(int64_t)oh * OW + ow] > 0.f ? a : 0.f;
      else orow[ow] = a;
    }
  }
}

void stencil(float* o, const float* xp, int Wp, const float* w, int KH, int KW, int d, int OH, int OW, float b0,
             bool acc) {
  stencil_t<false>(o, xp, Wp, w, KH, KW, d, OH, OW, b0, acc, nullptr);
}

// dst (H + 2*ph, W + 2*pw) = src (H, W) with a zero border; ReLU(src) when relu.
void pad_plane(float* dst, const float* src, int H, int W, int ph, int pw, bool relu = false) {
  int Wp = W + 2 * pw;
  std::memset(dst, 0, sizeof(float) * (size_t)(H + 2 * ph) * Wp);
  for (int h = 0; h < H; h++) {
    float* d = dst + (int64_t)(h + ph) * Wp + pw;
    const float* r = src + (int64_t)h * W;
    if (relu) {
      for (int w = 0; w < W; w++) d[w] = r[w] > 0.f ? r[w] : 0.f;
    } else {
      std::memcpy(d, r, sizeof(float) * W);
    }
  }
}

// g (K*K) += the depthwise weight gradient of one plane: g[kh*K + kw] = sum over (oh, ow) of
// dm[oh, ow] * xp[oh + kh*d, ow + kw*d]; xp the padded input plane (width Wp). Each dout row
// chunk is loaded once and used for the K taps of a kernel row (K accumulators).
void dw_weight_grad(double* g, const float* dm, const float* xp, int OH, int OW, int Wp, int K, int d) {
  int OW8 = OW & ~7;
  for (int kh = 0; kh < K; kh++) {
    __m256 acc[8];
    float tail[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    for (int kw = 0; kw < K; kw++) acc[kw] = _mm256_setzero_ps();
    for (int oh = 0; oh < OH; oh++) {
      const float* drow = dm + (int64_t)oh * OW;
      const float* r = xp + (int64_t)(oh + kh * d) * Wp;
      for (int ow = 0; ow < OW8; ow += 8) {
        __m256 dv = _mm256_loadu_ps(drow + ow);
        for (int kw = 0; kw < K; kw++) acc[kw] = _mm256_fmadd_ps(dv, _mm256_loadu_ps(r + ow + kw * d), acc[kw]);
      }
      for (int ow = OW8; ow < OW; ow++)
        for (int kw = 0; kw < K; kw++) tail[kw] += drow[ow] * r[ow + kw * d];
    }
    for (int kw = 0; kw < K; kw++) g[kh * K + kw] += (double)(hsum(acc[kw]) + tail[kw]);
  }
}

}  // namespace

void depthwise_s1_forward(float* out, const float* inp, const float* weight, const float* bias, int B, int C, int H,
                          int W, int KH, int KW, int pad_h, int pad_w, int dilation, bool relu) {
  int Hp = H + 2 * pad_h, Wp = W + 2 * pad_w;
  int OH = Hp - dilation * (KH - 1), OW = Wp - dilation * (KW - 1);
  parallel_for((int64_t)B * C, [&](int64_t i0, int64_t i1) {
    thread_local std::vector<float> buf;
    float* xp = scratch(buf, (size_t)Hp * Wp);
    for (int64_t i = i0; i < i1; i++) {
      int c = (int)(i % C);
      pad_plane(xp, inp + i * H * W, H, W, pad_h, pad_w, relu);
      stencil(out + i * OH * OW, xp, Wp, weight + (int64_t)c * KH * KW, KH, KW, dilation, OH, OW,
              bias ? bias[c] : 0.f, false);
    }
  });
}

void depthwise_s1_backward(float* dinp, float* dweight, const float* dout, const float* inp, const float* weight,
                           int B, int C, int H, int W, int KH, int KW, int pad_h, int pad_w, int dilation, bool relu) {
  int Hp = H + 2 * pad_h, Wp = W + 2 * pad_w;
  int OH = Hp - dilation * (KH - 1), OW = Wp - dilation * (KW - 1);
  int qh = dilation * (KH - 1) - pad_h, qw = dilation * (KW - 1) - pad_w;  // >= 0 (depthwise_s1_fits)
  int Dh = OH + 2 * qh, Dw = OW + 2 * qw;                                  // = H + d(KH-1), W + d(KW-1)
  int KK = KH * KW;
  parallel_for(C, [&](int64_t c0, int64_t c1) {
    thread_local std::vector<float> buf;
    float* sp = scratch(buf, (size_t)std::max(Hp * Wp, Dh * Dw) + KK);
    float* wf = sp + std::max(Hp * Wp, Dh * Dw);  // flipped kernel
    for (int64_t c = c0; c < c1; c++) {
      const float* w = weight + c * KK;
      for (int k = 0; k < KK; k++) wf[k] = w[KK - 1 - k];
      double dw[64] = {0};
      for (int b = 0; b < B; b++) {
        int64_t plane = (int64_t)b * C + c;
        const float* d = dout + plane * OH * OW;  // (OH, OW)
        if (dinp) {
          pad_plane(sp, d, OH, OW, qh, qw);
          if (relu) stencil_t<true>(dinp + plane * H * W, sp, Dw, wf, KH, KW, dilation, H, W, 0.f, true, inp + plane * H * W);
          else stencil(dinp + plane * H * W, sp, Dw, wf, KH, KW, dilation, H, W, 0.f, true);
        }
        if (dweight) {
          pad_plane(sp, inp + plane * H * W, H, W, pad_h, pad_w, relu);
          if (KH == KW && KH <= 8) {
            dw_weight_grad(dw, d, sp, OH, OW, Wp, KH, dilation);
          } else {
            for (int kh = 0; kh < KH; kh++) {
              for (int kw = 0; kw < KW; kw++) {
                __m256 a = _mm256_setzero_ps();
                float t = 0.f;
                for (int oh = 0; oh < OH; oh++) {
                  const float* r = sp + (int64_t)(oh + kh * dilation) * Wp + kw * dilation;
                  const float* drow = d + (int64_t)oh * OW;
                  int ow = 0;
                  for (; ow + 8 <= OW; ow += 8) a = _mm256_fmadd_ps(_mm256_loadu_ps(drow + ow), _mm256_loadu_ps(r + ow), a);
                  for (; ow < OW; ow++) t += drow[ow] * r[ow];
                }
                dw[kh * KW + kw] += (double)(hsum(a) + t);
              }
            }
          }
        }
      }
      if (dweight)
        for (int k = 0; k < KK; k++) dweight[c * KK + k] += (float)dw[k];
    }
  });
}

// ------------------------------------------------------------ fused separable conv
//
// ReLU (optional) -> depthwise KxK stride 1 -> pointwise 1x1, one sample at a time: the
// sample's depthwise output (C_in, P) lives in a per-thread scratch (tens of KiB: L2), so the
// intermediate `mid` never goes to memory; backward recomputes it the same way (same bits)
// instead of storing it. Weight gradients are summed per chunk of samples in double and the
// chunks added in order: fixed results for a fixed thread count.

bool sepconv_fused_fits(int K, int stride, int pad, int dilation) {
  return depthwise_s1_fits(K, K, stride, pad, pad, dilation);
}

namespace {

// mid (C, OH, OW) = depthwise of ReLU?(x) (C, H, W); xp: a padded-plane scratch.
void dw_sample(float* mid, const float* x, const float* w_dw, int C, int H, int W, int K, int pad, int d, bool relu,
               float* xp) {
  int Hp = H + 2 * pad, Wp = W + 2 * pad, OH = Hp - d * (K - 1), OW = Wp - d * (K - 1);
  for (int c = 0; c < C; c++) {
    pad_plane(xp, x + (int64_t)c * H * W, H, W, pad, pad, relu);
    stencil(mid + (int64_t)c * OH * OW, xp, Wp, w_dw + (int64_t)c * K * K, K, K, d, OH, OW, 0.f, false);
  }
}

}  // namespace

void sepconv_fused_forward(float* out, const float* inp, const float* w_dw, const float* w_pw, int B, int C_in, int H,
                           int W, int C_out, int K, int pad, int dilation, bool relu) {
  int Hp = H + 2 * pad, Wp = W + 2 * pad, OH = Hp - dilation * (K - 1), OW = Wp - dilation * (K - 1);
  int64_t P = (int64_t)OH * OW;
  parallel_for(B, [&](int64_t b0, int64_t b1) {
    thread_local std::vector<float> buf;
    float* mid = scratch(buf, (size_t)C_in * P + (size_t)Hp * Wp);
    float* xp = mid + (size_t)C_in * P;
    for (int64_t b = b0; b < b1; b++) {
      dw_sample(mid, inp + b * C_in * H * W, w_dw, C_in, H, W, K, pad, dilation, relu, xp);
      pw_block(out + b * C_out * P, w_pw, mid, nullptr, C_out, C_in, P, 0, P, false);
    }
  });
}

void sepconv_fused_backward(float* dinp, float* dw_dw, float* dw_pw, const float* dout, const float* inp,
                            const float* w_dw, const float* w_pw, int B, int C_in, int H, int W, int C_out, int K,
                            int pad, int dilation, bool relu) {
  int Hp = H + 2 * pad, Wp = W + 2 * pad, OH = Hp - dilation * (K - 1), OW = Wp - dilation * (K - 1);
  int64_t P = (int64_t)OH * OW;
  int KK = K * K;
  int qh = dilation * (K - 1) - pad;  // >= 0 (depthwise_s1_fits)
  int Dh = OH + 2 * qh, Dw = OW + 2 * qh;
  std::vector<float> wt((size_t)C_in * C_out);  // (C_in, C_out) = w_pw^T
  for (int o = 0; o < C_out; o++)
    for (int c = 0; c < C_in; c++) wt[(size_t)c * C_out + o] = w_pw[(size_t)o * C_in + c];
  std::vector<float> wf((size_t)C_in * KK);  // flipped depthwise kernels
  for (int c = 0; c < C_in; c++)
    for (int k = 0; k < KK; k++) wf[(size_t)c * KK + k] = w_dw[(size_t)c * KK + KK - 1 - k];
  int chunks = parallel_chunks(B);
  size_t npw = (size_t)C_out * C_in, ndw = (size_t)C_in * KK;
  std::vector<double> part((size_t)chunks * (npw + ndw), 0.0);  // per chunk: d w_pw then d w_dw
  parallel_for_chunks(B, chunks, [&](int ch, int64_t b0, int64_t b1) {
    thread_local std::vector<float> buf;
    size_t plane = (size_t)std::max(Hp * Wp, Dh * Dw);
    float* mid = scratch(buf, 2 * (size_t)C_in * P + plane);
    float* dmid = mid + (size_t)C_in * P;
    float* sp = dmid + (size_t)C_in * P;
    double* gpw = part.data() + (size_t)ch * (npw + ndw);
    double* gdw = gpw + npw;
    for (int64_t b = b0; b < b1; b++) {
      const float* x = inp + b * C_in * H * W;
      const float* d = dout + b * C_out * P;
      dw_sample(mid, x, w_dw, C_in, H, W, K, pad, dilation, relu, sp);  // mid again, the same bits
      if (dw_pw) dot_block<false>(gpw, d, mid, C_out, C_in, P);
      if (!dinp && !dw_dw) continue;
      pw_block(dmid, wt.data(), d, nullptr, C_in, C_out, P, 0, P, false);
      for (int c = 0; c < C_in; c++) {
        const float* dm = dmid + (size_t)c * P;       // (OH, OW)
        const float* xc = x + (int64_t)c * H * W;     // (H, W)
        if (dinp) {
          float* dx = dinp + (b * C_in + c) * (int64_t)H * W;
          pad_plane(sp, dm, OH, OW, qh, qh);
          if (relu) stencil_t<true>(dx, sp, Dw, wf.data() + (size_t)c * KK, K, K, dilation, H, W, 0.f, true, xc);
          else stencil(dx, sp, Dw, wf.data() + (size_t)c * KK, K, K, dilation, H, W, 0.f, true);
        }
        if (dw_dw) {
          pad_plane(sp, xc, H, W, pad, pad, relu);
          dw_weight_grad(gdw + (size_t)c * KK, dm, sp, OH, OW, Wp, K, dilation);
        }
      }
    }
  });
  for (int ch = 0; ch < chunks; ch++) {
    const double* gpw = part.data() + (size_t)ch * (npw + ndw);
    if (dw_pw)
      for (size_t k = 0; k < npw; k++) dw_pw[k] += (float)gpw[k];
    if (dw_dw)
      for (size_t k = 0; k < ndw; k++) dw_dw[k] += (float)gpw[npw + k];
  }
}

}  // namespace jnas
