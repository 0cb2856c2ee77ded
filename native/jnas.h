/*
 * jnas.h: the one C API of jnas's native core.
 *
 * Both backends implement it: the CPU kernels in native/ (C++17, OpenBLAS
 * sgemm where it pays) as jnas_cpu_*, and their CUDA twins in cuda/ as
 * jnas_cuda_*, with the same names after the prefix and the same argument
 * order (the CUDA ones take a stream, a void*, last). No CUDA type appears
 * here, so the JavaCPP glue compiles with g++ alone.
 *
 * Conventions (read these once; every function follows them):
 *  - Dimension letters: B batch, C channels, H height, W width, OH/OW output
 *    height/width, HW = H*W, K kernel size, N a flat element count, V classes.
 *  - Layout: NCHW float32, contiguous, unless a function says otherwise.
 *  - Argument order (as in llm.c): outputs, buffers saved for backward,
 *    inputs, parameters, sizes, options.
 *  - Gradient rule: every *_backward ADDS into its gradient buffers
 *    (dinp += ..., dweight += ...); the caller zeroes them. Cells sum several
 *    edges into one node, so accumulation is the natural operation. A gradient
 *    pointer that is NULL is not computed.
 *  - Forward functions OVERWRITE their outputs.
 *  - Return value: 0 on success, a JNAS_E* code otherwise. Sizes are checked
 *    on the Java side before a call; the native side trusts them.
 *  - Randomness (dropout, drop-path) comes from a 64-bit seed hashed with the
 *    element index (counter-based), so CPU and GPU draw the same masks.
 */
#ifndef JNAS_H
#define JNAS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define JNAS_OK 0
#define JNAS_E_ALLOC 1      /* a scratch allocation failed */
#define JNAS_E_ARG 2        /* an argument the native side refuses */
#define JNAS_E_NO_CUDA 3    /* the CUDA backend was not built or no device */
#define JNAS_E_CUDA 4       /* a CUDA call failed; jnas_cuda_last_error says which */

/* ---------------------------------------------------------------- runtime */

/* Threads used by the CPU kernels' own loops (OpenBLAS has its own count). */
void jnas_cpu_set_num_threads(int n);
int jnas_cpu_get_num_threads(void);
/* OpenBLAS's own thread count. */
void jnas_cpu_set_blas_threads(int n);
int jnas_cpu_get_blas_threads(void);

/* Output size of a convolution or pooling window along one axis. */
int jnas_out_size(int in, int k, int stride, int pad, int dilation);

/* Float32 sgemm through OpenBLAS, row-major: C = alpha*op(A)*op(B) + beta*C.
 * Exposed for the benchmarks, which report every kernel against it. */
void jnas_cpu_sgemm(int trans_a, int trans_b, int M, int N, int K, float alpha,
                    const float* A, int lda, const float* B, int ldb, float beta,
                    float* C, int ldc);

/* ------------------------------------------------------------------- conv2d */

/* out     (B, C_out, OH, OW)
 * inp     (B, C_in, H, W)
 * weight  (C_out, C_in/groups, KH, KW)
 * bias    (C_out) or NULL
 * OH = (H + 2*pad_h - dilation*(KH-1) - 1)/stride + 1, likewise OW.
 * groups divides C_in and C_out; groups == C_in == C_out is depthwise. */
int jnas_cpu_conv2d_forward(float* out, const float* inp, const float* weight, const float* bias,
                            int B, int C_in, int H, int W, int C_out, int KH, int KW,
                            int stride, int pad_h, int pad_w, int dilation, int groups);
int jnas_cpu_conv2d_backward(float* dinp, float* dweight, float* dbias,
                             const float* dout, const float* inp, const float* weight,
                             int B, int C_in, int H, int W, int C_out, int KH, int KW,
                             int stride, int pad_h, int pad_w, int dilation, int groups);
/* The naive reference (direct loops, no im2col, no BLAS): the oracle of the fast path. */
int jnas_cpu_conv2d_forward_ref(float* out, const float* inp, const float* weight, const float* bias,
                                int B, int C_in, int H, int W, int C_out, int KH, int KW,
                                int stride, int pad_h, int pad_w, int dilation, int groups);
