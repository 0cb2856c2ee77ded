// loss.cpp: softmax cross-entropy with label smoothing, mean over the batch (CPU).
//
// Letters: B batch, V classes. logits and probs (B, V) row-major, labels (B)
// int32 in [0, V) (checked on the Java side: the native side trusts them).
// Targets: t[b, v] = (1 - ls) * [v == labels[b]] + ls / V.
//   probs[b] = softmax(logits[b]), computed max-subtracted (stable)
//   loss     = (1/B) * sum_b sum_v -t[b, v] * log probs[b, v]
//            = (1/B) * sum_b (lse_b - (1 - ls) * z[b, y_b] - (ls / V) * sum_v z[b, v])
//   with z the max-subtracted logits and lse_b = log sum_v exp z[b, v]; this
//   form needs no log of a probability that may underflow to 0.
// Backward ADDS: dlogits += dloss * (probs - t) / B.
// Hits: argmax (the first of equal maxima) compared with the label, counted
// where the logits live, so no step reads activations on the host.
// Threads: rows are independent; each row's loss goes to its own slot and the
// slots are summed in order, so the loss does not depend on the thread count.
#include <algorithm>
#include <cmath>
#include <vector>

#include "jnas.h"
#include "parallel.h"

extern "C" {

int jnas_cpu_softmax_xent_forward(float* loss,             // (1) mean over the batch
                                  float* probs,            // (B, V) saved for backward
                                  const float* logits,     // (B, V)
                                  const int32_t* labels,   // (B) in [0, V)
                                  int B, int V, float label_smoothing) {
  std::vector<double> row(B);
  const double ls = label_smoothing;
  jnas::parallel_for(B, [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; b++) {
      const float* z = logits + b * V;   // (V)
      float* p = probs + b * V;          // (V)
      float mx = z[0];
      for (int v = 1; v < V; v++) mx = std::max(mx, z[v]);
      double se = 0.0, sz = 0.0;
      for (int v = 0; v < V; v++) {
        const float zs = z[v] - mx;
        const float e = std::exp(zs);
        p[v] = e;
        se += e;
        sz += zs;
      }
      const float inv = (float)(1.0 / se);
      for (int v = 0; v < V; v++) p[v] *= inv;
      row[b] = std::log(se) - (1.0 - ls) * (double)(z[labels[b]] - mx) - ls / V * sz;
    }
  }, std::max<int64_t>(1, (1 << 14) / std::max(1, V)));
  double s = 0.0;
  for (int b = 0; b < B; b++) s += row[b];
  *loss = (float)(s / B);
  return JNAS_OK;
}

int jnas_cpu_softmax_xent_backward(float* dlogits,          // (B, V)
                                   const float* probs,      // (B, V) from the forward
                                   const int32_t* labels,   // (B) in [0, V)
                                   int B, int V, float label_smoothing, float dloss) {
  const float k = dloss / (float)B;
  const float off = label_smoothing / (float)V;   // target of every class
  const float on = 1.f - label_smoothing + off;   // target of the labelled class
  jnas::parallel_for(B, [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; b++) {
      const float* p = probs + b * V;   // (V)
      float* d = dlogits + b * V;       // (V)
      const int y = labels[b];
      for (int v = 0; v < V; v++) d[v] += k * (p[v] - (v == y ? on : off));
    }
  }, std::max<int64_t>(1, (1 << 15) / std::max(1, V)));
  return JNAS_OK;
}

int jnas_cpu_argmax_hits(int32_t* hits,            // (1)
                         const float* logits,      // (B, V)
                         const int32_t* labels,    // (B) in [0, V)
                         int B, int V) {
  int32_t n = 0;
  for (int b = 0; b < B; b++) {
    const float* row = logits + (int64_t)b * V;  // (V)
    int best = 0;
    for (int v = 1; v < V; v++)
      if (row[v] > row[best]) best = v;
    n += best == labels[b];
  }
  *hits = n;
  return JNAS_OK;
}

}  // extern "C"
