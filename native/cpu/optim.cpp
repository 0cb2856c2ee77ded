// optim.cpp: parameter updates and gradient norms (CPU).
//
// Letters: N a flat element count. Every buffer is (N) float32 and updated in
// place; each element's update reads only that element, so the loops split
// freely across threads.
//   SGD (PyTorch's torch.optim.SGD, dampening 0):
//     g = grad + wd*param; buf = momentum*buf + g;
//     g = nesterov ? g + momentum*buf : buf; param -= lr*g
//     buf starts at zero, which makes the first step buf = g as in PyTorch.
//     With momentum == 0 the buffer is not used and may be NULL.
//   Adam (torch.optim.Adam, L2 weight decay added to the gradient, step >= 1):
//     g = grad + wd*param; m = b1*m + (1-b1)*g; v = b2*v + (1-b2)*g^2
//     param -= (lr / (1 - b1^step)) * m / (sqrt(v) / sqrt(1 - b2^step) + eps)
//   Clip by norm: buf *= max_norm / norm where norm > max_norm > 0, reading the
//     norm where the buffer lives (no host round trip inside a step).
//   Global norm: sqrt of the sum of squares of several buffers, accumulated
//     in double in per-chunk partials added in chunk order (deterministic for
//     a fixed thread count).
#include <cmath>
#include <vector>

#include "jnas.h"
#include "parallel.h"

extern "C" {

int jnas_cpu_sgd_update(float* param,          // (N)
                        float* momentum_buf,   // (N), or NULL when momentum == 0
                        const float* grad,     // (N)
                        int64_t N, float lr, float momentum, float weight_decay, int nesterov) {
  const bool use_buf = momentum != 0.f && momentum_buf;
  jnas::parallel_for(N, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; i++) {
      float g = grad[i] + weight_decay * param[i];
      if (use_buf) {
        const float buf = momentum * momentum_buf[i] + g;
        momentum_buf[i] = buf;
        g = nesterov ? g + momentum * buf : buf;
      }
      param[i] -= lr * g;
    }
  }, 1 << 14);
  return JNAS_OK;
}

int jnas_cpu_adam_update(float* param,        // (N)
                         float* m,            // (N) first moment, starts at zero
                         float* v,            // (N) second moment, starts at zero
                         const float* grad,   // (N)
                         int64_t N, float lr, float beta1, float beta2, float eps,
                         float weight_decay, int step) {
  const double bc1 = 1.0 - std::pow((double)beta1, step);
  const double bc2 = 1.0 - std::pow((double)beta2, step);
  const float step_size = (float)(lr / bc1);
  const float inv_sqrt_bc2 = (float)(1.0 / std::sqrt(bc2));
  jnas::parallel_for(N, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; i++) {
      const float g = grad[i] + weight_decay * param[i];
      const float mi = beta1 * m[i] + (1.f - beta1) * g;
      const float vi = beta2 * v[i] + (1.f - beta2) * g * g;
      m[i] = mi;
      v[i] = vi;
      param[i] -= step_size * mi / (std::sqrt(vi) * inv_sqrt_bc2 + eps);
    }
  }, 1 << 14);
  return JNAS_OK;
}

int jnas_cpu_global_norm(float* out,                 // (1)
                         const float* const* bufs,   // n_bufs pointers, buffer k (sizes[k])
                         const int64_t* sizes,       // (n_bufs)
                         int n_bufs) {
  double total = 0.0;
  for (int k = 0; k < n_bufs; k++) {
    const float* x = bufs[k];
    const int64_t n = sizes[k];
    const int chunks = jnas::parallel_chunks(n, 1 << 15);
    std::vector<double> part(chunks > 0 ? chunks : 1, 0.0);
    jnas::parallel_for_chunks(n, chunks, [&](int c, int64_t b, int64_t e) {
      double s = 0.0;
      for (int64_t i = b; i < e; i++) s += (double)x[i] * x[i];
      part[c] = s;
    });
    for (int c = 0; c < chunks; c++) total += part[c];
  }
  *out = (float)std::sqrt(total);
  return JNAS_OK;
}

int jnas_cpu_clip_by_norm(float* buf,          // (N)
                          int64_t N,
                          const float* norm,   // (1) the global norm, e.g. from jnas_cpu_global_norm
                          float max_norm) {
  const float n = *norm;
  if (max_norm > 0.f && n > max_norm) return jnas_cpu_scale(buf, N, max_norm / n);
  return JNAS_OK;
}

}  // extern "C"
