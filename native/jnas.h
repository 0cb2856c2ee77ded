/*
 * jnas.h: the one C API of jnas's native core.
 *
 * Both backends implement its kernels: the CPU kernels in native/cpu/ (C++17,
 * OpenBLAS sgemm where it pays) as jnas_cpu_*, and their CUDA twins in cuda/
 * as jnas_cuda_*, with the same names after the prefix and the same argument
 * order (the CUDA ones take a stream, a void*, last). The backends, the tape,
 * the op registry and the networks (native/graph/, the jnas_backend_* and
 * jnas_net_* functions below) run every network step through one backend's
 * table of these kernels (docs/engine.md). No CUDA type appears here, so the
 * JavaCPP glue compiles with g++ alone.
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

/* Threads used by the CPU kernels' own loops (OpenBLAS has its own count): the process
 * pool's size; get answers the count kernels called from this thread use. */
void jnas_cpu_set_num_threads(int n);
int jnas_cpu_get_num_threads(void);
/* This OS thread's own count (0: the pool's): kernels called from this thread split their
 * work into n chunks, so results are deterministic for n whatever other threads use. */
void jnas_cpu_set_local_threads(int n);
/* OpenBLAS's own thread count: 1 from the moment the library loads, and jnas's kernels expect
 * it there (they split their gemms over the pool above, one single-threaded call per chunk).
 * Benchmarks raise it to time a lone sgemm. */
void jnas_cpu_set_blas_threads(int n);
int jnas_cpu_get_blas_threads(void);
/* The instruction set of the CPU kernels' SIMD paths: "avx512" where the CPU has AVX-512F,
 * else "avx2" (the build's floor); the environment variable JNAS_CPU_ISA=avx2 forces AVX2.
 * set takes "avx2", "avx512" or "auto" (process-wide; for tests and benchmarks) and returns
 * JNAS_E_ARG, with jnas_last_error saying why, for another name or an ISA the CPU lacks.
 * Results are deterministic for a fixed ISA and thread count; the two ISAs' weight
 * gradients differ in the last bits (their dot products sum in different lanes). */
const char* jnas_cpu_get_isa(void);
int jnas_cpu_set_isa(const char* name);

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
 * groups divides C_in and C_out; groups == C_in == C_out is depthwise.
 * relu_in != 0: the convolution reads ReLU(inp), a ReLU fused into it (nothing stores the
 * ReLU's output); backward then adds the gradient through that ReLU into dinp (zero where
 * inp <= 0) and the weight gradient is taken against ReLU(inp). The same for sepconv. */
int jnas_cpu_conv2d_forward(float* out, const float* inp, const float* weight, const float* bias,
                            int B, int C_in, int H, int W, int C_out, int KH, int KW,
                            int stride, int pad_h, int pad_w, int dilation, int groups, int relu_in);
int jnas_cpu_conv2d_backward(float* dinp, float* dweight, float* dbias,
                             const float* dout, const float* inp, const float* weight,
                             int B, int C_in, int H, int W, int C_out, int KH, int KW,
                             int stride, int pad_h, int pad_w, int dilation, int groups, int relu_in);
/* The naive reference (direct loops, no im2col, no BLAS): the oracle of the fast path. */
int jnas_cpu_conv2d_forward_ref(float* out, const float* inp, const float* weight, const float* bias,
                                int B, int C_in, int H, int W, int C_out, int KH, int KW,
                                int stride, int pad_h, int pad_w, int dilation, int groups, int relu_in);
int jnas_cpu_conv2d_backward_ref(float* dinp, float* dweight, float* dbias,
                                 const float* dout, const float* inp, const float* weight,
                                 int B, int C_in, int H, int W, int C_out, int KH, int KW,
                                 int stride, int pad_h, int pad_w, int dilation, int groups, int relu_in);

/* ---------------------------------------------------------- separable conv */

