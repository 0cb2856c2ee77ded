// conv_fast.h: the SIMD fast paths of conv2d (conv_fast.cpp), called by
// conv2d.cpp when a shape fits. Same contract as jnas.h: forward overwrites,
// backward adds, NULL gradients skipped. Bias gradients stay in conv2d.cpp.
#pragma once
#include <cstdint>

namespace jnas {

// The inner loops of one instruction set (conv_fast_kernels.inc documents each).
struct ConvIsa {
  const char* name;  // "avx2" or "avx512"
  int lanes;         // floats per register: 8 or 16
  void (*pw)(float* Y, const float* A, const float* X, const float* bias, int M, int K, int64_t ldp, int64_t p0,
             int64_t p1, bool acc);
  void (*pw_relu)(float* Y, const float* A, const float* X, const float* bias, int M, int K, int64_t ldp,
                  int64_t p0, int64_t p1, bool acc);
  void (*pw_mask)(float* Y, const float* A, const float* X, int M, int K, int64_t ldp, int64_t p0, int64_t p1,
                  const float* mask);
  void (*dot)(double* G, const float* D, const float* X, int M, int N, int64_t P, int nb);
  void (*dot_relu)(double* G, const float* D, const float* X, int M, int N, int64_t P, int nb);
  void (*pack)(float* Xt, const float* X, int N, int64_t P, int Np, bool relu);
  void (*dotp)(double* G, const float* D, const float* Xt, int M, int N, int64_t P, int Np, int nb);
  void (*stencil)(float* o, const float* xp, int Wp, const float* w, int KH, int KW, int d, int OH, int OW, float b0,
                  bool acc);
  void (*stencil_mask)(float* o, const float* xp, int Wp, const float* w, int KH, int KW, int d, int OH, int OW,
                       const float* mask);
  void (*pad_plane)(float* dst, const float* src, int H, int W, int ph, int pw, bool relu);
  void (*dw_wgrad)(float* accm, const float* dm, const float* xp, int OH, int OW, int Wp, int KH, int KW, int d);
  void (*dw_wgrad_finish)(double* g, const float* accm, int n);
  // Flat stencils of small "same" planes (conv_fast_kernels.inc): tap offsets and lane masks
  // from flat_masks.
  void (*stencil_flat)(float* o, const float* x, const float* w, int KH, int KW, int d, int W, const int64_t* off,
                       int HW, const uint32_t* masks, float b0, bool acc, bool relu_x, const float* mask);
  void (*dw_wgrad_flat)(float* accm, const float* dm, const float* x, int KH, int KW, int d, int W, const int64_t* off,
                        int HW, const uint32_t* masks, bool relu_x);
  // Row stencils in place (whole-register rows, "same" planes; conv_fast_kernels.inc): the
  // compile-time case of a geometry (-1: none), then the stencil and weight gradient of a plane.
  int (*rows_case)(int KH, int KW, int d, int H, int W, int ph, int pw);
  void (*stencil_rows)(int c, float* o, const float* x, const float* w, int H, float b0, bool acc, bool relu_x,
                       const float* mask);
  void (*dw_wgrad_rows)(int c, float* accm, const float* dm, const float* x, int H, bool relu_x);
};

// The instruction set in use: AVX-512 where the CPU has it, unless JNAS_CPU_ISA=avx2 (read once)
// or set_conv_isa said otherwise.
const ConvIsa& conv_isa();
// "avx2", "avx512" (false where the CPU lacks it) or "auto"; process-wide.
bool set_conv_isa(const char* name);

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
