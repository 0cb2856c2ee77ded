// sepconv.cpp: separable convolution (CPU): depthwise KxK then pointwise 1x1, no bias,
// as in ENAS and DARTS ("sep_conv" is one ReLU-sepconv-BN unit; the caller adds ReLU/BN).
// Dilated separable conv ("dil_conv") is the same op with dilation > 1.
//   out   (B, C_out, OH, OW)
//   mid   (B, C_in, OH, OW)   the depthwise output, written by forward, read by backward
//   inp   (B, C_in, H, W)
//   w_dw  (C_in, 1, K, K)
//   w_pw  (C_out, C_in, 1, 1)
// Contract: forward OVERWRITES out and mid; backward ADDS into dinp, dw_dw, dw_pw (NULL
// skips one). Both stages are the conv2d kernels: the depthwise one takes the direct
// depthwise kernel, the pointwise one im2col+sgemm (its im2col is a plain copy).
#include "jnas.h"

#include <cstddef>
#include <new>
#include <vector>

extern "C" {

int jnas_cpu_sepconv_forward(float* out, float* mid, const float* inp,
                             const float* w_dw, const float* w_pw,
                             int B, int C_in, int H, int W, int C_out, int K,
                             int stride, int pad, int dilation) {
  int OH = jnas_out_size(H, K, stride, pad, dilation);
  int OW = jnas_out_size(W, K, stride, pad, dilation);
  int rc = jnas_cpu_conv2d_forward(mid, inp, w_dw, nullptr, B, C_in, H, W, C_in, K, K, stride,
                                   pad, pad, dilation, C_in);
  if (rc != JNAS_OK) return rc;
  return jnas_cpu_conv2d_forward(out, mid, w_pw, nullptr, B, C_in, OH, OW, C_out, 1, 1, 1, 0, 0,
                                 1, 1);
}

int jnas_cpu_sepconv_backward(float* dinp, float* dw_dw, float* dw_pw,
                              const float* dout, const float* mid, const float* inp,
                              const float* w_dw, const float* w_pw,
                              int B, int C_in, int H, int W, int C_out, int K,
                              int stride, int pad, int dilation) {
  int OH = jnas_out_size(H, K, stride, pad, dilation);
  int OW = jnas_out_size(W, K, stride, pad, dilation);
  bool need_dmid = dinp != nullptr || dw_dw != nullptr;
  std::vector<float> dmid;  // (B, C_in, OH, OW), zeroed: the pointwise backward adds into it
  if (need_dmid) {
    try {
      dmid.assign((size_t)B * C_in * OH * OW, 0.f);
    } catch (const std::bad_alloc&) {
      return JNAS_E_ALLOC;
    }
  }
  int rc = jnas_cpu_conv2d_backward(need_dmid ? dmid.data() : nullptr, dw_pw, nullptr, dout, mid,
                                    w_pw, B, C_in, OH, OW, C_out, 1, 1, 1, 0, 0, 1, 1);
  if (rc != JNAS_OK || !need_dmid) return rc;
  return jnas_cpu_conv2d_backward(dinp, dw_dw, nullptr, dmid.data(), inp, w_dw, B, C_in, H, W,
                                  C_in, K, K, stride, pad, pad, dilation, C_in);
}

}  // extern "C"
