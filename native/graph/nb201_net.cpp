// nb201_net.cpp: the NAS-Bench-201 network (Dong & Yang 2020, "NAS-Bench-201: Extending the
// Scope of Reproducible Neural Architecture Search"; their code: D-X-Y/AutoDL-Projects
// xautodl/models/cell_infers/tiny_network.py and cell_operations.py), in two forms:
//   - the network of one cell (arch given at creation): only the chosen ops exist; running
//     batch-norm statistics for evaluation; what `jnas train --space nb201` trains;
//   - the weight-shared search network (arch NULL): every op of every edge exists once (the
//     NB201 search model); a step runs either a discrete cell (jnas_net_run's `normal`: ENAS,
//     random sampling with weight sharing, GDAS's forward) or the relaxed cell of DARTS
//     (normal NULL: each edge the weighted sum of its ops with the weights set by
//     jnas_net_set_arch_weights; an op of weight 0 is not computed, and its weight's gradient is
//     the sum of the edge's output gradient, as GDAS's code has it). Batch statistics always.
//
// Structure:
//   stem: conv 3x3 (in -> C), BN
//   stage 0: N cells at C; ResNet basic block C -> 2C (stride 2);
//   stage 1: N cells at 2C; ResNet basic block 2C -> 4C; stage 2: N cells at 4C
//   lastact: BN, ReLU; global average pool; linear with bias.
//   cell: node 0 = its input; node j (1..3) = sum over i < j of op_(i->j)(node i); output node 3.
//     Edges in the order of the NB201 string |a~0|+|b~0|c~1|+|d~0|e~1|f~2|: 1<-0, 2<-0, 2<-1,
//     3<-0, 3<-1, 3<-2. Ops, in NB201's order: 0 none, 1 skip_connect, 2 nor_conv_1x1,
//     3 nor_conv_3x3, 4 avg_pool_3x3 (registry ids 0, 1, 13, 14, 2: ReLU-conv-BN, and the
//     average pool without padding counted). A node with no computed input is zeros.
//   ResNet basic block (NB201's ResNetBasicblock): ReLU, conv 3x3 stride 2, BN; ReLU, conv 3x3,
//     BN; plus the shortcut avg pool 2x2 stride 2 then conv 1x1 (no BN).
// The relaxed cell's architecture is shared by all cells (as in the NB201 search model): its
// gradient (jnas_net_arch_grad) sums over the 3N cells.
// JNAS_NB201_NO_BN builds the network without batch norm (every BN an identity): synflow's
// network. Differences from the reference: weights start He-normal (PyTorch's default is
// Kaiming-uniform with a = sqrt(5)); BN layers are all affine (the search model's are not).
#include <stdexcept>
#include <string>
#include <vector>

#include "net.h"
#include "ops.h"

