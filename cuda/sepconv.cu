// sepconv.cu: separable convolution, the CUDA twin of native/cpu/sepconv.cpp:
// depthwise KxK (stride, pad, dilation) then pointwise 1x1, no bias (ENAS/DARTS).
//   out   (B, C_out, OH, OW)
//   mid   (B, C_in, OH, OW)   the depthwise output: written by forward, read by backward
//   inp   (B, C_in, H, W)
//   w_dw  (C_in, 1, K, K)
//   w_pw  (C_out, C_in, 1, 1)
// Contract: forward OVERWRITES out and mid; backward ADDS into dinp, dw_dw,
// dw_pw (NULL skips). Device pointers. relu_in: the depthwise stage reads ReLU(inp)
// (conv2d.cu's relu_in). mid NULL: a scratch buffer holds it, and backward recomputes it.
// Shape: both stages are conv2d.cu's kernels (the direct depthwise kernels for
// K in {1,3,5,7}, and the implicit GEMM for the pointwise stage). Backward
// needs d(mid), an intermediate that is not a gradient buffer of the caller:
// it is a zeroed scratch (B, C_in, OH, OW) from cudaMallocAsync, skipped when
// neither dinp nor dw_dw is wanted.
#include "common.cuh"

extern "C" {

int jnas_cuda_sepconv_forward(float* out, float* mid, const float* inp,
                              const float* w_dw, const float* w_pw,
                              int B, int C_in, int H, int W, int C_out, int K,
                              int stride, int pad, int dilation, int relu_in, void* stream) {
  const int OH = jnas_cuda::out_size(H, K, stride, pad, dilation);
  const int OW = jnas_cuda::out_size(W, K, stride, pad, dilation);
  if (OH <= 0 || OW <= 0) return JNAS_E_ARG;
  cudaStream_t st = JNAS_STREAM(stream);
  float* own = nullptr;  // mid when the caller keeps none
  if (!mid) {
    JNAS_CUDA_TRY(cudaMallocAsync((void**)&own, sizeof(float) * (size_t)B * C_in * OH * OW, st));
    mid = own;
  }
  int rc = jnas_cuda_conv2d_forward(mid, inp, w_dw, nullptr, B, C_in, H, W, C_in, K, K, stride, pad,
                                    pad, dilation, C_in, relu_in, stream);
  if (rc == 0)
    rc = jnas_cuda_conv2d_forward(out, mid, w_pw, nullptr, B, C_in, OH, OW, C_out, 1, 1, 1, 0, 0, 1, 1,
                                  0, stream);
  if (own) {
    cudaError_t e = cudaFreeAsync(own, st);
    if (rc == 0) rc = (int)e;
  }
  return rc;
}

int jnas_cuda_sepconv_backward(float* dinp, float* dw_dw, float* dw_pw,
                               const float* dout, const float* mid, const float* inp,
                               const float* w_dw, const float* w_pw,
                               int B, int C_in, int H, int W, int C_out, int K,
                               int stride, int pad, int dilation, int relu_in, void* stream) {
  const int OH = jnas_cuda::out_size(H, K, stride, pad, dilation);
  const int OW = jnas_cuda::out_size(W, K, stride, pad, dilation);
  if (OH <= 0 || OW <= 0) return JNAS_E_ARG;
  cudaStream_t st = JNAS_STREAM(stream);
  float* own = nullptr;  // mid recomputed when the caller kept none
  if (!mid) {
    JNAS_CUDA_TRY(cudaMallocAsync((void**)&own, sizeof(float) * (size_t)B * C_in * OH * OW, st));
    int rc0 = jnas_cuda_conv2d_forward(own, inp, w_dw, nullptr, B, C_in, H, W, C_in, K, K, stride, pad,
                                       pad, dilation, C_in, relu_in, stream);
    if (rc0) {
      cudaFreeAsync(own, st);
      return rc0;
    }
    mid = own;
  }
  const bool need_dmid = dinp || dw_dw;
  float* dmid = nullptr;  // (B, C_in, OH, OW)
  const size_t bytes = sizeof(float) * (size_t)B * C_in * OH * OW;
  if (need_dmid) {
    JNAS_CUDA_TRY(cudaMallocAsync((void**)&dmid, bytes, st));
    cudaError_t e = cudaMemsetAsync(dmid, 0, bytes, st);
    if (e != cudaSuccess) {
      cudaFreeAsync(dmid, st);
      return (int)e;
    }
  }
  int rc = jnas_cuda_conv2d_backward(dmid, dw_pw, nullptr, dout, mid, w_pw, B, C_in, OH, OW, C_out, 1, 1,
                                     1, 0, 0, 1, 1, 0, stream);
  if (rc == 0 && need_dmid) {
    rc = jnas_cuda_conv2d_backward(dinp, dw_dw, nullptr, dmid, inp, w_dw, B, C_in, H, W, C_in, K, K,
                                   stride, pad, pad, dilation, C_in, relu_in, stream);
  }
  if (dmid) {
    cudaError_t e = cudaFreeAsync(dmid, st);
    if (rc == 0) rc = (int)e;
  }
  if (own) {
    cudaError_t e = cudaFreeAsync(own, st);
    if (rc == 0) rc = (int)e;
  }
  return rc;
}

}  // extern "C"