int jnas_cpu_conv2d_backward_ref(float* dinp, float* dweight, float* dbias,
                                 const float* dout, const float* inp, const float* weight,
                                 int B, int C_in, int H, int W, int C_out, int KH, int KW,
                                 int stride, int pad_h, int pad_w, int dilation, int groups);

/* ---------------------------------------------------------- separable conv */

/* Depthwise KxK (stride, pad, dilation) then pointwise 1x1, no bias (ENAS/DARTS).
 * out   (B, C_out, OH, OW)
 * mid   (B, C_in, OH, OW)   the depthwise output, saved for backward
 * inp   (B, C_in, H, W)
 * w_dw  (C_in, 1, K, K)
 * w_pw  (C_out, C_in, 1, 1) */
int jnas_cpu_sepconv_forward(float* out, float* mid, const float* inp,
                             const float* w_dw, const float* w_pw,
                             int B, int C_in, int H, int W, int C_out, int K,
                             int stride, int pad, int dilation);
int jnas_cpu_sepconv_backward(float* dinp, float* dw_dw, float* dw_pw,
                              const float* dout, const float* mid, const float* inp,
                              const float* w_dw, const float* w_pw,
                              int B, int C_in, int H, int W, int C_out, int K,
                              int stride, int pad, int dilation);

/* -------------------------------------------------------------------- pools */

/* out    (B, C, OH, OW)
 * argmax (B, C, OH, OW) int32: index into the input's H*W plane, saved for backward
 * inp    (B, C, H, W); padding never wins the max. */
int jnas_cpu_maxpool_forward(float* out, int32_t* argmax, const float* inp,
                             int B, int C, int H, int W, int K, int stride, int pad);
int jnas_cpu_maxpool_backward(float* dinp, const float* dout, const int32_t* argmax,
                              int B, int C, int H, int W, int K, int stride, int pad);
/* Average over the window's in-bounds elements only (count_include_pad=False,
 * as ENAS and DARTS do). */
int jnas_cpu_avgpool_forward(float* out, const float* inp,
                             int B, int C, int H, int W, int K, int stride, int pad);
int jnas_cpu_avgpool_backward(float* dinp, const float* dout,
                              int B, int C, int H, int W, int K, int stride, int pad);

/* out (B, C); inp (B, C, H, W) */
int jnas_cpu_global_avgpool_forward(float* out, const float* inp, int B, int C, int HW);
int jnas_cpu_global_avgpool_backward(float* dinp, const float* dout, int B, int C, int HW);

/* --------------------------------------------------------------- batchnorm */

/* out, inp     (B, C, HW)
 * mean, rstd   (C) saved for backward: the statistics used (1/sqrt(var+eps))
 * gamma, beta  (C) or both NULL (affine=False)
 * running_mean, running_var (C), may be NULL in training
 * training != 0: batch statistics (biased variance to normalize), and the running
 *   statistics move: r = (1-momentum)*r + momentum*batch, with the unbiased
 *   variance (PyTorch's rule).
 * training == 0: the running statistics normalize; nothing is updated. */
int jnas_cpu_batchnorm_forward(float* out, float* mean, float* rstd,
                               const float* inp, const float* gamma, const float* beta,
                               float* running_mean, float* running_var,
                               int B, int C, int HW, float eps, float momentum, int training);
int jnas_cpu_batchnorm_backward(float* dinp, float* dgamma, float* dbeta,
                                const float* dout, const float* inp,
                                const float* mean, const float* rstd, const float* gamma,
                                int B, int C, int HW, int training);

/* ------------------------------------------------------------ elementwise */

int jnas_cpu_relu_forward(float* out, const float* inp, int64_t N);
/* dinp += dout where inp > 0 */
int jnas_cpu_relu_backward(float* dinp, const float* dout, const float* inp, int64_t N);

/* out = sum of n_inputs tensors of N elements each. */
int jnas_cpu_sum_forward(float* out, const float* const* inps, int n_inputs, int64_t N);
/* dinps[i] += dout for every non-NULL dinps[i]. */
int jnas_cpu_sum_backward(float* const* dinps, const float* dout, int n_inputs, int64_t N);

