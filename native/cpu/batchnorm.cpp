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
// Threads: one task per channel; a channel's sums are taken serially in
// double by one thread, so results do not depend on the thread count.
#include <algorithm>
#include <cmath>
#include <vector>

#include "jnas.h"
#include "parallel.h"

namespace {

// Channels per chunk so that a chunk reads about 32k values.
int64_t channel_grain(int64_t n) { return std::max<int64_t>(1, (1 << 15) / std::max<int64_t>(1, n)); }

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
        for (int b = 0; b < B; b++)
          for (int i = 0; i < HW; i++) s += x[b * cstride + i];
        mu = s / n;
        double ss = 0.0;  // two passes: no cancellation when |mean| >> std
        for (int b = 0; b < B; b++)
          for (int i = 0; i < HW; i++) {
            const double d = x[b * cstride + i] - mu;
            ss += d * d;
          }
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
      const float g = gamma ? gamma[c] : 1.f, bt = beta ? beta[c] : 0.f;
      // out = x * scale + shift, with scale = g*r and shift = bt - mean*g*r
      const float scale = g * r, shift = bt - (float)mu * scale;
      for (int b = 0; b < B; b++)
        for (int i = 0; i < HW; i++) y[b * cstride + i] = x[b * cstride + i] * scale + shift;
    }
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
      for (int b = 0; b < B; b++)
        for (int i = 0; i < HW; i++) {
          const int64_t j = b * cstride + i;
          sdy += dy[j];
          sdyx += (double)dy[j] * ((x[j] - mu) * r);
        }
      if (dbeta) dbeta[c] += (float)sdy;
      if (dgamma) dgamma[c] += (float)sdyx;
      if (!dinp) continue;
      float* dx = dinp + c * HW;
      const float k = (gamma ? gamma[c] : 1.f) * r;
      if (training) {
        const float mdy = (float)(sdy / n), mdyx = (float)(sdyx / n);
        for (int b = 0; b < B; b++)
          for (int i = 0; i < HW; i++) {
            const int64_t j = b * cstride + i;
            dx[j] += k * (dy[j] - mdy - (x[j] - mu) * r * mdyx);
          }
      } else {
        for (int b = 0; b < B; b++)
          for (int i = 0; i < HW; i++) {
            const int64_t j = b * cstride + i;
            dx[j] += k * dy[j];
          }
      }
    }
  }, channel_grain(n));
  return JNAS_OK;
}

}  // extern "C"
