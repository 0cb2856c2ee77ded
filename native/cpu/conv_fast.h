// conv_fast.h: the AVX2 fast paths of conv2d (conv_fast.cpp), called by
// conv2d.cpp when a shape fits. Same contract as jnas.h: forward overwrites,
// backward adds, NULL gradients skipped. Bias gradients stay in conv2d.cpp.
#pragma once
#include <cstdint>

namespace jnas {

// Pointwise: 1x1 kernel, stride 1, no padding, one group (dilation is moot).
bool pointwise_fits(int KH, int KW, int stride, int pad_h, int pad_w, int groups);
// out (B, C_out, P); inp (B, C_in, P); weight (C_out, C_in); bias (C_out) or NULL
// relu: the input is read through a fused ReLU (jnas.h's relu_in); overwrite: dinp is written,
// not added to (scratch that needs no zero fill; not with relu).
void pointwise_forward(float* out, const float* inp, const float* weight, const float* bias, int B, int C_in,
                       int64_t P, int C_out, bool relu);
void pointwise_backward(float* dinp, float* dweight, const float* dout, const float* inp, const float* weight,
                        int B, int C_in, int64_t P, int C_out, bool relu, bool overwrite = false);

// Depthwise (one channel per group), stride 1, padding at most dilation*(K-1).
bool depthwise_s1_fits(int KH, int KW, int stride, int pad_h, int pad_w, int dilation);
// out (B, C, OH, OW); inp (B, C, H, W); weight (C, 1, KH, KW); bias (C) or NULL
void depthwise_s1_forward(float* out, const float* inp, const float* weight, const float* bias, int B, int C, int H,
                          int W, int KH, int KW, int pad_h, int pad_w, int dilation, bool relu);
void depthwise_s1_backward(float* dinp, float* dweight, const float* dout, const float* inp, const float* weight,
                           int B, int C, int H, int W, int KH, int KW, int pad_h, int pad_w, int dilation, bool relu);

// Separable conv with the depthwise stage at stride 1 (ReLU optional): the fused kernels
// run one sample at a time with the depthwise output in a per-thread scratch, so no `mid`
// is stored: backward recomputes it. Same contract as jnas_cpu_sepconv_*.
bool sepconv_fused_fits(int K, int stride, int pad, int dilation);
void sepconv_fused_forward(float* out, const float* inp, const float* w_dw, const float* w_pw, int B, int C_in, int H,
                           int W, int C_out, int K, int pad, int dilation, bool relu);
void sepconv_fused_backward(float* dinp, float* dw_dw, float* dw_pw, const float* dout, const float* inp,
                            const float* w_dw, const float* w_pw, int B, int C_in, int H, int W, int C_out, int K,
                            int pad, int dilation, bool relu);

}  // namespace jnas
