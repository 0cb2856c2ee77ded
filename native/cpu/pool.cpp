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
// Fast path, K = 3, stride 1, pad 1 (every pool of the ENAS and DARTS cells): the
// windows of the interior (rows and columns 1 .. n-2) lie wholly in the plane, so eight
// output columns are done at once with AVX2, the taps taken in the same row-major order
// as the generic loop (bit-identical results, ties and argmax included); the border
// keeps the generic code.
#include <immintrin.h>

#include <algorithm>
#include <vector>

#include "jnas.h"
#include "parallel.h"

namespace {

// Planes per parallel chunk so that a chunk holds about 32k window reads.
int64_t plane_grain(int64_t work_per_plane) {
  return std::max<int64_t>(1, (1 << 15) / std::max<int64_t>(1, work_per_plane));
}

bool fast3(int H, int W, int K, int stride, int pad) { return K == 3 && stride == 1 && pad == 1 && H >= 3 && W >= 10; }

// Interior of a 3x3 s1 p1 max pool: rows 1..H-2, columns [1, 1 + 8k) of the output.
void max3_interior(float* o, int32_t* a, const float* x, int H, int W) {
  const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  for (int oh = 1; oh < H - 1; oh++) {
    for (int ow = 1; ow + 8 <= W - 1; ow += 8) {
      const int base = (oh - 1) * W + (ow - 1);  // tap 0 of lane 0
      __m256 m = _mm256_loadu_ps(x + base);
      __m256i idx = _mm256_add_epi32(_mm256_set1_epi32(base), lane);
      for (int t = 1; t < 9; t++) {
        const int off = (t / 3) * W + (t % 3);
        __m256 v = _mm256_loadu_ps(x + base + off);
        __m256 gt = _mm256_cmp_ps(v, m, _CMP_GT_OQ);
        m = _mm256_blendv_ps(m, v, gt);
        idx = _mm256_castps_si256(_mm256_blendv_ps(_mm256_castsi256_ps(idx),
            _mm256_castsi256_ps(_mm256_add_epi32(_mm256_set1_epi32(base + off), lane)), gt));
      }
      _mm256_storeu_ps(o + oh * W + ow, m);
      _mm256_storeu_si256((__m256i*)(a + oh * W + ow), idx);
    }
  }
}

// Interior of a 3x3 s1 p1 average pool (9 in-bounds elements each).
void avg3_interior(float* o, const float* x, int H, int W) {
  const __m256 nine = _mm256_set1_ps(9.f);
  for (int oh = 1; oh < H - 1; oh++) {
    for (int ow = 1; ow + 8 <= W - 1; ow += 8) {
      const int base = (oh - 1) * W + (ow - 1);
      __m256 s = _mm256_setzero_ps();
      for (int t = 0; t < 9; t++) s = _mm256_add_ps(s, _mm256_loadu_ps(x + base + (t / 3) * W + (t % 3)));
      _mm256_storeu_ps(o + oh * W + ow, _mm256_div_ps(s, nine));
    }
  }
}

// The output columns the interior kernels cover: [1, 1 + 8 * ((W - 2) / 8)).
inline int interior_end(int W) { return 1 + 8 * ((W - 2) / 8); }

// Backward of a 3x3 s1 p1 average pool on one plane, gathered: dx[h, w] += g[o] for the
// outputs o whose window holds (h, w), in increasing o: the order in which the generic
// scatter adds them (bit-identical). g (H, W) = dy / window size, a scratch.
void avg3_backward_plane(float* dx, const float* dy, int H, int W, float* g) {
  for (int oh = 0; oh < H; oh++) {
    const int nh = std::min(oh + 2, H) - std::max(oh - 1, 0);
    for (int ow = 0; ow < W; ow++) {
      const int nw = std::min(ow + 2, W) - std::max(ow - 1, 0);
      g[oh * W + ow] = dy[oh * W + ow] / (float)(nh * nw);
    }
  }
  const int ie = interior_end(W);
  for (int h = 0; h < H; h++) {
    const bool inner_row = h >= 1 && h < H - 1;
    for (int w = 0; w < W; w++) {
      if (inner_row && w == 1) {
        for (; w < ie; w += 8) {
          __m256 acc = _mm256_loadu_ps(dx + h * W + w);
          for (int t = 0; t < 9; t++) acc = _mm256_add_ps(acc, _mm256_loadu_ps(g + (h - 1 + t / 3) * W + (w - 1 + t % 3)));
          _mm256_storeu_ps(dx + h * W + w, acc);
        }
        if (w >= W) break;
      }
      float a = dx[h * W + w];
      for (int oh = std::max(h - 1, 0); oh <= std::min(h + 1, H - 1); oh++)
        for (int ow = std::max(w - 1, 0); ow <= std::min(w + 1, W - 1); ow++) a += g[oh * W + ow];
      dx[h * W + w] = a;
    }
  }
}

}  // namespace

