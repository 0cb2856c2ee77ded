// batchnorm.cpp: batch normalization over (B, HW) per channel (CPU).
//
// Layout: inp/out (B, C, HW) float32, NCHW with the spatial dims flattened;
// per-channel vectors (C). Letters: B batch, C channels, HW = H*W,
// n = B*HW values per channel.
//   xhat = (x - mean) * rstd,  rstd = 1 / sqrt(var + eps)
//   out  = gamma * xhat + beta           (gamma = 1, beta = 0 when NULL)
// Training (training != 0): mean and var are the batch statistics, var the
// biased one (divide by n); running stats, when given, move as
//   r = (1 - momentum) * r + momentum * batch, with the UNBIASED variance
// (n / (n - 1) * var), PyTorch's rule. Inference (training == 0): the running
// statistics normalize and nothing is updated.
// mean and rstd are always written: they are what backward needs.
// Backward (ADDS into dinp, dgamma, dbeta; NULL ones are skipped):
//   dbeta += sum(dout), dgamma += sum(dout * xhat)
//   training:  dinp += gamma*rstd * (dout - mean(dout) - xhat * mean(dout * xhat))
//              (the full gradient through the batch statistics)
//   inference: dinp += gamma*rstd * dout
// Threads: one task per channel; a channel's sums are taken by one thread in
// a fixed order, so results do not depend on the thread count.
// Sums: each (b, c) plane is summed in float across eight-lane AVX2 registers
// (four of them, a fixed order), the planes' sums added in double: the same
// statistics to float precision as a serial double sum, at memory speed (a
// serial double chain is bound by the add's latency). Two passes for the
// variance (no cancellation when |mean| >> std).
#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "jnas.h"
#include "parallel.h"

namespace {

// Channels per chunk so that a chunk reads about 32k values.
int64_t channel_grain(int64_t n) { return std::max<int64_t>(1, (1 << 15) / std::max<int64_t>(1, n)); }

inline float hsum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
  return _mm_cvtss_f32(s);
}

// sum of x[i] - shift over n floats (shift 0: the plain sum).
float plane_sum(const float* x, int64_t n, float shift) {
  __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0, m = _mm256_set1_ps(shift);
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) {
    a0 = _mm256_add_ps(a0, _mm256_sub_ps(_mm256_loadu_ps(x + i), m));
    a1 = _mm256_add_ps(a1, _mm256_sub_ps(_mm256_loadu_ps(x + i + 8), m));
    a2 = _mm256_add_ps(a2, _mm256_sub_ps(_mm256_loadu_ps(x + i + 16), m));
    a3 = _mm256_add_ps(a3, _mm256_sub_ps(_mm256_loadu_ps(x + i + 24), m));
  }
  for (; i + 8 <= n; i += 8) a0 = _mm256_add_ps(a0, _mm256_sub_ps(_mm256_loadu_ps(x + i), m));
  float t = hsum(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)));
  for (; i < n; i++) t += x[i] - shift;
  return t;
}

// sum of (x[i] - mu)^2 over n floats.
float plane_sumsq(const float* x, int64_t n, float mu) {
  __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0, m = _mm256_set1_ps(mu);
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) {
    __m256 d0 = _mm256_sub_ps(_mm256_loadu_ps(x + i), m), d1 = _mm256_sub_ps(_mm256_loadu_ps(x + i + 8), m);
    __m256 d2 = _mm256_sub_ps(_mm256_loadu_ps(x + i + 16), m), d3 = _mm256_sub_ps(_mm256_loadu_ps(x + i + 24), m);
    a0 = _mm256_fmadd_ps(d0, d0, a0);
    a1 = _mm256_fmadd_ps(d1, d1, a1);
    a2 = _mm256_fmadd_ps(d2, d2, a2);
    a3 = _mm256_fmadd_ps(d3, d3, a3);
  }
  for (; i + 8 <= n; i += 8) {
    __m256 d = _mm256_sub_ps(_mm256_loadu_ps(x + i), m);
    a0 = _mm256_fmadd_ps(d, d, a0);
  }
  float t = hsum(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)));
  for (; i < n; i++) t += (x[i] - mu) * (x[i] - mu);
  return t;
}

