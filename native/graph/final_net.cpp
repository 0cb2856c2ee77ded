// final_net.cpp: a found architecture trained from scratch (the "final
// network"). One step (net.h) does forward, backward and the update;
// evaluation and prediction use the running batch-norm statistics.
//
// Structure (DARTS NetworkCIFAR, Liu et al. 2019, quark0/darts cnn/model.py):
//   stem: conv3x3 (in -> 3C) + BN; s0 = s1 = stem
//   L cells; cells L/3 and 2L/3 are reduction cells (C doubles, H and W halve,
//   rounding up); cell l: s0, s1 = s1, cell(s0, s1)
//   cell(C): preprocess0 = FactorizedReduce+BN (C_pp -> C) if the previous cell
//     reduced, else ReLU-conv1x1-BN; preprocess1 = ReLU-conv1x1-BN (C_p -> C).
//     Node j = op_a(state[in_a]) + op_b(state[in_b]), states 0, 1 the
//     preprocessed inputs and 2+i node i; the ops are registry entries (ops.h)
//     by id. In a reduction cell an op reading state 0 or 1 has stride 2.
//     A node whose combiner is concat (NASNet's second combination) instead
//     concatenates its two results and maps them back to C channels with
//     ReLU-conv1x1-BN, so every state keeps C channels; the (C, 2C) conv runs
//     as its two (C, C) halves on the two results, summed (no concat buffer).
//     Output = channel concat of the genotype's concat states (multiplier = its
//     length); a reduction cell's concat entry that is a cell input (ENAS cells
//     keep unused inputs) is brought down by FactorizedReduce+BN, as ENAS's fixed
//     layer does.
//   head: global average pool, dropout (training), linear with bias.
//   auxiliary head (training only) on s1 after cell 2L/3 (DARTS
//     AuxiliaryHeadCIFAR): ReLU, avgpool k stride 3 (k = min(5, H, W), no
//     padding), conv1x1 -> 128, BN, ReLU, conv covering the whole pooled map
//     (2x2 on CIFAR's 8x8, as DARTS) -> 768, BN, ReLU, linear with bias.
//     loss = xent(logits) + 0.4 * xent(aux_logits).
// Drop-path (training, keep < 1) multiplies every op output except an identity
//   (stride-1 skip_connect) and none, ENAS's _apply_drop_path: for cell l of L,
//   keep_l = 1 - (l+1)/L * (1 - keep); keep = 1 - min(progress, 1) * (1 - keep_l).
// Batch norm: affine everywhere; training normalizes with the batch statistics
//   and moves the running ones (momentum 0.1), evaluation uses the running ones.
// Genotype ints, per cell: [nodes, (op, input) x 2*nodes, n_concat, concat x n_concat]
// and optionally [combine x nodes] (0 add, 1 concat; absent: every node adds).
#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "net.h"
#include "ops.h"

namespace jnas {
namespace {

struct CellGeno {
  int nodes = 0;
  std::vector<int> op, in;  // (2*nodes)
  std::vector<int> concat;
  std::vector<int> combine;  // (nodes) 0 add, 1 concat