/* Channel concat: out (B, sum(channels), HW); inps[i] (B, channels[i], HW). */
int jnas_cpu_concat_forward(float* out, const float* const* inps, const int32_t* channels,
                            int n_inputs, int B, int HW);
int jnas_cpu_concat_backward(float* const* dinps, const float* dout, const int32_t* channels,
                             int n_inputs, int B, int HW);

/* Factorized reduce without its BN (the caller applies batchnorm after):
 * x = relu(inp); out[:, :C_out/2] = conv1x1_s2(x, w1); out[:, C_out/2:] =
 * conv1x1_s2(x shifted by one pixel down-right, zero past the edge, w2).
 * out (B, C_out, OH, OW) with OH = (H+1)/2; inp (B, C_in, H, W);
 * w1 (C_out/2, C_in, 1, 1); w2 (C_out - C_out/2, C_in, 1, 1). */
int jnas_cpu_factorized_reduce_forward(float* out, const float* inp,
                                       const float* w1, const float* w2,
                                       int B, int C_in, int H, int W, int C_out);
int jnas_cpu_factorized_reduce_backward(float* dinp, float* dw1, float* dw2,
                                        const float* dout, const float* inp,
                                        const float* w1, const float* w2,
                                        int B, int C_in, int H, int W, int C_out);

/* ---------------------------------------------------- classifier and loss */

/* out (B, OC); inp (B, IC); weight (OC, IC); bias (OC) or NULL */
int jnas_cpu_linear_forward(float* out, const float* inp, const float* weight, const float* bias,
                            int B, int IC, int OC);
int jnas_cpu_linear_backward(float* dinp, float* dweight, float* dbias,
                             const float* dout, const float* inp, const float* weight,
                             int B, int IC, int OC);

/* loss (1): mean over the batch of the cross-entropy with targets
 *   (1-ls)*onehot + ls/V;  probs (B, V) saved; logits (B, V); labels (B) in [0, V). */
int jnas_cpu_softmax_xent_forward(float* loss, float* probs, const float* logits,
                                  const int32_t* labels, int B, int V, float label_smoothing);
/* dlogits += dloss * (probs - targets) / B */
int jnas_cpu_softmax_xent_backward(float* dlogits, const float* probs, const int32_t* labels,
                                   int B, int V, float label_smoothing, float dloss);

/* ------------------------------------------------------ dropout, drop-path */

/* mask (N) saved: 0 or 1/keep_prob, drawn from (seed, index). */
int jnas_cpu_dropout_forward(float* out, float* mask, const float* inp, int64_t N,
                             float keep_prob, uint64_t seed);
int jnas_cpu_dropout_backward(float* dinp, const float* dout, const float* mask, int64_t N);
/* One draw per sample: mask (B), out[b] = inp[b] * mask[b]; inp (B, per_sample). */
int jnas_cpu_drop_path_forward(float* out, float* mask, const float* inp, int B,
                               int64_t per_sample, float keep_prob, uint64_t seed);
int jnas_cpu_drop_path_backward(float* dinp, const float* dout, const float* mask, int B,
                                int64_t per_sample);

/* ----------------------------------------------------------------- updates */

/* PyTorch's SGD: g = grad + wd*param; buf = momentum*buf + g;
 * g = nesterov ? g + momentum*buf : buf; param -= lr*g. buf (N) starts at zero. */
int jnas_cpu_sgd_update(float* param, float* momentum_buf, const float* grad, int64_t N,
                        float lr, float momentum, float weight_decay, int nesterov);
/* Adam (L2 weight decay added to the gradient); step counts from 1. */
int jnas_cpu_adam_update(float* param, float* m, float* v, const float* grad, int64_t N,
                         float lr, float beta1, float beta2, float eps, float weight_decay,
                         int step);
/* out (1): the sum of squares of n_bufs buffers, in double, then its sqrt as float. */
int jnas_cpu_global_norm(float* out, const float* const* bufs, const int64_t* sizes, int n_bufs);
/* buf *= s */
int jnas_cpu_scale(float* buf, int64_t N, float s);

/* ------------------------------------------------------- ENAS supernet */

