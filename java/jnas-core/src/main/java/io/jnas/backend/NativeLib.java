package io.jnas.backend;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.Const;
import org.bytedeco.javacpp.annotation.Platform;
import org.bytedeco.javacpp.annotation.Properties;
import org.bytedeco.openblas.presets.openblas_nolapack;

/**
 * The JavaCPP binding of {@code native/jnas.h}: one {@code static native} method per C
 * function, same name, same argument order.
 *
 * <p>Nothing here checks its arguments: a wrong size crashes the JVM. So the class is
 * package-private, and its only callers are this package's classes, which check every
 * argument first: {@link Kernels} (the single CPU kernels, for {@code io.jnas.ops}),
 * {@link NativeNetwork} (the networks), {@link Backends} and the backends themselves. A test
 * ({@code BindingTest}) checks these declarations against {@code jnas.h}. The library (the CPU archive, the CUDA archive or its stub, and the JNI glue) is
 * extracted from the jar and loaded on first use of this class.
 */
@Properties(
    inherit = openblas_nolapack.class,
    value = @Platform(include = "jnas.h", link = {"jnas_cuda", "jnas_cpu"}))
final class NativeLib {
  static {
    Loader.load();
  }

  private NativeLib() {}

  /** Forces the native library to load; throws {@link UnsatisfiedLinkError} if it cannot. */
  static void load() {
    Loader.load(NativeLib.class);
  }

  // ------------------------------------------------------------------- runtime
  static native void jnas_cpu_set_num_threads(int n);

  static native int jnas_cpu_get_num_threads();

  static native void jnas_cpu_set_local_threads(int n);

  static native void jnas_cpu_set_blas_threads(int n);

  static native int jnas_cpu_get_blas_threads();

  static native @Cast("const char*") BytePointer jnas_cpu_get_isa();

  static native int jnas_cpu_set_isa(String name);

  static native int jnas_out_size(int in, int k, int stride, int pad, int dilation);

  static native void jnas_cpu_sgemm(int transA, int transB, int M, int N, int K, float alpha,
      @Const FloatPointer A, int lda, @Const FloatPointer B, int ldb, float beta, FloatPointer C, int ldc);

  // -------------------------------------------------------------------- conv2d
  static native int jnas_cpu_conv2d_forward(FloatPointer out, @Const FloatPointer inp,
      @Const FloatPointer weight, @Const FloatPointer bias, int B, int C_in, int H, int W, int C_out,
      int KH, int KW, int stride, int pad_h, int pad_w, int dilation, int groups, int relu_in);

  static native int jnas_cpu_conv2d_backward(FloatPointer dinp, FloatPointer dweight,
      FloatPointer dbias, @Const FloatPointer dout, @Const FloatPointer inp, @Const FloatPointer weight,
      int B, int C_in, int H, int W, int C_out, int KH, int KW, int stride, int pad_h, int pad_w,
      int dilation, int groups, int relu_in);

  static native int jnas_cpu_conv2d_forward_ref(FloatPointer out, @Const FloatPointer inp,
      @Const FloatPointer weight, @Const FloatPointer bias, int B, int C_in, int H, int W, int C_out,
      int KH, int KW, int stride, int pad_h, int pad_w, int dilation, int groups, int relu_in);

  static native int jnas_cpu_conv2d_backward_ref(FloatPointer dinp, FloatPointer dweight,
      FloatPointer dbias, @Const FloatPointer dout, @Const FloatPointer inp, @Const FloatPointer weight,
      int B, int C_in, int H, int W, int C_out, int KH, int KW, int stride, int pad_h, int pad_w,
      int dilation, int groups, int relu_in);

  // ------------------------------------------------------------ separable conv
  static native int jnas_cpu_sepconv_forward(FloatPointer out, FloatPointer mid,
      @Const FloatPointer inp, @Const FloatPointer w_dw, @Const FloatPointer w_pw, int B, int C_in,
      int H, int W, int C_out, int K, int stride, int pad, int dilation, int relu_in);

