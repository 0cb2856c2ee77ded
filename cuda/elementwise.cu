// elementwise.cu: sum of n inputs, channel concat, scale; the CUDA twin of
// native/cpu/elementwise.cpp (ReLU lives in relu.cu).
//
// Letters: N a flat element count, B batch, HW = H*W, C_i the channels of
// input i, C_tot = sum of C_i.
// Contract (jnas.h): forwards overwrite; backwards ADD; NULL gradients skip.
//   sum:    out = inps[0] + ... + inps[n-1];   dinps[i] += dout
//   concat: out[b, off_i : off_i + C_i] = inps[i][b]; dinps[i][b] += that slice of dout
//   scale:  buf *= s
// The pointer ARRAYS (inps, dinps, channels) are host memory holding device
// pointers. sum passes up to kMaxInputs pointers by value as a kernel
// parameter (one launch, each thread reads all inputs of its element before it
// writes, so out may alias an input, as on the CPU; the inputs are added in
// index order, as on the CPU). concat forward is one strided 2-D copy per input
// (cudaMemcpy2DAsync: B rows of C_i*HW floats); its backward one add kernel
// per input.
#include "common.cuh"

namespace {

constexpr int kMaxInputs = 64;

struct PtrList {
  const float* p[kMaxInputs];
};
struct MutPtrList {
  float* p[kMaxInputs];
};

__global__ void sum_forward_kernel(float* out,  // (N)
                                   PtrList inps, int n, int64_t N) {
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < N;
       i += (int64_t)gridDim.x * blockDim.x) {
    float s = inps.p[0][i];
    for (int k = 1; k < n; k++) s += inps.p[k][i];
    out[i] = s;
  }
}

__global__ void sum_backward_kernel(MutPtrList dinps, const float* __restrict__ dout,  // (N)
                                    int n, int64_t N) {
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < N;
       i += (int64_t)gridDim.x * blockDim.x) {
    const float d = dout[i];
    for (int k = 0; k < n; k++)
      if (dinps.p[k]) dinps.p[k][i] += d;  // sequential per thread: aliasing dinps add twice, as on the CPU
  }
}

// dinp (B, Ci*HW) += dout[:, off*HW : (off+Ci)*HW] of dout (B, C_tot*HW)
__global__ void concat_backward_kernel(float* dinp, const float* __restrict__ dout, int B,
                                       int64_t slice, int64_t row, int64_t off) {
  const int64_t N = (int64_t)B * slice;
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < N;
       i += (int64_t)gridDim.x * blockDim.x) {
    const int64_t b = i / slice, j = i - b * slice;
    dinp[i] += dout[b * row + off + j];
  }
}

__global__ void scale_kernel(float* buf, int64_t N, float s) {  // buf (N)
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < N;
       i += (int64_t)gridDim.x * blockDim.x)
    buf[i] *= s;
}

}  // namespace

extern "C" {

int jnas_cuda_sum_forward(float* out, const float* const* inps, int n_inputs, int64_t N, void* stream) {
  if (n_inputs < 1 || n_inputs > kMaxInputs) return JNAS_E_ARG;
  if (N <= 0) return JNAS_OK;
  PtrList l{};
  for (int k = 0; k < n_inputs; k++) l.p[k] = inps[k];
  sum_forward_kernel<<<jnas_cuda::grid1d(N), jnas_cuda::kThreads, 0, JNAS_STREAM(stream)>>>(out, l, n_inputs, N);
  JNAS_LAUNCH_CHECK();
  return JNAS_OK;
}

int jnas_cuda_sum_backward(float* const* dinps, const float* dout, int n_inputs, int64_t N,
                           void* stream) {
  if (n_inputs < 0 || n_inputs > kMaxInputs) return JNAS_E_ARG;
  if (N <= 0 || n_inputs == 0) return JNAS_OK;
  MutPtrList l{};
  bool any = false;
  for (int k = 0; k < n_inputs; k++) {
    l.p[k] = dinps[k];
    any = any || dinps[k];
  }
  if (!any) return JNAS_OK;
  sum_backward_kernel<<<jnas_cuda::grid1d(N), jnas_cuda::kThreads, 0, JNAS_STREAM(stream)>>>(l, dout, n_inputs, N);
  JNAS_LAUNCH_CHECK();
  return JNAS_OK;
}

int jnas_cuda_concat_forward(float* out, const float* const* inps, const int32_t* channels,
                             int n_inputs, int B, int HW, void* stream) {
  int64_t ctot = 0;
  for (int k = 0; k < n_inputs; k++) ctot += channels[k];
  const size_t row = sizeof(float) * (size_t)ctot * HW;  // one sample of out, bytes
  int64_t off = 0;
  for (int k = 0; k < n_inputs; k++) {
    const size_t w = sizeof(float) * (size_t)channels[k] * HW;  // one sample of input k, bytes
    if (w > 0 && B > 0) {
      JNAS_CUDA_TRY(cudaMemcpy2DAsync(out + off * HW, row, inps[k], w, w, (size_t)B,
                                      cudaMemcpyDeviceToDevice, JNAS_STREAM(stream)));
    }
    off += channels[k];
  }
  return JNAS_OK;
}

int jnas_cuda_concat_backward(float* const* dinps, const float* dout, const int32_t* channels,
                              int n_inputs, int B, int HW, void* stream) {
  int64_t ctot = 0;
  for (int k = 0; k < n_inputs; k++) ctot += channels[k];
  int64_t off = 0;
  for (int k = 0; k < n_inputs; k++) {
    const int64_t slice = (int64_t)channels[k] * HW;
    if (dinps[k] && slice > 0 && B > 0) {
      concat_backward_kernel<<<jnas_cuda::grid1d((int64_t)B * slice), jnas_cuda::kThreads, 0,
                               JNAS_STREAM(stream)>>>(dinps[k], dout, B, slice, ctot * HW, off * HW);
      JNAS_LAUNCH_CHECK();
    }
    off += channels[k];
  }
  return JNAS_OK;
}

int jnas_cuda_scale(float* buf, int64_t N, float s, void* stream) {
  if (N <= 0) return JNAS_OK;
  scale_kernel<<<jnas_cuda::grid1d(N), jnas_cuda::kThreads, 0, JNAS_STREAM(stream)>>>(buf, N, s);
  JNAS_LAUNCH_CHECK();
  return JNAS_OK;
}

}  // extern "C"
