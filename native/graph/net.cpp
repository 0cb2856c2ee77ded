// net.cpp: the network base of net.h and the jnas_net_* C API shared by every
// network (create functions live with each network: supernet.cpp, final_net.cpp).
#include "net.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <stdexcept>

namespace jnas {

Net::Net(Backend* be, const char* kind, bool running_stats, int in_ch, int H, int W, int classes)
    : be_(be), kind_(kind), running_stats_(running_stats), in_ch_(in_ch), H_(H), W_(W), classes_(classes),
      ps_(be), tape_(be) {
  if (!be) throw std::invalid_argument("backend is NULL");
  const char* prof = std::getenv("JNAS_PROFILE");
  tape_.profiling = prof && prof[0] == '1';
}

Net::~Net() {
  if (tape_.profiling) std::fprintf(stderr, "jnas %s profile:\n%s", kind_.c_str(), tape_.profile_table().c_str());
  if (rs_) be_->free(rs_, sizeof(float) * rs_size_);
  if (scalars_) be_->free(scalars_, sizeof(float) * 8);
}

Net::BN Net::bn(const std::string& prefix, int C) {
  BN b;
  if (!batchnorm_) return b;
  b.gamma = ps_.add(prefix + ".gamma", C, ParamStore::ONES);
  b.beta = ps_.add(prefix + ".beta", C, ParamStore::ZEROS);
  if (running_stats_) {
    b.rs = rs_size_;
    var_ranges_.push_back({rs_size_ + C, C});
    rs_size_ += 2 * (int64_t)C;
  }
  return b;
}

void Net::finalize(uint64_t seed) {
  ps_.finalize(seed);
  scalars_ = static_cast<float*>(be_->alloc(sizeof(float) * 8));
  be_->zero(scalars_, sizeof(float) * 8);
  if (rs_size_ > 0) {
    rs_ = static_cast<float*>(be_->alloc(sizeof(float) * rs_size_));
    if (!be_->dry()) {
      std::vector<float> init(rs_size_, 0.f);  // running means 0, running variances 1
      for (auto [off, C] : var_ranges_)
        for (int k = 0; k < C; k++) init[off + k] = 1.f;
      be_->copy_from_host(rs_, init.data(), sizeof(float) * rs_size_);
    }
  }
}

Act* Net::norm(Act* x, const BN& b) {
  if (b.gamma < 0) return x;  // a network without batch norm
  BNRef r{P(b.gamma), P(b.beta), b.rs >= 0 ? rs_ + b.rs : nullptr, b.rs};
  bool training = st_.train || !running_stats_;
  bool update = st_.train && st_.update_stats && running_stats_;
  return t_->batchnorm(x, r, training, update);
}

void Net::run(int mode, const int32_t* normal, const int32_t* reduce, const float* images, const int32_t* labels,
              int B, const float* hyper, uint64_t seed, float* out, float* logits) {
  if (mode < JNAS_RUN_TRAIN_STEP || mode > JNAS_RUN_PREDICT) throw std::invalid_argument("unknown mode " + std::to_string(mode));
  if (B < 1) throw std::invalid_argument("batch " + std::to_string(B) + " < 1");
  const bool train = mode == JNAS_RUN_TRAIN_STEP || mode == JNAS_RUN_FORWARD_BACKWARD;
  const bool need_loss = mode != JNAS_RUN_PREDICT;
  if (!be_->dry() && (!images || (need_loss && !labels))) throw std::invalid_argument("images or labels is NULL");
  if (train && !hyper) throw std::invalid_argument("a training step needs its hyper-parameters");
  check_arch(normal, reduce);
  st_ = Step{};
  st_.mode = mode;
  st_.train = train;
  st_.normal = normal;
  st_.reduce = reduce;
  if (hyper) std::memcpy(st_.hyper, hyper, sizeof st_.hyper);
  st_.update_stats = train && st_.hyper[JNAS_HYPER_UPDATE_STATS] != 0.f;
  st_.seed = seed;

  t_ = &tape_;
  Tape& t = tape_;
  t.reset();
  t.recording = train;
  if (train) be_->zero(ps_.grads(), sizeof(float) * ps_.size());
  be_->zero(scalars_, sizeof(float) * 8);
  Act* x = t.input({B, in_ch_, H_, W_}, images);
  int32_t* lab = need_loss ? t.labels(labels, B) : nullptr;
  Act* aux = nullptr;
  Act* y = forward(x, &aux);
  if (logits) be_->copy_to_host(logits, y->data, sizeof(float) * B * classes_);
  auto* hits = reinterpret_cast<int32_t*>(scalars_ + 2);  // (2) main, auxiliary
  if (need_loss) {
    t.xent(y, lab, 1.f, scalars_ + 0, hits);
    if (train && aux) t.xent(aux, lab, 0.4f, scalars_ + 1, hits + 1);
  }
  if (train) t.backward();
  if (mode == JNAS_RUN_TRAIN_STEP) {
    ps_.clip_and_sgd(st_.hyper[JNAS_HYPER_LR], st_.hyper[JNAS_HYPER_MOMENTUM], st_.hyper[JNAS_HYPER_WEIGHT_DECAY],
                     st_.hyper[JNAS_HYPER_GRAD_CLIP], scalars_ + 4);
  }
  float host[8];
  be_->copy_to_host(host, scalars_, sizeof host);
  if (out) {
    int32_t h;
    std::memcpy(&h, host + 2, sizeof h);
    out[JNAS_OUT_LOSS] = host[0];
    out[JNAS_OUT_AUX_LOSS] = host[1];
    out[JNAS_OUT_CORRECT] = (float)h;
    out[JNAS_OUT_GRAD_NORM] = mode == JNAS_RUN_TRAIN_STEP ? host[4] : std::numeric_limits<float>::quiet_NaN();
  }
}

void Net::set_arch_weights(const float*, int) {
  throw std::invalid_argument("the " + kind_ + " network has no architecture weights");
}

void Net::arch_grad(float*, int) { throw std::invalid_argument("the " + kind_ + " network has no architecture weights"); }

void Net::relu_codes(const int32_t* normal, const int32_t* reduce, const float* images, int B, float* K) {
  if (B < 1) throw std::invalid_argument("batch " + std::to_string(B) + " < 1");
  if (!be_->dry() && (!images || !K)) throw std::invalid_argument("images or K is NULL");
  check_arch(normal, reduce);
  st_ = Step{};
  st_.mode = JNAS_RUN_PREDICT;
  st_.train = true;  // batch statistics, as an untrained network in training mode (NASWOT's)
  st_.normal = normal;
  st_.reduce = reduce;
  t_ = &tape_;
  Tape& t = tape_;
  t.reset();
  t.recording = false;
  t.codes = t.arena.zalloc((int64_t)B * B);
  try {
    Act* x = t.input({B, in_ch_, H_, W_}, images);
    Act* aux = nullptr;
    forward(x, &aux);
    be_->copy_to_host(K, t.codes, sizeof(float) * B * B);
  } catch (...) {
    t.codes = nullptr;
    throw;
  }
  t.codes = nullptr;
}

void Net::sum_backward(const int32_t* normal, const int32_t* reduce, const float* images, int B, float seed) {
  if (B < 1) throw std::invalid_argument("batch " + std::to_string(B) + " < 1");
  if (!be_->dry() && !images) throw std::invalid_argument("images is NULL");
  check_arch(normal, reduce);
  st_ = Step{};
  st_.mode = JNAS_RUN_FORWARD_BACKWARD;
  st_.train = true;
  st_.normal = normal;
  st_.reduce = reduce;
  t_ = &tape_;
  Tape& t = tape_;
  t.reset();
  t.recording = true;
  be_->zero(ps_.grads(), sizeof(float) * ps_.size());
  Act* x = t.input({B, in_ch_, H_, W_}, images);
  Act* aux = nullptr;
  Act* y = forward(x, &aux);
  if (be_->fill(t.grad(y), y->s.n(), seed, be_->stream) != JNAS_OK) throw std::runtime_error("fill failed");
  t.backward();
}

void Net::trace(const int32_t* normal, const int32_t* reduce, Plan* plan, double* flops) {
  check_arch(normal, reduce);
  std::unique_ptr<Backend> dry(make_backend("dry", 0));
  Tape dt(dry.get());
  dt.plan = plan;
  st_ = Step{};
  st_.normal = normal;
  st_.reduce = reduce;
  t_ = &dt;
  try {
    Act* x = dt.input({1, in_ch_, H_, W_}, nullptr);
    Act* aux = nullptr;
    Act* y = forward(x, &aux);
    if (plan) {
      plan->network = kind_;
      plan->output = y->id;
    }
    if (flops) *flops = dt.flops;
  } catch (...) {
    t_ = &tape_;
    throw;
  }
  t_ = &tape_;
}

std::string Net::plan_json(const int32_t* normal, const int32_t* reduce) {
  Plan plan;
  trace(normal, reduce, &plan, nullptr);
  return plan.json(ps_);
}

double Net::flops(const int32_t* normal, const int32_t* reduce) {
  double f = 0;
  trace(normal, reduce, nullptr, &f);
  return f;
}

int64_t Net::buffer_size(int which) const {
  if (which >= 0 && which <= 2) return ps_.size();
  if (which == 3) return rs_size_;
  return -1;
}

static float* buffer(ParamStore& ps, float* rs, int which) {
  switch (which) {
    case 0: return ps.weights();
    case 1: return ps.grads();
    case 2: return ps.momentum();
    case 3: return rs;
    default: throw std::invalid_argument("unknown buffer " + std::to_string(which));
  }
}

void Net::get(int which, float* dst) {
  float* b = buffer(ps_, rs_, which);
  if (buffer_size(which) > 0) be_->copy_to_host(dst, b, sizeof(float) * buffer_size(which));
}

void Net::set(int which, const float* src) {
  float* b = buffer(ps_, rs_, which);
  if (buffer_size(which) > 0) be_->copy_from_host(b, src, sizeof(float) * buffer_size(which));
}

}  // namespace jnas