/* Depthwise KxK (stride, pad, dilation) then pointwise 1x1, no bias (ENAS/DARTS).
 * out   (B, C_out, OH, OW)
 * mid   (B, C_in, OH, OW)   the depthwise output, saved for backward; or NULL in both
 *                           calls: then nothing is stored and backward recomputes it
 * inp   (B, C_in, H, W)
 * w_dw  (C_in, 1, K, K)
 * w_pw  (C_out, C_in, 1, 1) */
int jnas_cpu_sepconv_forward(float* out, float* mid, const float* inp,
                             const float* w_dw, const float* w_pw,
                             int B, int C_in, int H, int W, int C_out, int K,
                             int stride, int pad, int dilation, int relu_in);
int jnas_cpu_sepconv_backward(float* dinp, float* dw_dw, float* dw_pw,
                              const float* dout, const float* mid, const float* inp,
                              const float* w_dw, const float* w_pw,
                              int B, int C_in, int H, int W, int C_out, int K,
                              int stride, int pad, int dilation, int relu_in);

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
/* out = gamma * (inp - mean) * rstd + beta with the statistics of a forward: its output again,
 * bit for bit (a training forward's output rebuilt in the backward instead of stored). */
int jnas_cpu_batchnorm_apply(float* out, const float* inp, const float* mean, const float* rstd,
                             const float* gamma, const float* beta, int B, int C, int HW);

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
/* hits (1): how many rows b have argmax(logits[b]) == labels[b] (the first of equal
 * maxima wins). Counted where the logits live: a step never reads them on the host. */
int jnas_cpu_argmax_hits(int32_t* hits, const float* logits, const int32_t* labels, int B, int V);

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
/* buf[i] = v (the backward seed of a sum of outputs: synflow). */
int jnas_cpu_fill(float* buf, int64_t N, float v);
/* The weighted sum of a relaxed op (DARTS's mixed op; GDAS): out = sum_k w[k] * inps[k],
 * where w is HOST memory (n_inputs floats, the architecture's weights) and a NULL input is
 * not computed (adds nothing). Backward: dinps[k] += w[k] * dout (NULL skipped); dw (n_inputs,
 * may be NULL) += sum_i dout[i] * inps[k][i], or sum_i dout[i] where inps[k] is NULL (an op
 * not computed counts as the constant w[k], as GDAS's code has it). At most
 * JNAS_MIX_MAX_INPUTS inputs (JNAS_E_ARG beyond). (native/cpu/mixed.cpp) */
#define JNAS_MIX_MAX_INPUTS 16
int jnas_cpu_weighted_sum_forward(float* out, const float* const* inps, const float* w,
                                  int n_inputs, int64_t N);
int jnas_cpu_weighted_sum_backward(float* const* dinps, float* dw, const float* dout,
                                   const float* const* inps, const float* w, int n_inputs,
                                   int64_t N);
/* NASWOT's activation-pattern kernel: K (B, B) += for each pair of samples the number of
 * features of x (B, F) where both are > 0 or both <= 0 (F minus the Hamming distance of
 * their binary codes). (native/cpu/probe.cpp) */
int jnas_cpu_binary_code_gram(float* K, const float* x, int B, int64_t F);
/* Global-norm clipping with the norm where the buffer lives: if max_norm > 0 and
 * *norm > max_norm, buf *= max_norm / *norm. norm (1). */
int jnas_cpu_clip_by_norm(float* buf, int64_t N, const float* norm, float max_norm);

/* ------------------------------------------------------------- backends */

/* A backend: where a network's memory lives and which kernels run on it. The
 * networks below run every op through a backend's table of the kernels above
 * (native/graph/backend.h); their orchestration never reads or writes backend
 * memory on the host except through the backend's copies (weights in and out,
 * the batch in, a few result scalars out).
 *   "cpu"       host memory, the jnas_cpu_* kernels
 *   "cuda"      device memory, the jnas_cuda_* kernels on one stream (device:
 *               the device index); NULL where this build or machine has none
 *   "hostblind" the CPU kernels on memory that is mapped PROT_NONE except while
 *               a kernel or a copy runs: any host access from the orchestration
 *               faults (the test of that rule; see HostBlindBackendTest)
 *   "dry"       touches no memory and runs no kernel: it only counts bytes, so
 *               a network built on it gives sizes, FLOPs, plans and exact memory
 *               needs without allocating them
 * A backend must outlive the networks built on it. One backend is used by one
 * thread at a time. On failure the create functions return NULL and
 * jnas_last_error() says why. */
