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
#include <algorithm>

#include "jnas.h"
#include "parallel.h"

namespace {

// Planes per parallel chunk so that a chunk holds about 32k window reads.
int64_t plane_grain(int64_t work_per_plane) {
  return std::max<int64_t>(1, (1 << 15) / std::max<int64_t>(1, work_per_plane));
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
      for (int oh = 0; oh < OH; oh++) {
        const int h0 = std::max(oh * stride - pad, 0), h1 = std::min(oh * stride - pad + K, H);
        for (int ow = 0; ow < OW; ow++) {
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
      for (int oh = 0; oh < OH; oh++) {
        const int h0 = std::max(oh * stride - pad, 0), h1 = std::min(oh * stride - pad + K, H);
        for (int ow = 0; ow < OW; ow++) {
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
  jnas::parallel_for((int64_t)B * C, [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; p++) {
      float* dx = dinp + p * HW;           // (H, W)
      const float* dy = dout + p * OHW;    // (OH, OW)
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
