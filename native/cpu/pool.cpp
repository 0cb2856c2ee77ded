// pool.cpp: max pooling, average pooling and global average pooling (CPU).
//
// Layout: NCHW float32. Letters: B batch, C channels, H/W input height and
// width, OH/OW output height and width, K square window, HW = H*W.
//   OH = (H + 2*pad - K) / stride + 1, likewise OW.
// Contract (see jnas.h): forwards overwrite their outputs; backwards ADD into
// dinp. Sizes were checked on the Java side (pad < K, OH >= 1, OW >= 1), so
// every window holds at least one in-bounds element.
//  - Max pool: padding never wins (it is skipped, not -inf compared), the
//    first maximum in row-major window order wins a tie, and argmax saves
//    its index into the input's H*W plane for backward.
//  - Average pool: divides by the number of in-bounds elements of the window
//    (count_include_pad=False, as ENAS and DARTS do).
// Threads: every loop is over independent (b, c) planes, so each thread
// writes its own planes and the result does not depend on the thread count.
// Fast path, stride 1 or 2 and K <= 7 (every pool of the ENAS and DARTS cells and
// reductions): each (b, c) plane is copied into a padded scratch (-inf for max, 0 for
// average; for stride 2 its even and odd columns apart, so that every tap is a contiguous
// load), then eight output columns are done at once with AVX2, borders included, the last
// partial register masked. The taps are taken in the same row-major order as the generic
// loop, so the results are the generic loop's bit for bit: a max window starts from its first
// in-bounds element (gathered) and a padded -inf never passes the strict >; an average adds
// the padding's +0s, which change no sum (a sum that starts at +0 is never -0). The average's
// backward (stride 1) gathers dy / count over a zero-padded plane in the order the generic
// scatter adds them.
#include <immintrin.h>

#include <algorithm>
#include <limits>
#include <vector>

#include "jnas.h"
#include "parallel.h"

namespace {

// Planes per parallel chunk so that a chunk holds about 32k window reads.
int64_t plane_grain(int64_t work_per_plane) {
  return std::max<int64_t>(1, (1 << 15) / std::max<int64_t>(1, work_per_plane));
}

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

bool fast(int K, int stride, int pad) { return (stride == 1 || stride == 2) && K <= 7 && pad < K; }

// The padded plane of a pool: rows Hp = H + 2*pad, width pitch; stride 2 keeps the even
// columns of the padded row in a first plane and the odd ones in a second (Hp * pitch
// later), so that tap kw of output column ow is column ow + kw / s of plane kw % s.
struct Padded {
  int Hp, pitch, s;
  size_t floats() const { return (size_t)Hp * pitch * s; }
  const float* tap(const float* xp, int row, int kw) const { return xp + (size_t)(kw % s) * Hp * pitch + (size_t)row * pitch + kw / s; }
};

Padded padded(int H, int W, int pad, int s) {
  int Wp = W + 2 * pad;
  return {H + 2 * pad, s == 1 ? Wp : (Wp + 1) / 2, s};
}

void pad_pool_plane(float* xp, const float* x, int H, int W, int pad, const Padded& g, float pv) {
  std::fill(xp, xp + g.floats(), pv);
  for (int h = 0; h < H; h++) {
    const float* r = x + (size_t)h * W;
    if (g.s == 1) {
      std::copy(r, r + W, xp + (size_t)(h + pad) * g.pitch + pad);
    } else {
      float* e = xp + (size_t)(h + pad) * g.pitch;
      float* o = e + (size_t)g.Hp * g.pitch;
      for (int w = 0; w < W; w++) {
        int c = w + pad;  // padded column
        (c % 2 ? o : e)[c / 2] = r[w];
      }
    }
  }
}

inline __m256i lanes_mask(int n) { return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7)); }
inline __m256 loadn(const float* p, __m256i m, int n) { return n == 8 ? _mm256_loadu_ps(p) : _mm256_maskload_ps(p, m); }

