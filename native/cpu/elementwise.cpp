// elementwise.cpp: sum of N inputs, channel concat, scale (CPU).
// (ReLU, the other elementwise op, lives in relu.cpp.)
//
// Letters: N a flat element count, B batch, HW = H*W, C_i the channels of
// input i, C_tot = sum of C_i.
// Contract (see jnas.h): forwards overwrite their outputs; backwards ADD into
// their gradient buffers, and a NULL gradient buffer is skipped.
//   sum:    out = inps[0] + ... + inps[n-1];   dinps[i] += dout
//   concat: out[b, off_i : off_i + C_i] = inps[i][b]; dinps[i][b] += that slice of dout
//   scale:  buf *= s
// Threads: every loop splits the output elements into disjoint ranges, so the
// results do not depend on the thread count.
#include <algorithm>
#include <cstring>
#include <vector>

#include "jnas.h"
#include "parallel.h"

extern "C" {

int jnas_cpu_sum_forward(float* out,                 // (N)
                         const float* const* inps,   // n_inputs pointers, each (N)
                         int n_inputs, int64_t N) {
  jnas::parallel_for(N, [&](int64_t b, int64_t e) {
    // Accumulate a tile in a local buffer, then store: vectorizes over the
    // tile and stays correct when out is also one of the inputs.
    constexpr int64_t T = 512;
    float acc[T];
    for (int64_t t0 = b; t0 < e; t0 += T) {
      const int64_t m = std::min(T, e - t0);
      const float* x0 = inps[0] + t0;
      for (int64_t j = 0; j < m; j++) acc[j] = x0[j];
      for (int k = 1; k < n_inputs; k++) {
        const float* xk = inps[k] + t0;
        for (int64_t j = 0; j < m; j++) acc[j] += xk[j];
      }
      std::memcpy(out + t0, acc, m * sizeof(float));
    }
  }, 1 << 14);
  return JNAS_OK;
}

int jnas_cpu_sum_backward(float* const* dinps,   // n_inputs pointers, each (N) or NULL
                          const float* dout,     // (N)
                          int n_inputs, int64_t N) {
  jnas::parallel_for(N, [&](int64_t b, int64_t e) {
    // Inputs in order within one range: a buffer listed twice gets dout twice.
    for (int k = 0; k < n_inputs; k++) {
      float* dx = dinps[k];
      if (!dx) continue;
      for (int64_t i = b; i < e; i++) dx[i] += dout[i];
    }
  }, 1 << 14);
  return JNAS_OK;
}

int jnas_cpu_concat_forward(float* out,                 // (B, C_tot, HW)
                            const float* const* inps,   // n_inputs pointers, input i (B, C_i, HW)
                            const int32_t* channels,    // (n_inputs) the C_i
                            int n_inputs, int B, int HW) {
  std::vector<int64_t> off(n_inputs + 1, 0);  // channel offset of each input in out
  for (int i = 0; i < n_inputs; i++) off[i + 1] = off[i] + channels[i];
  const int64_t C_tot = off[n_inputs];
  // One task per (sample, input) pair: a contiguous copy of C_i * HW floats.
  jnas::parallel_for((int64_t)B * n_inputs, [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; p++) {
      const int64_t b = p / n_inputs;
      const int i = (int)(p % n_inputs);
      const int64_t len = (int64_t)channels[i] * HW;
      std::memcpy(out + (b * C_tot + off[i]) * HW, inps[i] + b * len, len * sizeof(float));
    }
  }, std::max<int64_t>(1, (1 << 15) / std::max<int64_t>(1, C_tot * HW / std::max(1, n_inputs))));
  return JNAS_OK;
}

int jnas_cpu_concat_backward(float* const* dinps,     // n_inputs pointers, input i (B, C_i, HW) or NULL
                             const float* dout,       // (B, C_tot, HW)
                             const int32_t* channels, // (n_inputs) the C_i
                             int n_inputs, int B, int HW) {
  std::vector<int64_t> off(n_inputs + 1, 0);
  for (int i = 0; i < n_inputs; i++) off[i + 1] = off[i] + channels[i];
  const int64_t C_tot = off[n_inputs];
  // Tasks in (sample, input) order; a buffer listed twice is written by one
  // task per listing, so the pairs of one sample stay in one task.
  jnas::parallel_for(B, [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; b++)
      for (int i = 0; i < n_inputs; i++) {
        if (!dinps[i]) continue;
        const int64_t len = (int64_t)channels[i] * HW;
        float* dx = dinps[i] + b * len;
        const float* dy = dout + (b * C_tot + off[i]) * HW;
        for (int64_t j = 0; j < len; j++) dx[j] += dy[j];
      }
  }, std::max<int64_t>(1, (1 << 15) / std::max<int64_t>(1, C_tot * HW)));
  return JNAS_OK;
}

int jnas_cpu_scale(float* buf,   // (N)
                   int64_t N, float s) {
  jnas::parallel_for(N, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; i++) buf[i] *= s;
  }, 1 << 15);
  return JNAS_OK;
}

}  // extern "C"
