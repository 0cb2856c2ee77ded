// darts_net.cpp: the DARTS search network (Liu et al. 2019, "DARTS: Differentiable
// Architecture Search"; their code: quark0/darts cnn/model_search.py): every edge of every cell
// is the weighted sum of all candidate ops (DARTS's MixedOp), with the architecture weights set
// from outside (softmax(alpha) for DARTS; GDAS's one-hot draws), one set for the normal cells
// and one for the reduction cells.
//
// Structure:
//   stem: conv 3x3 (in -> 3C), BN
//   L cells; cells L/3 and 2L/3 are reduction cells (channels double, stride 2 on the edges
//     from the two cell inputs)
//   cell (C channels per node, `steps` nodes):
//     s0 = FactorizedReduce+BN(input 0) after a reduction cell, else ReLU-conv1x1-BN(input 0)
//     s1 = ReLU-conv1x1-BN(input 1)
//     node i = sum over the states j < i + 2 (s0, s1, nodes 0 .. i-1) of MixedOp_(i, j)(state j)
//     output = concat of the nodes (steps * C channels)
//   MixedOp(x) = sum_k w[edge, k] op_k(x); a pooling op is followed by a BN (as DARTS's);
//     an op of weight 0 is not computed (GDAS computes one op per edge this way)
//   head: global average pool, linear with bias
// Edges in DARTS's order: node 0's two, node 1's three, ...: steps*(steps+3)/2 per cell (14 for
// 4 nodes). Architecture weights: [normal: edges x ops][reduce: edges x ops]; their gradient
// sums over the cells of each kind.
// Differences from the reference: batch-norm layers are affine (DARTS's search network has
// affine=False); batch statistics always (as DARTS's search, which never evaluates in eval
// mode; this network keeps no running statistics).
#include <stdexcept>
#include <string>
#include <vector>

#include "net.h"
#include "ops.h"

namespace jnas {
namespace {

class DartsNet : public Net {
 public:
  DartsNet(Backend* be, int in_ch, int H, int W, int classes, int C, int L, int steps, const int32_t* ops, int n_ops,
           uint64_t seed)
      : Net(be, "darts_search", false, in_ch, H, W, classes), C_(C), L_(L), steps_(steps) {
    if (in_ch < 1 || H < 4 || W < 4 || classes < 2 || C < 2 || C % 2 || L < 1 || steps < 1 || steps > 8)
      throw std::invalid_argument("bad DARTS search network shape");
    if (!ops || n_ops < 1 || n_ops > JNAS_MIX_MAX_INPUTS) throw std::invalid_argument("expected 1 to " + std::to_string(JNAS_MIX_MAX_INPUTS) + " candidate ops");
    for (int k = 0; k < n_ops; k++) {
      op_def(ops[k]);
      for (int j = 0; j < k; j++)
        if (ops[j] == ops[k]) throw std::invalid_argument("candidate op " + std::to_string(ops[k]) + " given twice");
      ops_.push_back(ops[k]);
    }
    edges_ = steps * (steps + 3) / 2;
    int C3 = 3 * C;
    stem_w_ = add("stem.w", (int64_t)C3 * in_ch * 9, ParamStore::HE_NORMAL, in_ch * 9);
    stem_bn_ = bn("stem.bn", C3);
    int c_pp = C3, c_p = C3, c = C;
    bool reduction_prev = false;
    for (int l = 0; l < L; l++) {
      CellDef d;
      d.reduction = reduces(l);
      if (d.reduction) c *= 2;
      d.C = c;
      std::string p = "cell" + std::to_string(l) + ".";
      d.pre0_fr = reduction_prev;
      d.pre0 = reduction_prev ? fr_bn_make(*this, p + "pre0.", p + "pre0.bn", c_pp, c) : relu_conv_bn_make(*this, p + "pre0.", c_pp, c);
      d.pre1 = relu_conv_bn_make(*this, p + "pre1.", c_p, c);
      int e = 0;
      for (int i = 0; i < steps; i++) {
        for (int j = 0; j < i + 2; j++, e++) {
          int stride = d.reduction && j < 2 ? 2 : 1;
          Edge ed;
          ed.stride = stride;
          std::string q = p + "edge" + std::to_string(e) + ".";
          for (size_t k = 0; k < ops_.size(); k++) {
            OpParams op;
            std::string qk = q + op_def(ops_[k]).name + ".";
            op_def(ops_[k]).make(*this, qk, c, stride, op);
            if (is_pool(ops_[k])) op.bn.push_back(bn(qk + "bn", c));  // DARTS: pool, then BN
            ed.ops.push_back(std::move(op));
          }
          d.edges.push_back(std::move(ed));
        }
      }
      cells_.push_back(std::move(d));
      reduction_prev = cells_.back().reduction;
      c_pp = c_p;
      c_p = steps * c;
    }
    fc_w_ = add("fc.w", (int64_t)classes * c_p, ParamStore::HE_NORMAL, c_p);
    fc_b_ = add("fc.b", classes, ParamStore::ZEROS);
    finalize(seed);
    dw_ = static_cast<float*>(be_->alloc(sizeof(float) * arch_size()));
    be_->zero(dw_, sizeof(float) * arch_size());
  }

  ~DartsNet() override {
    if (dw_) be_->free(dw_, sizeof(float) * arch_size());
  }

  int arch_size() const override { return 2 * edges_ * (int)ops_.size(); }