// One plane of a max pool (MAX, with argmax) or an average pool on the padded plane xp.
template <bool MAX>
void pool_plane(float* o, int32_t* a, const float* x, const float* xp, const Padded& g, int H, int W, int K, int s,
                int pad, int OH, int OW) {
  const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  size_t off[7];  // tap kw: its plane and column offset in xp
  for (int kw = 0; kw < K; kw++) off[kw] = (size_t)(kw % s) * g.Hp * g.pitch + kw / s;
  for (int oh = 0; oh < OH; oh++) {
    const int h0 = std::max(oh * s - pad, 0), h1 = std::min(oh * s - pad + K, H);
    const float* rows = xp + (size_t)oh * s * g.pitch;  // row kh of the window: rows + kh * pitch
    for (int ow = 0; ow < OW; ow += 8) {
      const int n = std::min(8, OW - ow);
      const __m256i m8 = lanes_mask(n);
      const __m256i col = _mm256_sub_epi32(_mm256_mullo_epi32(_mm256_add_epi32(_mm256_set1_epi32(ow), lane), _mm256_set1_epi32(s)),
                                           _mm256_set1_epi32(pad));  // s*ow - pad, per lane
      const __m256i w0 = _mm256_max_epi32(col, _mm256_setzero_si256());
      if (MAX) {
        // start from the first in-bounds element (the generic loop's start; a NaN there stays)
        __m256i idx = _mm256_add_epi32(_mm256_set1_epi32(h0 * W), w0);
        __m256 m = s == 1 && ow >= pad ? loadn(x + (size_t)h0 * W + ow - pad, m8, n)  // contiguous
                                       : _mm256_mask_i32gather_ps(_mm256_setzero_ps(), x, idx, _mm256_castsi256_ps(m8), 4);
        for (int kh = 0; kh < K; kh++) {
          const float* r = rows + (size_t)kh * g.pitch + ow;
          const __m256i rbase = _mm256_add_epi32(_mm256_set1_epi32((oh * s + kh - pad) * W), col);
          for (int kw = 0; kw < K; kw++) {
            __m256 v = loadn(r + off[kw], m8, n);
            __m256 gt = _mm256_cmp_ps(v, m, _CMP_GT_OQ);
            m = _mm256_blendv_ps(m, v, gt);
            idx = _mm256_castps_si256(_mm256_blendv_ps(_mm256_castsi256_ps(idx),
                _mm256_castsi256_ps(_mm256_add_epi32(rbase, _mm256_set1_epi32(kw))), gt));
          }
        }
        if (n == 8) {
          _mm256_storeu_ps(o + (size_t)oh * OW + ow, m);
          _mm256_storeu_si256((__m256i*)(a + (size_t)oh * OW + ow), idx);
        } else {
          _mm256_maskstore_ps(o + (size_t)oh * OW + ow, m8, m);
          _mm256_maskstore_epi32(a + (size_t)oh * OW + ow, m8, idx);
        }
      } else {
        __m256 sum = _mm256_setzero_ps();
        for (int kh = 0; kh < K; kh++) {
          const float* r = rows + (size_t)kh * g.pitch + ow;
          for (int kw = 0; kw < K; kw++) sum = _mm256_add_ps(sum, loadn(r + off[kw], m8, n));
        }
        const __m256i w1 = _mm256_min_epi32(_mm256_add_epi32(col, _mm256_set1_epi32(K)), _mm256_set1_epi32(W));
        const __m256 cnt = _mm256_cvtepi32_ps(_mm256_mullo_epi32(_mm256_set1_epi32(h1 - h0), _mm256_sub_epi32(w1, w0)));
        __m256 res = _mm256_div_ps(sum, cnt);
        if (n == 8) _mm256_storeu_ps(o + (size_t)oh * OW + ow, res);
        else _mm256_maskstore_ps(o + (size_t)oh * OW + ow, m8, res);
      }
    }
  }
}