/* The weight-shared supernet of the ENAS micro space (native/supernet.cpp
 * states the structure). An architecture is two int32 arrays of 4*num_nodes
 * entries (input1, op1, input2, op2 per node; inputs 0,1 = the cell inputs,
 * 2.. = earlier nodes; ops 0 sep3, 1 sep5, 2 avg3, 3 max3, 4 identity),
 * validated by the caller. images (B, in_channels, H, W); labels (B).
 * Returns NULL if it cannot be built. One handle is not thread-safe. */
void* jnas_cpu_supernet_create(int in_channels, int H, int W, int num_classes, int num_layers,
                               int channels, int num_nodes, uint64_t seed);
void jnas_cpu_supernet_destroy(void* net);
/* Total floats in each of the weight, gradient and momentum buffers. */
int64_t jnas_cpu_supernet_num_params(void* net);
/* The named tensors carved from those buffers. */
int jnas_cpu_supernet_num_tensors(void* net);
int jnas_cpu_supernet_tensor_info(void* net, int index, char* name, int name_len,
                                  int64_t* offset, int64_t* size);
/* which: 0 weights, 1 gradients, 2 momentum; dst/src hold num_params floats. */
int jnas_cpu_supernet_get(void* net, int which, float* dst);
int jnas_cpu_supernet_set(void* net, int which, const float* src);
/* Forward and backward of the sampled path; the gradient buffer is zeroed
 * first and holds d(mean loss)/d(weights) after. No update. */
int jnas_cpu_supernet_forward_backward(void* net, const int32_t* normal_arc, const int32_t* reduce_arc,
                                       const float* images, const int32_t* labels, int B,
                                       float keep_prob, uint64_t seed, float* loss, int32_t* correct);
/* forward_backward, then global-norm clipping (grad_clip <= 0: none) and
 * Nesterov SGD with weight decay over every weight. *grad_norm is the norm
 * before clipping. */
int jnas_cpu_supernet_train_step(void* net, const int32_t* normal_arc, const int32_t* reduce_arc,
                                 const float* images, const int32_t* labels, int B, float lr,
                                 float momentum, float weight_decay, float grad_clip, float keep_prob,
                                 uint64_t seed, float* loss, int32_t* correct, float* grad_norm);
/* Forward only (batch statistics, no dropout): mean loss and argmax hits. */
int jnas_cpu_supernet_evaluate(void* net, const int32_t* normal_arc, const int32_t* reduce_arc,
                               const float* images, const int32_t* labels, int B, float* loss,
                               int32_t* correct);
/* Bytes the activation arena holds (its high-water mark). */
int64_t jnas_cpu_supernet_arena_bytes(void* net);
/* Forward FLOPs (2 x multiply-adds) of the last call's whole batch; a
 * training step costs about three times this (forward + two backward GEMMs). */
double jnas_cpu_supernet_last_flops(void* net);

/* ------------------------------------------------------- final network */

/* A found architecture trained from scratch: DARTS's NetworkCIFAR structure
 * on the tape (native/final_net.cpp states it: stem, L cells with reductions
 * at L/3 and 2L/3, auxiliary head, drop-path, dropout, linear classifier).
 * A cell is int32 ints [nodes, (op, input) x 2*nodes, n_concat, concat...];
 * ops 0 none, 1 skip_connect, 2 avg_pool_3x3, 3 max_pool_3x3, 4 sep_conv_3x3,
 * 5 sep_conv_5x5, 6 sep_conv_7x7, 7 dil_conv_3x3, 8 dil_conv_5x5,
 * 9 conv_7x1_1x7; inputs of node j in [0, j+2); concat entries in [0, nodes+2).
 * Validated by the caller (the native side returns NULL on a bad cell).
 * images (B, in_channels, H, W); labels (B) in [0, num_classes); logits (B, num_classes).
 * One handle is not thread-safe. */
void* jnas_cpu_final_create(const int32_t* normal, int normal_len, const int32_t* reduce, int reduce_len,
                            int channels, int layers, int num_classes, int in_channels, int H, int W,
                            int auxiliary, uint64_t seed);
void jnas_cpu_final_destroy(void* net);
/* Floats in a buffer: which 0 weights, 1 gradients, 2 momentum (all the same
 * size, alignment padding included), 3 batch-norm running statistics (per BN
 * layer its running mean (C) then its running variance (C)). */
