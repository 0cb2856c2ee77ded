// final_net.cpp: a found architecture trained from scratch (the "final
// network"), run natively on the tape: one call per minibatch does forward,
// backward and the update; evaluation and prediction use the running batch-norm
// statistics.
//
// Structure (DARTS NetworkCIFAR, Liu et al. 2019, quark0/darts cnn/model.py):
//   stem: conv3x3 (in -> 3C) + BN; s0 = s1 = stem
//   L cells; cells L/3 and 2L/3 are reduction cells (C doubles, H and W halve,
//   rounding up); cell l: s0, s1 = s1, cell(s0, s1)
//   cell(C): preprocess0 = FactorizedReduce+BN (C_pp -> C) if the previous cell
//     reduced, else ReLU-conv1x1-BN; preprocess1 = ReLU-conv1x1-BN (C_p -> C).
//     Node j = op_a(state[in_a]) + op_b(state[in_b]), states 0, 1 the
//     preprocessed inputs and 2+i node i. In a reduction cell an op reading
//     state 0 or 1 has stride 2. Output = channel concat of the genotype's
//     concat states (multiplier = its length); a reduction cell's concat entry
//     that is a cell input (ENAS cells keep unused inputs) is brought down by
//     FactorizedReduce+BN, as ENAS's fixed layer does.
//   head: global average pool, dropout (training), linear with bias.
//   auxiliary head (training only) on s1 after cell 2L/3 (DARTS
//     AuxiliaryHeadCIFAR): ReLU, avgpool k stride 3 (k = min(5, H, W), no
//     padding), conv1x1 -> 128, BN, ReLU, conv covering the whole pooled map
//     (2x2 on CIFAR's 8x8, as DARTS) -> 768, BN, ReLU, linear with bias.
//     loss = xent(logits) + aux_weight * xent(aux_logits).
// Ops (ids of the genotype ints; DARTS operations.py):
//   0 none          zero (strided shape on a stride-2 edge)
//   1 skip_connect  identity; FactorizedReduce+BN on a stride-2 edge
//   2 avg_pool_3x3  3x3 pad 1, count_include_pad=False; nothing after it
//   3 max_pool_3x3  3x3 pad 1
//   4/5/6 sep_conv_KxK (K 3, 5, 7): ReLU, dw KxK stride s, pw, BN, ReLU, dw KxK, pw, BN
//   7/8 dil_conv_KxK (K 3, 5): ReLU, dw KxK dilation 2 stride s, pw, BN
//   9 conv_7x1_1x7  ReLU, conv 1x7, conv 7x1, BN. DARTS strides (1,s) then
//     (s,1); here the 1x7 runs at stride 1 and the 7x1 at stride s in both
//     axes: the same numbers (the 7x1 conv acts per column, so subsampling the
//     columns commutes with it), for extra 1x7 work on a stride-2 edge.
// Drop-path (training, keep < 1) multiplies every op output except a stride-1
//   skip_connect, ENAS's _apply_drop_path: for cell l of L,
//   keep_l = 1 - (l+1)/L * (1 - keep); keep = 1 - min(progress, 1) * (1 - keep_l).
// Batch norm: affine everywhere; training normalizes with the batch statistics
//   and moves the running ones (momentum 0.1), evaluation uses the running ones.
// Genotype ints, per cell: [nodes, (op, input) x 2*nodes, n_concat, concat x n_concat].
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "jnas.h"
#include "tape.h"

namespace jnas {
namespace {

enum OpId { NONE = 0, SKIP, AVG3, MAX3, SEP3, SEP5, SEP7, DIL3, DIL5, CONV71, NUM_OPS };
constexpr float kAuxWeight = 0.4f;

struct CellGeno {
  int nodes = 0;
  std::vector<int> op, in;  // (2*nodes)
  std::vector<int> concat;