typedef struct jnas_backend jnas_backend;
jnas_backend* jnas_backend_create(const char* kind, int device);
void jnas_backend_destroy(jnas_backend* be);
/* Backend memory allocated now (peak == 0) or at most so far (peak != 0), in bytes. */
int64_t jnas_backend_bytes(jnas_backend* be, int peak);
/* This thread's last error message ("" if none): set by every call that fails. */
const char* jnas_last_error(void);

/* ------------------------------------------------------------- networks */

/* Three networks are built from one op registry (native/graph/ops.h: the ops by
 * their DARTS names, ids 0 none, 1 skip_connect, 2 avg_pool_3x3, 3 max_pool_3x3,
 * 4 sep_conv_3x3, 5 sep_conv_5x5, 6 sep_conv_7x7, 7 dil_conv_3x3, 8 dil_conv_5x5,
 * 9 conv_7x1_1x7, 10 conv_3x1_1x3, 11 max_pool_5x5, 12 max_pool_7x7, 13 conv_1x1,
 * 14 conv_3x3, 15 dil_sep_conv_3x3, 16-21 the ENAS macro branches macro_conv_3x3,
 * macro_sep_conv_3x3, macro_conv_5x5, macro_sep_conv_5x5, macro_avg_pool_3x3, macro_max_pool_3x3):
 *  - the ENAS micro supernet (native/graph/supernet.cpp): weight-shared; a node's
 *    op is an index into the candidate list ops (num_ops registry ids; ENAS's is
 *    {4, 5, 2, 3, 1}); an architecture is 4*num_nodes ints per cell (input1, op1,
 *    input2, op2 per node), normal and reduce; flags: JNAS_SUPERNET_INPUTS_OUT, a
 *    cell input no node reads joins the cell's output (ENAS; clear: only unread
 *    nodes do, as NASNet); JNAS_SUPERNET_COMBINER, each node also chooses its
 *    combiner (5 ints per node: ..., combiner 0 add / 1 concat);
 *    JNAS_SUPERNET_STRIDED_REDUCE, a reduction layer runs its cell's ops on the
 *    cell inputs at stride 2, as the final network's reduction cell does (clear:
 *    ENAS's factorized reduce of the previous layer, then the cell at stride 1);
 *  - the final network (native/graph/final_net.cpp): DARTS's NetworkCIFAR of a
 *    fixed genotype; a cell is int32 ints [nodes, (op, input) x 2*nodes,
 *    n_concat, concat...] with inputs of node j in [0, j+2) and concat entries in
 *    [0, nodes+2); reductions at L/3 and 2L/3; auxiliary head; drop-path.
 * images (B, in_channels, H, W), labels (B) and logits (B, num_classes) are HOST
 * memory: a run copies them in and out. One handle is not thread-safe. The
 * create functions return NULL (and set the last error) on a bad argument or
 * when memory runs out. */
void* jnas_supernet_create(jnas_backend* be, int in_channels, int H, int W, int num_classes,
                           int num_layers, int channels, int num_nodes, const int32_t* ops,
                           int num_ops, int flags, uint64_t seed);
#define JNAS_SUPERNET_INPUTS_OUT 1
#define JNAS_SUPERNET_COMBINER 2
#define JNAS_SUPERNET_STRIDED_REDUCE 4
void* jnas_final_create(jnas_backend* be, const int32_t* normal, int normal_len,
                        const int32_t* reduce, int reduce_len, int channels, int layers,
                        int num_classes, int in_channels, int H, int W, int auxiliary,
                        uint64_t seed);
