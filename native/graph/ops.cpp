// ops.cpp: the entries of the op registry (ops.h) and the shared building blocks.
#include "ops.h"

#include <stdexcept>
#include <string>

namespace jnas {

namespace {

using Init = ParamStore::Init;

int he(Net& net, const std::string& name, int64_t n, int64_t fan_in) { return net.add(name, n, ParamStore::HE_NORMAL, fan_in); }

// ---- none
void none_make(Net&, const std::string&, int, int, OpParams&) {}
Act* none_apply(Net& net, const OpParams&, Act* x, int stride) { return net.t().zeros(x, stride); }

// ---- skip_connect
void skip_make(Net& net, const std::string& p, int C, int stride, OpParams& out) {
  if (stride != 1) out = fr_bn_make(net, p + "fr.", p + "fr.bn", C, C);
}
Act* skip_apply(Net& net, const OpParams& p, Act* x, int stride) { return stride == 1 ? x : fr_bn(net, p, x); }

// ---- pools
void no_params(Net&, const std::string&, int, int, OpParams&) {}
Act* avg3_apply(Net& net, const OpParams&, Act* x, int stride) { return net.t().avgpool(x, 3, stride, 1); }
template <int K>
Act* max_apply(Net& net, const OpParams&, Act* x, int stride) { return net.t().maxpool(x, K, stride, K / 2); }

// ---- sep_conv_KxK: (ReLU, depthwise KxK, pointwise, BN) twice, the first depthwise at the stride
// (and dil_sep_conv_3x3: the same with dilation D = 2, pad D*(K-1)/2, its own parameter names)
template <int K, int D = 1>
void sep_make(Net& net, const std::string& p, int C, int, OpParams& out) {
  std::string n = p + (D == 1 ? "sep" : "dilsep") + std::to_string(K) + ".";
  for (int k = 0; k < 2; k++) {
    std::string q = n + std::to_string(k) + ".";
    out.w.push_back(he(net, q + "dw", (int64_t)C * K * K, K * K));  // (C, 1, K, K)
    out.w.push_back(he(net, q + "pw", (int64_t)C * C, C));          // (C, C, 1, 1)
    out.bn.push_back(net.bn(q + "bn", C));
  }
}
template <int K, int D = 1>
Act* sep_apply(Net& net, const OpParams& p, Act* x, int stride) {
  Tape& t = net.t();
  for (int k = 0; k < 2; k++) {
    Act* in = x;
    x = t.sepconv(in, net.P(p.w[2 * k]), net.P(p.w[2 * k + 1]), K, k == 0 ? stride : 1, D * (K / 2), D, true);  // ReLU fused
    if (k == 1) t.release(in);  // the first BN's output: read by this conv only (its backward rebuilds it)
    x = net.norm(x, p.bn[k]);
  }
  return x;
}

// ---- dil_conv_KxK: ReLU, depthwise KxK dilation 2, pointwise, BN
template <int K>
void dil_make(Net& net, const std::string& p, int C, int, OpParams& out) {
  std::string n = p + "dil" + std::to_string(K) + ".";
  out.w.push_back(he(net, n + "dw", (int64_t)C * K * K, K * K));  // (C, 1, K, K)
  out.w.push_back(he(net, n + "pw", (int64_t)C * C, C));          // (C, C, 1, 1)
  out.bn.push_back(net.bn(n + "bn", C));
}
template <int K>
Act* dil_apply(Net& net, const OpParams& p, Act* x, int stride) {
  Tape& t = net.t();
  x = t.sepconv(x, net.P(p.w[0]), net.P(p.w[1]), K, stride, K - 1, 2, true);  // ReLU fused
  return net.norm(x, p.bn[0]);
}

// ---- conv_Kx1_1xK (K = 7, 3): ReLU, conv 1xK, conv Kx1 at the stride, BN
template <int K>
void convk1_make(Net& net, const std::string& p, int C, int, OpParams& out) {
  std::string k = std::to_string(K);
  out.w.push_back(he(net, p + "conv1x" + k + ".w", (int64_t)C * C * K, C * K));  // (C, C, 1, K)
  out.w.push_back(he(net, p + "conv" + k + "x1.w", (int64_t)C * C * K, C * K));  // (C, C, K, 1)
  out.bn.push_back(net.bn(p + "conv" + k + ".bn", C));
}
template <int K>
Act* convk1_apply(Net& net, const OpParams& p, Act* x, int stride) {
  Tape& t = net.t();
  int C = x->s.C;
  x = t.conv(x, net.P(p.w[0]), C, 1, K, 1, 0, K / 2, 1, 1, true);  // ReLU fused
  x = t.conv(x, net.P(p.w[1]), C, K, 1, stride, K / 2, 0);
  return net.norm(x, p.bn[0]);
}

// ---- conv_KxK (K = 1, 3): ReLU, conv KxK pad K/2 at the stride, BN (NASNet's plain convolutions)
template <int K>
void conv_make(Net& net, const std::string& p, int C, int, OpParams& out) {
  std::string n = p + "conv" + std::to_string(K) + "x" + std::to_string(K) + ".";
  out.w.push_back(he(net, n + "w", (int64_t)C * C * K * K, C * K * K));  // (C, C, K, K)
  out.bn.push_back(net.bn(n + "bn", C));
}
template <int K>
Act* conv_apply(Net& net, const OpParams& p, Act* x, int stride) {
  Tape& t = net.t();
  x = t.conv(x, net.P(p.w[0]), x->s.C, K, K, stride, K / 2, K / 2, 1, 1, true);  // ReLU fused
  return net.norm(x, p.bn[0]);
}

// ---- macro_*: ENAS's macro branches. conv 1x1 + BN + ReLU, then a KxK conv (SEP: depthwise
// KxK + pointwise) + BN + ReLU, or (K = 0) a 3x3 pool (MAX: max, else average)
void macro_in_make(Net& net, const std::string& n, int C, OpParams& out) {
  out.w.push_back(he(net, n + "in.w", (int64_t)C * C, C));  // (C, C, 1, 1)
  out.bn.push_back(net.bn(n + "in.bn", C));
}
Act* macro_in(Net& net, const OpParams& p, Act* x) {
  return net.t().relu(net.norm(net.t().conv(x, net.P(p.w[0]), x->s.C, 1, 1, 1, 0, 0), p.bn[0]));
}
template <int K, bool SEP>
void mconv_make(Net& net, const std::string& p, int C, int, OpParams& out) {
  std::string n = p + (SEP ? "msep" : "mconv") + std::to_string(K) + ".";
  macro_in_make(net, n, C, out);
  if (SEP) {
    out.w.push_back(he(net, n + "dw", (int64_t)C * K * K, K * K));  // (C, 1, K, K)
    out.w.push_back(he(net, n + "pw", (int64_t)C * C, C));          // (C, C, 1, 1)
  } else {
    out.w.push_back(he(net, n + "w", (int64_t)C * C * K * K, C * K * K));  // (C, C, K, K)
  }
  out.bn.push_back(net.bn(n + "bn", C));
}
template <int K, bool SEP>
Act* mconv_apply(Net& net, const OpParams& p, Act* x, int stride) {
  Tape& t = net.t();
  Act* in = net.norm(t.conv(x, net.P(p.w[0]), x->s.C, 1, 1, 1, 0, 0), p.bn[0]);  // macro_in, its ReLU fused below
  x = SEP ? t.sepconv(in, net.P(p.w[1]), net.P(p.w[2]), K, stride, K / 2, 1, true)
          : t.conv(in, net.P(p.w[1]), in->s.C, K, K, stride, K / 2, K / 2, 1, 1, true);
  t.release(in);  // BN outputs read by one op are released after it (the backward rebuilds them)
  Act* n = net.norm(x, p.bn[1]);
  Act* y = t.relu(n);
  t.release(n);
  return y;
}
template <bool MAX>
void mpool_make(Net& net, const std::string& p, int C, int, OpParams& out) {
  macro_in_make(net, p + (MAX ? "mmax." : "mavg."), C, out);
}
template <bool MAX>
Act* mpool_apply(Net& net, const OpParams& p, Act* x, int stride) {
  x = macro_in(net, p, x);
  return MAX ? net.t().maxpool(x, 3, stride, 1) : net.t().avgpool(x, 3, stride, 1);
}

const OpDef kOps[OP_COUNT] = {
    {"none", none_make, none_apply},
    {"skip_connect", skip_make, skip_apply},
    {"avg_pool_3x3", no_params, avg3_apply},
    {"max_pool_3x3", no_params, max_apply<3>},
    {"sep_conv_3x3", sep_make<3>, sep_apply<3>},
    {"sep_conv_5x5", sep_make<5>, sep_apply<5>},
    {"sep_conv_7x7", sep_make<7>, sep_apply<7>},
    {"dil_conv_3x3", dil_make<3>, dil_apply<3>},
    {"dil_conv_5x5", dil_make<5>, dil_apply<5>},
    {"conv_7x1_1x7", convk1_make<7>, convk1_apply<7>},
    {"conv_3x1_1x3", convk1_make<3>, convk1_apply<3>},
    {"max_pool_5x5", no_params, max_apply<5>},
    {"max_pool_7x7", no_params, max_apply<7>},
    {"conv_1x1", conv_make<1>, conv_apply<1>},
    {"conv_3x3", conv_make<3>, conv_apply<3>},
    {"dil_sep_conv_3x3", sep_make<3, 2>, sep_apply<3, 2>},
    {"macro_conv_3x3", mconv_make<3, false>, mconv_apply<3, false>},
    {"macro_sep_conv_3x3", mconv_make<3, true>, mconv_apply<3, true>},
    {"macro_conv_5x5", mconv_make<5, false>, mconv_apply<5, false>},
    {"macro_sep_conv_5x5", mconv_make<5, true>, mconv_apply<5, true>},
    {"macro_avg_pool_3x3", mpool_make<false>, mpool_apply<false>},
    {"macro_max_pool_3x3", mpool_make<true>, mpool_apply<true>},
};

}  // namespace

const OpDef& op_def(int id) {
  if (id < 0 || id >= OP_COUNT)
    throw std::invalid_argument("op id " + std::to_string(id) + " is not in [0, " + std::to_string(OP_COUNT) + ")");
  return kOps[id];
}

OpParams relu_conv_bn_make(Net& net, const std::string& prefix, int C_in, int C_out) {
  OpParams p;
  p.w.push_back(he(net, prefix + "conv.w", (int64_t)C_out * C_in, C_in));  // (C_out, C_in, 1, 1)
  p.bn.push_back(net.bn(prefix + "bn", C_out));
  return p;
}

Act* relu_conv_bn(Net& net, const OpParams& p, Act* x) {
  Param w = net.P(p.w[0]);
  int C_out = (int)(w.n / x->s.C);
  return net.norm(net.t().conv(x, w, C_out, 1, 1, 1, 0, 0, 1, 1, true), p.bn[0]);  // ReLU fused
}

OpParams fr_bn_make(Net& net, const std::string& wprefix, const std::string& bn_name, int C_in, int C_out) {
  OpParams p;
  p.w.push_back(he(net, wprefix + "w1", (int64_t)(C_out / 2) * C_in, C_in));            // (C_out/2, C_in)
  p.w.push_back(he(net, wprefix + "w2", (int64_t)(C_out - C_out / 2) * C_in, C_in));  // (C_out - C_out/2, C_in)
  p.bn.push_back(net.bn(bn_name, C_out));
  return p;
}

Act* fr_bn(Net& net, const OpParams& p, Act* x) {
  Param w1 = net.P(p.w[0]), w2 = net.P(p.w[1]);
  int C_out = (int)((w1.n + w2.n) / x->s.C);
  return net.norm(net.t().factorized_reduce(x, w1, w2, C_out), p.bn[0]);
}

}  // namespace jnas
