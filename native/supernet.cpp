// supernet.cpp: the ENAS micro search space's weight-shared supernet, run
// natively: one call per minibatch does forward, backward and the update on
// the sampled path only (never every candidate op).
//
// Structure (Pham et al. 2018, the official micro_child.py, search mode):
//   stem: conv3x3 (in -> 3C) + BN; layers = [stem, stem]
//   L+2 layers; pool layers at L/3 and 2*(L/3)+1 double C and halve H, W:
//     x = FR(layers[-1]) + BN; layers = [layers[-1], x]; cell(reduce_arc)
//   other layers: cell(normal_arc)
//   cell: calibrate its two inputs to (C, H, W) (FR+BN where the size differs,
//     ReLU+conv1x1+BN where the channels differ); node j (0..N-1) takes two
//     inputs among the cell inputs and earlier nodes, applies one op to each
//     and sums; every state no node used (inputs included) is concatenated and
//     ReLU + conv1x1 + BN maps it back to C channels. The concat+conv is
//     computed as a sum of per-state 1x1 convs with the shared weight slice
//     final_w[state] (the same arithmetic, no concat buffer).
//   ops (ENAS ids): 0 sep3, 1 sep5 (each: [ReLU, depthwise KxK, pointwise 1x1,
//     BN] twice), 2 avg pool 3x3, 3 max pool 3x3, 4 identity; stride 1.
//   head: ReLU, global average pool, dropout, fully connected (no bias).
// Sharing: the weights of every (layer, node, input, conv op, stack) exist
// once and are used by every architecture that samples that path.
// BN: batch statistics always (ENAS's supernet does the same: the statistics
// of a shared weight depend on the sampled path), affine parameters learned.
// Differences from the official code, on purpose: the factorized reduce
// includes a leading ReLU (as in DARTS); no auxiliary head during the search.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "jnas.h"
#include "tape.h"

namespace jnas {
namespace {

constexpr int kNumOps = 5;

struct SepStack {
  int dw[2], pw[2], gamma[2], beta[2];  // param ids, stack 0 and 1
};

struct Calib {
  int kind = 0;  // 0 none, 1 ReLU+conv1x1+BN, 2 FR+BN
  int w = -1, w2 = -1, gamma = -1, beta = -1;
};

struct LayerDef {
  bool reduction = false;
  int C = 0, H = 0, W = 0;               // the layer's output (and cell) shape
  int red_w1 = -1, red_w2 = -1, red_gamma = -1, red_beta = -1;  // reduction layers
  Calib cal0, cal1;
  std::vector<std::vector<SepStack>> sep3, sep5;  // [node][input]
  std::vector<int> final_w;                       // [state] (C, C) each
  int final_gamma = -1, final_beta = -1;
};

class Supernet {
 public:
  Supernet(int in_ch, int H, int W, int classes, int L, int C, int N, uint64_t seed)
      : in_ch_(in_ch), H_(H), W_(W), classes_(classes), L_(L), C0_(C), N_(N) {
    int C3 = 3 * C;
    stem_w_ = ps_.add("stem.w", (int64_t)C3 * in_ch * 9, ParamStore::HE_NORMAL, in_ch * 9);
    stem_gamma_ = ps_.add("stem.bn.gamma", C3, ParamStore::ONES);
    stem_beta_ = ps_.add("stem.bn.beta", C3, ParamStore::ZEROS);
    int pool0 = L / 3, pool1 = 2 * (L / 3) + 1;
    Shape s0{0, C3, H, W}, s1{0, C3, H, W};
    int c = C;
    for (int l = 0; l < L + 2; l++) {
      LayerDef d;
      std::string p = "layer" + std::to_string(l) + ".";
      if (l == pool0 || l == pool1) {
        c *= 2;
        d.reduction = true;
        d.red_w1 = ps_.add(p + "reduce.w1", (int64_t)(c / 2) * s1.C, ParamStore::HE_NORMAL, s1.C);
        d.red_w2 = ps_.add(p + "reduce.w2", (int64_t)(c - c / 2) * s1.C, ParamStore::HE_NORMAL, s1.C);
        d.red_gamma = ps_.add(p + "reduce.bn.gamma", c, ParamStore::ONES);
        d.red_beta = ps_.add(p + "reduce.bn.beta", c, ParamStore::ZEROS);
        s0 = s1;
        s1 = {0, c, (s1.H + 1) / 2, (s1.W + 1) / 2};
      }
      d.C = c;
      d.H = s1.H;
      d.W = s1.W;
      d.cal0 = calib(p + "calib0.", s0, d, s0.H != s1.H);
      d.cal1 = calib(p + "calib1.", s1, d, false);
      d.sep3.resize(N);
      d.sep5.resize(N);
      for (int j = 0; j < N; j++) {
        for (int i = 0; i < j + 2; i++) {
          std::string q = p + "node" + std::to_string(j) + ".in" + std::to_string(i) + ".";
          d.sep3[j].push_back(stack(q + "sep3.", 3, c));
          d.sep5[j].push_back(stack(q + "sep5.", 5, c));
        }
      }
      for (int k = 0; k < N + 2; k++) {
        d.final_w.push_back(ps_.add(p + "final.w" + std::to_string(k), (int64_t)c * c, ParamStore::HE_NORMAL, c));
      }
      d.final_gamma = ps_.add(p + "final.bn.gamma", c, ParamStore::ONES);
      d.final_beta = ps_.add(p + "final.bn.beta", c, ParamStore::ZEROS);
      layers_.push_back(d);
      s0 = s1;
      s1 = {0, c, d.H, d.W};
    }
    fc_w_ = ps_.add("fc.w", (int64_t)classes * c, ParamStore::HE_NORMAL, c);
    C_last_ = c;
    ps_.finalize(seed);
    const char* prof = std::getenv("JNAS_PROFILE");
    tape_.profiling = prof && prof[0] == '1';
  }

