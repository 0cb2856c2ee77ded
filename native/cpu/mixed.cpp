// mixed.cpp: the weighted sum of a relaxed ("mixed") op and a constant fill (CPU).
//
// DARTS (Liu et al. 2019) relaxes an edge's choice to sum_k w[k] * op_k(x), with w the
// softmax of the edge's architecture parameters; GDAS (Dong & Yang 2019) computes one op
// and lets the others count as the constant w[k] (0 in value) so that every w[k] gets a
// gradient. Both are this kernel pair:
//   forward:  out = sum_k w[k] * inps[k]            (inps[k] NULL: not computed, adds nothing)
//   backward: dinps[k] += w[k] * dout               (NULL skipped)
//             dw[k]    += sum_i dout[i] * inps[k][i] (inps[k] NULL: += sum_i dout[i])
// w is HOST memory (n floats: the architecture, like a cell's op ids); dw lives with the
// other buffers (backend memory). The dot products are summed per thread chunk in double and
// the chunks added in chunk order, so dw depends only on the thread count.
// At most JNAS_MIX_MAX_INPUTS (16) inputs, as the CUDA twin passes them by value with the launch.
// fill: buf[i] = v (the backward seed of a sum of outputs, as synflow uses).
#include <algorithm>
#include <vector>

#include "jnas.h"
#include "parallel.h"

extern "C" {

int jnas_cpu_weighted_sum_forward(float* out,                // (N)
                                  const float* const* inps,  // n_inputs pointers, each (N) or NULL
                                  const float* w,            // (n_inputs) host
                                  int n_inputs, int64_t N) {
  if (n_inputs < 0 || n_inputs > JNAS_MIX_MAX_INPUTS || N < 0 || (n_inputs > 0 && (!inps || !w))) return JNAS_E_ARG;
  jnas::parallel_for(N, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; i++) out[i] = 0.f;
    for (int k = 0; k < n_inputs; k++) {
      const float* x = inps[k];
      if (!x) continue;
      const float wk = w[k];
      for (int64_t i = b; i < e; i++) out[i] += wk * x[i];
    }
  }, 1 << 14);
  return JNAS_OK;
}

int jnas_cpu_weighted_sum_backward(float* const* dinps,        // n_inputs pointers, each (N) or NULL
                                   float* dw,                  // (n_inputs) or NULL, +=
                                   const float* dout,          // (N)
                                   const float* const* inps,   // n_inputs pointers, each (N) or NULL
                                   const float* w,             // (n_inputs) host
                                   int n_inputs, int64_t N) {
  if (n_inputs < 0 || n_inputs > JNAS_MIX_MAX_INPUTS || N < 0 || (n_inputs > 0 && (!dinps || !inps || !w))) return JNAS_E_ARG;
  jnas::parallel_for(N, [&](int64_t b, int64_t e) {
    for (int k = 0; k < n_inputs; k++) {
      float* dx = dinps[k];
      if (!dx) continue;
      const float wk = w[k];
      for (int64_t i = b; i < e; i++) dx[i] += wk * dout[i];
    }
  }, 1 << 14);
  if (!dw) return JNAS_OK;
  const int chunks = std::max(1, jnas::parallel_chunks(N, 1 << 14));
  std::vector<double> part((size_t)chunks * n_inputs, 0.0);
  jnas::parallel_for_chunks(N, chunks, [&](int c, int64_t b, int64_t e) {
    for (int k = 0; k < n_inputs; k++) {
      const float* x = inps[k];
      double s = 0;
      if (x) {
        for (int64_t i = b; i < e; i++) s += (double)dout[i] * x[i];
      } else {
        for (int64_t i = b; i < e; i++) s += dout[i];
      }
      part[(size_t)c * n_inputs + k] = s;
    }
  });
  for (int k = 0; k < n_inputs; k++) {
    double s = 0;
    for (int c = 0; c < chunks; c++) s += part[(size_t)c * n_inputs + k];
    dw[k] += (float)s;
  }
  return JNAS_OK;
}

int jnas_cpu_fill(float* buf, int64_t N, float v) {
  if (N < 0) return JNAS_E_ARG;
  jnas::parallel_for(N, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; i++) buf[i] = v;
  }, 1 << 15);
  return JNAS_OK;
}

}  // extern "C"