  static native int jnas_cpu_sepconv_backward(FloatPointer dinp, FloatPointer dw_dw,
      FloatPointer dw_pw, @Const FloatPointer dout, @Const FloatPointer mid, @Const FloatPointer inp,
      @Const FloatPointer w_dw, @Const FloatPointer w_pw, int B, int C_in, int H, int W, int C_out,
      int K, int stride, int pad, int dilation, int relu_in);

  // --------------------------------------------------------------------- pools
  static native int jnas_cpu_maxpool_forward(FloatPointer out, @Cast("int32_t*") IntPointer argmax,
      @Const FloatPointer inp, int B, int C, int H, int W, int K, int stride, int pad);

  static native int jnas_cpu_maxpool_backward(FloatPointer dinp, @Const FloatPointer dout,
      @Cast("const int32_t*") IntPointer argmax, int B, int C, int H, int W, int K, int stride, int pad);

  static native int jnas_cpu_avgpool_forward(FloatPointer out, @Const FloatPointer inp,
      int B, int C, int H, int W, int K, int stride, int pad);

  static native int jnas_cpu_avgpool_backward(FloatPointer dinp, @Const FloatPointer dout,
      int B, int C, int H, int W, int K, int stride, int pad);

  static native int jnas_cpu_global_avgpool_forward(FloatPointer out, @Const FloatPointer inp,
      int B, int C, int HW);

  static native int jnas_cpu_global_avgpool_backward(FloatPointer dinp, @Const FloatPointer dout,
      int B, int C, int HW);

  // ----------------------------------------------------------------- batchnorm
  static native int jnas_cpu_batchnorm_forward(FloatPointer out, FloatPointer mean,
      FloatPointer rstd, @Const FloatPointer inp, @Const FloatPointer gamma, @Const FloatPointer beta,
      FloatPointer running_mean, FloatPointer running_var, int B, int C, int HW, float eps,
      float momentum, int training);

  static native int jnas_cpu_batchnorm_backward(FloatPointer dinp, FloatPointer dgamma,
      FloatPointer dbeta, @Const FloatPointer dout, @Const FloatPointer inp, @Const FloatPointer mean,
      @Const FloatPointer rstd, @Const FloatPointer gamma, int B, int C, int HW, int training);

  static native int jnas_cpu_batchnorm_apply(FloatPointer out, @Const FloatPointer inp, @Const FloatPointer mean,
      @Const FloatPointer rstd, @Const FloatPointer gamma, @Const FloatPointer beta, int B, int C, int HW);

  // --------------------------------------------------------------- elementwise
  static native int jnas_cpu_relu_forward(FloatPointer out, @Const FloatPointer inp,
      @Cast("int64_t") long N);

  static native int jnas_cpu_relu_backward(FloatPointer dinp, @Const FloatPointer dout,
      @Const FloatPointer inp, @Cast("int64_t") long N);

  static native int jnas_cpu_sum_forward(FloatPointer out,
      @Cast("const float* const*") PointerPointer<?> inps, int n_inputs, @Cast("int64_t") long N);

  static native int jnas_cpu_sum_backward(@Cast("float* const*") PointerPointer<?> dinps,
      @Const FloatPointer dout, int n_inputs, @Cast("int64_t") long N);

  static native int jnas_cpu_concat_forward(FloatPointer out,
      @Cast("const float* const*") PointerPointer<?> inps, @Cast("const int32_t*") IntPointer channels,
      int n_inputs, int B, int HW);

  static native int jnas_cpu_concat_backward(@Cast("float* const*") PointerPointer<?> dinps,
      @Const FloatPointer dout, @Cast("const int32_t*") IntPointer channels, int n_inputs, int B, int HW);

  static native int jnas_cpu_factorized_reduce_forward(FloatPointer out, @Const FloatPointer inp,
      @Const FloatPointer w1, @Const FloatPointer w2, int B, int C_in, int H, int W, int C_out);