  ParamStore& params() { return ps_; }
  Tape& tape() { return tape_; }

  // Forward (and, when train, backward into the zeroed gradient buffer).
  void run(const int32_t* normal, const int32_t* reduce, const float* images, const int32_t* labels, int B,
           bool train, float keep_prob, uint64_t seed, float* loss, int32_t* correct) {
    tape_.reset();
    tape_.recording = train;
    if (train) std::memset(ps_.grads(), 0, sizeof(float) * ps_.size());
    Tape& t = tape_;
    Act* x = t.input({B, in_ch_, H_, W_}, images);
    x = t.conv(x, P(stem_w_), 3 * C0_, 3, 1, 1);
    x = t.batchnorm(x, P(stem_gamma_), P(stem_beta_));
    Act* prev0 = x;
    Act* prev1 = x;
    for (const LayerDef& d : layers_) {
      if (d.reduction) {
        Act* r = t.factorized_reduce(prev1, P(d.red_w1), P(d.red_w2), d.C);
        r = t.batchnorm(r, P(d.red_gamma), P(d.red_beta));
        prev0 = prev1;
        prev1 = r;
      }
      Act* out = cell(d, d.reduction ? reduce : normal, prev0, prev1);
      prev0 = prev1;
      prev1 = out;
    }
    x = t.relu(prev1);
    x = t.global_avgpool(x);
    if (train) x = t.dropout(x, keep_prob, seed);
    x = t.linear(x, P(fc_w_), nullptr, classes_);
    int hits = 0;
    *loss = t.xent(x, labels, &hits);
    *correct = hits;
    if (train) t.backward();
  }

  int64_t arena_bytes() const { return tape_.arena.bytes_reserved(); }
  double flops() const { return tape_.flops; }

 private:
  Param P(int id) const { return ps_.get(id); }

