// relu.cpp: ReLU forward and backward (CPU).
//   out  (N)  = max(inp, 0)
//   dinp (N) += dout where inp > 0     (gradient rule: accumulate)
#include "jnas.h"
#include "parallel.h"

extern "C" {

int jnas_cpu_relu_forward(float* out, const float* inp, int64_t N) {
  jnas::parallel_for(N, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; i++) out[i] = inp[i] > 0.f ? inp[i] : 0.f;
  }, 1 << 15);
  return JNAS_OK;
}

int jnas_cpu_relu_backward(float* dinp, const float* dout, const float* inp, int64_t N) {
  jnas::parallel_for(N, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; i++) dinp[i] += inp[i] > 0.f ? dout[i] : 0.f;
  }, 1 << 15);
  return JNAS_OK;
}

}  // extern "C"