/* The ENAS macro space (native/graph/macro_net.cpp): num_layers layers, each one op of the
 * candidate list ops (num_ops registry ids; ENAS's six are 16-21) on the layer before, plus
 * skip connections from any earlier layers; every state is reduced after layers L/3-1 and
 * 2L/3-1. An architecture is ENAS's macro string: per layer l its op (an index into ops), then
 * l skip bits (the stem and layers 0 .. l-2): L + L(L-1)/2 ints. arc NULL: the weight-shared
 * search network (the architecture comes with every run, in normal; batch statistics);
 * else the fixed network of arc (arc_len ints; running statistics; channels double at the
 * reductions). */
void* jnas_macro_create(jnas_backend* be, int in_channels, int H, int W, int num_classes,
                        int num_layers, int channels, const int32_t* ops, int num_ops,
                        const int32_t* arc, int arc_len, uint64_t seed);
/* NAS-Bench-201 (native/graph/nb201_net.cpp; Dong & Yang 2020): stem, three stages of
 * cells_per_stage cells (channels, 2x, 4x) joined by ResNet basic blocks, BN-ReLU, global
 * pool, linear. A cell is 6 ints, one op per edge in the order of the NB201 string
 * (1<-0, 2<-0, 2<-1, 3<-0, 3<-1, 3<-2), ops 0 none, 1 skip_connect, 2 nor_conv_1x1,
 * 3 nor_conv_3x3, 4 avg_pool_3x3. arch non-NULL: the network of that cell (its ops only;
 * running statistics). arch NULL: the weight-shared search network (batch statistics): a
 * run takes a cell in `normal`, or, with normal NULL, the relaxed cell of the weights set by
 * jnas_net_set_arch_weights (DARTS; an edge is sum_k w[e*5+k] op_k, ops of weight 0
 * not computed; 30 floats), one cell shared by all cells. flags: JNAS_NB201_NO_BN builds it without batch
 * norm (synflow's network). */
#define JNAS_NB201_NO_BN 1
void* jnas_nb201_create(jnas_backend* be, int in_channels, int H, int W, int num_classes,
                        int channels, int cells_per_stage, const int32_t* arch, int flags,
                        uint64_t seed);
/* The DARTS search network (native/graph/darts_net.cpp; Liu et al. 2019): stem (3C), layers
 * cells (reductions at L/3 and 2L/3), each node the sum over all earlier states of the
 * mixed op sum_k w_k op_k (ops: num_ops registry ids; DARTS's are 0 none, 3 max_pool_3x3,
 * 2 avg_pool_3x3, 1 skip_connect, 4 sep_conv_3x3, 5 sep_conv_5x5, 7 dil_conv_3x3,
 * 8 dil_conv_5x5), the cell output the concat of its `steps` nodes; global pool, linear.
 * Runs the relaxed cells only (normal NULL): the weights come from
 * jnas_net_set_arch_weights, 2 x steps(steps+3)/2 x num_ops floats (normal cells' edges, then
 * the reduction cells'). Batch statistics always. */
void* jnas_darts_create(jnas_backend* be, int in_channels, int H, int W, int num_classes,
                        int channels, int layers, int steps, const int32_t* ops, int num_ops,
                        uint64_t seed);
void jnas_net_destroy(void* net);

/* Buffers: 0 weights, 1 gradients, 2 momentum (the same size, alignment padding
 * included), 3 batch-norm running statistics (per BN layer its running mean (C)
 * then its running variance (C); size 0 for the supernet, whose BN always uses
 * batch statistics). dst/src are host memory of jnas_net_buffer_size floats. */
int64_t jnas_net_buffer_size(void* net, int which);
int jnas_net_get(void* net, int which, float* dst);
int jnas_net_set(void* net, int which, const float* src);
/* The named tensors of the weight buffer, in order; name is truncated to name_len-1. */
int jnas_net_num_tensors(void* net);
int jnas_net_tensor_info(void* net, int index, char* name, int name_len, int64_t* offset,
                         int64_t* size);