  Calib calib(const std::string& p, Shape in, const LayerDef& d, bool reduce) {
    Calib cb;
    if (reduce) {
      cb.kind = 2;
      cb.w = ps_.add(p + "fr.w1", (int64_t)(d.C / 2) * in.C, ParamStore::HE_NORMAL, in.C);
      cb.w2 = ps_.add(p + "fr.w2", (int64_t)(d.C - d.C / 2) * in.C, ParamStore::HE_NORMAL, in.C);
    } else if (in.C != d.C) {
      cb.kind = 1;
      cb.w = ps_.add(p + "conv.w", (int64_t)d.C * in.C, ParamStore::HE_NORMAL, in.C);
    } else {
      return cb;
    }
    cb.gamma = ps_.add(p + "bn.gamma", d.C, ParamStore::ONES);
    cb.beta = ps_.add(p + "bn.beta", d.C, ParamStore::ZEROS);
    return cb;
  }

  SepStack stack(const std::string& p, int K, int C) {
    SepStack s;
    for (int k = 0; k < 2; k++) {
      std::string q = p + std::to_string(k) + ".";
      s.dw[k] = ps_.add(q + "dw", (int64_t)C * K * K, ParamStore::HE_NORMAL, K * K);
      s.pw[k] = ps_.add(q + "pw", (int64_t)C * C, ParamStore::HE_NORMAL, C);
      s.gamma[k] = ps_.add(q + "bn.gamma", C, ParamStore::ONES);
      s.beta[k] = ps_.add(q + "bn.beta", C, ParamStore::ZEROS);
    }
    return s;
  }

  Act* calibrate(const Calib& cb, Act* x, int C) {
    Tape& t = tape_;
    if (cb.kind == 0) return x;
    if (cb.kind == 2) {
      x = t.factorized_reduce(x, P(cb.w), P(cb.w2), C);
    } else {
      x = t.relu(x);
      x = t.conv(x, P(cb.w), C, 1, 1, 0);
    }
    return t.batchnorm(x, P(cb.gamma), P(cb.beta));
  }

  Act* branch(const LayerDef& d, int node, int input, int op, Act* x) {
    Tape& t = tape_;
    switch (op) {
      case 0:
      case 1: {
        const SepStack& s = op == 0 ? d.sep3[node][input] : d.sep5[node][input];
        int K = op == 0 ? 3 : 5;
        for (int k = 0; k < 2; k++) {
          x = t.relu(x);
          x = t.sepconv(x, P(s.dw[k]), P(s.pw[k]), K, 1, K / 2, 1);
          x = t.batchnorm(x, P(s.gamma[k]), P(s.beta[k]));
        }
        return x;
      }
      case 2:
        return t.avgpool(x, 3, 1, 1);
      case 3:
        return t.maxpool(x, 3, 1, 1);
      default:
        return x;
    }
  }

  Act* cell(const LayerDef& d, const int32_t* arc, Act* in0, Act* in1) {
    Tape& t = tape_;
    std::vector<Act*> states{calibrate(d.cal0, in0, d.C), calibrate(d.cal1, in1, d.C)};
    std::vector<int> used(N_ + 2, 0);
    for (int j = 0; j < N_; j++) {
      const int32_t* g = arc + 4 * j;
      Act* a = branch(d, j, g[0], g[1], states[g[0]]);
      Act* b = branch(d, j, g[2], g[3], states[g[2]]);
      used[g[0]]++;
      used[g[2]]++;
      states.push_back(t.add(a, b));
    }
    std::vector<Act*> parts;
    for (int k = 0; k < N_ + 2; k++) {
      if (used[k]) continue;
      parts.push_back(t.conv(t.relu(states[k]), P(d.final_w[k]), d.C, 1, 1, 0));
    }
    Act* out = parts.size() == 1 ? parts[0] : t.sum(parts);
    return t.batchnorm(out, P(d.final_gamma), P(d.final_beta));
  }

  int in_ch_, H_, W_, classes_, L_, C0_, N_;
  int C_last_ = 0;
  int stem_w_, stem_gamma_, stem_beta_, fc_w_;
  std::vector<LayerDef> layers_;
  ParamStore ps_;
  Tape tape_;
};

int guard(const std::function<void()>& f) {
  try {
    f();
    return JNAS_OK;
  } catch (const std::bad_alloc&) {
    return JNAS_E_ALLOC;
  } catch (...) {
    return JNAS_E_ARG;
  }
}

}  // namespace
}  // namespace jnas