// Backward of a stride-1 average pool on one plane, gathered: dx[h, w] += the g = dy / count
// of the outputs whose window holds (h, w), in increasing output order (the generic
// scatter's). gp: g in a zero-bordered scratch of (H + K - 1) x (W + K - 1), offset K-1-pad.
void avg_s1_backward_plane(float* dx, const float* dy, int H, int W, int K, int pad, int OH, int OW, float* gp) {
  const int q = K - 1 - pad, Wg = W + K - 1, Hg = H + K - 1;
  std::fill(gp, gp + (size_t)Hg * Wg, 0.f);
  for (int oh = 0; oh < OH; oh++) {
    const int nh = std::min(oh - pad + K, H) - std::max(oh - pad, 0);
    for (int ow = 0; ow < OW; ow++) {
      const int nw = std::min(ow - pad + K, W) - std::max(ow - pad, 0);
      gp[(size_t)(oh + q) * Wg + ow + q] = dy[(size_t)oh * OW + ow] / (float)(nh * nw);
    }
  }
  for (int h = 0; h < H; h++) {
    for (int w = 0; w < W; w += 8) {
      const int n = std::min(8, W - w);
      const __m256i m8 = lanes_mask(n);
      __m256 acc = loadn(dx + (size_t)h * W + w, m8, n);
      for (int i = 0; i < K; i++)
        for (int j = 0; j < K; j++) acc = _mm256_add_ps(acc, loadn(gp + (size_t)(h + i) * Wg + w + j, m8, n));
      if (n == 8) _mm256_storeu_ps(dx + (size_t)h * W + w, acc);
      else _mm256_maskstore_ps(dx + (size_t)h * W + w, m8, acc);
    }
  }
}

// A max pool (MAX: with argmax) or an average pool over every (b, c) plane: the vector path
// where fast(), else the generic loops (the vector path's oracle, see the header).
template <bool MAX>
void pool_forward(float* out, int32_t* argmax, const float* inp, int B, int C, int H, int W, int K, int stride,
                  int pad) {
  const int OH = jnas_out_size(H, K, stride, pad, 1), OW = jnas_out_size(W, K, stride, pad, 1);
  const int64_t HW = (int64_t)H * W, OHW = (int64_t)OH * OW;
  const bool vec = fast(K, stride, pad);
  const Padded g = padded(H, W, pad, stride);
  jnas::parallel_for((int64_t)B * C, [&](int64_t p0, int64_t p1) {
    thread_local std::vector<float> buf;
    if (vec && buf.size() < g.floats()) buf.resize(g.floats());
    for (int64_t p = p0; p < p1; p++) {
      const float* x = inp + p * HW;                  // (H, W)
      float* o = out + p * OHW;                       // (OH, OW)
      int32_t* a = MAX ? argmax + p * OHW : nullptr;  // (OH, OW)
      if (vec) {
        pad_pool_plane(buf.data(), x, H, W, pad, g, MAX ? kNegInf : 0.f);
        pool_plane<MAX>(o, a, x, buf.data(), g, H, W, K, stride, pad, OH, OW);
        continue;
      }
      for (int oh = 0; oh < OH; oh++) {
        const int h0 = std::max(oh * stride - pad, 0), h1 = std::min(oh * stride - pad + K, H);
        for (int ow = 0; ow < OW; ow++) {
          const int w0 = std::max(ow * stride - pad, 0), w1 = std::min(ow * stride - pad + K, W);
          if (MAX) {
            int best = h0 * W + w0;
            float m = x[best];
            for (int h = h0; h < h1; h++)
              for (int w = w0; w < w1; w++)
                if (x[h * W + w] > m) {
                  m = x[h * W + w];
                  best = h * W + w;
                }
            o[oh * OW + ow] = m;
            a[oh * OW + ow] = best;
          } else {
            float s = 0.f;
            for (int h = h0; h < h1; h++)
              for (int w = w0; w < w1; w++) s += x[h * W + w];
            o[oh * OW + ow] = s / (float)((h1 - h0) * (w1 - w0));
          }
        }
      }
    }
  }, plane_grain(OHW * K * K));
}

}  // namespace