int64_t jnas_cpu_final_buffer_size(void* net, int which);
/* Learned weights (the named tensors' sizes summed), with or without the auxiliary head. */
int64_t jnas_cpu_final_num_weights(void* net, int include_aux);
int jnas_cpu_final_num_tensors(void* net);
int jnas_cpu_final_tensor_info(void* net, int index, char* name, int name_len,
                               int64_t* offset, int64_t* size);
/* dst/src hold jnas_cpu_final_buffer_size(net, which) floats. */
int jnas_cpu_final_get(void* net, int which, float* dst);
int jnas_cpu_final_set(void* net, int which, const float* src);
/* Training-mode forward and backward (batch statistics, drop-path, dropout,
 * auxiliary loss); the gradient buffer is zeroed first and holds
 * d(loss + 0.4 aux_loss)/d(weights) after. No update. update_stats != 0 moves
 * the running statistics. progress in [0, 1] scales drop-path (see final_net.cpp);
 * seed draws the masks. *aux_loss is 0 without the auxiliary head. */
int jnas_cpu_final_forward_backward(void* net, const float* images, const int32_t* labels, int B,
                                    float drop_path_keep, float dropout_keep, float progress, uint64_t seed,
                                    int update_stats, float* loss, float* aux_loss, int32_t* correct);
/* forward_backward (moving the running statistics), then global-norm clipping
 * (grad_clip <= 0: none) and Nesterov SGD with weight decay over every weight.
 * *grad_norm is the norm before clipping. */
int jnas_cpu_final_train_step(void* net, const float* images, const int32_t* labels, int B, float lr,
                              float momentum, float weight_decay, float grad_clip, float drop_path_keep,
                              float dropout_keep, float progress, uint64_t seed, float* loss, float* aux_loss,
                              int32_t* correct, float* grad_norm);
/* Evaluation-mode forward (running statistics, no drop-path, dropout or auxiliary head). */
int jnas_cpu_final_predict(void* net, const float* images, int B, float* logits);
/* Forward FLOPs (2 x multiply-adds) for one image in evaluation mode; -1 on failure. */
double jnas_cpu_final_flops(void* net);

/* --------------------------------------------------------------- CUDA side */

/* 1 if this library was built with nvcc (the real CUDA backend), 0 for the stub. */
int jnas_cuda_built(void);
/* Number of usable devices in *count; returns the cudaError_t code (0 ok;
 * 35 = driver too old or missing, 100 = no device). Never crashes. */
int jnas_cuda_device_count(int* count);
/* Device name into buf (NUL-terminated), total and free memory in bytes. */
int jnas_cuda_device_info(int device, char* name, int name_len, int64_t* total_mem,
                          int64_t* free_mem, int* cc_major, int* cc_minor);
/* Text of a cudaError_t code (a static string). */
const char* jnas_cuda_error_string(int code);

/* ---- CUDA device runtime. Every function returns the cudaError_t code (0 ok);
 * the stub (no nvcc at build time) answers JNAS_E_NO_CUDA. A stream is a
 * cudaStream_t passed as void*; NULL is the default stream. */
int jnas_cuda_set_device(int device);
int jnas_cuda_device_synchronize(void);
/* Device memory: *ptr receives the allocation (NULL on failure). */
int jnas_cuda_malloc(int64_t bytes, void** ptr);
int jnas_cuda_free(void* ptr);
/* Sets bytes to the low byte of value. */
int jnas_cuda_memset(void* ptr, int value, int64_t bytes);
int jnas_cuda_memset_async(void* ptr, int value, int64_t bytes, void* stream);
/* Copies: htod = host to device, dtoh = device to host, dtod = device to device.
 * The _async ones are ordered on the stream (truly asynchronous only for pinned
 * host memory, see jnas_cuda_malloc_host). */