using jnas::Supernet;

extern "C" {

void* jnas_cpu_supernet_create(int in_channels, int H, int W, int num_classes, int num_layers, int channels,
                               int num_nodes, uint64_t seed) {
  try {
    return new Supernet(in_channels, H, W, num_classes, num_layers, channels, num_nodes, seed);
  } catch (...) {
    return nullptr;
  }
}

void jnas_cpu_supernet_destroy(void* net) {
  auto* n = static_cast<Supernet*>(net);
  if (n && n->tape().profiling) std::fprintf(stderr, "jnas supernet profile:\n%s", n->tape().profile_table().c_str());
  delete n;
}

int64_t jnas_cpu_supernet_num_params(void* net) { return static_cast<Supernet*>(net)->params().size(); }

int jnas_cpu_supernet_num_tensors(void* net) { return static_cast<Supernet*>(net)->params().count(); }

int jnas_cpu_supernet_tensor_info(void* net, int index, char* name, int name_len, int64_t* offset, int64_t* size) {
  return static_cast<Supernet*>(net)->params().info(index, name, name_len, offset, size);
}

static float* which_buffer(Supernet* n, int which) {
  switch (which) {
    case 0: return n->params().weights();
    case 1: return n->params().grads();
    case 2: return n->params().momentum();
    default: return nullptr;
  }
}

int jnas_cpu_supernet_get(void* net, int which, float* dst) {
  auto* n = static_cast<Supernet*>(net);
  float* b = which_buffer(n, which);
  if (!b) return JNAS_E_ARG;
  std::memcpy(dst, b, sizeof(float) * n->params().size());
  return JNAS_OK;
}

int jnas_cpu_supernet_set(void* net, int which, const float* src) {
  auto* n = static_cast<Supernet*>(net);
  float* b = which_buffer(n, which);
  if (!b) return JNAS_E_ARG;
  std::memcpy(b, src, sizeof(float) * n->params().size());
  return JNAS_OK;
}

int jnas_cpu_supernet_forward_backward(void* net, const int32_t* normal_arc, const int32_t* reduce_arc,
                                       const float* images, const int32_t* labels, int B, float keep_prob,
                                       uint64_t seed, float* loss, int32_t* correct) {
  auto* n = static_cast<Supernet*>(net);
  return jnas::guard([&] { n->run(normal_arc, reduce_arc, images, labels, B, true, keep_prob, seed, loss, correct); });
}

int jnas_cpu_supernet_train_step(void* net, const int32_t* normal_arc, const int32_t* reduce_arc,
                                 const float* images, const int32_t* labels, int B, float lr, float momentum,
                                 float weight_decay, float grad_clip, float keep_prob, uint64_t seed, float* loss,
                                 int32_t* correct, float* grad_norm) {
  auto* n = static_cast<Supernet*>(net);
  return jnas::guard([&] {
    n->run(normal_arc, reduce_arc, images, labels, B, true, keep_prob, seed, loss, correct);
    n->params().clip_and_sgd(lr, momentum, weight_decay, grad_clip, grad_norm);
  });
}

int jnas_cpu_supernet_evaluate(void* net, const int32_t* normal_arc, const int32_t* reduce_arc, const float* images,
                               const int32_t* labels, int B, float* loss, int32_t* correct) {
  auto* n = static_cast<Supernet*>(net);
  return jnas::guard([&] { n->run(normal_arc, reduce_arc, images, labels, B, false, 1.f, 0, loss, correct); });
}

int64_t jnas_cpu_supernet_arena_bytes(void* net) { return static_cast<Supernet*>(net)->arena_bytes(); }

double jnas_cpu_supernet_last_flops(void* net) { return static_cast<Supernet*>(net)->flops(); }

}  // extern "C"