using jnas::Net;

extern "C" {

void jnas_net_destroy(void* net) { delete static_cast<Net*>(net); }

int64_t jnas_net_buffer_size(void* net, int which) { return static_cast<Net*>(net)->buffer_size(which); }

int jnas_net_get(void* net, int which, float* dst) {
  return jnas::guard("get", [&] { static_cast<Net*>(net)->get(which, dst); });
}

int jnas_net_set(void* net, int which, const float* src) {
  return jnas::guard("set", [&] { static_cast<Net*>(net)->set(which, src); });
}

int jnas_net_num_tensors(void* net) { return static_cast<Net*>(net)->params().count(); }

int jnas_net_tensor_info(void* net, int index, char* name, int name_len, int64_t* offset, int64_t* size) {
  return static_cast<Net*>(net)->params().info(index, name, name_len, offset, size);
}

int jnas_net_run(void* net, int mode, const int32_t* normal, const int32_t* reduce, const float* images,
                 const int32_t* labels, int B, const float* hyper, uint64_t seed, float* out, float* logits) {
  static const char* names[] = {"train_step", "forward_backward", "evaluate", "predict"};
  const char* what = mode >= 0 && mode <= 3 ? names[mode] : "run";
  return jnas::guard(what, [&] {
    static_cast<Net*>(net)->run(mode, normal, reduce, images, labels, B, hyper, seed, out, logits);
  });
}

int64_t jnas_net_plan(void* net, const int32_t* normal, const int32_t* reduce, char* buf, int64_t cap) {
  int64_t len = -1;
  jnas::guard("plan", [&] {
    std::string s = static_cast<Net*>(net)->plan_json(normal, reduce);
    len = (int64_t)s.size();
    if (buf && len < cap) std::memcpy(buf, s.c_str(), s.size() + 1);
  });
  return len;
}

double jnas_net_flops(void* net, const int32_t* normal, const int32_t* reduce) {
  double f = -1;
  jnas::guard("flops", [&] { f = static_cast<Net*>(net)->flops(normal, reduce); });
  return f;
}

int64_t jnas_net_arena_bytes(void* net) { return static_cast<Net*>(net)->arena_bytes(); }

double jnas_net_last_flops(void* net) { return static_cast<Net*>(net)->last_flops(); }

int jnas_net_arch_size(void* net) { return static_cast<Net*>(net)->arch_size(); }

int jnas_net_set_arch_weights(void* net, const float* w, int n) {
  return jnas::guard("set_arch_weights", [&] { static_cast<Net*>(net)->set_arch_weights(w, n); });
}

int jnas_net_arch_grad(void* net, float* out, int n) {
  return jnas::guard("arch_grad", [&] { static_cast<Net*>(net)->arch_grad(out, n); });
}

int jnas_net_relu_codes(void* net, const int32_t* normal, const int32_t* reduce, const float* images, int B,
                        float* K) {
  return jnas::guard("relu_codes", [&] { static_cast<Net*>(net)->relu_codes(normal, reduce, images, B, K); });
}

int jnas_net_sum_backward(void* net, const int32_t* normal, const int32_t* reduce, const float* images, int B,
                          float seed) {
  return jnas::guard("sum_backward", [&] { static_cast<Net*>(net)->sum_backward(normal, reduce, images, B, seed); });
}

int jnas_debug_host_read_weight(void* net, int64_t index, float* value) {
  auto* n = static_cast<Net*>(net);
  if (index < 0 || index >= n->params().size()) return JNAS_E_ARG;
  *value = n->params().weights()[index];  // deliberately a host load of backend memory
  return JNAS_OK;
}

}  // extern "C"