  static CellGeno parse(const int32_t* a, int len) {
    CellGeno g;
    if (len < 1) throw std::invalid_argument("empty cell");
    g.nodes = a[0];
    if (g.nodes < 1 || len < 2 + 4 * g.nodes) throw std::invalid_argument("cell too short");
    for (int e = 0; e < 2 * g.nodes; e++) {
      int op = a[1 + 2 * e], in = a[2 + 2 * e];
      if (op < 0 || op >= NUM_OPS || in < 0 || in >= e / 2 + 2) throw std::invalid_argument("bad gene");
      g.op.push_back(op);
      g.in.push_back(in);
    }
    int nc = a[1 + 4 * g.nodes];
    if (nc < 1 || len != 2 + 4 * g.nodes + nc) throw std::invalid_argument("bad concat length");
    for (int k = 0; k < nc; k++) {
      int c = a[2 + 4 * g.nodes + k];
      if (c < 0 || c >= g.nodes + 2) throw std::invalid_argument("bad concat");
      g.concat.push_back(c);
    }
    return g;
  }
};

struct BN {
  int gamma = -1, beta = -1;
  int64_t rs = -1;  // offset of running mean (C) then running var (C) in the stats buffer
};

// The parameters of one op on one edge (or of a preprocessing step).
struct Edge {
  int op = NONE, stride = 1;
  std::vector<int> w;   // param ids, in the order the op uses them
  std::vector<BN> bn;
};

struct CellDef {
  bool reduction = false, reduction_prev = false;
  int C = 0, H = 0, W = 0;  // output channels per node and output size
  Edge pre0, pre1;          // op SKIP with stride 2 = FR+BN; op -1 = ReLU-conv1x1-BN
  std::vector<Edge> edges;  // (2*nodes)
  std::vector<Edge> concat_cal;  // per concat entry; op NONE = as is, SKIP = FR+BN
  const CellGeno* g = nullptr;
};

uint64_t mix(uint64_t a, uint64_t b) {
  uint64_t z = a * 0x9E3779B97F4A7C15ull + b + 0x632BE59BD9B4E019ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

class FinalNet {
 public:
  FinalNet(const CellGeno& normal, const CellGeno& reduce, int C, int L, int classes, int in_ch, int H, int W,
           bool aux, uint64_t seed)
      : normal_(normal), reduce_(reduce), in_ch_(in_ch), H_(H), W_(W), classes_(classes), L_(L), C0_(C), aux_(aux) {
    int C3 = 3 * C;
    stem_w_ = ps_.add("stem.w", (int64_t)C3 * in_ch * 9, ParamStore::HE_NORMAL, in_ch * 9);
    stem_bn_ = bn("stem.bn", C3);
    int Cpp = C3, Cp = C3, Cc = C;
    int h = H, w = W;
    bool red_prev = false;
    aux_layer_ = 2 * L / 3;
    for (int l = 0; l < L; l++) {
      CellDef d;
      std::string p = "cell" + std::to_string(l) + ".";
      d.reduction = (l == L / 3 || l == 2 * L / 3);
      if (d.reduction) Cc *= 2;
      d.reduction_prev = red_prev;
      d.g = d.reduction ? &reduce_ : &normal_;
      d.C = Cc;
      d.pre0 = red_prev ? fr(p + "pre0.", Cpp, Cc) : rcb(p + "pre0.", Cpp, Cc);
      d.pre1 = rcb(p + "pre1.", Cp, Cc);
      for (int e = 0; e < 2 * d.g->nodes; e++) {
        int stride = d.reduction && d.g->in[e] < 2 ? 2 : 1;
        d.edges.push_back(edge(p + "edge" + std::to_string(e) + ".", d.g->op[e], Cc, stride));
      }
      for (size_t k = 0; k < d.g->concat.size(); k++) {
        if (d.reduction && d.g->concat[k] < 2) {
          d.concat_cal.push_back(fr(p + "concat" + std::to_string(k) + ".", Cc, Cc));
        } else {
          d.concat_cal.push_back(Edge{});
        }
      }
      if (d.reduction) {
        h = (h + 1) / 2;
        w = (w + 1) / 2;
      }
      d.H = h;
      d.W = w;
      cells_.push_back(d);
      red_prev = d.reduction;
      Cpp = Cp;
      Cp = (int)d.g->concat.size() * Cc;
      if (l == aux_layer_) {
        aux_C_ = Cp;
        aux_H_ = h;
        aux_W_ = w;
      }
    }
    C_last_ = Cp;
    fc_w_ = ps_.add("classifier.w", (int64_t)classes * Cp, ParamStore::HE_NORMAL, Cp);
    fc_b_ = ps_.add("classifier.b", classes, ParamStore::ZEROS);
    if (aux_) {
      if (L < 1) throw std::invalid_argument("aux head needs a layer");
      aux_pool_ = std::min(5, std::min(aux_H_, aux_W_));
      aux_PH_ = (aux_H_ - aux_pool_) / 3 + 1;
      aux_PW_ = (aux_W_ - aux_pool_) / 3 + 1;
      aux_w1_ = ps_.add("aux.conv1.w", (int64_t)128 * aux_C_, ParamStore::HE_NORMAL, aux_C_);
      aux_bn1_ = bn("aux.bn1", 128);
      aux_w2_ = ps_.add("aux.conv2.w", (int64_t)768 * 128 * aux_PH_ * aux_PW_, ParamStore::HE_NORMAL, 128 * aux_PH_ * aux_PW_);
      aux_bn2_ = bn("aux.bn2", 768);
      aux_fc_w_ = ps_.add("aux.classifier.w", (int64_t)classes * 768, ParamStore::HE_NORMAL, 768);
      aux_fc_b_ = ps_.add("aux.classifier.b", classes, ParamStore::ZEROS);
    }
    ps_.finalize(seed);
    rs_.assign(rs_size_, 0.f);
    for (size_t i = 0; i < var_offsets_.size(); i++)
      for (int64_t k = 0; k < var_len_[i]; k++) rs_[var_offsets_[i] + k] = 1.f;
    const char* prof = std::getenv("JNAS_PROFILE");
    tape_.profiling = prof && prof[0] == '1';
  }

  ParamStore& params() { return ps_; }
  std::vector<float>& running() { return rs_; }
  Tape& tape() { return tape_; }
  int classes() const { return classes_; }

  struct Step {
    bool train = false, update_stats = false;
    float drop_path_keep = 1.f, dropout_keep = 1.f, progress = 0.f;
    uint64_t seed = 0;
  };

  // Forward; in training also the backward into the zeroed gradient buffer.
  // logits_out (B, classes) may be NULL; labels may be NULL when !train.
  void run(const Step& st, const float* images, const int32_t* labels, int B, float* loss, float* aux_loss,
           int32_t* correct, float* logits_out) {
    tape_.reset();
    tape_.recording = st.train;
    st_ = st;
    dp_counter_ = 0;
    if (st.train) std::memset(ps_.grads(), 0, sizeof(float) * ps_.size());
    Tape& t = tape_;
    Act* x = t.input({B, in_ch_, H_, W_}, images);
    x = t.conv(x, P(stem_w_), 3 * C0_, 3, 1, 1);
    x = norm(x, stem_bn_);
    Act* s0 = x;
    Act* s1 = x;
    Act* aux_in = nullptr;
    for (int l = 0; l < L_; l++) {
      Act* out = cell(cells_[l], l, s0, s1);
      s0 = s1;
      s1 = out;
      if (l == aux_layer_) aux_in = s1;
    }
    x = t.global_avgpool(s1);
    if (st.train) x = t.dropout(x, st.dropout_keep, mix(st.seed, 0xD5));
    Param fb = P(fc_b_);
    Act* logits = t.linear(x, P(fc_w_), &fb, classes_);
    if (logits_out) std::memcpy(logits_out, logits->data, sizeof(float) * B * classes_);
    if (aux_loss) *aux_loss = 0.f;
    if (labels) {
      int hits = 0;
      *loss = t.xent(logits, labels, &hits);
      if (correct) *correct = hits;
      if (st.train && aux_ && aux_in) {
        Act* a = aux_head(aux_in);
        int aux_hits = 0;
        float al = t.xent_weighted(a, labels, kAuxWeight, &aux_hits);
        if (aux_loss) *aux_loss = al;
      }
    }
    if (st.train) t.backward();
  }

  double flops_per_image() {
    std::vector<float> img((size_t)in_ch_ * H_ * W_, 0.f);
    Step st;
    float loss;
    run(st, img.data(), nullptr, 1, &loss, nullptr, nullptr, nullptr);
    return tape_.flops;
  }

  int64_t num_weights(bool include_aux) const {
    int64_t n = 0;
    for (int i = 0; i < ps_.count(); i++)
      if (include_aux || ps_.name(i).rfind("aux.", 0) != 0) n += ps_.numel(i);
    return n;
  }

 private:
  Param P(int id) const { return ps_.get(id); }

  BN bn(const std::string& p, int C) {
    BN b;
    b.gamma = ps_.add(p + ".gamma", C, ParamStore::ONES);
    b.beta = ps_.add(p + ".beta", C, ParamStore::ZEROS);
    b.rs = rs_size_;
    var_offsets_.push_back(rs_size_ + C);
    var_len_.push_back(C);
    rs_size_ += 2 * (int64_t)C;
    return b;
  }

  // FactorizedReduce + BN, C_in -> C_out, stride 2 (op SKIP, stride 2)
  Edge fr(const std::string& p, int C_in, int C_out) {
    Edge e;
    e.op = SKIP;
    e.stride = 2;
    e.w = {ps_.add(p + "fr.w1", (int64_t)(C_out / 2) * C_in, ParamStore::HE_NORMAL, C_in),
           ps_.add(p + "fr.w2", (int64_t)(C_out - C_out / 2) * C_in, ParamStore::HE_NORMAL, C_in)};
    e.bn = {bn(p + "fr.bn", C_out)};
    return e;
  }

  // ReLU-conv1x1-BN (op -1)
  Edge rcb(const std::string& p, int C_in, int C_out) {
    Edge e;
    e.op = -1;
    e.w = {ps_.add(p + "conv.w", (int64_t)C_out * C_in, ParamStore::HE_NORMAL, C_in)};
    e.bn = {bn(p + "bn", C_out)};
    return e;
  }

  Edge edge(const std::string& p, int op, int C, int stride) {
    Edge e;
    e.op = op;
    e.stride = stride;
    switch (op) {
      case SEP3:
      case SEP5:
      case SEP7: {
        int K = op == SEP3 ? 3 : op == SEP5 ? 5 : 7;
        std::string n = p + "sep" + std::to_string(K) + ".";
        for (int k = 0; k < 2; k++) {
          std::string q = n + std::to_string(k) + ".";
          e.w.push_back(ps_.add(q + "dw", (int64_t)C * K * K, ParamStore::HE_NORMAL, K * K));
          e.w.push_back(ps_.add(q + "pw", (int64_t)C * C, ParamStore::HE_NORMAL, C));
          e.bn.push_back(bn(q + "bn", C));
        }
        break;
      }
      case DIL3:
      case DIL5: {
        int K = op == DIL3 ? 3 : 5;
        std::string n = p + "dil" + std::to_string(K) + ".";
        e.w.push_back(ps_.add(n + "dw", (int64_t)C * K * K, ParamStore::HE_NORMAL, K * K));
        e.w.push_back(ps_.add(n + "pw", (int64_t)C * C, ParamStore::HE_NORMAL, C));
        e.bn.push_back(bn(n + "bn", C));
        break;
      }
      case CONV71:
        e.w.push_back(ps_.add(p + "conv1x7.w", (int64_t)C * C * 7, ParamStore::HE_NORMAL, C * 7));
        e.w.push_back(ps_.add(p + "conv7x1.w", (int64_t)C * C * 7, ParamStore::HE_NORMAL, C * 7));
        e.bn.push_back(bn(p + "conv7.bn", C));
        break;
      case SKIP:
        if (stride == 2) return fr(p, C, C);
        break;
      default:
        break;
    }
    return e;
  }

  Act* norm(Act* x, const BN& b) {
    bool train = st_.train;
    float* rm = (!train || st_.update_stats) ? rs_.data() + b.rs : nullptr;
    float* rv = rm ? rm + x->s.C : nullptr;
    return tape_.batchnorm_rs(x, P(b.gamma), P(b.beta), rm, rv, train);
  }

  // Applies an edge's op; *identity is set when the op is a stride-1 skip.
  Act* apply(const Edge& e, Act* x, bool* identity) {
    Tape& t = tape_;
    *identity = false;
    int s = e.stride;
    switch (e.op) {
      case -1:
        return norm(t.conv(t.relu(x), P(e.w[0]), (int)(P(e.w[0]).n / x->s.C), 1, 1, 0), e.bn[0]);
      case NONE:
        return t.zeros({x->s.B, x->s.C, s == 1 ? x->s.H : (x->s.H + 1) / 2, s == 1 ? x->s.W : (x->s.W + 1) / 2});
      case SKIP:
        if (s == 1) {
          *identity = true;
          return x;
        }
        return norm(t.factorized_reduce(x, P(e.w[0]), P(e.w[1]), (int)((P(e.w[0]).n + P(e.w[1]).n) / x->s.C)), e.bn[0]);
      case AVG3:
        return t.avgpool(x, 3, s, 1);
      case MAX3:
        return t.maxpool(x, 3, s, 1);
      case SEP3:
      case SEP5:
      case SEP7: {
        int K = e.op == SEP3 ? 3 : e.op == SEP5 ? 5 : 7;
        for (int k = 0; k < 2; k++) {
          x = t.relu(x);
          x = t.sepconv(x, P(e.w[2 * k]), P(e.w[2 * k + 1]), K, k == 0 ? s : 1, K / 2, 1);
          x = norm(x, e.bn[k]);
        }
        return x;
      }
      case DIL3:
      case DIL5: {
        int K = e.op == DIL3 ? 3 : 5;
        x = t.relu(x);
        x = t.sepconv(x, P(e.w[0]), P(e.w[1]), K, s, K - 1, 2);
        return norm(x, e.bn[0]);
      }
      case CONV71: {
        int C = x->s.C;
        x = t.relu(x);
        x = t.conv_general(x, P(e.w[0]), C, 1, 7, 1, 0, 3, 1, 1);
        x = t.conv_general(x, P(e.w[1]), C, 7, 1, s, 3, 0, 1, 1);
        return norm(x, e.bn[0]);
      }
      default:
        throw std::invalid_argument("op");
    }
  }

  Act* cell(const CellDef& d, int layer, Act* s0, Act* s1) {
    Tape& t = tape_;
    bool id;
    std::vector<Act*> states{apply(d.pre0, s0, &id), apply(d.pre1, s1, &id)};
    float keep = 1.f;
    if (st_.train && st_.drop_path_keep < 1.f) {
      float keep_l = 1.f - (float)(layer + 1) / (float)L_ * (1.f - st_.drop_path_keep);
      keep = 1.f - std::min(st_.progress, 1.f) * (1.f - keep_l);
    }
    const CellGeno& g = *d.g;
    for (int j = 0; j < g.nodes; j++) {
      Act* h[2];
      for (int k = 0; k < 2; k++) {
        int e = 2 * j + k;
        h[k] = apply(d.edges[e], states[g.in[e]], &id);
        if (!id && keep < 1.f && g.op[e] != NONE) h[k] = t.drop_path(h[k], keep, mix(st_.seed, 0x100 + dp_counter_++));
      }
      states.push_back(t.add(h[0], h[1]));
    }
    std::vector<Act*> parts;
    for (size_t k = 0; k < g.concat.size(); k++) {
      Act* sk = states[g.concat[k]];
      parts.push_back(d.concat_cal[k].op == SKIP ? apply(d.concat_cal[k], sk, &id) : sk);
    }
    return t.concat(parts);
  }

  Act* aux_head(Act* x) {
    Tape& t = tape_;
    x = t.relu(x);
    x = t.avgpool(x, aux_pool_, 3, 0);
    x = t.relu(norm(t.conv(x, P(aux_w1_), 128, 1, 1, 0), aux_bn1_));
    x = t.conv_general(x, P(aux_w2_), 768, aux_PH_, aux_PW_, 1, 0, 0, 1, 1);
    x = t.relu(norm(x, aux_bn2_));
    Param b = P(aux_fc_b_);
    return t.linear(x, P(aux_fc_w_), &b, classes_);
  }

  CellGeno normal_, reduce_;
  int in_ch_, H_, W_, classes_, L_, C0_;
  bool aux_;
  int stem_w_ = -1, fc_w_ = -1, fc_b_ = -1;
  BN stem_bn_;
  std::vector<CellDef> cells_;
  int C_last_ = 0;
  int aux_layer_ = -1, aux_C_ = 0, aux_H_ = 0, aux_W_ = 0, aux_pool_ = 0, aux_PH_ = 0, aux_PW_ = 0;
  int aux_w1_ = -1, aux_w2_ = -1, aux_fc_w_ = -1, aux_fc_b_ = -1;
  BN aux_bn1_, aux_bn2_;
  ParamStore ps_;
  std::vector<float> rs_;  // running statistics: per BN, mean (C) then var (C)
  int64_t rs_size_ = 0;
  std::vector<int64_t> var_offsets_, var_len_;
  Tape tape_;
  Step st_;
  uint64_t dp_counter_ = 0;
};

int guard(const std::function<void()>& f) {
  try {
    f();
    return JNAS_OK;
  } catch (const std::bad_alloc&) {
    return JNAS_E_ALLOC;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "jnas final net: %s\n", e.what());
    return JNAS_E_ARG;
  } catch (...) {
    return JNAS_E_ARG;
  }
}

}  // namespace
}  // namespace jnas

