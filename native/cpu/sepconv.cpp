// sepconv.cpp: separable convolution (CPU): depthwise KxK then pointwise 1x1, no bias,
// as in ENAS and DARTS ("sep_conv" is one ReLU-sepconv-BN unit; the caller adds BN, and the
// ReLU too unless relu_in fuses it into the depthwise stage).
// Dilated separable conv ("dil_conv") is the same op with dilation > 1.
//   out   (B, C_out, OH, OW)
//   mid   (B, C_in, OH, OW)   the depthwise output, written by forward, read by backward
//   inp   (B, C_in, H, W)
//   w_dw  (C_in, 1, K, K)
//   w_pw  (C_out, C_in, 1, 1)
// Contract: forward OVERWRITES out and mid; backward ADDS into dinp, dw_dw, dw_pw (NULL
// skips one). relu_in: the depthwise stage reads ReLU(inp) and its backward masks dinp.
// mid may be NULL in both: nothing is stored, backward recomputes it (the networks do this:
// with a stride-1 depthwise stage the fused kernel of conv_fast.cpp keeps each sample's
// depthwise output in cache and never writes it to memory).
// Both stages are the conv2d kernels: the depthwise one takes the direct depthwise kernel,
// the pointwise one the register-blocked 1x1 kernel (conv_fast.cpp). The gradient of mid
// lives in a scratch buffer of the calling thread that the pointwise backward overwrites
// (no allocation or zero fill per call).
#include "jnas.h"

#include <cstddef>
#include <new>
#include <vector>

#include "conv_fast.h"

extern "C" {

int jnas_cpu_sepconv_forward(float* out, float* mid, const float* inp,
                             const float* w_dw, const float* w_pw,
                             int B, int C_in, int H, int W, int C_out, int K,
                             int stride, int pad, int dilation, int relu_in) {
  int OH = jnas_out_size(H, K, stride, pad, dilation);
  int OW = jnas_out_size(W, K, stride, pad, dilation);
  std::vector<float> own;  // mid when the caller keeps none and the fused kernel does not fit
  if (!mid) {
    if (jnas::sepconv_fused_fits(K, stride, pad, dilation)) {
      jnas::sepconv_fused_forward(out, inp, w_dw, w_pw, B, C_in, H, W, C_out, K, pad, dilation, relu_in != 0);
      return JNAS_OK;
    }
    try {
      own.resize((size_t)B * C_in * OH * OW);
    } catch (const std::bad_alloc&) {
      return JNAS_E_ALLOC;
    }
    mid = own.data();
  }
  int rc = jnas_cpu_conv2d_forward(mid, inp, w_dw, nullptr, B, C_in, H, W, C_in, K, K, stride,
                                   pad, pad, dilation, C_in, relu_in);
  if (rc != JNAS_OK) return rc;
  return jnas_cpu_conv2d_forward(out, mid, w_pw, nullptr, B, C_in, OH, OW, C_out, 1, 1, 1, 0, 0,
                                 1, 1, 0);
}

int jnas_cpu_sepconv_backward(float* dinp, float* dw_dw, float* dw_pw,
                              const float* dout, const float* mid, const float* inp,
                              const float* w_dw, const float* w_pw,
                              int B, int C_in, int H, int W, int C_out, int K,
                              int stride, int pad, int dilation, int relu_in) {
  int OH = jnas_out_size(H, K, stride, pad, dilation);
  int OW = jnas_out_size(W, K, stride, pad, dilation);
  std::vector<float> own;  // mid recomputed, when the caller kept none and the fused kernel does not fit
  if (!mid) {
    if (jnas::sepconv_fused_fits(K, stride, pad, dilation)) {
      jnas::sepconv_fused_backward(dinp, dw_dw, dw_pw, dout, inp, w_dw, w_pw, B, C_in, H, W, C_out, K, pad, dilation,
                                   relu_in != 0);
      return JNAS_OK;
    }
    try {
      own.resize((size_t)B * C_in * OH * OW);
    } catch (const std::bad_alloc&) {
      return JNAS_E_ALLOC;
    }
    int rc = jnas_cpu_conv2d_forward(own.data(), inp, w_dw, nullptr, B, C_in, H, W, C_in, K, K, stride, pad, pad,
                                     dilation, C_in, relu_in);
    if (rc != JNAS_OK) return rc;
    mid = own.data();
  }
  bool need_dmid = dinp != nullptr || dw_dw != nullptr;
  thread_local std::vector<float> scratch;  // dmid (B, C_in, OH, OW), overwritten below
  float* dmid = nullptr;
  if (need_dmid) {
    size_t n = (size_t)B * C_in * OH * OW;
    try {
      if (scratch.size() < n) scratch.resize(n);
    } catch (const std::bad_alloc&) {
      return JNAS_E_ALLOC;
    }
    dmid = scratch.data();
    jnas::pointwise_backward(dmid, nullptr, dout, mid, w_pw, B, C_in, (int64_t)OH * OW, C_out, false, true);
  }
  if (dw_pw) jnas::pointwise_backward(nullptr, dw_pw, dout, mid, w_pw, B, C_in, (int64_t)OH * OW, C_out, false);
  if (!need_dmid) return JNAS_OK;
  return jnas_cpu_conv2d_backward(dinp, dw_dw, nullptr, dmid, inp, w_dw, B, C_in, H, W,
                                  C_in, K, K, stride, pad, pad, dilation, C_in, relu_in);
}

}  // extern "C"