extern "C" {

int jnas_cpu_maxpool_forward(float* out,           // (B, C, OH, OW)
                             int32_t* argmax,      // (B, C, OH, OW) index into the H*W plane
                             const float* inp,     // (B, C, H, W)
                             int B, int C, int H, int W, int K, int stride, int pad) {
  pool_forward<true>(out, argmax, inp, B, C, H, W, K, stride, pad);
  return JNAS_OK;
}

int jnas_cpu_maxpool_backward(float* dinp,             // (B, C, H, W)
                              const float* dout,       // (B, C, OH, OW)
                              const int32_t* argmax,   // (B, C, OH, OW) from the forward
                              int B, int C, int H, int W, int K, int stride, int pad) {
  const int OH = jnas_out_size(H, K, stride, pad, 1), OW = jnas_out_size(W, K, stride, pad, 1);
  const int64_t HW = (int64_t)H * W, OHW = (int64_t)OH * OW;
  jnas::parallel_for((int64_t)B * C, [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; p++) {
      float* dx = dinp + p * HW;               // (H, W)
      const float* dy = dout + p * OHW;        // (OH, OW)
      const int32_t* a = argmax + p * OHW;     // (OH, OW)
      for (int64_t i = 0; i < OHW; i++) dx[a[i]] += dy[i];
    }
  }, plane_grain(OHW));
  return JNAS_OK;
}

int jnas_cpu_avgpool_forward(float* out,         // (B, C, OH, OW)
                             const float* inp,   // (B, C, H, W)
                             int B, int C, int H, int W, int K, int stride, int pad) {
  pool_forward<false>(out, nullptr, inp, B, C, H, W, K, stride, pad);
  return JNAS_OK;
}

int jnas_cpu_avgpool_backward(float* dinp,         // (B, C, H, W)
                              const float* dout,   // (B, C, OH, OW)
                              int B, int C, int H, int W, int K, int stride, int pad) {
  const int OH = jnas_out_size(H, K, stride, pad, 1), OW = jnas_out_size(W, K, stride, pad, 1);
  const int64_t HW = (int64_t)H * W, OHW = (int64_t)OH * OW;
  const bool vec = stride == 1 && fast(K, stride, pad);
  const size_t gfloats = (size_t)(H + K - 1) * (W + K - 1);
  jnas::parallel_for((int64_t)B * C, [&](int64_t p0, int64_t p1) {
    thread_local std::vector<float> gp;  // the fast path's padded dy / count
    if (vec && gp.size() < gfloats) gp.resize(gfloats);
    for (int64_t p = p0; p < p1; p++) {
      float* dx = dinp + p * HW;           // (H, W)
      const float* dy = dout + p * OHW;    // (OH, OW)
      if (vec) {
        avg_s1_backward_plane(dx, dy, H, W, K, pad, OH, OW, gp.data());
        continue;
      }
      for (int oh = 0; oh < OH; oh++) {
        const int h0 = std::max(oh * stride - pad, 0), h1 = std::min(oh * stride - pad + K, H);
        for (int ow = 0; ow < OW; ow++) {
          const int w0 = std::max(ow * stride - pad, 0), w1 = std::min(ow * stride - pad + K, W);
          const float g = dy[oh * OW + ow] / (float)((h1 - h0) * (w1 - w0));
          for (int h = h0; h < h1; h++)
            for (int w = w0; w < w1; w++) dx[h * W + w] += g;
        }
      }
    }
  }, plane_grain(OHW * K * K));
  return JNAS_OK;
}

int jnas_cpu_global_avgpool_forward(float* out,         // (B, C)
                                    const float* inp,   // (B, C, HW)
                                    int B, int C, int HW) {
  jnas::parallel_for((int64_t)B * C, [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; p++) {
      const float* x = inp + p * HW;   // (HW)
      double s = 0.0;                  // double: HW can be large (the whole feature map)
      for (int i = 0; i < HW; i++) s += x[i];
      out[p] = (float)(s / HW);
    }
  }, plane_grain(HW));
  return JNAS_OK;
}

int jnas_cpu_global_avgpool_backward(float* dinp,         // (B, C, HW)
                                     const float* dout,   // (B, C)
                                     int B, int C, int HW) {
  jnas::parallel_for((int64_t)B * C, [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; p++) {
      float* dx = dinp + p * HW;   // (HW)
      const float g = dout[p] / (float)HW;
      for (int i = 0; i < HW; i++) dx[i] += g;
    }
  }, plane_grain(HW));
  return JNAS_OK;
}

}  // extern "C"