  static CellGeno parse(const int32_t* a, int len) {
    CellGeno g;
    if (!a || len < 1) throw std::invalid_argument("empty cell");
    g.nodes = a[0];
    if (g.nodes < 1 || len < 2 + 4 * g.nodes) throw std::invalid_argument("cell too short");
    for (int e = 0; e < 2 * g.nodes; e++) {
      int op = a[1 + 2 * e], in = a[2 + 2 * e];
      op_def(op);  // throws for an unknown id
      if (in < 0 || in >= e / 2 + 2) throw std::invalid_argument("bad input of edge " + std::to_string(e));
      g.op.push_back(op);
      g.in.push_back(in);
    }
    int nc = a[1 + 4 * g.nodes];
    if (nc < 1 || (len != 2 + 4 * g.nodes + nc && len != 2 + 5 * g.nodes + nc))
      throw std::invalid_argument("bad concat length");
    for (int k = 0; k < nc; k++) {
      int c = a[2 + 4 * g.nodes + k];
      if (c < 0 || c >= g.nodes + 2) throw std::invalid_argument("bad concat entry");
      g.concat.push_back(c);
    }
    bool flags = len == 2 + 5 * g.nodes + nc;
    for (int j = 0; j < g.nodes; j++) {
      int f = flags ? a[2 + 4 * g.nodes + nc + j] : 0;
      if (f != 0 && f != 1) throw std::invalid_argument("bad combiner of node " + std::to_string(j));
      g.combine.push_back(f);
    }
    return g;
  }
};

struct CellDef {
  bool reduction = false, reduction_prev = false;
  int C = 0, H = 0, W = 0;  // output channels per node and output size
  OpParams pre0, pre1;
  std::vector<OpParams> edges;      // (2*nodes)
  std::vector<OpParams> combine;    // (nodes) concat nodes: ReLU-conv1x1-BN (2C -> C), else empty
  std::vector<OpParams> concat_fr;  // per concat entry: FR+BN of a reduction cell's input, or empty
  std::vector<int> stride;          // (2*nodes)
  const CellGeno* g = nullptr;
};

// DARTS NetworkCIFAR: of L cells, cells L/3 and 2L/3 reduce.
bool darts_reduction_cell(int l, int L) { return l == L / 3 || l == 2 * L / 3; }

class FinalNet : public Net {
 public:
  FinalNet(Backend* be, const CellGeno& normal, const CellGeno& reduce, int C, int L, int classes, int in_ch, int H,
           int W, bool aux, uint64_t seed)
      : Net(be, "final", true, in_ch, H, W, classes), normal_(normal), reduce_(reduce), L_(L), C0_(C), aux_(aux) {
    if (C < 2 || L < 1 || classes < 2 || in_ch < 1 || H < 2 || W < 2) throw std::invalid_argument("bad network shape");
    int C3 = 3 * C;
    stem_w_ = add("stem.w", (int64_t)C3 * in_ch * 9, ParamStore::HE_NORMAL, in_ch * 9);
    stem_bn_ = bn("stem.bn", C3);
    int Cpp = C3, Cp = C3, Cc = C;
    int h = H, w = W;
    bool red_prev = false;
    aux_layer_ = 2 * L / 3;
    for (int l = 0; l < L; l++) {
      CellDef d;
      std::string p = "cell" + std::to_string(l) + ".";
      d.reduction = darts_reduction_cell(l, L);
      if (d.reduction) Cc *= 2;
      d.reduction_prev = red_prev;
      d.g = d.reduction ? &reduce_ : &normal_;
      d.C = Cc;
      d.pre0 = red_prev ? fr_bn_make(*this, p + "pre0.fr.", p + "pre0.fr.bn", Cpp, Cc)
                        : relu_conv_bn_make(*this, p + "pre0.", Cpp, Cc);
      d.pre1 = relu_conv_bn_make(*this, p + "pre1.", Cp, Cc);
      for (int e = 0; e < 2 * d.g->nodes; e++) {
        int stride = d.reduction && d.g->in[e] < 2 ? 2 : 1;
        d.stride.push_back(stride);
        d.edges.emplace_back();
        op_def(d.g->op[e]).make(*this, p + "edge" + std::to_string(e) + ".", Cc, stride, d.edges.back());
      }
      for (int j = 0; j < d.g->nodes; j++) {
        d.combine.emplace_back();
        if (!d.g->combine[j]) continue;
        // the (C, 2C) 1x1 conv as its two (C, C) halves, one per result: no concat buffer
        std::string q = p + "node" + std::to_string(j) + ".concat.";
        OpParams& c = d.combine.back();
        for (int k = 0; k < 2; k++) c.w.push_back(add(q + "w" + std::to_string(k), (int64_t)Cc * Cc, ParamStore::HE_NORMAL, 2 * Cc));
        c.bn.push_back(bn(q + "bn", Cc));
      }
      for (size_t k = 0; k < d.g->concat.size(); k++) {
        if (d.reduction && d.g->concat[k] < 2) {
          std::string q = p + "concat" + std::to_string(k) + ".";
          d.concat_fr.push_back(fr_bn_make(*this, q + "fr.", q + "fr.bn", Cc, Cc));
        } else {
          d.concat_fr.emplace_back();
        }
      }
      if (d.reduction) {
        h = (h + 1) / 2;
        w = (w + 1) / 2;
      }
      d.H = h;
      d.W = w;
      cells_.push_back(std::move(d));
      red_prev = cells_.back().reduction;
      Cpp = Cp;
      Cp = (int)cells_.back().g->concat.size() * Cc;
      if (l == aux_layer_) {
        aux_C_ = Cp;
        aux_H_ = h;
        aux_W_ = w;
      }
    }
    fc_w_ = add("classifier.w", (int64_t)classes * Cp, ParamStore::HE_NORMAL, Cp);
    fc_b_ = add("classifier.b", classes, ParamStore::ZEROS);
    if (aux_) {
      aux_pool_ = std::min(5, std::min(aux_H_, aux_W_));
      aux_PH_ = (aux_H_ - aux_pool_) / 3 + 1;
      aux_PW_ = (aux_W_ - aux_pool_) / 3 + 1;
      aux_w1_ = add("aux.conv1.w", (int64_t)128 * aux_C_, ParamStore::HE_NORMAL, aux_C_);
      aux_bn1_ = bn("aux.bn1", 128);
      aux_w2_ = add("aux.conv2.w", (int64_t)768 * 128 * aux_PH_ * aux_PW_, ParamStore::HE_NORMAL,
                    128 * aux_PH_ * aux_PW_);
      aux_bn2_ = bn("aux.bn2", 768);
      aux_fc_w_ = add("aux.classifier.w", (int64_t)classes * 768, ParamStore::HE_NORMAL, 768);
      aux_fc_b_ = add("aux.classifier.b", classes, ParamStore::ZEROS);
    }
    finalize(seed);
  }

