// dropout.cpp: dropout (per element) and drop-path (per sample) (CPU).
//
// Letters: N a flat element count, B batch, per_sample = N / B.
// Masks hold 0 or 1/keep_prob (inverted dropout) and are drawn from
// jnas::keep_mask(seed, index) in rng.h, a pure function of (seed, index):
// dropout uses the element index, drop-path the sample index. The CUDA twin
// includes the same header, so both backends draw the same masks, and the
// result does not depend on the thread count.
//   forward:  mask = draw; out = inp * mask   (overwrites out and mask)
//   backward: dinp += dout * mask             (ADDS, gradient rule)
#include <algorithm>

#include "jnas.h"
#include "parallel.h"
#include "rng.h"

extern "C" {

int jnas_cpu_dropout_forward(float* out,         // (N)
                             float* mask,        // (N) saved: 0 or 1/keep_prob
                             const float* inp,   // (N)
                             int64_t N, float keep_prob, uint64_t seed) {
  jnas::parallel_for(N, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; i++) {
      const float m = jnas::keep_mask(seed, (uint64_t)i, keep_prob);
      mask[i] = m;
      out[i] = inp[i] * m;
    }
  }, 1 << 14);
  return JNAS_OK;
}

int jnas_cpu_dropout_backward(float* dinp,         // (N)
                              const float* dout,   // (N)
                              const float* mask,   // (N) from the forward
                              int64_t N) {
  jnas::parallel_for(N, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; i++) dinp[i] += dout[i] * mask[i];
  }, 1 << 15);
  return JNAS_OK;
}

int jnas_cpu_drop_path_forward(float* out,         // (B, per_sample)
                               float* mask,        // (B) saved: 0 or 1/keep_prob per sample
                               const float* inp,   // (B, per_sample)
                               int B, int64_t per_sample, float keep_prob, uint64_t seed) {
  for (int b = 0; b < B; b++) mask[b] = jnas::keep_mask(seed, (uint64_t)b, keep_prob);
  const int64_t N = (int64_t)B * per_sample;
  jnas::parallel_for(N, [&](int64_t s, int64_t e) {
    for (int64_t i = s; i < e;) {  // run over the samples that meet [s, e)
      const int64_t b = i / per_sample, end = std::min(e, (b + 1) * per_sample);
      const float m = mask[b];
      for (; i < end; i++) out[i] = inp[i] * m;
    }
  }, 1 << 15);
  return JNAS_OK;
}

int jnas_cpu_drop_path_backward(float* dinp,         // (B, per_sample)
                                const float* dout,   // (B, per_sample)
                                const float* mask,   // (B) from the forward
                                int B, int64_t per_sample) {
  const int64_t N = (int64_t)B * per_sample;
  jnas::parallel_for(N, [&](int64_t s, int64_t e) {
    for (int64_t i = s; i < e;) {
      const int64_t b = i / per_sample, end = std::min(e, (b + 1) * per_sample);
      const float m = mask[b];
      for (; i < end; i++) dinp[i] += dout[i] * m;
    }
  }, 1 << 15);
  return JNAS_OK;
}

}  // extern "C"