  static native int jnas_cpu_factorized_reduce_backward(FloatPointer dinp, FloatPointer dw1,
      FloatPointer dw2, @Const FloatPointer dout, @Const FloatPointer inp, @Const FloatPointer w1,
      @Const FloatPointer w2, int B, int C_in, int H, int W, int C_out);

  // ------------------------------------------------------- classifier and loss
  static native int jnas_cpu_linear_forward(FloatPointer out, @Const FloatPointer inp,
      @Const FloatPointer weight, @Const FloatPointer bias, int B, int IC, int OC);

  static native int jnas_cpu_linear_backward(FloatPointer dinp, FloatPointer dweight,
      FloatPointer dbias, @Const FloatPointer dout, @Const FloatPointer inp, @Const FloatPointer weight,
      int B, int IC, int OC);

  static native int jnas_cpu_softmax_xent_forward(FloatPointer loss, FloatPointer probs,
      @Const FloatPointer logits, @Cast("const int32_t*") IntPointer labels, int B, int V,
      float label_smoothing);

  static native int jnas_cpu_softmax_xent_backward(FloatPointer dlogits, @Const FloatPointer probs,
      @Cast("const int32_t*") IntPointer labels, int B, int V, float label_smoothing, float dloss);

  static native int jnas_cpu_argmax_hits(@Cast("int32_t*") IntPointer hits, @Const FloatPointer logits,
      @Cast("const int32_t*") IntPointer labels, int B, int V);

  // ------------------------------------------------------- dropout, drop-path
  static native int jnas_cpu_dropout_forward(FloatPointer out, FloatPointer mask,
      @Const FloatPointer inp, @Cast("int64_t") long N, float keep_prob, @Cast("uint64_t") long seed);

  static native int jnas_cpu_dropout_backward(FloatPointer dinp, @Const FloatPointer dout,
      @Const FloatPointer mask, @Cast("int64_t") long N);

  static native int jnas_cpu_drop_path_forward(FloatPointer out, FloatPointer mask,
      @Const FloatPointer inp, int B, @Cast("int64_t") long per_sample, float keep_prob,
      @Cast("uint64_t") long seed);

  static native int jnas_cpu_drop_path_backward(FloatPointer dinp, @Const FloatPointer dout,
      @Const FloatPointer mask, int B, @Cast("int64_t") long per_sample);

  // ------------------------------------------------------------------- updates
  static native int jnas_cpu_sgd_update(FloatPointer param, FloatPointer momentum_buf,
      @Const FloatPointer grad, @Cast("int64_t") long N, float lr, float momentum, float weight_decay,
      int nesterov);

  static native int jnas_cpu_adam_update(FloatPointer param, FloatPointer m, FloatPointer v,
      @Const FloatPointer grad, @Cast("int64_t") long N, float lr, float beta1, float beta2, float eps,
      float weight_decay, int step);

  static native int jnas_cpu_global_norm(FloatPointer out,
      @Cast("const float* const*") PointerPointer<?> bufs, @Cast("const int64_t*") LongPointer sizes,
      int n_bufs);

  static native int jnas_cpu_scale(FloatPointer buf, @Cast("int64_t") long N, float s);

  static native int jnas_cpu_clip_by_norm(FloatPointer buf, @Cast("int64_t") long N, @Const FloatPointer norm,
      float max_norm);

  static native int jnas_cpu_fill(FloatPointer buf, @Cast("int64_t") long N, float v);

  static native int jnas_cpu_weighted_sum_forward(FloatPointer out,
      @Cast("const float* const*") PointerPointer<?> inps, @Const FloatPointer w, int n_inputs,
      @Cast("int64_t") long N);

  static native int jnas_cpu_weighted_sum_backward(@Cast("float* const*") PointerPointer<?> dinps, FloatPointer dw,
      @Const FloatPointer dout, @Cast("const float* const*") PointerPointer<?> inps, @Const FloatPointer w,
      int n_inputs, @Cast("int64_t") long N);