// sum of dy[i] and of dy[i] * (x[i] - mu) over n floats.
void plane_dot(const float* dy, const float* x, int64_t n, float mu, float* sdy, float* sdyx) {
  __m256 s0 = _mm256_setzero_ps(), s1 = s0, p0 = s0, p1 = s0, m = _mm256_set1_ps(mu);
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    __m256 g0 = _mm256_loadu_ps(dy + i), g1 = _mm256_loadu_ps(dy + i + 8);
    s0 = _mm256_add_ps(s0, g0);
    s1 = _mm256_add_ps(s1, g1);
    p0 = _mm256_fmadd_ps(g0, _mm256_sub_ps(_mm256_loadu_ps(x + i), m), p0);
    p1 = _mm256_fmadd_ps(g1, _mm256_sub_ps(_mm256_loadu_ps(x + i + 8), m), p1);
  }
  for (; i + 8 <= n; i += 8) {
    __m256 g = _mm256_loadu_ps(dy + i);
    s0 = _mm256_add_ps(s0, g);
    p0 = _mm256_fmadd_ps(g, _mm256_sub_ps(_mm256_loadu_ps(x + i), m), p0);
  }
  float a = hsum(_mm256_add_ps(s0, s1)), b = hsum(_mm256_add_ps(p0, p1));
  for (; i < n; i++) {
    a += dy[i];
    b += dy[i] * (x[i] - mu);
  }
  *sdy = a;
  *sdyx = b;
}

// y[i] (+)= a * u[i] + c * v[i] + k over n floats (v may be NULL: c ignored).
template <bool ACC>
void plane_affine(float* y, const float* u, float a, const float* v, float c, float k, int64_t n) {
  __m256 va = _mm256_set1_ps(a), vc = _mm256_set1_ps(c), vk = _mm256_set1_ps(k);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    __m256 r = _mm256_fmadd_ps(va, _mm256_loadu_ps(u + i), vk);
    if (v) r = _mm256_fmadd_ps(vc, _mm256_loadu_ps(v + i), r);
    if (ACC) r = _mm256_add_ps(r, _mm256_loadu_ps(y + i));
    _mm256_storeu_ps(y + i, r);
  }
  for (; i < n; i++) {
    float r = a * u[i] + k;
    if (v) r += c * v[i];
    y[i] = ACC ? y[i] + r : r;
  }
}

// One channel's output, y = x * scale + shift with scale = g*r and shift = bt - mean*g*r: the
// forward's and batchnorm_apply's (the same bits).
void normalize_channel(float* y, const float* x, float mean, float r, float g, float bt, int B, int HW,
                       int64_t cstride) {
  const float scale = g * r, shift = bt - mean * scale;
  for (int b = 0; b < B; b++) plane_affine<false>(y + b * cstride, x + b * cstride, scale, nullptr, 0.f, shift, HW);
}

}  // namespace

