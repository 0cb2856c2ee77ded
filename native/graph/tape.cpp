// tape.cpp: the arena, the parameter store, the recorded ops of tape.h and the
// plan's JSON. Every op calls its backend's kernel for the forward and pushes a
// closure calling the matching backward, following the gradient rule.
#include "tape.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <stdexcept>

#include "jnas.h"

namespace jnas {

namespace {

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

double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace

// ------------------------------------------------------------------- Arena

Arena::~Arena() { release(); }

void Arena::release() {
  for (auto& b : blocks_) be_->free(b.mem, b.cap * 4);
  blocks_.clear();
  cur_ = 0;
}

float* Arena::alloc(int64_t n) {
  n = (n + 15) & ~int64_t(15);  // whole 64-byte lines per allocation
  while (cur_ < blocks_.size() && blocks_[cur_].cap - blocks_[cur_].used < n) cur_++;
  if (cur_ == blocks_.size()) {
    Block b;
    b.cap = std::max<int64_t>(n, int64_t(1) << 22);
    b.mem = static_cast<float*>(be_->alloc(b.cap * 4));
    blocks_.push_back(b);
  }
  Block& b = blocks_[cur_];
  float* p = b.mem + b.used;
  b.used += n;
  return p;
}

float* Arena::zalloc(int64_t n) {
  float* p = alloc(n);
  be_->zero(p, sizeof(float) * n);
  return p;
}

void Arena::reset() {
  // Merge into one block of the high-water size so the next step is one block.
  if (blocks_.size() > 1) {
    int64_t total = 0;
    for (auto& b : blocks_) total += b.cap;
    release();
    Block b;
    b.cap = total;
    b.mem = static_cast<float*>(be_->alloc(b.cap * 4));
    blocks_.push_back(b);
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

ParamStore::~ParamStore() {
  if (w_) {
    int64_t bytes = sizeof(float) * std::max<int64_t>(total_, 1);
    be_->free(w_, bytes);
    be_->free(g_, bytes);
    be_->free(m_, bytes);
  }
}

int ParamStore::add(const std::string& name, int64_t n, Init init, int64_t fan_in) {
  if (w_) throw std::logic_error("ParamStore::add after finalize");
  if (n < 0) throw std::invalid_argument(name + ": negative size");
  names_.push_back(name);
  offsets_.push_back(total_);
  sizes_.push_back(n);
  inits_.push_back(init);
  fan_in_.push_back(std::max<int64_t>(fan_in, 1));
  total_ += (n + 15) & ~int64_t(15);
  return (int)names_.size() - 1;
}

void ParamStore::finalize(uint64_t seed) {
  int64_t bytes = sizeof(float) * std::max<int64_t>(total_, 1);
  w_ = static_cast<float*>(be_->alloc(bytes));
  g_ = static_cast<float*>(be_->alloc(bytes));
  m_ = static_cast<float*>(be_->alloc(bytes));
  be_->zero(g_, bytes);
  be_->zero(m_, bytes);
  if (be_->dry()) return;
  std::vector<float> w(total_, 0.f);
  for (int i = 0; i < count(); i++) {
    // one stream per parameter: adding a parameter does not shift the others
    SplitMix rng{seed * 0x100000001B3ull + (uint64_t)i * 0x9E3779B97F4A7C15ull};
    float* p = w.data() + offsets_[i];
    switch (inits_[i]) {
      case HE_NORMAL: {
        double std = std::sqrt(2.0 / (double)fan_in_[i]);
        for (int64_t k = 0; k < sizes_[i]; k++) p[k] = (float)(rng.normal() * std);
        break;
      }
      case ONES:
        for (int64_t k = 0; k < sizes_[i]; k++) p[k] = 1.f;
        break;
      case ZEROS:
        break;
    }
  }
  be_->copy_from_host(w_, w.data(), sizeof(float) * total_);
}

void ParamStore::clip_and_sgd(float lr, float momentum, float weight_decay, float grad_clip, float* norm) {
  const float* g = g_;
  int64_t n = size();
  if (be_->global_norm(norm, &g, &n, 1, be_->stream)) throw std::runtime_error("global_norm failed");
  if (be_->clip_by_norm(g_, n, norm, grad_clip, be_->stream)) throw std::runtime_error("clip_by_norm failed");
  if (be_->sgd_update(w_, m_, g_, n, lr, momentum, weight_decay, 1, be_->stream))
    throw std::runtime_error("sgd_update failed");
}

int ParamStore::info(int index, char* name, int name_len, int64_t* offset, int64_t* size) const {
  if (index < 0 || index >= count()) return JNAS_E_ARG;
  if (name_len > 0) {
    std::strncpy(name, names_[index].c_str(), name_len - 1);
    name[name_len - 1] = 0;
  }
  *offset = offsets_[index];
  *size = sizes_[index];
  return JNAS_OK;
}

Param ParamStore::get(int id) const {
  Param p;
  p.id = id;
  p.offset = offsets_[id];
  p.n = sizes_[id];
  p.w = w_ + p.offset;
  p.g = g_ + p.offset;
  return p;
}

// ------------------------------------------------------------------- plans

namespace {

std::string quote(const std::string& s) {
  std::string o = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') o += '\\';
    o += c;
  }
  return o + "\"";
}

std::string num(double v) {
  char b[32];
  if (v == std::floor(v) && std::fabs(v) < 1e15) std::snprintf(b, sizeof b, "%.0f", v);
  else std::snprintf(b, sizeof b, "%.9g", v);
  return b;
}

std::string shape3(const Shape& s) {
  return "[" + std::to_string(s.C) + "," + std::to_string(s.H) + "," + std::to_string(s.W) + "]";
}

}  // namespace

std::string Plan::json(const ParamStore& ps) const {
  std::ostringstream o;
  o << "{\"network\":" << quote(network) << ",\"input\":{\"id\":" << input << ",\"shape\":" << shape3(input_shape)
    << "},\"output\":" << output << ",\n\"steps\":[";
  for (size_t i = 0; i < steps.size(); i++) {
    const PlanStep& s = steps[i];
    o << (i ? ",\n" : "\n") << "{\"op\":" << quote(s.op) << ",\"scope\":" << quote(s.scope) << ",\"in\":[";
    for (size_t k = 0; k < s.in.size(); k++) o << (k ? "," : "") << s.in[k];
    o << "],\"out\":" << s.out << ",\"shape\":" << shape3(s.shape) << ",\"params\":{";
    for (size_t k = 0; k < s.params.size(); k++)
      o << (k ? "," : "") << quote(s.params[k].first) << ":" << quote(ps.name(s.params[k].second));
    o << "},\"attrs\":{";
    for (size_t k = 0; k < s.attrs.size(); k++)
      o << (k ? "," : "") << quote(s.attrs[k].first) << ":" << num(s.attrs[k].second);
    o << "}";
    if (s.running >= 0) o << ",\"running\":" << s.running;
    o << "}";
  }
  o << "],\n\"cells\":[";
  for (size_t i = 0; i < cells.size(); i++) {
    const PlanCell& c = cells[i];
    o << (i ? ",\n" : "\n") << "{\"name\":" << quote(c.name) << ",\"reduction\":" << (c.reduction ? "true" : "false")
      << ",\"channels\":" << c.C << ",\"height\":" << c.H << ",\"width\":" << c.W << ",\"nodes\":" << c.nodes
      << ",\"edges\":[";
    for (size_t k = 0; k < c.edges.size(); k++)
      o << (k ? "," : "") << "{\"from\":" << c.edges[k].from << ",\"to\":" << c.edges[k].to
        << ",\"op\":" << quote(c.edges[k].op) << ",\"stride\":" << c.edges[k].stride << "}";
    o << "],\"outputs\":[";
    for (size_t k = 0; k < c.outputs.size(); k++) o << (k ? "," : "") << c.outputs[k];
    o << "],\"combine\":" << quote(c.combine) << ",\"concat_nodes\":[";
    for (size_t k = 0; k < c.concat_nodes.size(); k++) o << (k ? "," : "") << c.concat_nodes[k];
    o << "]}";
  }
  o << "]}\n";
  return o.str();
}

// -------------------------------------------------------------------- Tape

void Tape::ok(int code, const char* what) {
  if (code == JNAS_OK) return;
  std::string msg = std::string(what) + " failed (code " + std::to_string(code) + ")";
  if (be->kind() == "cuda") msg += ": " + std::string(jnas_cuda_error_string(code));
  throw std::runtime_error(msg);
}

void Tape::trace(const char* op, std::vector<Act*> in, Act* out, std::vector<std::pair<std::string, int>> params,
                 std::vector<std::pair<std::string, double>> attrs, int64_t running) {
  for (Act* a : in) a->uses++;
  if (!plan) return;
  PlanStep s;
  s.op = op;
  s.scope = scope;
  for (Act* a : in) s.in.push_back(a->id);
  s.out = out->id;
  s.shape = out->s;
  s.params = std::move(params);
  s.attrs = std::move(attrs);
  s.running = running;
  plan->steps.push_back(std::move(s));
}

Act* Tape::traced_relu(Act* x, bool relu_in) {
  if (!relu_in || !plan) return x;
  Act* r = act(x->s);  // the dry backend allocates nothing
  trace("relu", {x}, r);
  return r;
}

Act* Tape::act(Shape s) {
  acts_.emplace_back();
  Act* a = &acts_.back();
  a->s = s;
  a->id = (int)acts_.size() - 1;
  a->data = pool_.take(s.n(), false);
  return a;
}

void Tape::release(Act* a) {
  if (!a || a->kept || !a->data) return;
  pool_.release(a->data);
  a->data = nullptr;
}

Act* Tape::input(Shape s, const float* host) {
  Act* a = act(s);
  if (host) be->copy_from_host(a->data, host, sizeof(float) * s.n());
  a->needs_grad = false;
  if (plan) {
    plan->input = a->id;
    plan->input_shape = s;
  }
  return a;
}

int32_t* Tape::labels(const int32_t* host, int B) {
  auto* p = reinterpret_cast<int32_t*>(arena.alloc(B));  // (B)
  if (host) be->copy_from_host(p, host, sizeof(int32_t) * B);
  return p;
}

float* Tape::grad(Act* a) {
  if (!a->grad) a->grad = pool_.take(a->s.n());
  return a->grad;
}

void Tape::alias_grad(Act* x, Act* y) {
  x->grad = grad(y);
  pool_.retain(x->grad);
}

// ---------------------------------------------------------------- BufferPool

BufferPool::~BufferPool() {
  for (auto& [p, n] : sizes_) be_->free(p, n * 4);
}

float* BufferPool::take(int64_t n, bool zero) {
  n = (n + 15) & ~int64_t(15);
  float* p;
  auto& fl = free_[n];
  if (!fl.empty()) {
    p = fl.back();
    fl.pop_back();
  } else {
    p = static_cast<float*>(be_->alloc(n * 4));
    sizes_[p] = n;
  }
  refs_[p] = 1;
  if (zero) be_->zero(p, n * 4);
  return p;
}

void BufferPool::retain(float* p) { refs_[p]++; }

void BufferPool::release(float* p) {
  auto it = refs_.find(p);
  if (it == refs_.end() || --it->second > 0) return;
  refs_.erase(it);
  free_[sizes_[p]].push_back(p);
}

void BufferPool::reset() {
  for (auto& [p, r] : refs_) free_[sizes_[p]].push_back(p);
  refs_.clear();
}

int64_t BufferPool::bytes_reserved() const {
  int64_t t = 0;
  for (auto& [p, n] : sizes_) t += n * 4;
  return t;
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

void Tape::push_timed(const char* op, Act* out, std::function<void()> f) {
  if (!profiling) {
    push(std::move(f), out);
    return;
  }
  std::string name = op;
  push([this, name, f = std::move(f)] {
    double t0 = now_s();
    f();
    profile[name].bwd += now_s() - t0;
  }, out);
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
  for (auto it = backward_.rbegin(); it != backward_.rend(); ++it) {
    for (Act* a : it->reads)
      if (!a->data) rebuild(a);
    it->fn();
    // the op that made `out` has taken its gradient into account: nothing reads it again
    if (it->out && it->out->grad) {
      pool_.release(it->out->grad);
      it->out->grad = nullptr;
    }
    // nor the data of what no backward still to run reads: later gradients reuse the buffers
    for (Act* a : it->reads)
      if (--a->readers == 0 && a->data) {
        pool_.release(a->data);
        a->data = nullptr;
      }
  }
}

void Tape::rebuild(Act* a) {
  if (!a->remake) throw std::logic_error("a backward reads an activation the network released");
  a->data = pool_.take(a->s.n(), false);
  if (!profiling) {
    a->remake(a->data);
    return;
  }
  double t0 = now_s();
  a->remake(a->data);
  Prof& p = profile["batchnorm rebuild"];
  p.bwd += now_s() - t0;
  p.calls++;
}

void Tape::reset() {
  flops = 0;
  backward_.clear();
  reads_.clear();
  pool_.reset();
  acts_.clear();
  arena.reset();
}

void Tape::probe_relu(Act* x) {
  if (!codes) return;
  ok(be->binary_code_gram(codes, x->data, x->s.B, x->s.n() / x->s.B, be->stream), "binary_code_gram");
}

Act* Tape::relu(Act* x) {
  probe_relu(x);
  Act* y = act(x->s);
  timed("relu", [&] { ok(be->relu_forward(y->data, x->data, x->s.n(), be->stream), "relu_forward"); });
  trace("relu", {x}, y);
  if (x->needs_grad) {
    keep(x);
    push_timed("relu", y, [=] { ok(be->relu_backward(grad(x), grad(y), x->data, x->s.n(), be->stream), "relu_backward"); });
  } else {
    y->needs_grad = false;
  }
  return y;
}

Act* Tape::conv(Act* x, const Param& w, int C_out, int KH, int KW, int stride, int pad_h, int pad_w, int dilation,
                int groups, bool relu_in) {
  Shape s = x->s;
  int OH = jnas_out_size(s.H, KH, stride, pad_h, dilation), OW = jnas_out_size(s.W, KW, stride, pad_w, dilation);
  Act* y = act({s.B, C_out, OH, OW});
  flops += 2.0 * y->s.n() * (s.C / groups) * KH * KW;
  int relu = relu_in ? 1 : 0;
  if (relu_in) probe_relu(x);
  std::string pname = profiling ? "conv2d " + std::to_string(KH) + "x" + std::to_string(KW) + (stride > 1 ? " s2" : "") +
                                      (groups > 1 ? " g" : "")
                                : std::string("conv2d");
  timed(pname.c_str(), [&] {
    ok(be->conv2d_forward(y->data, x->data, w.w, nullptr, s.B, s.C, s.H, s.W, C_out, KH, KW, stride, pad_h, pad_w,
                          dilation, groups, relu, be->stream),
       "conv2d_forward");
  });
  trace("conv2d", {traced_relu(x, relu_in)}, y, {{"weight", w.id}},
        {{"kh", KH}, {"kw", KW}, {"stride", stride}, {"pad_h", pad_h}, {"pad_w", pad_w}, {"dilation", dilation},
         {"groups", groups}});
  keep(x);
  push_timed(pname.c_str(), y, [=] {
    ok(be->conv2d_backward(grad_or_null(x), w.g, nullptr, grad(y), x->data, w.w, s.B, s.C, s.H, s.W, C_out, KH, KW,
                           stride, pad_h, pad_w, dilation, groups, relu, be->stream),
       "conv2d_backward");
  });
  return y;
}

Act* Tape::sepconv(Act* x, const Param& dw, const Param& pw, int K, int stride, int pad, int dilation, bool relu_in) {
  Shape s = x->s;
  int C_out = (int)(pw.n / s.C);
  int OH = jnas_out_size(s.H, K, stride, pad, dilation), OW = jnas_out_size(s.W, K, stride, pad, dilation);
  Act* y = act({s.B, C_out, OH, OW});
  float* mid = nullptr;  // the depthwise output is not kept: the kernel recomputes it in backward
  flops += 2.0 * s.B * s.C * OH * OW * K * K + 2.0 * y->s.n() * s.C;
  int relu = relu_in ? 1 : 0;
  if (relu_in) probe_relu(x);
  std::string pname = profiling ? "sepconv " + std::to_string(K) + "x" + std::to_string(K) + (stride > 1 ? " s2" : "") +
                                      (dilation > 1 ? " d2" : "")
                                : std::string("sepconv");
  timed(pname.c_str(), [&] {
    ok(be->sepconv_forward(y->data, mid, x->data, dw.w, pw.w, s.B, s.C, s.H, s.W, C_out, K, stride, pad, dilation,
                           relu, be->stream),
       "sepconv_forward");
  });
  trace("sepconv", {traced_relu(x, relu_in)}, y, {{"dw", dw.id}, {"pw", pw.id}},
        {{"k", K}, {"stride", stride}, {"pad", pad}, {"dilation", dilation}});
  keep(x);
  push_timed(pname.c_str(), y, [=] {
    ok(be->sepconv_backward(grad_or_null(x), dw.g, pw.g, grad(y), mid, x->data, dw.w, pw.w, s.B, s.C, s.H, s.W, C_out,
                            K, stride, pad, dilation, relu, be->stream),
       "sepconv_backward");
  });
  return y;
}

Act* Tape::batchnorm(Act* x, const BNRef& bn, bool training, bool update_running) {
  Shape s = x->s;
  Act* y = act(s);
  float* mean = arena.alloc(s.C);  // (C) statistics used, saved for backward
  float* rstd = arena.alloc(s.C);  // (C)
  float* rm = (training && !update_running) ? nullptr : bn.running;
  float* rv = rm ? rm + s.C : nullptr;
  if (!training && !rm) throw std::logic_error("batchnorm: evaluation mode needs running statistics");
  timed("batchnorm", [&] {
    ok(be->batchnorm_forward(y->data, mean, rstd, x->data, bn.gamma.w, bn.beta.w, rm, rv, s.B, s.C, s.HW(), 1e-5f,
                             0.1f, training ? 1 : 0, be->stream),
       "batchnorm_forward");
  });
  trace("batchnorm", {x}, y, {{"gamma", bn.gamma.id}, {"beta", bn.beta.id}},
        {{"eps", 1e-5}, {"training", training ? 1 : 0}}, bn.running_offset);
  if (training) {
    Param g = bn.gamma, b = bn.beta;
    keep(x, true);  // pinned: y's rebuild reads it
    // what the consumers' backwards read is rebuilt, not stored, where the network releases y
    y->remake = [this, x, mean, rstd, g, b, s](float* dst) {
      ok(be->batchnorm_apply(dst, x->data, mean, rstd, g.w, b.w, s.B, s.C, s.HW(), be->stream), "batchnorm_apply");
    };
    push_timed("batchnorm", y, [=] {
      ok(be->batchnorm_backward(grad_or_null(x), g.g, b.g, grad(y), x->data, mean, rstd, g.w, s.B, s.C, s.HW(), 1,
                                be->stream),
         "batchnorm_backward");
    });
  }
  return y;
}

Act* Tape::avgpool(Act* x, int K, int stride, int pad) {
  Shape s = x->s;
  Act* y = act({s.B, s.C, jnas_out_size(s.H, K, stride, pad, 1), jnas_out_size(s.W, K, stride, pad, 1)});
  flops += (double)y->s.n() * K * K;
  timed("avgpool", [&] {
    ok(be->avgpool_forward(y->data, x->data, s.B, s.C, s.H, s.W, K, stride, pad, be->stream), "avgpool_forward");
  });
  trace("avgpool", {x}, y, {}, {{"k", K}, {"stride", stride}, {"pad", pad}});
  if (x->needs_grad) {
    push_timed("avgpool", y, [=] {
      ok(be->avgpool_backward(grad(x), grad(y), s.B, s.C, s.H, s.W, K, stride, pad, be->stream), "avgpool_backward");
    });
  } else {
    y->needs_grad = false;
  }
  return y;
}

Act* Tape::maxpool(Act* x, int K, int stride, int pad) {
  Shape s = x->s;
  Act* y = act({s.B, s.C, jnas_out_size(s.H, K, stride, pad, 1), jnas_out_size(s.W, K, stride, pad, 1)});
  auto* argmax = reinterpret_cast<int32_t*>(arena.alloc(y->s.n()));  // (B, C, OH, OW)
  flops += (double)y->s.n() * K * K;
  timed("maxpool", [&] {
    ok(be->maxpool_forward(y->data, argmax, x->data, s.B, s.C, s.H, s.W, K, stride, pad, be->stream),
       "maxpool_forward");
  });
  trace("maxpool", {x}, y, {}, {{"k", K}, {"stride", stride}, {"pad", pad}});
  if (x->needs_grad) {
    push_timed("maxpool", y, [=] {
      ok(be->maxpool_backward(grad(x), grad(y), argmax, s.B, s.C, s.H, s.W, K, stride, pad, be->stream),
         "maxpool_backward");
    });
  } else {
    y->needs_grad = false;
  }
  return y;
}

Act* Tape::sum(const std::vector<Act*>& xs) {
  Act* y = act(xs[0]->s);
  std::vector<const float*> in;  // host array of backend pointers
  for (Act* x : xs) in.push_back(x->data);
  timed("sum", [&] { ok(be->sum_forward(y->data, in.data(), (int)in.size(), y->s.n(), be->stream), "sum_forward"); });
  trace("sum", xs, y);
  bool any = false;
  for (Act* x : xs) any |= x->needs_grad;
  if (any) {
    std::vector<Act*> ins = xs;
    push_timed("sum", y, [=] {
      // d(x_i) = d(y): an input read by this sum alone, whose gradient nobody has started,
      // takes y's gradient buffer as its own (no copy, no zero fill); the others add it.
      std::vector<float*> d;
      bool rest = false;
      for (size_t i = 0; i < ins.size(); i++) {
        Act* x = ins[i];
        bool once = std::count(ins.begin(), ins.end(), x) == 1;
        if (x->needs_grad && !x->grad && x->uses == 1 && once) {
          alias_grad(x, y);
          d.push_back(nullptr);
        } else {
          d.push_back(grad_or_null(x));
          rest |= d.back() != nullptr;
        }
      }
      if (rest) ok(be->sum_backward(d.data(), grad(y), (int)d.size(), y->s.n(), be->stream), "sum_backward");
    });
  } else {
    y->needs_grad = false;
  }
  return y;
}

Act* Tape::concat(const std::vector<Act*>& xs) {
  if (xs.size() == 1) return xs[0];
  Shape s = xs[0]->s;
  std::vector<int32_t> ch;       // host array
  std::vector<const float*> in;  // host array of backend pointers
  int C = 0;
  for (Act* x : xs) {
    ch.push_back(x->s.C);
    in.push_back(x->data);
    C += x->s.C;
  }
  Act* y = act({s.B, C, s.H, s.W});
  timed("concat", [&] {
    ok(be->concat_forward(y->data, in.data(), ch.data(), (int)xs.size(), s.B, s.HW(), be->stream), "concat_forward");
  });
  trace("concat", xs, y);
  std::vector<Act*> ins = xs;
  push_timed("concat", y, [=] {
    std::vector<float*> d;
    for (Act* x : ins) d.push_back(grad_or_null(x));
    ok(be->concat_backward(d.data(), grad(y), ch.data(), (int)d.size(), s.B, s.HW(), be->stream), "concat_backward");
  });
  return y;
}

Act* Tape::factorized_reduce(Act* x, const Param& w1, const Param& w2, int C_out) {
  Shape s = x->s;
  Act* y = act({s.B, C_out, (s.H + 1) / 2, (s.W + 1) / 2});
  flops += 2.0 * y->s.n() * s.C;
  timed("factorized_reduce", [&] {
    ok(be->factorized_reduce_forward(y->data, x->data, w1.w, w2.w, s.B, s.C, s.H, s.W, C_out, be->stream),
       "factorized_reduce_forward");
  });
  trace("factorized_reduce", {x}, y, {{"w1", w1.id}, {"w2", w2.id}});
  keep(x);
  push_timed("factorized_reduce", y, [=] {
    ok(be->factorized_reduce_backward(grad_or_null(x), w1.g, w2.g, grad(y), x->data, w1.w, w2.w, s.B, s.C, s.H, s.W,
                                      C_out, be->stream),
       "factorized_reduce_backward");
  });
  return y;
}

Act* Tape::global_avgpool(Act* x) {
  Shape s = x->s;
  Act* y = act({s.B, s.C, 1, 1});
  timed("global_avgpool", [&] {
    ok(be->global_avgpool_forward(y->data, x->data, s.B, s.C, s.HW(), be->stream), "global_avgpool_forward");
  });
  trace("global_avgpool", {x}, y);
  push_timed("global_avgpool", y, [=] {
    ok(be->global_avgpool_backward(grad(x), grad(y), s.B, s.C, s.HW(), be->stream), "global_avgpool_backward");
  });
  return y;
}

Act* Tape::dropout(Act* x, float keep_prob, uint64_t seed) {
  if (keep_prob >= 1.f) return x;
  Act* y = act(x->s);
  float* mask = arena.alloc(x->s.n());  // (N) 0 or 1/keep
  timed("dropout", [&] {
    ok(be->dropout_forward(y->data, mask, x->data, x->s.n(), keep_prob, seed, be->stream), "dropout_forward");
  });
  trace("dropout", {x}, y, {}, {{"keep", keep_prob}});
  push_timed("dropout", y, [=] {
    ok(be->dropout_backward(grad(x), grad(y), mask, x->s.n(), be->stream), "dropout_backward");
  });
  return y;
}

Act* Tape::drop_path(Act* x, float keep_prob, uint64_t seed) {
  if (keep_prob >= 1.f) return x;
  Shape s = x->s;
  Act* y = act(s);
  float* mask = arena.alloc(s.B);  // (B)
  int64_t per = s.n() / s.B;
  timed("drop_path", [&] {
    ok(be->drop_path_forward(y->data, mask, x->data, s.B, per, keep_prob, seed, be->stream), "drop_path_forward");
  });
  trace("drop_path", {x}, y, {}, {{"keep", keep_prob}});
  if (x->needs_grad) {
    push_timed("drop_path", y, [=] {
      ok(be->drop_path_backward(grad(x), grad(y), mask, s.B, per, be->stream), "drop_path_backward");
    });
  } else {
    y->needs_grad = false;
  }
  return y;
}

Act* Tape::linear(Act* x, const Param& w, const Param* b, int OC) {
  Shape s = x->s;
  int IC = s.C * s.H * s.W;
  Act* y = act({s.B, OC, 1, 1});
  flops += 2.0 * s.B * IC * OC;
  Param bias = b ? *b : Param{};
  timed("linear", [&] {
    ok(be->linear_forward(y->data, x->data, w.w, b ? bias.w : nullptr, s.B, IC, OC, be->stream), "linear_forward");
  });
  std::vector<std::pair<std::string, int>> ps{{"weight", w.id}};
  if (b) ps.push_back({"bias", b->id});
  trace("linear", {x}, y, ps);
  keep(x);
  push_timed("linear", y, [=] {
    ok(be->linear_backward(grad_or_null(x), w.g, b ? bias.g : nullptr, grad(y), x->data, w.w, s.B, IC, OC, be->stream),
       "linear_backward");
  });
  return y;
}

Act* Tape::mix(const std::vector<Act*>& xs, const std::vector<float>& w, float* dw, Shape s) {
  if (xs.size() != w.size()) throw std::logic_error("mix: inputs and weights differ in number");
  Act* y = act(s);
  std::vector<const float*> in;  // host array of backend pointers (NULL: not computed)
  std::vector<Act*> traced;
  std::vector<std::pair<std::string, double>> attrs;  // the weights of the traced inputs, in order
  for (size_t k = 0; k < xs.size(); k++) {
    Act* x = xs[k];
    if (x && x->s.n() != s.n()) throw std::logic_error("mix: an input's shape differs from the output's");
    in.push_back(x ? x->data : nullptr);
    if (!x) continue;
    attrs.push_back({"w" + std::to_string(traced.size()), w[k]});
    traced.push_back(x);
  }
  timed("mix", [&] {
    ok(be->weighted_sum_forward(y->data, in.data(), w.data(), (int)in.size(), s.n(), be->stream), "weighted_sum_forward");
  });
  flops += 2.0 * s.n() * traced.size();
  trace("mix", traced, y, {}, std::move(attrs));
  bool any = dw != nullptr;
  for (Act* x : xs) any |= x && x->needs_grad;
  if (!any) {
    y->needs_grad = false;
    return y;
  }
  if (dw)
    for (Act* x : xs)
      if (x) keep(x);
  std::vector<Act*> ins = xs;
  std::vector<float> wh = w;
  push_timed("mix", y, [=] {
    std::vector<float*> d;
    std::vector<const float*> x;
    for (Act* a : ins) {
      d.push_back(a ? grad_or_null(a) : nullptr);
      x.push_back(a ? a->data : nullptr);
    }
    ok(be->weighted_sum_backward(d.data(), dw, grad(y), x.data(), wh.data(), (int)ins.size(), y->s.n(), be->stream),
       "weighted_sum_backward");
  });
  return y;
}

Act* Tape::zeros(Act* x, int stride) {
  Shape s = x->s;
  Act* y = act({s.B, s.C, stride == 1 ? s.H : (s.H + 1) / 2, stride == 1 ? s.W : (s.W + 1) / 2});
  be->zero(y->data, sizeof(float) * y->s.n());
  y->needs_grad = false;
  trace("zeros", {x}, y, {}, {{"stride", stride}});
  return y;
}

void Tape::xent(Act* logits, const int32_t* labels, float weight, float* loss, int32_t* hits) {
  int B = logits->s.B, V = logits->s.C;
  float* probs = arena.alloc((int64_t)B * V);  // (B, V) saved for backward
  timed("softmax_xent", [&] {
    ok(be->softmax_xent_forward(loss, probs, logits->data, labels, B, V, 0.f, be->stream), "softmax_xent_forward");
    if (hits) ok(be->argmax_hits(hits, logits->data, labels, B, V, be->stream), "argmax_hits");
  });
  push_timed("softmax_xent", nullptr, [=] {
    ok(be->softmax_xent_backward(grad(logits), probs, labels, B, V, 0.f, weight, be->stream), "softmax_xent_backward");
  });
}

}  // namespace jnas