int jnas_cuda_memcpy_htod(void* dst, const void* src, int64_t bytes);
int jnas_cuda_memcpy_dtoh(void* dst, const void* src, int64_t bytes);
int jnas_cuda_memcpy_dtod(void* dst, const void* src, int64_t bytes);
int jnas_cuda_memcpy_htod_async(void* dst, const void* src, int64_t bytes, void* stream);
int jnas_cuda_memcpy_dtoh_async(void* dst, const void* src, int64_t bytes, void* stream);
int jnas_cuda_memcpy_dtod_async(void* dst, const void* src, int64_t bytes, void* stream);
/* Streams: *stream receives a new non-blocking stream. */
int jnas_cuda_stream_create(void** stream);
int jnas_cuda_stream_destroy(void* stream);
int jnas_cuda_stream_synchronize(void* stream);
/* Pinned (page-locked) host memory, for fast and truly asynchronous copies. */
int jnas_cuda_malloc_host(int64_t bytes, void** ptr);
int jnas_cuda_free_host(void* ptr);
/* The last error of a runtime call or launch on this thread, and resets it
 * (cudaGetLastError). Errors inside a running kernel surface at the next
 * synchronizing call. */
int jnas_cuda_last_error(void);

/* ---- CUDA twins of the jnas_cpu_* ops above (cuda/<same stem>.cu).
 * Same name after the prefix, same arguments, same sizes, same contract
 * (forward overwrites, backward ADDS, NULL gradient = skipped), plus the
 * stream last. Every float/int pointer is a DEVICE pointer, except the
 * pointer arrays of sum, concat and global_norm (inps, dinps, channels, bufs,
 * sizes): those arrays live in HOST memory and hold device pointers (the
 * Java side builds them as PointerPointer/IntPointer). sum takes at most 64
 * inputs. Returns 0 or a cudaError_t code (launch errors are checked after
 * every launch; JNAS_E_ARG for sizes the kernels refuse). Scratch memory
 * comes from the stream-ordered allocator (cudaMallocAsync). Results are
 * deterministic run to run: every reduction has a fixed order (no float
 * atomics); split counts depend on the shapes only. */
int jnas_cuda_conv2d_forward(float* out, const float* inp, const float* weight, const float* bias,
                             int B, int C_in, int H, int W, int C_out, int KH, int KW,
                             int stride, int pad_h, int pad_w, int dilation, int groups,
                             void* stream);
int jnas_cuda_conv2d_backward(float* dinp, float* dweight, float* dbias,
                              const float* dout, const float* inp, const float* weight,
                              int B, int C_in, int H, int W, int C_out, int KH, int KW,
                              int stride, int pad_h, int pad_w, int dilation, int groups,
                              void* stream);
/* One thread per output/input/weight element, direct loops: the GPU-side oracle. */
int jnas_cuda_conv2d_forward_ref(float* out, const float* inp, const float* weight, const float* bias,
                                 int B, int C_in, int H, int W, int C_out, int KH, int KW,
                                 int stride, int pad_h, int pad_w, int dilation, int groups,
                                 void* stream);
int jnas_cuda_conv2d_backward_ref(float* dinp, float* dweight, float* dbias,
                                  const float* dout, const float* inp, const float* weight,
                                  int B, int C_in, int H, int W, int C_out, int KH, int KW,
                                  int stride, int pad_h, int pad_w, int dilation, int groups,
                                  void* stream);
int jnas_cuda_sepconv_forward(float* out, float* mid, const float* inp,
                              const float* w_dw, const float* w_pw,
                              int B, int C_in, int H, int W, int C_out, int K,
                              int stride, int pad, int dilation, void* stream);
int jnas_cuda_sepconv_backward(float* dinp, float* dw_dw, float* dw_pw,
                               const float* dout, const float* mid, const float* inp,
                               const float* w_dw, const float* w_pw,
                               int B, int C_in, int H, int W, int C_out, int K,
                               int stride, int pad, int dilation, void* stream);
int jnas_cuda_maxpool_forward(float* out, int32_t* argmax, const float* inp,
                              int B, int C, int H, int W, int K, int stride, int pad, void* stream);
int jnas_cuda_maxpool_backward(float* dinp, const float* dout, const int32_t* argmax,
                               int B, int C, int H, int W, int K, int stride, int pad, void* stream);
int jnas_cuda_avgpool_forward(float* out, const float* inp,
                              int B, int C, int H, int W, int K, int stride, int pad, void* stream);
