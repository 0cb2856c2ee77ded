// macro_net.cpp: ENAS's macro search space as one network, in two forms: the weight-shared
// search network (every candidate op of every layer exists once; a step runs the sampled
// architecture only) and the fixed network of one architecture, trained from scratch.
//
// Structure (Pham et al. 2018, the official general_child.py, whole_channels):
//   stem: conv3x3 (in -> C) + BN; states = [stem]
//   layer l = 0 .. L-1, on x = states.back():
//     out = op_l(x): one of the candidate ops (registry entries, ops.h; ENAS's six branches
//       are macro_conv_3x3, macro_sep_conv_3x3, macro_conv_5x5, macro_sep_conv_5x5,
//       macro_avg_pool_3x3, macro_max_pool_3x3) at stride 1
//     l > 0, skip connections: bit j (j < l) adds states[j]: the stem and layers 0 .. l-2 (the
//       layer before is the op's input already), as ENAS's prev_layers[j]:
//       search network: out = BN(sum of the chosen states + out)
//       fixed network:  out = BN(conv1x1(ReLU(concat(chosen states..., out))))  ((1 + k)C -> C)
//     states.push_back(out)
//     after layers L/3 - 1 and 2L/3 - 1 (ENAS's pool_layers, pool_distance = L/3): every state
//       is brought down by its own FactorizedReduce + BN; the fixed network doubles C there,
//       the search network keeps it (as ENAS's search child does)
//   head: global average pool, dropout (training), linear without bias.
// An architecture is ENAS's macro string: for layer l, its op (an index into the candidate
// list) then its l skip bits: L + L(L-1)/2 ints. The search network takes it with every step
// (jnas_net_run's `normal`); the fixed network at creation (and builds only the chosen ops,
// and the reductions of the states some later layer reads).
// Batch norm: the search network always normalizes with batch statistics (a shared weight's
// statistics depend on the sampled path, as in the supernet); the fixed one keeps running
// statistics for evaluation.
// Differences from the official code, on purpose: the fixed network uses the same ops as the
// search network (ENAS's _fixed_layer makes every conv branch a plain ReLU-conv1x1-BN-ReLU-
// convKxK-BN and has no pool branches); the factorized reduce includes a leading ReLU (as in
// DARTS); no auxiliary head.
//
// The plan describes the whole network as one "cell": state 0 the stem, state l+1 layer l;
// layer l's op edge from state l, its skips as edges named "skip".
#include <stdexcept>
#include <string>
#include <vector>

#include "net.h"
#include "ops.h"

namespace jnas {
namespace {

// Offset of layer l's op in the macro string (its skip bits follow).
inline int macro_offset(int l) { return l + l * (l - 1) / 2; }

class MacroNet : public Net {
 public:
  MacroNet(Backend* be, int in_ch, int H, int W, int classes, int L, int C, const int32_t* ops, int n_ops,
           const int32_t* arc, int arc_len, uint64_t seed)
      : Net(be, arc ? "macro" : "macro_supernet", arc != nullptr, in_ch, H, W, classes), L_(L), C0_(C),
        fixed_(arc != nullptr) {
    if (in_ch < 1 || H < 2 || W < 2 || classes < 2 || L < 1 || C < 2 || C % 2)
      throw std::invalid_argument("bad macro network shape");
    if (!ops || n_ops < 1) throw std::invalid_argument("no candidate ops");
    for (int k = 0; k < n_ops; k++) {
      op_def(ops[k]);  // throws for an unknown id
      ops_.push_back(ops[k]);
    }
    int pd = L / 3;  // ENAS's pool_distance; none below 3 layers
    pools_ = {pd - 1, 2 * pd - 1};
    if (fixed_) {
      if (arc_len != arc_length()) {
        throw std::invalid_argument("the architecture has " + std::to_string(arc_len) + " ints, " + std::to_string(L) +
                                    " layers need " + std::to_string(arc_length()));
      }
      arc_.assign(arc, arc + arc_len);
      validate(arc_.data());
    }
    stem_w_ = add("stem.w", (int64_t)C * in_ch * 9, ParamStore::HE_NORMAL, in_ch * 9);
    stem_bn_ = bn("stem.bn", C);
    int c = C, h = H, w = W;
    for (int l = 0; l < L; l++) {
      Layer d;
      std::string p = "layer" + std::to_string(l) + ".";
      d.C = c;
      d.H = h;
      d.W = w;
      d.ops.resize(ops_.size());
      for (size_t k = 0; k < ops_.size(); k++) {
        if (fixed_ && (int)k != arc_[macro_offset(l)]) continue;
        op_def(ops_[k]).make(*this, p, c, 1, d.ops[k]);
      }
      if (l > 0) {
        if (fixed_) {
          int k = 1;
          for (int j = 0; j < l; j++) k += arc_[macro_offset(l) + 1 + j];
          d.skip_w = add(p + "skip.w", (int64_t)c * k * c, ParamStore::HE_NORMAL, k * c);  // (C, kC, 1, 1)
        }
        d.skip_bn = bn(p + "skip.bn", c);
      }
      if (l == pools_[0] || l == pools_[1]) {
        int c2 = fixed_ ? 2 * c : c;
        for (int i = 0; i <= l + 1; i++) {
          d.pool.emplace_back();
          if (fixed_ && !read_after(i, l)) continue;
          std::string q = "pool" + std::to_string(l) + ".from" + std::to_string(i) + ".";
          d.pool.back() = fr_bn_make(*this, q + "fr.", q + "fr.bn", c, c2);
        }
        c = c2;
        h = (h + 1) / 2;
        w = (w + 1) / 2;
      }
      layers_.push_back(std::move(d));
    }
    fc_w_ = add("fc.w", (int64_t)classes * c, ParamStore::HE_NORMAL, c);
    finalize(seed);
  }

