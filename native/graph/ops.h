// ops.h: the op registry. Every candidate operation of every search space is one
// entry here, named as DARTS and NNI name it, with one id space (the ids of the
// genotype ints in jnas.h and of io.jnas.genotype.Op in Java). An entry knows
// which parameters it needs for (C channels, stride) and how it applies on the
// tape. The supernet is a weight-shared choice over entries; the final network
// is a fixed selection of the same entries. Adding an op is one entry here (plus
// its kernels, if it needs new ones).
//
//   id op            parameters (names under the edge's prefix)     computes
//   0  none          -                                              zeros (strided shape on a stride-2 edge)
//   1  skip_connect  stride 2: fr.w1 fr.w2 fr.bn                    identity; FactorizedReduce+BN at stride 2
//   2  avg_pool_3x3  -                                              3x3 pad 1, count_include_pad=False
//   3  max_pool_3x3  -                                              3x3 pad 1
//   4  sep_conv_3x3  sepK.{0,1}.{dw,pw,bn}                          (ReLU, dw KxK, pw 1x1, BN) twice; the first dw at the stride
//   5  sep_conv_5x5
//   6  sep_conv_7x7
//   7  dil_conv_3x3  dilK.{dw,pw,bn}                                ReLU, dw KxK dilation 2, pw 1x1, BN
//   8  dil_conv_5x5
//   9  conv_7x1_1x7  conv1x7.w conv7x1.w conv7.bn                   ReLU, conv 1x7, conv 7x1 (at the stride), BN
//   10 conv_3x1_1x3  conv1x3.w conv3x1.w conv3.bn                   ReLU, conv 1x3, conv 3x1 (at the stride), BN
//   11 max_pool_5x5  -                                              5x5 pad 2
//   12 max_pool_7x7  -                                              7x7 pad 3
//   13 conv_1x1      conv1x1.w conv1x1.bn                           ReLU, conv 1x1 (at the stride), BN
//   14 conv_3x3      conv3x3.w conv3x3.bn                           ReLU, conv 3x3 pad 1 (at the stride), BN
//   15 dil_sep_conv_3x3 dilsep3.{0,1}.{dw,pw,bn}                    (ReLU, dw 3x3 dilation 2, pw 1x1, BN) twice; the first dw at the stride
//   16 macro_conv_3x3      mconv3.{in.w,in.bn,w,bn}                 conv 1x1, BN, ReLU, conv 3x3 (at the stride), BN, ReLU
//   17 macro_sep_conv_3x3  msep3.{in.w,in.bn,dw,pw,bn}              conv 1x1, BN, ReLU, dw 3x3 (at the stride), pw 1x1, BN, ReLU
//   18 macro_conv_5x5      mconv5.*                                 as 16 with 5x5
//   19 macro_sep_conv_5x5  msep5.*                                  as 17 with 5x5
//   20 macro_avg_pool_3x3  mavg.{in.w,in.bn}                        conv 1x1, BN, ReLU, 3x3 avg pool pad 1 (at the stride)
//   21 macro_max_pool_3x3  mmax.{in.w,in.bn}                        conv 1x1, BN, ReLU, 3x3 max pool pad 1 (at the stride)
//
// Ids 16-21 are the six branches of ENAS's macro space (Pham et al. 2018, melodyguan/enas
// src/cifar10/general_child.py: _conv_branch, _pool_branch; branch order 0-5), the candidate
// ops of macro_net.cpp. Unlike the cell ops they start with their own 1x1 conv and end
// activated, as ENAS's branches do.
//
// Ids 10-15 complete the NASNet and AmoebaNet op sets (Zoph et al. 2018, Real et al. 2019)
// as NDS (Radosavovic et al. 2019, facebookresearch/unnas pycls/models/nas/operations.py)
// and NNI's hub spaces write them: NASNet's "3x3 dilated convolution" is dil_conv_3x3 (id
// 7, a dilated separable conv applied once), AmoebaNet's "3x3 dilated sep. conv" is
// dil_sep_conv_3x3 (applied twice, like sep_conv_KxK), NASNet's "identity" is skip_connect.
//
// conv_7x1_1x7 and conv_3x1_1x3: DARTS strides (1,s) then (s,1); here the 1xK
// runs at stride 1 and the Kx1 at stride s in both axes: the same numbers (the
// Kx1 conv acts per column, so subsampling the columns commutes with it), for
// extra 1xK work on a stride-2 edge.
//
// Two building blocks are shared by the networks without being choices:
// relu_conv_bn (ReLU, conv 1x1, BN: DARTS's ReLUConvBN, ENAS's calibration) and
// fr_bn (FactorizedReduce + BN).
#pragma once

#include <string>
#include <vector>

#include "net.h"

namespace jnas {

enum OpId {
  OP_NONE = 0,
  OP_SKIP_CONNECT,
  OP_AVG_POOL_3X3,
  OP_MAX_POOL_3X3,
  OP_SEP_CONV_3X3,
  OP_SEP_CONV_5X5,
  OP_SEP_CONV_7X7,
  OP_DIL_CONV_3X3,
  OP_DIL_CONV_5X5,
  OP_CONV_7X1_1X7,
  OP_CONV_3X1_1X3,
  OP_MAX_POOL_5X5,
  OP_MAX_POOL_7X7,
  OP_CONV_1X1,
  OP_CONV_3X3,
  OP_DIL_SEP_CONV_3X3,
  OP_MACRO_CONV_3X3,
  OP_MACRO_SEP_CONV_3X3,
  OP_MACRO_CONV_5X5,
  OP_MACRO_SEP_CONV_5X5,
  OP_MACRO_AVG_POOL_3X3,
  OP_MACRO_MAX_POOL_3X3,
  OP_COUNT
};

// The parameters of one op on one edge, in the order the op uses them.
struct OpParams {
  std::vector<int> w;
  std::vector<Net::BN> bn;
};

struct OpDef {
  const char* name;
  // Registers the op's parameters on net under prefix (e.g. "cell3.edge2.") for C channels.
  void (*make)(Net& net, const std::string& prefix, int C, int stride, OpParams& p);
  // Applies it to x (C channels) at stride; returns x itself for a stride-1 skip_connect.
  Act* (*apply)(Net& net, const OpParams& p, Act* x, int stride);
};

// The entry of an id; throws std::invalid_argument naming the id for an unknown one.
const OpDef& op_def(int id);
// Whether an op at this stride returns its input unchanged (no drop-path on it).
inline bool op_is_identity(int id, int stride) { return id == OP_SKIP_CONNECT && stride == 1; }

// ReLU, conv 1x1 (C_in -> C_out), BN: parameters prefix + "conv.w", prefix + "bn".
OpParams relu_conv_bn_make(Net& net, const std::string& prefix, int C_in, int C_out);
Act* relu_conv_bn(Net& net, const OpParams& p, Act* x);
// FactorizedReduce (C_in -> C_out, halves H and W) + BN: parameters wprefix + "w1",
// wprefix + "w2", bn_name.
OpParams fr_bn_make(Net& net, const std::string& wprefix, const std::string& bn_name, int C_in, int C_out);
Act* fr_bn(Net& net, const OpParams& p, Act* x);

}  // namespace jnas
