// todo_stubs_*.cpp: TEMPORARY. Ops declared in jnas.h but not yet written answer
// JNAS_E_ARG so the library links. Delete a stub when its op lands; delete
// this file when it is empty.
#include "jnas.h"

extern "C" {

int jnas_cpu_conv2d_forward(float* out, const float* inp, const float* weight, const float* bias, int B, int C_in, int H, int W, int C_out, int KH, int KW, int stride, int pad_h, int pad_w, int dilation, int groups) { return JNAS_E_ARG; }
int jnas_cpu_conv2d_backward(float* dinp, float* dweight, float* dbias, const float* dout, const float* inp, const float* weight, int B, int C_in, int H, int W, int C_out, int KH, int KW, int stride, int pad_h, int pad_w, int dilation, int groups) { return JNAS_E_ARG; }
int jnas_cpu_conv2d_forward_ref(float* out, const float* inp, const float* weight, const float* bias, int B, int C_in, int H, int W, int C_out, int KH, int KW, int stride, int pad_h, int pad_w, int dilation, int groups) { return JNAS_E_ARG; }
int jnas_cpu_conv2d_backward_ref(float* dinp, float* dweight, float* dbias, const float* dout, const float* inp, const float* weight, int B, int C_in, int H, int W, int C_out, int KH, int KW, int stride, int pad_h, int pad_w, int dilation, int groups) { return JNAS_E_ARG; }
int jnas_cpu_sepconv_forward(float* out, float* mid, const float* inp, const float* w_dw, const float* w_pw, int B, int C_in, int H, int W, int C_out, int K, int stride, int pad, int dilation) { return JNAS_E_ARG; }
int jnas_cpu_sepconv_backward(float* dinp, float* dw_dw, float* dw_pw, const float* dout, const float* mid, const float* inp, const float* w_dw, const float* w_pw, int B, int C_in, int H, int W, int C_out, int K, int stride, int pad, int dilation) { return JNAS_E_ARG; }
int jnas_cpu_factorized_reduce_forward(float* out, const float* inp, const float* w1, const float* w2, int B, int C_in, int H, int W, int C_out) { return JNAS_E_ARG; }
int jnas_cpu_factorized_reduce_backward(float* dinp, float* dw1, float* dw2, const float* dout, const float* inp, const float* w1, const float* w2, int B, int C_in, int H, int W, int C_out) { return JNAS_E_ARG; }
int jnas_cpu_linear_forward(float* out, const float* inp, const float* weight, const float* bias, int B, int IC, int OC) { return JNAS_E_ARG; }
int jnas_cpu_linear_backward(float* dinp, float* dweight, float* dbias, const float* dout, const float* inp, const float* weight, int B, int IC, int OC) { return JNAS_E_ARG; }

}  // extern "C"