 protected:
  void check_arch(const int32_t* normal, const int32_t*) const override {
    if (fixed_) return;  // its architecture came at creation
    if (!normal) throw std::invalid_argument("the macro search network needs an architecture (normal)");
    validate(normal);
  }

  void validate(const int32_t* normal) const {
    for (int l = 0; l < L_; l++) {
      int o = macro_offset(l);
      if (normal[o] < 0 || normal[o] >= (int)ops_.size())
        throw std::invalid_argument("bad op " + std::to_string(normal[o]) + " of layer " + std::to_string(l));
      for (int j = 0; j < l; j++) {
        if (normal[o + 1 + j] != 0 && normal[o + 1 + j] != 1)
          throw std::invalid_argument("skip bit " + std::to_string(j) + " of layer " + std::to_string(l) + " is " +
                                      std::to_string(normal[o + 1 + j]) + ", not 0 or 1");
      }
    }
  }

  Act* forward(Act* x, Act**) override {
    Tape& t = this->t();
    const int32_t* arc = fixed_ ? arc_.data() : step().normal;
    t.scope = "stem";
    x = norm(t.conv(x, P(stem_w_), C0_, 3, 3, 1, 1, 1), stem_bn_);
    std::vector<Act*> states{x};
    PlanCell pc{"macro", false, C0_, H_, W_, L_, {}, {}, fixed_ ? "concat_relu_conv1x1_bn" : "sum_bn", {}};
    for (int l = 0; l < L_; l++) {
      const Layer& d = layers_[l];
      const int32_t* a = arc + macro_offset(l);
      std::string name = "layer" + std::to_string(l);
      const OpDef& op = op_def(ops_[a[0]]);
      t.scope = name + "." + op.name;
      Act* out = op.apply(*this, d.ops[a[0]], states.back(), 1);
      pc.edges.push_back({l, l + 1, op.name, 1});
      if (l > 0) {
        t.scope = name + ".skip";
        std::vector<Act*> parts;
        for (int j = 0; j < l; j++) {
          if (!a[1 + j]) continue;
          parts.push_back(states[j]);
          pc.edges.push_back({j, l + 1, "skip", 1});
        }
        parts.push_back(out);
        if (fixed_) {
          Act* cat = t.concat(parts);
          out = norm(t.conv(cat, P(d.skip_w), d.C, 1, 1, 1, 0, 0, 1, 1, true), d.skip_bn);  // ReLU fused
        } else {
          out = norm(parts.size() == 1 ? out : t.sum(parts), d.skip_bn);
        }
      }
      states.push_back(out);
      if (!d.pool.empty()) {
        t.scope = "pool" + std::to_string(l);
        for (size_t i = 0; i < states.size(); i++)
          states[i] = d.pool[i].w.empty() ? nullptr : fr_bn(*this, d.pool[i], states[i]);
      }
    }
    pc.outputs.push_back(L_);
    describe(std::move(pc));
    t.scope = "head";
    x = t.global_avgpool(states.back());
    if (step().train) x = t.dropout(x, step().hyper[JNAS_HYPER_DROPOUT_KEEP], mix(step().seed, 0xD5));
    return t.linear(x, P(fc_w_), nullptr, classes_);
  }

 private:
  struct Layer {
    int C = 0, H = 0, W = 0;          // the layer's input and output shape
    std::vector<OpParams> ops;        // [candidate]; the fixed network fills its chosen op only
    int skip_w = -1;                  // fixed network: (C, (1 + skips) C) 1x1 conv
    BN skip_bn;
    std::vector<OpParams> pool;       // after a pool layer: FR + BN of each state (empty: not read)
  };

  int arc_length() const { return L_ + L_ * (L_ - 1) / 2; }

  // Whether state i (0 the stem, l+1 layer l) is read after layer l's pool: as the input of
  // layer l+1 (the last state) or by a skip of a later layer.
  bool read_after(int i, int l) const {
    if (i == l + 1) return true;
    for (int m = l + 1; m < L_; m++)
      if (i < m && arc_[macro_offset(m) + 1 + i]) return true;
    return false;
  }

  int L_, C0_;
  bool fixed_;
  std::vector<int> ops_;   // candidate registry ids
  std::vector<int32_t> arc_;  // the fixed network's architecture
  std::vector<int> pools_;  // the layers after which every state is reduced
  int stem_w_ = -1, fc_w_ = -1;
  BN stem_bn_;
  std::vector<Layer> layers_;
};

}  // namespace
}  // namespace jnas

extern "C" void* jnas_macro_create(jnas_backend* be, int in_channels, int H, int W, int num_classes, int num_layers,
                                   int channels, const int32_t* ops, int num_ops, const int32_t* arc, int arc_len,
                                   uint64_t seed) {
  jnas::Net* net = nullptr;
  int rc = jnas::guard("macro network", [&] {
    net = new jnas::MacroNet(jnas::from_handle(be), in_channels, H, W, num_classes, num_layers, channels, ops, num_ops,
                             arc, arc_len, seed);
  });
  return rc == JNAS_OK ? net : nullptr;
}