using jnas::FinalNet;

extern "C" {

void* jnas_cpu_final_create(const int32_t* normal, int normal_len, const int32_t* reduce, int reduce_len,
                            int channels, int layers, int num_classes, int in_channels, int H, int W, int auxiliary,
                            uint64_t seed) {
  try {
    return new FinalNet(jnas::CellGeno::parse(normal, normal_len), jnas::CellGeno::parse(reduce, reduce_len), channels,
                        layers, num_classes, in_channels, H, W, auxiliary != 0, seed);
  } catch (...) {
    return nullptr;
  }
}

void jnas_cpu_final_destroy(void* net) {
  auto* n = static_cast<FinalNet*>(net);
  if (n && n->tape().profiling) std::fprintf(stderr, "jnas final net profile:\n%s", n->tape().profile_table().c_str());
  delete n;
}

int64_t jnas_cpu_final_buffer_size(void* net, int which) {
  auto* n = static_cast<FinalNet*>(net);
  if (which >= 0 && which <= 2) return n->params().size();
  if (which == 3) return (int64_t)n->running().size();
  return -1;
}

int64_t jnas_cpu_final_num_weights(void* net, int include_aux) {
  return static_cast<FinalNet*>(net)->num_weights(include_aux != 0);
}

int jnas_cpu_final_num_tensors(void* net) { return static_cast<FinalNet*>(net)->params().count(); }

int jnas_cpu_final_tensor_info(void* net, int index, char* name, int name_len, int64_t* offset, int64_t* size) {
  return static_cast<FinalNet*>(net)->params().info(index, name, name_len, offset, size);
}

static float* final_buffer(FinalNet* n, int which) {
  switch (which) {
    case 0: return n->params().weights();
    case 1: return n->params().grads();
    case 2: return n->params().momentum();
    case 3: return n->running().data();
    default: return nullptr;
  }
}

int jnas_cpu_final_get(void* net, int which, float* dst) {
  auto* n = static_cast<FinalNet*>(net);
  float* b = final_buffer(n, which);
  if (!b) return JNAS_E_ARG;
  std::memcpy(dst, b, sizeof(float) * jnas_cpu_final_buffer_size(net, which));
  return JNAS_OK;
}

int jnas_cpu_final_set(void* net, int which, const float* src) {
  auto* n = static_cast<FinalNet*>(net);
  float* b = final_buffer(n, which);
  if (!b) return JNAS_E_ARG;
  std::memcpy(b, src, sizeof(float) * jnas_cpu_final_buffer_size(net, which));
  return JNAS_OK;
}

int jnas_cpu_final_forward_backward(void* net, const float* images, const int32_t* labels, int B,
                                    float drop_path_keep, float dropout_keep, float progress, uint64_t seed,
                                    int update_stats, float* loss, float* aux_loss, int32_t* correct) {
  auto* n = static_cast<FinalNet*>(net);
  FinalNet::Step st{true, update_stats != 0, drop_path_keep, dropout_keep, progress, seed};
  return jnas::guard([&] { n->run(st, images, labels, B, loss, aux_loss, correct, nullptr); });
}

int jnas_cpu_final_train_step(void* net, const float* images, const int32_t* labels, int B, float lr,
                              float momentum, float weight_decay, float grad_clip, float drop_path_keep,
                              float dropout_keep, float progress, uint64_t seed, float* loss, float* aux_loss,
                              int32_t* correct, float* grad_norm) {
  auto* n = static_cast<FinalNet*>(net);
  FinalNet::Step st{true, true, drop_path_keep, dropout_keep, progress, seed};
  return jnas::guard([&] {
    n->run(st, images, labels, B, loss, aux_loss, correct, nullptr);
    n->params().clip_and_sgd(lr, momentum, weight_decay, grad_clip, grad_norm);
  });
}

int jnas_cpu_final_predict(void* net, const float* images, int B, float* logits) {
  auto* n = static_cast<FinalNet*>(net);
  FinalNet::Step st;
  float loss = 0.f;
  return jnas::guard([&] { n->run(st, images, nullptr, B, &loss, nullptr, nullptr, logits); });
}

double jnas_cpu_final_flops(void* net) {
  auto* n = static_cast<FinalNet*>(net);
  double f = -1;
  jnas::guard([&] { f = n->flops_per_image(); });
  return f;
}

}  // extern "C"