extern "C" {

int jnas_cpu_batchnorm_forward(float* out,              // (B, C, HW)
                               float* mean,             // (C) saved: the mean used
                               float* rstd,             // (C) saved: 1/sqrt(var + eps) used
                               const float* inp,        // (B, C, HW)
                               const float* gamma,      // (C) or NULL
                               const float* beta,       // (C) or NULL
                               float* running_mean,     // (C) or NULL in training
                               float* running_var,      // (C) or NULL in training
                               int B, int C, int HW, float eps, float momentum, int training) {
  const int64_t n = (int64_t)B * HW;
  const int64_t cstride = (int64_t)C * HW;  // distance between samples of one channel
  jnas::parallel_for(C, [&](int64_t c0, int64_t c1) {
    for (int64_t c = c0; c < c1; c++) {
      const float* x = inp + c * HW;   // sample b's plane at x + b*cstride, (HW)
      float* y = out + c * HW;
      double mu, var;
      if (training) {
        double s = 0.0;
        for (int b = 0; b < B; b++) s += plane_sum(x + b * cstride, HW, 0.f);
        mu = s / n;
        double ss = 0.0;  // two passes: no cancellation when |mean| >> std
        for (int b = 0; b < B; b++) ss += plane_sumsq(x + b * cstride, HW, (float)mu);
        var = ss / n;
        if (running_mean)
          running_mean[c] = (float)((1.0 - momentum) * running_mean[c] + momentum * mu);
        if (running_var) {
          const double unbiased = n > 1 ? ss / (n - 1) : var;
          running_var[c] = (float)((1.0 - momentum) * running_var[c] + momentum * unbiased);
        }
      } else {
        mu = running_mean[c];
        var = running_var[c];
      }
      const float r = (float)(1.0 / std::sqrt(var + (double)eps));
      mean[c] = (float)mu;
      rstd[c] = r;
      normalize_channel(y, x, (float)mu, r, gamma ? gamma[c] : 1.f, beta ? beta[c] : 0.f, B, HW, cstride);
    }
  }, channel_grain(n));
  return JNAS_OK;
}

int jnas_cpu_batchnorm_apply(float* out, const float* inp, const float* mean, const float* rstd, const float* gamma,
                             const float* beta, int B, int C, int HW) {
  const int64_t n = (int64_t)B * HW, cstride = (int64_t)C * HW;
  jnas::parallel_for(C, [&](int64_t c0, int64_t c1) {
    for (int64_t c = c0; c < c1; c++)
      normalize_channel(out + c * HW, inp + c * HW, mean[c], rstd[c], gamma ? gamma[c] : 1.f, beta ? beta[c] : 0.f, B,
                        HW, cstride);
  }, channel_grain(n));
  return JNAS_OK;
}

int jnas_cpu_batchnorm_backward(float* dinp,           // (B, C, HW) or NULL
                                float* dgamma,         // (C) or NULL
                                float* dbeta,          // (C) or NULL
                                const float* dout,     // (B, C, HW)
                                const float* inp,      // (B, C, HW)
                                const float* mean,     // (C) from the forward
                                const float* rstd,     // (C) from the forward
                                const float* gamma,    // (C) or NULL (then 1)
                                int B, int C, int HW, int training) {
  const int64_t n = (int64_t)B * HW;
  const int64_t cstride = (int64_t)C * HW;
  jnas::parallel_for(C, [&](int64_t c0, int64_t c1) {
    for (int64_t c = c0; c < c1; c++) {
      const float* x = inp + c * HW;    // sample b's plane at + b*cstride, (HW)
      const float* dy = dout + c * HW;
      const float mu = mean[c], r = rstd[c];
      double sdy = 0.0, sdyx = 0.0;     // sum(dout), sum(dout * xhat)
      for (int b = 0; b < B; b++) {
        float a, p;
        plane_dot(dy + b * cstride, x + b * cstride, HW, mu, &a, &p);
        sdy += a;
        sdyx += p;
      }
      sdyx *= r;
      if (dbeta) dbeta[c] += (float)sdy;
      if (dgamma) dgamma[c] += (float)sdyx;
      if (!dinp) continue;
      float* dx = dinp + c * HW;
      const float k = (gamma ? gamma[c] : 1.f) * r;
      if (training) {
        // dx += k*(dy - mean(dy) - xhat*mean(dy*xhat)) = k*dy + cx*x + k0
        const float mdy = (float)(sdy / n), mdyx = (float)(sdyx / n);
        const float cx = -k * r * mdyx, k0 = -k * mdy + k * r * mdyx * mu;
        for (int b = 0; b < B; b++) plane_affine<true>(dx + b * cstride, dy + b * cstride, k, x + b * cstride, cx, k0, HW);
      } else {
        for (int b = 0; b < B; b++) plane_affine<true>(dx + b * cstride, dy + b * cstride, k, nullptr, 0.f, 0.f, HW);
      }
    }
  }, channel_grain(n));
  return JNAS_OK;
}

}  // extern "C"
