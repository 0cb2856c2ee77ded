// supernet.cpp: the ENAS micro search space's weight-shared supernet. One step
// (net.h) does forward, backward and the update on the sampled path only
// (never every candidate op).
//
// Structure (Pham et al. 2018, the official micro_child.py, search mode):
//   stem: conv3x3 (in -> 3C) + BN; layers = [stem, stem]
//   L+2 layers; pool layers at L/3 and 2*(L/3)+1 double C and halve H, W:
//     x = FR(layers[-1]) + BN; layers = [layers[-1], x]; cell(reduce_arc)
//   other layers: cell(normal_arc)
//   cell: calibrate its two inputs to (C, H, W) (FR+BN where the size differs,
//     ReLU+conv1x1+BN where the channels differ); node j (0..N-1) takes two
//     inputs among the cell inputs and earlier nodes, applies one candidate op
//     to each and sums; every state no node used (inputs included, as ENAS;
//     with flag INPUTS_OUT clear only the nodes, as NASNet's "unused hidden states") is
//     concatenated and ReLU + conv1x1 + BN maps it back to C channels. The
//     concat+conv is computed as a sum of per-state 1x1 convs with the shared
//     weight slice final_w[state] (the same arithmetic, no concat buffer).
//   candidate ops: registry entries (ops.h) at stride 1, given at creation;
//     ENAS's are sep_conv_3x3, sep_conv_5x5, avg_pool_3x3, max_pool_3x3,
//     skip_connect (its op ids 0..4 index that list); the NASNet and AmoebaNet
//     spaces' 13 and 8 are searched the same way (a reduction layer as ENAS's:
//     FR of the previous layer, then the reduction cell at stride 1). With flag
//     COMBINER a node also chooses its combiner (NASNet's step 5): the sum, or
//     the concat of its two results mapped back to C by ReLU-conv1x1-BN (run as
//     two (C, C) halves summed, as final_net.cpp), with weights shared per
//     (layer, node); an architecture then has 5 ints per node (input1, op1,
//     input2, op2, combiner 0 add / 1 concat).
//   With flag STRIDED_REDUCE a reduction layer has no FR of its own: its cell
//     reads the two previous layers at their size and runs every op on a cell
//     input at stride 2 (skip_connect becomes FR), as the final network's
//     reduction cell (final_net.cpp) and the proxy trainer do; a cell input that
//     joins the output is first halved by FR+BN.
//   head: ReLU, global average pool, dropout, fully connected (no bias).
// Sharing: the weights of every (layer, node, input, candidate op) exist once
// and are used by every architecture that samples that path.
// BN: batch statistics always (ENAS's supernet does the same: the statistics
// of a shared weight depend on the sampled path), affine parameters learned.
// Differences from the official code, on purpose: the factorized reduce
// includes a leading ReLU (as in DARTS); no auxiliary head during the search.
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "net.h"
#include "ops.h"