/* jnas_net_run's modes. */
#define JNAS_RUN_TRAIN_STEP 0       /* forward, backward, clip, Nesterov SGD */
#define JNAS_RUN_FORWARD_BACKWARD 1 /* forward and backward: gradients, no update */
#define JNAS_RUN_EVALUATE 2         /* forward: loss and hits (final: running BN statistics) */
#define JNAS_RUN_PREDICT 3          /* forward: logits only; labels may be NULL */
/* hyper[] indices (a float array of JNAS_HYPER_COUNT). */
#define JNAS_HYPER_LR 0
#define JNAS_HYPER_MOMENTUM 1
#define JNAS_HYPER_WEIGHT_DECAY 2
#define JNAS_HYPER_GRAD_CLIP 3       /* <= 0: no clipping */
#define JNAS_HYPER_DROPOUT_KEEP 4    /* keep probability before the classifier */
#define JNAS_HYPER_DROP_PATH_KEEP 5  /* final network only */
#define JNAS_HYPER_PROGRESS 6        /* [0, 1], scales drop-path (final network) */
#define JNAS_HYPER_UPDATE_STATS 7    /* != 0: training moves the running statistics */
#define JNAS_HYPER_COUNT 8
/* out[] indices (a float array of JNAS_OUT_COUNT). */
#define JNAS_OUT_LOSS 0
#define JNAS_OUT_AUX_LOSS 1          /* 0 without an auxiliary head */
#define JNAS_OUT_CORRECT 2           /* argmax hits, exact as a float */
#define JNAS_OUT_GRAD_NORM 3         /* before clipping; NaN when no gradient was computed */
#define JNAS_OUT_COUNT 4
/* One step of a network. normal/reduce: the supernet's architecture (NULL for the
 * final network). The training modes zero the gradients first and leave
 * d(loss + 0.4 aux_loss)/d(weights) in buffer 1; seed draws the dropout and
 * drop-path masks. hyper may be NULL for EVALUATE and PREDICT. out (host) gets the
 * scalars; logits (host, (B, num_classes)) may be NULL. */
int jnas_net_run(void* net, int mode, const int32_t* normal, const int32_t* reduce,
                 const float* images, const int32_t* labels, int B, const float* hyper,
                 uint64_t seed, float* out, float* logits);

/* The network's plan, as JSON (UTF-8, NUL-terminated) in buf: every primitive step
 * of an inference forward for one image (op, inputs, output shape, parameter tensor
 * names, attributes, running-statistics offset) and every cell (inputs, nodes,
 * edges with their op names, output combination). The supernet needs the
 * architecture (normal/reduce), the final network ignores them. Traced on the dry
 * backend: nothing is computed. Returns the length of the JSON; if that is >= cap
 * nothing is written (call again with a larger buffer); -1 on error. */
int64_t jnas_net_plan(void* net, const int32_t* normal, const int32_t* reduce, char* buf,
                      int64_t cap);
/* Forward FLOPs (2 x multiply-adds; pooling and elementwise ops one per output)
 * of one image in evaluation mode (for the supernet: of the given architecture);
 * traced on the dry backend. -1 on error. */
double jnas_net_flops(void* net, const int32_t* normal, const int32_t* reduce);
/* Bytes the step's memory holds: the activation arena (its high-water mark) and the
 * pool of gradient buffers. */
int64_t jnas_net_arena_bytes(void* net);
/* Relaxed architectures (DARTS, GDAS) of the networks that have them (the NAS-Bench-201
 * and DARTS search networks; 0 floats elsewhere): arch_size floats of host weights, set
 * before a run with normal NULL (n = 0 clears them); after a training-mode run, arch_grad
 * gives d loss / d weights (host, n = arch_size). An op of weight 0 is not computed; its
 * weight's gradient is the sum of its edge's output gradient (GDAS's constant). */