extern "C" {

int jnas_cpu_maxpool_forward(float* out,           // (B, C, OH, OW)
                             int32_t* argmax,      // (B, C, OH, OW) index into the H*W plane
                             const float* inp,     // (B, C, H, W)
                             int B, int C, int H, int W, int K, int stride, int pad) {
  const int OH = jnas_out_size(H, K, stride, pad, 1), OW = jnas_out_size(W, K, stride, pad, 1);
  const int64_t HW = (int64_t)H * W, OHW = (int64_t)OH * OW;
  jnas::parallel_for((int64_t)B * C, [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; p++) {
      const float* x = inp + p * HW;     // (H, W)
      float* o = out + p * OHW;          // (OH, OW)
      int32_t* a = argmax + p * OHW;     // (OH, OW)
      const bool fast = fast3(H, W, K, stride, pad);
      const int ie = fast ? interior_end(W) : 0;
      if (fast) max3_interior(o, a, x, H, W);
      for (int oh = 0; oh < OH; oh++) {
        const int h0 = std::max(oh * stride - pad, 0), h1 = std::min(oh * stride - pad + K, H);
        const bool inner_row = fast && oh >= 1 && oh < OH - 1;
        for (int ow = 0; ow < OW; ow++) {
          if (inner_row && ow == 1) ow = ie;  // done by max3_interior
          if (ow >= OW) break;
          const int w0 = std::max(ow * stride - pad, 0), w1 = std::min(ow * stride - pad + K, W);
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
        }
      }
    }
  }, plane_grain(OHW * K * K));
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
  const int OH = jnas_out_size(H, K, stride, pad, 1), OW = jnas_out_size(W, K, stride, pad, 1);
  const int64_t HW = (int64_t)H * W, OHW = (int64_t)OH * OW;
  jnas::parallel_for((int64_t)B * C, [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; p++) {
      const float* x = inp + p * HW;   // (H, W)
      float* o = out + p * OHW;        // (OH, OW)
      const bool fast = fast3(H, W, K, stride, pad);
      const int ie = fast ? interior_end(W) : 0;
      if (fast) avg3_interior(o, x, H, W);
      for (int oh = 0; oh < OH; oh++) {
        const int h0 = std::max(oh * stride - pad, 0), h1 = std::min(oh * stride - pad + K, H);
        const bool inner_row = fast && oh >= 1 && oh < OH - 1;
        for (int ow = 0; ow < OW; ow++) {
          if (inner_row && ow == 1) ow = ie;  // done by avg3_interior
          if (ow >= OW) break;
          const int w0 = std::max(ow * stride - pad, 0), w1 = std::min(ow * stride - pad + K, W);
          float s = 0.f;
          for (int h = h0; h < h1; h++)
            for (int w = w0; w < w1; w++) s += x[h * W + w];
          o[oh * OW + ow] = s / (float)((h1 - h0) * (w1 - w0));
        }
      }
    }
  }, plane_grain(OHW * K * K));
  return JNAS_OK;
}

int jnas_cpu_avgpool_backward(float* dinp,         // (B, C, H, W)
                              const float* dout,   // (B, C, OH, OW)
                              int B, int C, int H, int W, int K, int stride, int pad) {
  const int OH = jnas_out_size(H, K, stride, pad, 1), OW = jnas_out_size(W, K, stride, pad, 1);
  const int64_t HW = (int64_t)H * W, OHW = (int64_t)OH * OW;
  const bool fast = fast3(H, W, K, stride, pad);
  jnas::parallel_for((int64_t)B * C, [&](int64_t p0, int64_t p1) {
    thread_local std::vector<float> g;  // fast path: dy / window size, (H, W)
    if (fast && g.size() < (size_t)HW) g.resize(HW);
    for (int64_t p = p0; p < p1; p++) {
      float* dx = dinp + p * HW;           // (H, W)
      const float* dy = dout + p * OHW;    // (OH, OW)
      if (fast) {
        avg3_backward_plane(dx, dy, H, W, g.data());
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