  void set_arch_weights(const float* w, int n) override {
    if (n == 0) {
      mix_.clear();
      return;
    }
    if (n != arch_size()) throw std::invalid_argument("got " + std::to_string(n) + " weights, expected " + std::to_string(arch_size()));
    for (int i = 0; i < n; i++)
      if (!(w[i] == w[i]) || w[i] > 1e30f || w[i] < -1e30f) throw std::invalid_argument("weight " + std::to_string(i) + " is not finite");
    mix_.assign(w, w + n);
  }

  void arch_grad(float* out, int n) override {
    if (n != arch_size()) throw std::invalid_argument("room for " + std::to_string(n) + " floats, expected " + std::to_string(arch_size()));
    be_->copy_to_host(out, dw_, sizeof(float) * n);
  }

 protected:
  void check_arch(const int32_t* normal, const int32_t*) const override {
    if (normal) throw std::invalid_argument("the DARTS search network runs its relaxed cells only (normal must be NULL)");
    if (mix_.empty()) throw std::invalid_argument("the DARTS search network needs its weights (jnas_net_set_arch_weights)");
  }

  Act* forward(Act* x, Act**) override {
    Tape& t = this->t();
    if (step().train) be_->zero(dw_, sizeof(float) * arch_size());
    t.scope = "stem";
    Act* s = norm(t.conv(x, P(stem_w_), 3 * C_, 3, 3, 1, 1, 1), stem_bn_);
    Act* s0 = s;
    Act* s1 = s;
    for (int l = 0; l < L_; l++) {
      Act* out = cell(l, s0, s1);
      s0 = s1;
      s1 = out;
    }
    t.scope = "head";
    Act* g = t.global_avgpool(s1);
    Param b = P(fc_b_);
    return t.linear(g, P(fc_w_), &b, classes_);
  }

 private:
  struct Edge {
    int stride = 1;
    std::vector<OpParams> ops;  // [candidate]
  };
  struct CellDef {
    bool reduction = false, pre0_fr = false;
    int C = 0;
    OpParams pre0, pre1;
    std::vector<Edge> edges;
  };

  bool reduces(int l) const { return L_ >= 3 ? (l == L_ / 3 || l == 2 * L_ / 3) : false; }
  static bool is_pool(int id) { return id == OP_AVG_POOL_3X3 || id == OP_MAX_POOL_3X3; }

  Act* cell(int l, Act* in0, Act* in1) {
    Tape& t = this->t();
    const CellDef& d = cells_[l];
    std::string p = "cell" + std::to_string(l);
    t.scope = p + ".pre";
    Act* s0 = d.pre0_fr ? fr_bn(*this, d.pre0, in0) : relu_conv_bn(*this, d.pre0, in0);
    Act* s1 = relu_conv_bn(*this, d.pre1, in1);
    std::vector<Act*> states{s0, s1};
    const int K = (int)ops_.size();
    const float* w = mix_.data() + (d.reduction ? edges_ * K : 0);
    float* dw = step().train ? dw_ + (d.reduction ? edges_ * K : 0) : nullptr;
    int e = 0;
    std::vector<Act*> nodes;
    for (int i = 0; i < steps_; i++) {
      std::vector<Act*> parts;
      for (int j = 0; j < i + 2; j++, e++) {
        const Edge& ed = d.edges[e];
        Act* h = states[j];
        Shape os{h->s.B, d.C, ed.stride == 1 ? h->s.H : (h->s.H + 1) / 2, ed.stride == 1 ? h->s.W : (h->s.W + 1) / 2};
        std::vector<Act*> outs(K, nullptr);
        std::vector<float> we(w + e * K, w + (e + 1) * K);
        for (int k = 0; k < K; k++) {
          if (we[k] == 0.f) continue;
          t.scope = p + ".edge" + std::to_string(e) + "." + op_def(ops_[k]).name;
          Act* o = ops_[k] == OP_NONE ? t.zeros(h, ed.stride) : op_def(ops_[k]).apply(*this, ed.ops[k], h, ed.stride);
          if (is_pool(ops_[k])) o = norm(o, ed.ops[k].bn.back());
          outs[k] = o;
        }
        t.scope = p + ".edge" + std::to_string(e) + ".mix";
        parts.push_back(t.mix(outs, we, dw ? dw + e * K : nullptr, os));
        // the ops' outputs are read by the mix only (BN outputs: its backward rebuilds them)
        for (Act* o : outs)
          if (o != h) t.release(o);
      }
      t.scope = p + ".node" + std::to_string(i);
      Act* node = parts.size() == 1 ? parts[0] : t.sum(parts);
      states.push_back(node);
      nodes.push_back(node);
    }
    t.scope = p + ".out";
    Act* out = t.concat(nodes);
    t.release(s0);  // the preprocessed inputs (BN outputs) are read by this cell's edges only
    t.release(s1);
    return out;
  }

  int C_, L_, steps_, edges_ = 0;
  std::vector<int> ops_;
  std::vector<float> mix_;
  float* dw_ = nullptr;
  int stem_w_ = -1, fc_w_ = -1, fc_b_ = -1;
  BN stem_bn_;
  std::vector<CellDef> cells_;
};

}  // namespace
}  // namespace jnas

extern "C" void* jnas_darts_create(jnas_backend* be, int in_channels, int H, int W, int num_classes, int channels,
                                   int layers, int steps, const int32_t* ops, int num_ops, uint64_t seed) {
  jnas::Net* net = nullptr;
  int rc = jnas::guard("DARTS search network", [&] {
    net = new jnas::DartsNet(jnas::from_handle(be), in_channels, H, W, num_classes, channels, layers, steps, ops, num_ops,
                             seed);
  });
  return rc == JNAS_OK ? net : nullptr;
}