int jnas_cuda_avgpool_backward(float* dinp, const float* dout,
                               int B, int C, int H, int W, int K, int stride, int pad, void* stream);
int jnas_cuda_global_avgpool_forward(float* out, const float* inp, int B, int C, int HW, void* stream);
int jnas_cuda_global_avgpool_backward(float* dinp, const float* dout, int B, int C, int HW,
                                      void* stream);
int jnas_cuda_batchnorm_forward(float* out, float* mean, float* rstd,
                                const float* inp, const float* gamma, const float* beta,
                                float* running_mean, float* running_var,
                                int B, int C, int HW, float eps, float momentum, int training,
                                void* stream);
int jnas_cuda_batchnorm_backward(float* dinp, float* dgamma, float* dbeta,
                                 const float* dout, const float* inp,
                                 const float* mean, const float* rstd, const float* gamma,
                                 int B, int C, int HW, int training, void* stream);
int jnas_cuda_relu_forward(float* out, const float* inp, int64_t N, void* stream);
int jnas_cuda_relu_backward(float* dinp, const float* dout, const float* inp, int64_t N, void* stream);
int jnas_cuda_sum_forward(float* out, const float* const* inps, int n_inputs, int64_t N, void* stream);
int jnas_cuda_sum_backward(float* const* dinps, const float* dout, int n_inputs, int64_t N,
                           void* stream);
int jnas_cuda_concat_forward(float* out, const float* const* inps, const int32_t* channels,
                             int n_inputs, int B, int HW, void* stream);
int jnas_cuda_concat_backward(float* const* dinps, const float* dout, const int32_t* channels,
                              int n_inputs, int B, int HW, void* stream);
int jnas_cuda_factorized_reduce_forward(float* out, const float* inp,
                                        const float* w1, const float* w2,
                                        int B, int C_in, int H, int W, int C_out, void* stream);
int jnas_cuda_factorized_reduce_backward(float* dinp, float* dw1, float* dw2,
                                         const float* dout, const float* inp,
                                         const float* w1, const float* w2,
                                         int B, int C_in, int H, int W, int C_out, void* stream);
int jnas_cuda_linear_forward(float* out, const float* inp, const float* weight, const float* bias,
                             int B, int IC, int OC, void* stream);
int jnas_cuda_linear_backward(float* dinp, float* dweight, float* dbias,
                              const float* dout, const float* inp, const float* weight,
                              int B, int IC, int OC, void* stream);
/* loss is a device pointer too (1 float). */
int jnas_cuda_softmax_xent_forward(float* loss, float* probs, const float* logits,
                                   const int32_t* labels, int B, int V, float label_smoothing,
                                   void* stream);
int jnas_cuda_softmax_xent_backward(float* dlogits, const float* probs, const int32_t* labels,
                                    int B, int V, float label_smoothing, float dloss, void* stream);
int jnas_cuda_dropout_forward(float* out, float* mask, const float* inp, int64_t N,
                              float keep_prob, uint64_t seed, void* stream);
int jnas_cuda_dropout_backward(float* dinp, const float* dout, const float* mask, int64_t N,
                               void* stream);
int jnas_cuda_drop_path_forward(float* out, float* mask, const float* inp, int B,
                                int64_t per_sample, float keep_prob, uint64_t seed, void* stream);
int jnas_cuda_drop_path_backward(float* dinp, const float* dout, const float* mask, int B,
                                 int64_t per_sample, void* stream);
int jnas_cuda_sgd_update(float* param, float* momentum_buf, const float* grad, int64_t N,
                         float lr, float momentum, float weight_decay, int nesterov, void* stream);
int jnas_cuda_adam_update(float* param, float* m, float* v, const float* grad, int64_t N,
                          float lr, float beta1, float beta2, float eps, float weight_decay,
                          int step, void* stream);
/* out is a device pointer (1 float); bufs and sizes are host arrays. */
int jnas_cuda_global_norm(float* out, const float* const* bufs, const int64_t* sizes, int n_bufs,
                          void* stream);
int jnas_cuda_scale(float* buf, int64_t N, float s, void* stream);

#ifdef __cplusplus
}
#endif

#endif /* JNAS_H */
