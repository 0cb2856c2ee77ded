// tape_final.cpp: the tape ops that only the final network (final_net.cpp)
// needs: batch norm with running statistics, general convolutions (the 1x7 /
// 7x1 pair), drop-path, channel concat, the zero op and a weighted loss.
// Declared at the end of the Tape class in tape.h. Every op calls the
// jnas_cpu_* kernel of jnas.h for its forward and pushes a closure calling the
// matching backward, following the gradient rule (backward ADDS).
#include <cstring>
#include <stdexcept>
#include <string>

#include "jnas.h"
#include "tape.h"

namespace jnas {

namespace {
void ok(int code, const char* what) {
  if (code != JNAS_OK) throw std::runtime_error(std::string(what) + " failed with code " + std::to_string(code));
}
}  // namespace

Act* Tape::batchnorm_rs(Act* x, const Param& gamma, const Param& beta, float* running_mean, float* running_var,
                        bool training) {
  Shape s = x->s;
  Act* y = act(s);
  float* mean = arena.alloc(s.C);  // (C) statistics used, saved for backward
  float* rstd = arena.alloc(s.C);  // (C)
  timed("batchnorm", [&] {
    ok(jnas_cpu_batchnorm_forward(y->data, mean, rstd, x->data, gamma.w, beta.w, running_mean, running_var, s.B, s.C,
                                  s.HW(), 1e-5f, 0.1f, training ? 1 : 0),
       "batchnorm_forward");
  });
  if (training) {
    push_timed("batchnorm", [=] {
      ok(jnas_cpu_batchnorm_backward(grad_or_null(x), gamma.g, beta.g, grad(y), x->data, mean, rstd, gamma.w, s.B, s.C,
                                     s.HW(), 1),
         "batchnorm_backward");
    });
  }
  return y;
}

Act* Tape::conv_general(Act* x, const Param& w, int C_out, int KH, int KW, int stride, int pad_h, int pad_w,
                        int dilation, int groups) {
  Shape s = x->s;
  int OH = jnas_out_size(s.H, KH, stride, pad_h, dilation), OW = jnas_out_size(s.W, KW, stride, pad_w, dilation);
  Act* y = act({s.B, C_out, OH, OW});
  flops += 2.0 * y->s.n() * (s.C / groups) * KH * KW;
  timed("conv2d", [&] {
    ok(jnas_cpu_conv2d_forward(y->data, x->data, w.w, nullptr, s.B, s.C, s.H, s.W, C_out, KH, KW, stride, pad_h, pad_w,
                               dilation, groups),
       "conv2d_forward");
  });
  push_timed("conv2d", [=] {
    ok(jnas_cpu_conv2d_backward(grad_or_null(x), w.g, nullptr, grad(y), x->data, w.w, s.B, s.C, s.H, s.W, C_out, KH,
                                KW, stride, pad_h, pad_w, dilation, groups),
       "conv2d_backward");
  });
  return y;
}

Act* Tape::drop_path(Act* x, float keep_prob, uint64_t seed) {
  if (keep_prob >= 1.f) return x;
  Shape s = x->s;
  Act* y = act(s);
  float* mask = arena.alloc(s.B);  // (B)
  int64_t per = s.n() / s.B;
  timed("drop_path", [&] { ok(jnas_cpu_drop_path_forward(y->data, mask, x->data, s.B, per, keep_prob, seed), "drop_path_forward"); });
  if (x->needs_grad) {
    push_timed("drop_path", [=] { ok(jnas_cpu_drop_path_backward(grad(x), grad(y), mask, s.B, per), "drop_path_backward"); });
  } else {
    y->needs_grad = false;
  }
  return y;
}

Act* Tape::concat(const std::vector<Act*>& xs) {
  if (xs.size() == 1) return xs[0];
  Shape s = xs[0]->s;
  std::vector<int32_t> ch;
  std::vector<const float*> in;
  int C = 0;
  for (Act* x : xs) {
    ch.push_back(x->s.C);
    in.push_back(x->data);
    C += x->s.C;
  }
  Act* y = act({s.B, C, s.H, s.W});
  timed("concat", [&] { ok(jnas_cpu_concat_forward(y->data, in.data(), ch.data(), (int)xs.size(), s.B, s.HW()), "concat_forward"); });
  std::vector<Act*> ins = xs;
  push_timed("concat", [=] {
    std::vector<float*> d;
    for (Act* x : ins) d.push_back(grad_or_null(x));
    ok(jnas_cpu_concat_backward(d.data(), grad(y), ch.data(), (int)d.size(), s.B, s.HW()), "concat_backward");
  });
  return y;
}

Act* Tape::zeros(Shape s) {
  Act* y = act(s);
  std::memset(y->data, 0, sizeof(float) * s.n());
  y->needs_grad = false;
  return y;
}

float Tape::xent_weighted(Act* logits, const int32_t* labels, float weight, int* correct) {
  int B = logits->s.B, V = logits->s.C;
  float* probs = arena.alloc((int64_t)B * V);  // (B, V)
  float loss = 0.f;
  timed("softmax_xent", [&] { ok(jnas_cpu_softmax_xent_forward(&loss, probs, logits->data, labels, B, V, 0.f), "softmax_xent_forward"); });
  int hits = 0;
  for (int b = 0; b < B; b++) {
    const float* row = logits->data + (int64_t)b * V;
    int best = 0;
    for (int v = 1; v < V; v++)
      if (row[v] > row[best]) best = v;
    hits += best == labels[b];
  }
  *correct = hits;
  std::vector<int32_t> lab(labels, labels + B);
  push_timed("softmax_xent", [=] {
    ok(jnas_cpu_softmax_xent_backward(grad(logits), probs, lab.data(), B, V, 0.f, weight), "softmax_xent_backward");
  });
  return loss;
}

}  // namespace jnas
