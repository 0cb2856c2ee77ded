// todo_stubs_*.cpp: TEMPORARY. Ops declared in jnas.h but not yet written answer
// JNAS_E_ARG so the library links. Delete a stub when its op lands; delete
// this file when it is empty.
#include "jnas.h"

extern "C" {

int jnas_cpu_maxpool_forward(float* out, int32_t* argmax, const float* inp, int B, int C, int H, int W, int K, int stride, int pad) { return JNAS_E_ARG; }
int jnas_cpu_maxpool_backward(float* dinp, const float* dout, const int32_t* argmax, int B, int C, int H, int W, int K, int stride, int pad) { return JNAS_E_ARG; }
int jnas_cpu_avgpool_forward(float* out, const float* inp, int B, int C, int H, int W, int K, int stride, int pad) { return JNAS_E_ARG; }
int jnas_cpu_avgpool_backward(float* dinp, const float* dout, int B, int C, int H, int W, int K, int stride, int pad) { return JNAS_E_ARG; }
int jnas_cpu_global_avgpool_forward(float* out, const float* inp, int B, int C, int HW) { return JNAS_E_ARG; }
int jnas_cpu_global_avgpool_backward(float* dinp, const float* dout, int B, int C, int HW) { return JNAS_E_ARG; }
int jnas_cpu_batchnorm_forward(float* out, float* mean, float* rstd, const float* inp, const float* gamma, const float* beta, float* running_mean, float* running_var, int B, int C, int HW, float eps, float momentum, int training) { return JNAS_E_ARG; }
int jnas_cpu_batchnorm_backward(float* dinp, float* dgamma, float* dbeta, const float* dout, const float* inp, const float* mean, const float* rstd, const float* gamma, int B, int C, int HW, int training) { return JNAS_E_ARG; }
int jnas_cpu_sum_forward(float* out, const float* const* inps, int n_inputs, int64_t N) { return JNAS_E_ARG; }
int jnas_cpu_sum_backward(float* const* dinps, const float* dout, int n_inputs, int64_t N) { return JNAS_E_ARG; }
int jnas_cpu_concat_forward(float* out, const float* const* inps, const int32_t* channels, int n_inputs, int B, int HW) { return JNAS_E_ARG; }
int jnas_cpu_concat_backward(float* const* dinps, const float* dout, const int32_t* channels, int n_inputs, int B, int HW) { return JNAS_E_ARG; }
int jnas_cpu_softmax_xent_forward(float* loss, float* probs, const float* logits, const int32_t* labels, int B, int V, float label_smoothing) { return JNAS_E_ARG; }
int jnas_cpu_softmax_xent_backward(float* dlogits, const float* probs, const int32_t* labels, int B, int V, float label_smoothing, float dloss) { return JNAS_E_ARG; }
int jnas_cpu_dropout_forward(float* out, float* mask, const float* inp, int64_t N, float keep_prob, uint64_t seed) { return JNAS_E_ARG; }
int jnas_cpu_dropout_backward(float* dinp, const float* dout, const float* mask, int64_t N) { return JNAS_E_ARG; }
int jnas_cpu_drop_path_forward(float* out, float* mask, const float* inp, int B, int64_t per_sample, float keep_prob, uint64_t seed) { return JNAS_E_ARG; }
int jnas_cpu_drop_path_backward(float* dinp, const float* dout, const float* mask, int B, int64_t per_sample) { return JNAS_E_ARG; }
int jnas_cpu_sgd_update(float* param, float* momentum_buf, const float* grad, int64_t N, float lr, float momentum, float weight_decay, int nesterov) { return JNAS_E_ARG; }
int jnas_cpu_adam_update(float* param, float* m, float* v, const float* grad, int64_t N, float lr, float beta1, float beta2, float eps, float weight_decay, int step) { return JNAS_E_ARG; }
int jnas_cpu_global_norm(float* out, const float* const* bufs, const int64_t* sizes, int n_bufs) { return JNAS_E_ARG; }
int jnas_cpu_scale(float* buf, int64_t N, float s) { return JNAS_E_ARG; }

}  // extern "C"