namespace jnas {
namespace {

struct Calib {
  enum Kind { NONE, RELU_CONV_BN, FR_BN } kind = NONE;
  OpParams p;
};

struct LayerDef {
  bool reduction = false;
  int C = 0, H = 0, W = 0;  // the layer's output (and cell) shape
  OpParams reduce;          // reduction layers (not STRIDED_REDUCE): FR + BN of the previous layer
  int stride = 1;           // of the ops on the cell inputs: 2 in a STRIDED_REDUCE reduction layer
  OpParams out_fr[2];       // STRIDED_REDUCE with INPUTS_OUT: FR + BN of a cell input joining the output
  Calib cal0, cal1;
  std::vector<std::vector<std::vector<OpParams>>> ops;  // [node][input][candidate]
  std::vector<OpParams> combine;                        // [node] concat halves + BN (COMBINER only)
  std::vector<int> final_w;                             // [state] (C, C) each
  Net::BN final_bn;
};

// ENAS micro_child: of L+2 layers, layers L/3 and 2*(L/3)+1 are pool (reduction) layers.
bool enas_pool_layer(int l, int L) { return l == L / 3 || l == 2 * (L / 3) + 1; }

class Supernet : public Net {
 public:
  Supernet(Backend* be, int in_ch, int H, int W, int classes, int L, int C, int N, const int32_t* ops, int n_ops,
           int flags, uint64_t seed)
      : Net(be, "supernet", false, in_ch, H, W, classes), L_(L), C0_(C), N_(N),
        inputs_out_((flags & JNAS_SUPERNET_INPUTS_OUT) != 0), combiner_((flags & JNAS_SUPERNET_COMBINER) != 0),
        strided_((flags & JNAS_SUPERNET_STRIDED_REDUCE) != 0), per_(combiner_ ? 5 : 4) {
    if (flags & ~(JNAS_SUPERNET_INPUTS_OUT | JNAS_SUPERNET_COMBINER | JNAS_SUPERNET_STRIDED_REDUCE))
      throw std::invalid_argument("unknown supernet flags");
    if (in_ch < 1 || H < 4 || W < 4 || classes < 2 || L < 0 || C < 2 || C % 2 || N < 1)
      throw std::invalid_argument("bad supernet shape");
    if (!ops || n_ops < 1) throw std::invalid_argument("no candidate ops");
    std::set<int> seen;
    for (int k = 0; k < n_ops; k++) {
      op_def(ops[k]);  // throws for an unknown id
      if (!seen.insert(ops[k]).second) throw std::invalid_argument("candidate op " + std::to_string(ops[k]) + " given twice");
      ops_.push_back(ops[k]);
    }
    int C3 = 3 * C;
    stem_w_ = add("stem.w", (int64_t)C3 * in_ch * 9, ParamStore::HE_NORMAL, in_ch * 9);
    stem_bn_ = bn("stem.bn", C3);
    Shape s0{0, C3, H, W}, s1{0, C3, H, W};
    int c = C;
    for (int l = 0; l < L + 2; l++) {
      LayerDef d;
      std::string p = "layer" + std::to_string(l) + ".";
      if (enas_pool_layer(l, L)) {
        c *= 2;
        d.reduction = true;
        if (strided_) {
          d.stride = 2;
        } else {
          d.reduce = fr_bn_make(*this, p + "reduce.", p + "reduce.bn", s1.C, c);
          s0 = s1;
          s1 = {0, c, (s1.H + 1) / 2, (s1.W + 1) / 2};
        }
      }
      d.C = c;
      d.H = d.stride == 2 ? (s1.H + 1) / 2 : s1.H;
      d.W = d.stride == 2 ? (s1.W + 1) / 2 : s1.W;
      d.cal0 = calib(p + "calib0.", s0, c, s0.H != s1.H);
      d.cal1 = calib(p + "calib1.", s1, c, false);
      d.ops.resize(N);
      for (int j = 0; j < N; j++) {
        for (int i = 0; i < j + 2; i++) {
          std::string q = p + "node" + std::to_string(j) + ".in" + std::to_string(i) + ".";
          d.ops[j].emplace_back(ops_.size());
          for (size_t k = 0; k < ops_.size(); k++) op_def(ops_[k]).make(*this, q, c, i < 2 ? d.stride : 1, d.ops[j][i][k]);
        }
      }
      if (d.stride == 2 && inputs_out_)
        for (int k = 0; k < 2; k++) {
          std::string q = p + "output.in" + std::to_string(k) + ".";
          d.out_fr[k] = fr_bn_make(*this, q + "fr.", q + "bn", c, c);
        }
      if (combiner_)
        for (int j = 0; j < N; j++) {
          std::string q = p + "node" + std::to_string(j) + ".concat.";
          OpParams cp;
          for (int k = 0; k < 2; k++) cp.w.push_back(add(q + "w" + std::to_string(k), (int64_t)c * c, ParamStore::HE_NORMAL, 2 * c));
          cp.bn.push_back(bn(q + "bn", c));
          d.combine.push_back(cp);
        }
      for (int k = 0; k < N + 2; k++)  // -1: a cell input that never joins the output (no INPUTS_OUT)
        d.final_w.push_back(k < 2 && !inputs_out_ ? -1
                                                  : add(p + "final.w" + std::to_string(k), (int64_t)c * c, ParamStore::HE_NORMAL, c));
      d.final_bn = bn(p + "final.bn", c);
      layers_.push_back(std::move(d));
      s0 = s1;
      s1 = {0, c, layers_.back().H, layers_.back().W};
    }
    fc_w_ = add("fc.w", (int64_t)classes * c, ParamStore::HE_NORMAL, c);
    finalize(seed);
  }