namespace jnas {
namespace {

constexpr int kEdges = 6, kOps = 5;
constexpr int kRegistry[kOps] = {OP_NONE, OP_SKIP_CONNECT, OP_CONV_1X1, OP_CONV_3X3, OP_AVG_POOL_3X3};
constexpr int kFrom[kEdges] = {0, 0, 1, 0, 1, 2};
constexpr int kTo[kEdges] = {1, 2, 2, 3, 3, 3};
const char* kNames[kOps] = {"none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3"};

class Nb201Net : public Net {
 public:
  Nb201Net(Backend* be, int in_ch, int H, int W, int classes, int C, int N, const int32_t* arch, int flags,
           uint64_t seed)
      : Net(be, arch ? "nb201" : "nb201_supernet", arch != nullptr && !(flags & JNAS_NB201_NO_BN), in_ch, H, W,
            classes),
        C_(C), N_(N), fixed_(arch != nullptr) {
    if (in_ch < 1 || H < 4 || W < 4 || classes < 2 || C < 1 || N < 1)
      throw std::invalid_argument("bad NAS-Bench-201 network shape");
    if (flags & ~JNAS_NB201_NO_BN) throw std::invalid_argument("unknown flags " + std::to_string(flags));
    set_batchnorm(!(flags & JNAS_NB201_NO_BN));
    if (fixed_) {
      validate(arch);
      arch_.assign(arch, arch + kEdges);
    }
    stem_w_ = add("stem.w", (int64_t)C * in_ch * 9, ParamStore::HE_NORMAL, in_ch * 9);
    stem_bn_ = bn("stem.bn", C);
    int c = C;
    for (int s = 0; s < 3; s++) {
      for (int i = 0; i < N; i++) {
        Cell cell;
        cell.C = c;
        std::string p = "cell" + std::to_string(cells_.size()) + ".";
        for (int e = 0; e < kEdges; e++) {
          cell.ops[e].resize(kOps);
          for (int k = 0; k < kOps; k++) {
            if (fixed_ && arch_[e] != k) continue;
            op_def(kRegistry[k]).make(*this, p + "edge" + std::to_string(e) + ".", c, 1, cell.ops[e][k]);
          }
        }
        cells_.push_back(std::move(cell));
      }
      if (s < 2) {
        Res r;
        std::string p = "res" + std::to_string(s) + ".";
        r.a = add(p + "a.w", (int64_t)2 * c * c * 9, ParamStore::HE_NORMAL, c * 9);
        r.a_bn = bn(p + "a.bn", 2 * c);
        r.b = add(p + "b.w", (int64_t)2 * c * 2 * c * 9, ParamStore::HE_NORMAL, 2 * c * 9);
        r.b_bn = bn(p + "b.bn", 2 * c);
        r.down = add(p + "down.w", (int64_t)2 * c * c, ParamStore::HE_NORMAL, c);
        res_.push_back(r);
        c *= 2;
      }
    }
    C_last_ = c;
    last_bn_ = bn("lastact.bn", c);
    fc_w_ = add("fc.w", (int64_t)classes * c, ParamStore::HE_NORMAL, c);
    fc_b_ = add("fc.b", classes, ParamStore::ZEROS);
    finalize(seed);
    if (!fixed_) {
      dw_ = static_cast<float*>(be_->alloc(sizeof(float) * kEdges * kOps));
      be_->zero(dw_, sizeof(float) * kEdges * kOps);
    }
  }

  ~Nb201Net() override {
    if (dw_) be_->free(dw_, sizeof(float) * kEdges * kOps);
  }

  int arch_size() const override { return fixed_ ? 0 : kEdges * kOps; }

  void set_arch_weights(const float* w, int n) override {
    if (fixed_) throw std::invalid_argument("the network of one cell has no architecture weights");
    if (n == 0) {
      mix_.clear();
      return;
    }
    if (n != kEdges * kOps)
      throw std::invalid_argument("got " + std::to_string(n) + " weights, expected " + std::to_string(kEdges * kOps));
    for (int i = 0; i < n; i++)
      if (!(w[i] == w[i]) || w[i] > 1e30f || w[i] < -1e30f)
        throw std::invalid_argument("weight " + std::to_string(i) + " is not finite");
    mix_.assign(w, w + n);
  }

  void arch_grad(float* out, int n) override {
    if (fixed_) throw std::invalid_argument("the network of one cell has no architecture weights");
    if (n != kEdges * kOps)
      throw std::invalid_argument("room for " + std::to_string(n) + " floats, expected " + std::to_string(kEdges * kOps));
    be_->copy_to_host(out, dw_, sizeof(float) * n);
  }

 protected:
  void check_arch(const int32_t* normal, const int32_t*) const override {
    if (fixed_ || normal) {
      if (normal && !fixed_) validate(normal);
      return;
    }
    if (mix_.empty())
      throw std::invalid_argument("the NAS-Bench-201 search network needs a cell (normal) or weights (jnas_net_set_arch_weights)");
  }

  static void validate(const int32_t* a) {
    for (int e = 0; e < kEdges; e++)
      if (a[e] < 0 || a[e] >= kOps)
        throw std::invalid_argument("edge " + std::to_string(e) + " has op " + std::to_string(a[e]) + ", expected 0-4");
  }