  static native int jnas_cpu_binary_code_gram(FloatPointer K, @Const FloatPointer x, int B, @Cast("int64_t") long F);

  // ----------------------------------------------------------------- CUDA side
  static native int jnas_cuda_built();

  static native int jnas_cuda_device_count(IntPointer count);

  static native int jnas_cuda_device_info(int device, @Cast("char*") BytePointer name, int name_len,
      @Cast("int64_t*") LongPointer total_mem, @Cast("int64_t*") LongPointer free_mem,
      IntPointer cc_major, IntPointer cc_minor);

  static native @Cast("const char*") BytePointer jnas_cuda_error_string(int code);

  // --------------------------------------------------- CUDA device runtime
  // Each returns the cudaError_t code (0 ok); the stub build answers JNAS_E_NO_CUDA (3).
  // Device addresses travel as plain Pointers; a stream is a Pointer (null = default stream).
  static native int jnas_cuda_set_device(int device);

  static native int jnas_cuda_device_synchronize();

  /** {@code ptr.get(0)} receives the device allocation (null on failure). */
  static native int jnas_cuda_malloc(@Cast("int64_t") long bytes, @Cast("void**") PointerPointer<?> ptr);

  static native int jnas_cuda_free(Pointer ptr);

  static native int jnas_cuda_memset(Pointer ptr, int value, @Cast("int64_t") long bytes);

  static native int jnas_cuda_memset_async(Pointer ptr, int value, @Cast("int64_t") long bytes, Pointer stream);

  static native int jnas_cuda_memcpy_htod(Pointer dst, @Const Pointer src, @Cast("int64_t") long bytes);

  static native int jnas_cuda_memcpy_dtoh(Pointer dst, @Const Pointer src, @Cast("int64_t") long bytes);

  static native int jnas_cuda_memcpy_dtod(Pointer dst, @Const Pointer src, @Cast("int64_t") long bytes);

  static native int jnas_cuda_memcpy_htod_async(Pointer dst, @Const Pointer src, @Cast("int64_t") long bytes,
      Pointer stream);

  static native int jnas_cuda_memcpy_dtoh_async(Pointer dst, @Const Pointer src, @Cast("int64_t") long bytes,
      Pointer stream);

  static native int jnas_cuda_memcpy_dtod_async(Pointer dst, @Const Pointer src, @Cast("int64_t") long bytes,
      Pointer stream);

  /** {@code stream.get(0)} receives a new non-blocking stream. */
  static native int jnas_cuda_stream_create(@Cast("void**") PointerPointer<?> stream);

  static native int jnas_cuda_stream_destroy(Pointer stream);

  static native int jnas_cuda_stream_synchronize(Pointer stream);

  /** Pinned host memory: {@code ptr.get(0)} receives it. */
  static native int jnas_cuda_malloc_host(@Cast("int64_t") long bytes, @Cast("void**") PointerPointer<?> ptr);

  static native int jnas_cuda_free_host(Pointer ptr);

  static native int jnas_cuda_last_error();

  // ------------------------------------------- CUDA ops (device pointers)
  // The rest of the jnas_cuda_* ops of jnas.h get their bindings with the Java CUDA backend.
  static native int jnas_cuda_relu_forward(FloatPointer out, @Const FloatPointer inp,
      @Cast("int64_t") long N, Pointer stream);

  static native int jnas_cuda_relu_backward(FloatPointer dinp, @Const FloatPointer dout,
      @Const FloatPointer inp, @Cast("int64_t") long N, Pointer stream);

  // ------------------------------------------------------------------ backends
  static native @Cast("jnas_backend*") Pointer jnas_backend_create(@Cast("const char*") BytePointer kind, int device);

  static native void jnas_backend_destroy(@Cast("jnas_backend*") Pointer be);

  static native @Cast("int64_t") long jnas_backend_bytes(@Cast("jnas_backend*") Pointer be, int peak);