 protected:
  void check_arch(const int32_t* normal, const int32_t* reduce) const override {
    if (!normal || !reduce) throw std::invalid_argument("the supernet needs an architecture (normal and reduce)");
    for (const int32_t* arc : {normal, reduce})
      for (int j = 0; j < N_; j++)
        for (int k = 0; k < 2; k++) {
          int in = arc[per_ * j + 2 * k], op = arc[per_ * j + 2 * k + 1];
          if (in < 0 || in >= j + 2 || op < 0 || op >= (int)ops_.size())
            throw std::invalid_argument("bad architecture at node " + std::to_string(j));
        }
    if (combiner_)
      for (const int32_t* arc : {normal, reduce})
        for (int j = 0; j < N_; j++)
          if (arc[per_ * j + 4] != 0 && arc[per_ * j + 4] != 1)
            throw std::invalid_argument("bad combiner at node " + std::to_string(j));
  }

  Act* forward(Act* x, Act**) override {
    Tape& t = this->t();
    t.scope = "stem";
    x = t.conv(x, P(stem_w_), 3 * C0_, 3, 3, 1, 1, 1);
    x = norm(x, stem_bn_);
    Act* prev0 = x;
    Act* prev1 = x;
    for (size_t l = 0; l < layers_.size(); l++) {
      const LayerDef& d = layers_[l];
      std::string name = "layer" + std::to_string(l);
      Act* old[2] = {prev0, prev1};
      if (d.reduction && !strided_) {
        t.scope = name + ".reduce";
        Act* r = fr_bn(*this, d.reduce, prev1);
        prev0 = prev1;
        prev1 = r;
      }
      Act* out = cell(d, name, d.reduction ? step().reduce : step().normal, prev0, prev1);
      prev0 = prev1;
      prev1 = out;
      // a layer's output is read by the next two layers only (BN outputs: their backwards rebuild them)
      for (Act* a : old)
        if (a != prev0 && a != prev1) t.release(a);
    }
    t.scope = "head";
    x = t.relu(prev1);
    x = t.global_avgpool(x);
    if (step().train) x = t.dropout(x, step().hyper[JNAS_HYPER_DROPOUT_KEEP], step().seed);
    return t.linear(x, P(fc_w_), nullptr, classes_);
  }

 private:
  Calib calib(const std::string& p, Shape in, int C, bool reduce) {
    Calib cb;
    if (reduce) {
      cb.kind = Calib::FR_BN;
      cb.p = fr_bn_make(*this, p + "fr.", p + "bn", in.C, C);
    } else if (in.C != C) {
      cb.kind = Calib::RELU_CONV_BN;
      cb.p = relu_conv_bn_make(*this, p, in.C, C);
    }
    return cb;
  }

  Act* calibrate(const Calib& cb, Act* x) {
    switch (cb.kind) {
      case Calib::FR_BN: return fr_bn(*this, cb.p, x);
      case Calib::RELU_CONV_BN: return relu_conv_bn(*this, cb.p, x);
      default: return x;
    }
  }