int jnas_net_arch_size(void* net);
int jnas_net_set_arch_weights(void* net, const float* w, int n);
int jnas_net_arch_grad(void* net, float* out, int n);
/* Zero-cost probes; both run a forward with batch statistics and update nothing.
 * relu_codes: NASWOT's K (B x B, host): the sum over every ReLU of the network (fused ones
 * included) of its input's binary-code gram (jnas_cpu_binary_code_gram).
 * sum_backward: buffer 1 gets d(seed * sum of all logits)/d(weights) (synflow's backward). */
int jnas_net_relu_codes(void* net, const int32_t* normal, const int32_t* reduce,
                        const float* images, int B, float* K);
int jnas_net_sum_backward(void* net, const int32_t* normal, const int32_t* reduce,
                          const float* images, int B, float seed);
/* For tests only: reads weight[index] with a plain host load, bypassing the backend's
 * copies. On the cpu backend it answers; on the hostblind backend it faults (SIGSEGV),
 * which is how HostBlindBackendTest shows that its check can fail. */
int jnas_debug_host_read_weight(void* net, int64_t index, float* value);
/* Forward FLOPs of the last run's whole batch. */
double jnas_net_last_flops(void* net);

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
                             int stride, int pad_h, int pad_w, int dilation, int groups, int relu_in,
                             void* stream);
int jnas_cuda_conv2d_backward(float* dinp, float* dweight, float* dbias,
                              const float* dout, const float* inp, const float* weight,
                              int B, int C_in, int H, int W, int C_out, int KH, int KW,
                              int stride, int pad_h, int pad_w, int dilation, int groups, int relu_in,
                              void* stream);
/* One thread per output/input/weight element, direct loops: the GPU-side oracle. */
int jnas_cuda_conv2d_forward_ref(float* out, const float* inp, const float* weight, const float* bias,
                                 int B, int C_in, int H, int W, int C_out, int KH, int KW,
                                 int stride, int pad_h, int pad_w, int dilation, int groups, int relu_in,
                                 void* stream);
int jnas_cuda_conv2d_backward_ref(float* dinp, float* dweight, float* dbias,
                                  const float* dout, const float* inp, const float* weight,
                                  int B, int C_in, int H, int W, int C_out, int KH, int KW,
                                  int stride, int pad_h, int pad_w, int dilation, int groups, int relu_in,
                                  void* stream);
int jnas_cuda_sepconv_forward(float* out, float* mid, const float* inp,
                              const float* w_dw, const float* w_pw,
                              int B, int C_in, int H, int W, int C_out, int K,
                              int stride, int pad, int dilation, int relu_in, void* stream);
int jnas_cuda_sepconv_backward(float* dinp, float* dw_dw, float* dw_pw,
                               const float* dout, const float* mid, const float* inp,
                               const float* w_dw, const float* w_pw,
                               int B, int C_in, int H, int W, int C_out, int K,
                               int stride, int pad, int dilation, int relu_in, void* stream);
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
int jnas_cuda_batchnorm_apply(float* out, const float* inp, const float* mean, const float* rstd,
                              const float* gamma, const float* beta, int B, int C, int HW, void* stream);
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
/* hits is a device pointer too (1 int32). */
int jnas_cuda_argmax_hits(int32_t* hits, const float* logits, const int32_t* labels, int B, int V,
                          void* stream);
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
int jnas_cuda_fill(float* buf, int64_t N, float v, void* stream);
int jnas_cuda_weighted_sum_forward(float* out, const float* const* inps, const float* w,
                                   int n_inputs, int64_t N, void* stream);
int jnas_cuda_weighted_sum_backward(float* const* dinps, float* dw, const float* dout,
                                    const float* const* inps, const float* w, int n_inputs,
                                    int64_t N, void* stream);
int jnas_cuda_binary_code_gram(float* K, const float* x, int B, int64_t F, void* stream);
/* norm is a device pointer (1 float). */
int jnas_cuda_clip_by_norm(float* buf, int64_t N, const float* norm, float max_norm, void* stream);

#ifdef __cplusplus
}
#endif

#endif /* JNAS_H */