  static native @Cast("const char*") BytePointer jnas_last_error();

  // ------------------------------------------------------------------ networks
  static native Pointer jnas_supernet_create(@Cast("jnas_backend*") Pointer be, int in_channels, int H, int W,
      int num_classes, int num_layers, int channels, int num_nodes, @Cast("const int32_t*") IntPointer ops,
      int num_ops, int flags, @Cast("uint64_t") long seed);

  static native Pointer jnas_final_create(@Cast("jnas_backend*") Pointer be, @Cast("const int32_t*") IntPointer normal,
      int normal_len, @Cast("const int32_t*") IntPointer reduce, int reduce_len, int channels, int layers,
      int num_classes, int in_channels, int H, int W, int auxiliary, @Cast("uint64_t") long seed);

  static native Pointer jnas_macro_create(@Cast("jnas_backend*") Pointer be, int in_channels, int H, int W,
      int num_classes, int num_layers, int channels, @Cast("const int32_t*") IntPointer ops, int num_ops,
      @Cast("const int32_t*") IntPointer arc, int arc_len, @Cast("uint64_t") long seed);

  static native Pointer jnas_nb201_create(@Cast("jnas_backend*") Pointer be, int in_channels, int H, int W,
      int num_classes, int channels, int cells_per_stage, @Cast("const int32_t*") IntPointer arch, int flags,
      @Cast("uint64_t") long seed);

  static native Pointer jnas_darts_create(@Cast("jnas_backend*") Pointer be, int in_channels, int H, int W,
      int num_classes, int channels, int layers, int steps, @Cast("const int32_t*") IntPointer ops, int num_ops,
      @Cast("uint64_t") long seed);

  static native int jnas_net_arch_size(Pointer net);

  static native int jnas_net_set_arch_weights(Pointer net, @Const FloatPointer w, int n);

  static native int jnas_net_arch_grad(Pointer net, FloatPointer out, int n);

  static native int jnas_net_relu_codes(Pointer net, @Cast("const int32_t*") IntPointer normal,
      @Cast("const int32_t*") IntPointer reduce, @Const FloatPointer images, int B, FloatPointer K);

  static native int jnas_net_sum_backward(Pointer net, @Cast("const int32_t*") IntPointer normal,
      @Cast("const int32_t*") IntPointer reduce, @Const FloatPointer images, int B, float seed);

  static native void jnas_net_destroy(Pointer net);

  static native @Cast("int64_t") long jnas_net_buffer_size(Pointer net, int which);

  static native int jnas_net_get(Pointer net, int which, FloatPointer dst);

  static native int jnas_net_set(Pointer net, int which, @Const FloatPointer src);

  static native int jnas_net_num_tensors(Pointer net);

  static native int jnas_net_tensor_info(Pointer net, int index, @Cast("char*") BytePointer name, int name_len,
      @Cast("int64_t*") LongPointer offset, @Cast("int64_t*") LongPointer size);

  static native int jnas_net_run(Pointer net, int mode, @Cast("const int32_t*") IntPointer normal,
      @Cast("const int32_t*") IntPointer reduce, @Const FloatPointer images, @Cast("const int32_t*") IntPointer labels,
      int B, @Const FloatPointer hyper, @Cast("uint64_t") long seed, FloatPointer out, FloatPointer logits);

  static native @Cast("int64_t") long jnas_net_plan(Pointer net, @Cast("const int32_t*") IntPointer normal,
      @Cast("const int32_t*") IntPointer reduce, @Cast("char*") BytePointer buf, @Cast("int64_t") long cap);

  static native double jnas_net_flops(Pointer net, @Cast("const int32_t*") IntPointer normal,
      @Cast("const int32_t*") IntPointer reduce);

  static native @Cast("int64_t") long jnas_net_arena_bytes(Pointer net);

  static native double jnas_net_last_flops(Pointer net);

  static native int jnas_debug_host_read_weight(Pointer net, @Cast("int64_t") long index, FloatPointer value);
}