 protected:
  Act* forward(Act* x, Act** aux) override {
    Tape& t = this->t();
    t.scope = "stem";
    x = t.conv(x, P(stem_w_), 3 * C0_, 3, 3, 1, 1, 1);
    x = norm(x, stem_bn_);
    dp_counter_ = 0;
    Act* s0 = x;
    Act* s1 = x;
    Act* aux_in = nullptr;
    for (int l = 0; l < L_; l++) {
      Act* out = cell(cells_[l], l, s0, s1);
      s0 = s1;
      s1 = out;
      if (l == aux_layer_) aux_in = s1;
    }
    t.scope = "head";
    x = t.global_avgpool(s1);
    if (step().train) x = t.dropout(x, step().hyper[JNAS_HYPER_DROPOUT_KEEP], mix(step().seed, 0xD5));
    Param fb = P(fc_b_);
    Act* logits = t.linear(x, P(fc_w_), &fb, classes_);
    // The auxiliary head comes after the main path on the tape, so its backward runs first
    // and the gradients reaching aux_in add up in the same order as they always did.
    if (step().train && aux_ && aux_in) *aux = aux_head(aux_in);
    return logits;
  }

 private:
  Act* cell(const CellDef& d, int layer, Act* s0, Act* s1) {
    Tape& t = this->t();
    std::string name = "cell" + std::to_string(layer);
    t.scope = name + ".pre";
    std::vector<Act*> states{d.reduction_prev ? fr_bn(*this, d.pre0, s0) : relu_conv_bn(*this, d.pre0, s0),
                             relu_conv_bn(*this, d.pre1, s1)};
    float keep = 1.f;
    float dp = step().hyper[JNAS_HYPER_DROP_PATH_KEEP];
    if (step().train && dp < 1.f) {
      float keep_l = 1.f - (float)(layer + 1) / (float)L_ * (1.f - dp);
      keep = 1.f - std::min(step().hyper[JNAS_HYPER_PROGRESS], 1.f) * (1.f - keep_l);
    }
    const CellGeno& g = *d.g;
    PlanCell pc{name, d.reduction, d.C, d.H, d.W, g.nodes, {}, {}, "concat", {}};
    for (int j = 0; j < g.nodes; j++) {
      Act* h[2];
      for (int k = 0; k < 2; k++) {
        int e = 2 * j + k;
        const OpDef& op = op_def(g.op[e]);
        t.scope = name + ".edge" + std::to_string(e) + "." + op.name;
        Act* o = op.apply(*this, d.edges[e], states[g.in[e]], d.stride[e]);
        h[k] = o;
        if (keep < 1.f && !op_is_identity(g.op[e], d.stride[e]) && g.op[e] != OP_NONE) {
          h[k] = t.drop_path(o, keep, mix(step().seed, 0x100 + dp_counter_++));
          if (h[k] != o && o != states[g.in[e]]) t.release(o);  // read by the drop-path only
        }
        pc.edges.push_back({g.in[e], j + 2, op.name, d.stride[e]});
      }
      Act* node;
      if (g.combine[j]) {
        t.scope = name + ".node" + std::to_string(j) + ".concat";
        pc.concat_nodes.push_back(j);
        // ReLU-conv1x1-BN of concat(h0, h1) = BN(W0 relu(h0) + W1 relu(h1))
        Act* half[2];
        for (int k = 0; k < 2; k++) half[k] = t.conv(h[k], P(d.combine[j].w[k]), d.C, 1, 1, 1, 0, 0, 1, 1, true);  // ReLU fused
        Act* sum = t.add(half[0], half[1]);
        node = norm(sum, d.combine[j].bn[0]);
      } else {
        node = t.add(h[0], h[1]);
      }
      // read by the sum (a concat node's: by its convs, which keep what their backwards read)
      for (int k = 0; k < 2; k++)
        if (h[k] != states[g.in[2 * j + k]]) t.release(h[k]);
      states.push_back(node);
    }
    t.scope = name + ".output";
    std::vector<Act*> parts;
    for (size_t k = 0; k < g.concat.size(); k++) {
      Act* sk = states[g.concat[k]];
      parts.push_back(d.concat_fr[k].w.empty() ? sk : fr_bn(*this, d.concat_fr[k], sk));
      pc.outputs.push_back(g.concat[k]);
    }
    describe(std::move(pc));
    Act* out = t.concat(parts);
    // nothing of this cell is read by a later op of the forward: what no backward reads goes
    // back to the pool (the cell inputs s0, s1 are the next cell's too)
    if (parts.size() > 1)
      for (Act* p : parts)
        if (p != s0 && p != s1) t.release(p);
    for (Act* st : states)
      if (st != s0 && st != s1 && st != out) t.release(st);
    return out;
  }