  Act* cell(const LayerDef& d, const std::string& name, const int32_t* arc, Act* in0, Act* in1) {
    Tape& t = this->t();
    t.scope = name + ".calib";
    std::vector<Act*> states{calibrate(d.cal0, in0), calibrate(d.cal1, in1)};
    std::vector<int> used(N_ + 2, 0);
    PlanCell pc{name, d.reduction, d.C, d.H, d.W, N_, {}, {}, "sum_relu_conv1x1_bn", {}};
    for (int j = 0; j < N_; j++) {
      const int32_t* g = arc + per_ * j;
      Act* h[2];
      for (int k = 0; k < 2; k++) {
        int in = g[2 * k], choice = g[2 * k + 1];
        const OpDef& op = op_def(ops_[choice]);
        t.scope = name + ".node" + std::to_string(j) + ".in" + std::to_string(in) + "." + op.name;
        int stride = in < 2 ? d.stride : 1;
        h[k] = op.apply(*this, d.ops[j][in][choice], states[in], stride);
        used[in]++;
        pc.edges.push_back({in, j + 2, op.name, stride});
      }
      Act* node;
      if (combiner_ && g[4]) {  // concat: BN(W0 relu(h0) + W1 relu(h1)), the halves of ReLU-conv1x1-BN(concat)
        t.scope = name + ".node" + std::to_string(j) + ".concat";
        pc.concat_nodes.push_back(j);
        const OpParams& cp = d.combine[j];
        Act* half[2];
        for (int k = 0; k < 2; k++) half[k] = t.conv(h[k], P(cp.w[k]), d.C, 1, 1, 1, 0, 0, 1, 1, true);  // ReLU fused
        node = norm(t.add(half[0], half[1]), cp.bn[0]);
      } else {
        node = t.add(h[0], h[1]);
      }
      // read by the sum (or the concat's convs, which keep what their backwards read); not an identity's input
      for (int k = 0; k < 2; k++)
        if (h[k] != states[g[2 * k]]) t.release(h[k]);
      states.push_back(node);
    }
    t.scope = name + ".output";
    std::vector<Act*> parts;
    for (int k = inputs_out_ ? 0 : 2; k < N_ + 2; k++) {  // the last node is never read: at least one part
      if (used[k]) continue;
      pc.outputs.push_back(k);
      // a cell input of a strided reduction is twice the output's size: halve it first
      Act* x = k < 2 && d.stride == 2 ? fr_bn(*this, d.out_fr[k], states[k]) : states[k];
      parts.push_back(t.conv(x, P(d.final_w[k]), d.C, 1, 1, 1, 0, 0, 1, 1, true));  // ReLU fused; keeps what its backward reads
      if (x != states[k]) t.release(x);
    }
    describe(std::move(pc));
    Act* out = parts.size() == 1 ? parts[0] : t.sum(parts);
    if (parts.size() > 1)
      for (Act* p : parts) t.release(p);
    // no later op of the forward reads this cell's states (the next layer reads in1 and out)
    for (Act* st : states)
      if (st != in0 && st != in1) t.release(st);
    return norm(out, d.final_bn);
  }

  int L_, C0_, N_;
  bool inputs_out_;       // unused cell inputs join the output (ENAS) or not (NASNet)
  bool combiner_;         // each node chooses add or concat (a fifth int per node)
  bool strided_;          // reduction layers run the cell's input ops at stride 2 (STRIDED_REDUCE)
  int per_;               // ints per node: 4, or 5 with the combiner
  std::vector<int> ops_;  // candidate registry ids
  int stem_w_ = -1, fc_w_ = -1;
  BN stem_bn_;
  std::vector<LayerDef> layers_;
};

}  // namespace
}  // namespace jnas

extern "C" void* jnas_supernet_create(jnas_backend* be, int in_channels, int H, int W, int num_classes,
                                      int num_layers, int channels, int num_nodes, const int32_t* ops, int num_ops,
                                      int flags, uint64_t seed) {
  jnas::Net* net = nullptr;
  int rc = jnas::guard("supernet", [&] {
    net = new jnas::Supernet(jnas::from_handle(be), in_channels, H, W, num_classes, num_layers, channels, num_nodes, ops,
                             num_ops, flags, seed);
  });
  return rc == JNAS_OK ? net : nullptr;
}