  Act* forward(Act* x, Act**) override {
    Tape& t = this->t();
    const int32_t* arch = fixed_ ? arch_.data() : step().normal;  // NULL: the relaxed cell
    bool relaxed = arch == nullptr;
    if (relaxed && step().train && dw_) be_->zero(dw_, sizeof(float) * kEdges * kOps);
    t.scope = "stem";
    x = norm(t.conv(x, P(stem_w_), C_, 3, 3, 1, 1, 1), stem_bn_);
    size_t ci = 0;
    for (int s = 0; s < 3; s++) {
      for (int i = 0; i < N_; i++, ci++) x = cell(x, cells_[ci], (int)ci, arch);
      if (s < 2) {
        const Res& r = res_[s];
        int c = x->s.C;
        t.scope = "res" + std::to_string(s);
        Act* a = norm(t.conv(x, P(r.a), 2 * c, 3, 3, 2, 1, 1, 1, 1, true), r.a_bn);
        Act* b = norm(t.conv(a, P(r.b), 2 * c, 3, 3, 1, 1, 1, 1, 1, true), r.b_bn);
        Act* d = t.conv(t.avgpool(x, 2, 2, 0), P(r.down), 2 * c, 1, 1, 1, 0, 0);
        x = t.add(b, d);
      }
    }
    t.scope = "head";
    x = t.relu(norm(x, last_bn_));
    x = t.global_avgpool(x);
    Param b = P(fc_b_);
    return t.linear(x, P(fc_w_), &b, classes_);
  }

 private:
  struct Cell {
    int C = 0;
    std::vector<OpParams> ops[kEdges];  // [edge][op]; the fixed network fills its chosen ops only
  };
  struct Res {
    int a = -1, b = -1, down = -1;
    BN a_bn, b_bn;
  };

  Act* cell(Act* x, const Cell& cell, int index, const int32_t* arch) {
    Tape& t = this->t();
    std::vector<Act*> nodes{x};
    PlanCell pc{"cell" + std::to_string(index), false, cell.C, x->s.H, x->s.W, 4, {}, {3}, "sum", {}};
    for (int j = 1; j <= 3; j++) {
      std::vector<Act*> parts;
      for (int e = 0; e < kEdges; e++) {
        if (kTo[e] != j) continue;
        Act* in = nodes[kFrom[e]];
        std::string scope = "cell" + std::to_string(index) + ".edge" + std::to_string(e) + ".";
        if (arch) {
          int k = arch[e];
          pc.edges.push_back({kFrom[e], j, kNames[k], 1});
          if (k == 0) continue;  // none
          t.scope = scope + kNames[k];
          parts.push_back(op_def(kRegistry[k]).apply(*this, cell.ops[e][k], in, 1));
        } else {
          std::vector<Act*> outs(kOps, nullptr);
          std::vector<float> w(mix_.begin() + e * kOps, mix_.begin() + (e + 1) * kOps);
          for (int k = 0; k < kOps; k++) {
            if (w[k] == 0.f) continue;
            t.scope = scope + kNames[k];
            outs[k] = k == 0 ? t.zeros(in, 1) : op_def(kRegistry[k]).apply(*this, cell.ops[e][k], in, 1);
            pc.edges.push_back({kFrom[e], j, kNames[k], 1});
          }
          t.scope = scope + "mix";
          parts.push_back(t.mix(outs, w, step().train ? dw_ + e * kOps : nullptr, in->s));
          // the ops' outputs are read by the mix only; BN outputs its backward rebuilds
          for (Act* o : outs)
            if (o != in) t.release(o);
        }
      }
      t.scope = "cell" + std::to_string(index) + ".node" + std::to_string(j);
      nodes.push_back(parts.empty() ? t.zeros(x, 1) : parts.size() == 1 ? parts[0] : t.sum(parts));
    }
    if (index == 0) describe(std::move(pc));
    return nodes[3];
  }

  int C_, N_, C_last_ = 0;
  bool fixed_;
  std::vector<int32_t> arch_;
  std::vector<float> mix_;  // the relaxed cell's weights (kEdges x kOps), host
  float* dw_ = nullptr;     // (kEdges x kOps) backend: their gradient, summed over the cells
  int stem_w_ = -1, fc_w_ = -1, fc_b_ = -1;
  BN stem_bn_, last_bn_;
  std::vector<Cell> cells_;
  std::vector<Res> res_;
};

}  // namespace
}  // namespace jnas

extern "C" {

void* jnas_nb201_create(jnas_backend* be, int in_channels, int H, int W, int num_classes, int channels,
                        int cells_per_stage, const int32_t* arch, int flags, uint64_t seed) {
  jnas::Net* net = nullptr;
  int rc = jnas::guard("NAS-Bench-201 network", [&] {
    net = new jnas::Nb201Net(jnas::from_handle(be), in_channels, H, W, num_classes, channels, cells_per_stage, arch,
                             flags, seed);
  });
  return rc == JNAS_OK ? net : nullptr;
}

}  // extern "C"