  Act* aux_head(Act* x) {
    Tape& t = this->t();
    t.scope = "aux";
    x = t.relu(x);
    x = t.avgpool(x, aux_pool_, 3, 0);
    x = norm(t.conv(x, P(aux_w1_), 128, 1, 1, 1, 0, 0), aux_bn1_);
    x = t.conv(x, P(aux_w2_), 768, aux_PH_, aux_PW_, 1, 0, 0, 1, 1, true);  // ReLU fused
    x = t.relu(norm(x, aux_bn2_));
    Param b = P(aux_fc_b_);
    return t.linear(x, P(aux_fc_w_), &b, classes_);
  }

  CellGeno normal_, reduce_;
  int L_, C0_;
  bool aux_;
  int stem_w_ = -1, fc_w_ = -1, fc_b_ = -1;
  BN stem_bn_;
  std::vector<CellDef> cells_;
  int aux_layer_ = -1, aux_C_ = 0, aux_H_ = 0, aux_W_ = 0, aux_pool_ = 0, aux_PH_ = 0, aux_PW_ = 0;
  int aux_w1_ = -1, aux_w2_ = -1, aux_fc_w_ = -1, aux_fc_b_ = -1;
  BN aux_bn1_, aux_bn2_;
  uint64_t dp_counter_ = 0;
};

}  // namespace
}  // namespace jnas

extern "C" void* jnas_final_create(jnas_backend* be, const int32_t* normal, int normal_len, const int32_t* reduce,
                                   int reduce_len, int channels, int layers, int num_classes, int in_channels, int H,
                                   int W, int auxiliary, uint64_t seed) {
  jnas::Net* net = nullptr;
  int rc = jnas::guard("final network", [&] {
    net = new jnas::FinalNet(jnas::from_handle(be), jnas::CellGeno::parse(normal, normal_len),
                             jnas::CellGeno::parse(reduce, reduce_len), channels, layers, num_classes, in_channels, H,
                             W, auxiliary != 0, seed);
  });
  return rc == JNAS_OK ? net : nullptr;
}
