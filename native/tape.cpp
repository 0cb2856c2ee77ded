// tape.cpp: the arena, the parameter store and the recorded ops of tape.h.
// Every op calls the jnas_cpu_* kernel of jnas.h for its forward and pushes
// a closure calling the matching backward, following the gradient rule.
#include "tape.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include "jnas.h"

namespace jnas {

namespace {

void ok(int code, const char* what) {
  if (code != JNAS_OK) throw std::runtime_error(std::string(what) + " failed with code " + std::to_string(code));
}

// splitmix64: a fast, well-mixed 64-bit generator for weight init.
struct SplitMix {
  uint64_t s;
  uint64_t next() {
    uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  double uniform() { return (next() >> 11) * (1.0 / 9007199254740992.0); }  // [0, 1)
  double normal() {
    double u1 = uniform(), u2 = uniform();
    if (u1 < 1e-300) u1 = 1e-300;
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }
};

}  // namespace

// ------------------------------------------------------------------- Arena

float* Arena::alloc(int64_t n) {
  n = (n + 15) & ~int64_t(15);  // whole 64-byte lines per allocation
  while (cur_ < blocks_.size() && blocks_[cur_].cap - blocks_[cur_].used < n) cur_++;
  if (cur_ == blocks_.size()) {
    Block b;
    b.cap = std::max<int64_t>(n, int64_t(1) << 22);
    b.mem.reset(new float[b.cap]);
    blocks_.push_back(std::move(b));
  }
  Block& b = blocks_[cur_];
  float* p = b.mem.get() + b.used;
  b.used += n;
  return p;
}

float* Arena::zalloc(int64_t n) {
  float* p = alloc(n);
  std::memset(p, 0, sizeof(float) * n);
  return p;
}

void Arena::reset() {
  // Merge into one block of the high-water size so the next step is one block.
  int64_t total = 0;
  for (auto& b : blocks_) total += b.cap;
  if (blocks_.size() > 1) {
    blocks_.clear();
    Block b;
    b.cap = total;
    b.mem.reset(new float[b.cap]);
    blocks_.push_back(std::move(b));
  }
  for (auto& b : blocks_) b.used = 0;
  cur_ = 0;
}

int64_t Arena::bytes_reserved() const {
  int64_t t = 0;
  for (auto& b : blocks_) t += b.cap * 4;
  return t;
}

// -------------------------------------------------------------- ParamStore

int ParamStore::add(const std::string& name, int64_t n, Init init, int64_t fan_in) {
  names_.push_back(name);
  offsets_.push_back(total_);
  sizes_.push_back(n);
  inits_.push_back(init);
  fan_in_.push_back(std::max<int64_t>(fan_in, 1));
  total_ += (n + 15) & ~int64_t(15);
  return (int)names_.size() - 1;
}

void ParamStore::finalize(uint64_t seed) {
  w_.assign(total_, 0.f);
  g_.assign(total_, 0.f);
  m_.assign(total_, 0.f);
  for (int i = 0; i < count(); i++) {
    // one stream per parameter: adding a parameter does not shift the others
    SplitMix rng{seed * 0x100000001B3ull + (uint64_t)i * 0x9E3779B97F4A7C15ull};
    float* w = w_.data() + offsets_[i];
    switch (inits_[i]) {
      case HE_NORMAL: {
        double std = std::sqrt(2.0 / (double)fan_in_[i]);
        for (int64_t k = 0; k < sizes_[i]; k++) w[k] = (float)(rng.normal() * std);
        break;
      }
      case ONES:
        for (int64_t k = 0; k < sizes_[i]; k++) w[k] = 1.f;
        break;
      case ZEROS:
        break;
    }
  }
}

void ParamStore::clip_and_sgd(float lr, float momentum, float weight_decay, float grad_clip, float* grad_norm) {
  const float* g = grads();
  int64_t n = size();
  float norm = 0.f;
  if (jnas_cpu_global_norm(&norm, &g, &n, 1)) throw std::runtime_error("global_norm");
  *grad_norm = norm;
  if (grad_clip > 0.f && norm > grad_clip) jnas_cpu_scale(grads(), n, grad_clip / norm);
  if (jnas_cpu_sgd_update(weights(), this->momentum(), grads(), n, lr, momentum, weight_decay, 1))
    throw std::runtime_error("sgd_update");
}

Param ParamStore::get(int id) const {
  Param p;
  p.offset = offsets_[id];
  p.n = sizes_[id];
  p.w = const_cast<float*>(w_.data()) + p.offset;
  p.g = const_cast<float*>(g_.data()) + p.offset;
  return p;
}

// -------------------------------------------------------------------- Tape

Act* Tape::act(Shape s) {
  acts_.emplace_back();
  Act* a = &acts_.back();
  a->s = s;
  a->data = arena.alloc(s.n());
  return a;
}

Act* Tape::input(Shape s, const float* data) {
  Act* a = act(s);
  std::memcpy(a->data, data, sizeof(float) * s.n());
  a->needs_grad = false;
  return a;
}

float* Tape::grad(Act* a) {
  if (!a->grad) a->grad = arena.zalloc(a->s.n());
  return a->grad;
}

static double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

void Tape::timed(const char* op, const std::function<void()>& f) {
  if (!profiling) {
    f();
    return;
  }
  double t0 = now_s();
  f();
  Prof& p = profile[op];
  p.fwd += now_s() - t0;
  p.calls++;
}

void Tape::push_timed(const char* op, std::function<void()> f) {
  if (!profiling) {
    push(std::move(f));
    return;
  }
  std::string name = op;
  push([this, name, f = std::move(f)] {
    double t0 = now_s();
    f();
    profile[name].bwd += now_s() - t0;
  });
}

std::string Tape::profile_table() const {
  std::string out = "op                    calls   forward s  backward s\n";
  char line[160];
  double tf = 0, tb = 0;
  for (auto& [k, p] : profile) {
    std::snprintf(line, sizeof line, "%-20s %6ld %11.3f %11.3f\n", k.c_str(), p.calls, p.fwd, p.bwd);
    out += line;
    tf += p.fwd;
    tb += p.bwd;
  }
  std::snprintf(line, sizeof line, "%-20s %6s %11.3f %11.3f\n", "total", "", tf, tb);
  return out + line;
}

void Tape::backward() {
  for (auto it = backward_.rbegin(); it != backward_.rend(); ++it) (*it)();
}

void Tape::reset() {
  flops = 0;
  backward_.clear();
  acts_.clear();
  arena.reset();
}

Act* Tape::relu(Act* x) {
  Act* y = act(x->s);
  timed("relu", [&] { ok(jnas_cpu_relu_forward(y->data, x->data, x->s.n()), "relu_forward"); });
  if (x->needs_grad) {
    push_timed("relu", [=] { ok(jnas_cpu_relu_backward(grad(x), grad(y), x->data, x->s.n()), "relu_backward"); });
  } else {
    y->needs_grad = false;
  }
  return y;
}

Act* Tape::conv(Act* x, const Param& w, int C_out, int K, int stride, int pad) {
  Shape s = x->s;
  int OH = jnas_out_size(s.H, K, stride, pad, 1), OW = jnas_out_size(s.W, K, stride, pad, 1);
  Act* y = act({s.B, C_out, OH, OW});
  flops += 2.0 * y->s.n() * s.C * K * K;
  timed("conv2d", [&] { ok(jnas_cpu_conv2d_forward(y->data, x->data, w.w, nullptr, s.B, s.C, s.H, s.W, C_out, K, K, stride, pad, pad, 1, 1), "conv2d_forward"); });
  push_timed("conv2d", [=] {
    ok(jnas_cpu_conv2d_backward(grad_or_null(x), w.g, nullptr, grad(y), x->data, w.w, s.B, s.C, s.H, s.W, C_out, K, K,
                                stride, pad, pad, 1, 1),
       "conv2d_backward");
  });
  return y;
}

Act* Tape::sepconv(Act* x, const Param& dw, const Param& pw, int K, int stride, int pad, int dilation) {
  Shape s = x->s;
  int C_out = (int)(pw.n / s.C);
  int OH = jnas_out_size(s.H, K, stride, pad, dilation), OW = jnas_out_size(s.W, K, stride, pad, dilation);
  Act* y = act({s.B, C_out, OH, OW});
  float* mid = arena.alloc((int64_t)s.B * s.C * OH * OW);
  flops += 2.0 * s.B * s.C * OH * OW * K * K + 2.0 * y->s.n() * s.C;
  timed("sepconv", [&] { ok(jnas_cpu_sepconv_forward(y->data, mid, x->data, dw.w, pw.w, s.B, s.C, s.H, s.W, C_out, K, stride, pad, dilation), "sepconv_forward"); });
  push_timed("sepconv", [=] {
    ok(jnas_cpu_sepconv_backward(grad_or_null(x), dw.g, pw.g, grad(y), mid, x->data, dw.w, pw.w, s.B, s.C, s.H, s.W,
                                 C_out, K, stride, pad, dilation),
       "sepconv_backward");
  });
  return y;
}

Act* Tape::batchnorm(Act* x, const Param& gamma, const Param& beta) {
  Shape s = x->s;
  Act* y = act(s);
  float* mean = arena.alloc(s.C);
  float* rstd = arena.alloc(s.C);
  timed("batchnorm", [&] { ok(jnas_cpu_batchnorm_forward(y->data, mean, rstd, x->data, gamma.w, beta.w, nullptr, nullptr, s.B, s.C, s.HW(),
                                1e-5f, 0.1f, 1), "batchnorm_forward"); });
  push_timed("batchnorm", [=] {
    ok(jnas_cpu_batchnorm_backward(grad_or_null(x), gamma.g, beta.g, grad(y), x->data, mean, rstd, gamma.w, s.B, s.C,
                                   s.HW(), 1),
       "batchnorm_backward");
  });
  return y;
}

Act* Tape::avgpool(Act* x, int K, int stride, int pad) {
  Shape s = x->s;
  Act* y = act({s.B, s.C, jnas_out_size(s.H, K, stride, pad, 1), jnas_out_size(s.W, K, stride, pad, 1)});
  flops += (double)y->s.n() * K * K;
  timed("avgpool", [&] { ok(jnas_cpu_avgpool_forward(y->data, x->data, s.B, s.C, s.H, s.W, K, stride, pad), "avgpool_forward"); });
  if (x->needs_grad) {
    push_timed("avgpool", [=] {
      ok(jnas_cpu_avgpool_backward(grad(x), grad(y), s.B, s.C, s.H, s.W, K, stride, pad), "avgpool_backward");
    });
  } else {
    y->needs_grad = false;
  }
  return y;
}

Act* Tape::maxpool(Act* x, int K, int stride, int pad) {
  Shape s = x->s;
  Act* y = act({s.B, s.C, jnas_out_size(s.H, K, stride, pad, 1), jnas_out_size(s.W, K, stride, pad, 1)});
  int32_t* argmax = reinterpret_cast<int32_t*>(arena.alloc(y->s.n()));
  flops += (double)y->s.n() * K * K;
  timed("maxpool", [&] { ok(jnas_cpu_maxpool_forward(y->data, argmax, x->data, s.B, s.C, s.H, s.W, K, stride, pad), "maxpool_forward"); });
  if (x->needs_grad) {
    push_timed("maxpool", [=] {
      ok(jnas_cpu_maxpool_backward(grad(x), grad(y), argmax, s.B, s.C, s.H, s.W, K, stride, pad), "maxpool_backward");
    });
  } else {
    y->needs_grad = false;
  }
  return y;
}

Act* Tape::add(Act* a, Act* b) { return sum({a, b}); }

Act* Tape::sum(const std::vector<Act*>& xs) {
  Act* y = act(xs[0]->s);
  std::vector<const float*> in;
  for (Act* x : xs) in.push_back(x->data);
  timed("sum", [&] { ok(jnas_cpu_sum_forward(y->data, in.data(), (int)in.size(), y->s.n()), "sum_forward"); });
  bool any = false;
  for (Act* x : xs) any |= x->needs_grad;
  if (any) {
    std::vector<Act*> ins = xs;
    push_timed("sum", [=] {
      std::vector<float*> d;
      for (Act* x : ins) d.push_back(grad_or_null(x));
      ok(jnas_cpu_sum_backward(d.data(), grad(y), (int)d.size(), y->s.n()), "sum_backward");
    });
  } else {
    y->needs_grad = false;
  }
  return y;
}

Act* Tape::factorized_reduce(Act* x, const Param& w1, const Param& w2, int C_out) {
  Shape s = x->s;
  Act* y = act({s.B, C_out, (s.H + 1) / 2, (s.W + 1) / 2});
  flops += 2.0 * y->s.n() * s.C;
  timed("factorized_reduce", [&] { ok(jnas_cpu_factorized_reduce_forward(y->data, x->data, w1.w, w2.w, s.B, s.C, s.H, s.W, C_out), "factorized_reduce_forward"); });
  push_timed("factorized_reduce", [=] {
    ok(jnas_cpu_factorized_reduce_backward(grad_or_null(x), w1.g, w2.g, grad(y), x->data, w1.w, w2.w, s.B, s.C, s.H,
                                           s.W, C_out),
       "factorized_reduce_backward");
  });
  return y;
}

Act* Tape::global_avgpool(Act* x) {
  Shape s = x->s;
  Act* y = act({s.B, s.C, 1, 1});
  timed("global_avgpool", [&] { ok(jnas_cpu_global_avgpool_forward(y->data, x->data, s.B, s.C, s.HW()), "global_avgpool_forward"); });
  push_timed("global_avgpool", [=] {
    ok(jnas_cpu_global_avgpool_backward(grad(x), grad(y), s.B, s.C, s.HW()), "global_avgpool_backward");
  });
  return y;
}

Act* Tape::dropout(Act* x, float keep_prob, uint64_t seed) {
  if (keep_prob >= 1.f) return x;
  Act* y = act(x->s);
  float* mask = arena.alloc(x->s.n());
  timed("dropout", [&] { ok(jnas_cpu_dropout_forward(y->data, mask, x->data, x->s.n(), keep_prob, seed), "dropout_forward"); });
  push_timed("dropout", [=] { ok(jnas_cpu_dropout_backward(grad(x), grad(y), mask, x->s.n()), "dropout_backward"); });
  return y;
}

Act* Tape::linear(Act* x, const Param& w, const Param* b, int OC) {
  Shape s = x->s;
  int IC = s.C * s.H * s.W;
  Act* y = act({s.B, OC, 1, 1});
  flops += 2.0 * s.B * IC * OC;
  Param bias = b ? *b : Param{};
  timed("linear", [&] { ok(jnas_cpu_linear_forward(y->data, x->data, w.w, b ? bias.w : nullptr, s.B, IC, OC), "linear_forward"); });
  push_timed("linear", [=] {
    ok(jnas_cpu_linear_backward(grad_or_null(x), w.g, b ? bias.g : nullptr, grad(y), x->data, w.w, s.B, IC, OC),
       "linear_backward");
  });
  return y;
}

float Tape::xent(Act* logits, const int32_t* labels, int* correct) {
  int B = logits->s.B, V = logits->s.C;
  float* probs = arena.alloc((int64_t)B * V);
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
  push_timed("softmax_xent", [=] { ok(jnas_cpu_softmax_xent_backward(grad(logits), probs, lab.data(), B, V, 0.f, 1.f), "softmax_xent_backward"); });
  return loss;
}

}  // namespace jnas
