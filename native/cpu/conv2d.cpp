// conv2d.cpp: 2-D convolution forward and backward on the CPU, a fast path and the
// naive reference that is its oracle.
//
// Sizes (see jnas.h): B batch, C_in/C_out channels, H/W input, OH/OW output, KH/KW
// kernel; G = groups, Cg_in = C_in/G, Cg_out = C_out/G, P = OH*OW output pixels,
// Kd = Cg_in*KH*KW the reduction length of one output element.
//   out     (B, C_out, OH, OW)        inp  (B, C_in, H, W)
//   weight  (C_out, Cg_in, KH, KW)    bias (C_out) or NULL
// Contract: forward OVERWRITES out; backward ADDS into dinp, dweight, dbias, each
// skipped when NULL. Sizes were checked on the Java side.
//
// Fast path, dense and grouped convs (im2col + sgemm, batch folded into N):
//   the batch is cut into blocks of nb samples whose im2col columns fit a fixed
//   scratch budget; the block's columns sit side by side, col (Kd, nb*P), so one
//   sgemm per group has N = nb*P instead of P. At ENAS sizes (P = 64..1024,
//   Cg_out = 20..80) a per-sample gemm is small and skinny and OpenBLAS runs it far
//   below peak; the folded one is large. Our pool (jnas::parallel_for) does the
//   memory-bound parts (im2col, col2im, the (C, nb, P) <-> (nb, C, P) transposes, each
//   sample's slice in one chunk) and splits each gemm's columns, one single-threaded
//   OpenBLAS call per chunk (sgemm_cols; OpenBLAS's own threads stay off, see there).
//   Determinism: the weight gradient's sum over the batch is the K dimension of a
//   gemm (dweight_g += dout_g (Cg_out, nb*P) x col^T): split in column chunks, one
//   partial each, added in chunk order, block after block in batch order, so the
//   result is fixed for a fixed thread count. dbias is summed per channel, each
//   channel by one chunk, in batch order.
//
// Fast path, depthwise (Cg_in == Cg_out == 1, e.g. groups == C_in == C_out):
//   a direct kernel. im2col would build KH*KW copies of the input for a gemm of
//   M = 1, which is pure memory traffic. The direct kernel walks one (b, c) plane:
//   for each output row and kernel tap it does a contiguous AXPY over the in-bounds
//   range of ow (stride 1 vectorises; the column bounds are computed once per tap,
//   so no per-element bounds test). Backward runs one chunk per channel range and
//   loops over the batch inside, so dweight and dbias need no partial buffers and
//   are deterministic for any thread count.
#include "conv_fast.h"
#include "jnas.h"
#include "parallel.h"

#include <cblas.h>

#include <algorithm>
#include <cstring>
#include <new>
#include <vector>

namespace {

// Float scratch of n elements; empty on allocation failure (caller returns JNAS_E_ALLOC).
// A scratch of at least n floats, contents undefined: the calling thread's buffer, grown
// when too small and kept (a per-call buffer of this size faulted its pages in and zeroed
// them on every call).
bool grow(std::vector<float>& v, size_t n) {
  try {
    if (v.size() < n) v.resize(n);
    return true;
  } catch (const std::bad_alloc&) {
    return false;
  }
}

// Column budget of one batch block, in floats (16 MiB): big enough that nb*P makes
// a wide gemm, small enough to stay out of the way of the activations.
constexpr size_t kColBudget = size_t(1) << 22;

struct Geom {
  int B, C_in, H, W, C_out, KH, KW, stride, pad_h, pad_w, dilation, groups;
  int OH, OW, Cg_in, Cg_out;
  int64_t P, Kd;
};

Geom geom(int B, int C_in, int H, int W, int C_out, int KH, int KW, int stride, int pad_h,
          int pad_w, int dilation, int groups) {
  Geom g{B, C_in, H, W, C_out, KH, KW, stride, pad_h, pad_w, dilation, groups, 0, 0, 0, 0, 0, 0};
  g.OH = jnas_out_size(H, KH, stride, pad_h, dilation);
  g.OW = jnas_out_size(W, KW, stride, pad_w, dilation);
  g.Cg_in = C_in / groups;
  g.Cg_out = C_out / groups;
  g.P = (int64_t)g.OH * g.OW;
  g.Kd = (int64_t)g.Cg_in * KH * KW;
  return g;
}

// Range [lo, hi) of output columns ow whose input column ow*stride + off lies in [0, W).
inline void valid_cols(int OW, int W, int stride, int off, int* lo, int* hi) {
  // smallest ow with ow*stride + off >= 0
  int l = off >= 0 ? 0 : (-off + stride - 1) / stride;
  // largest ow with ow*stride + off <= W-1
  int h = (W - 1 - off) < 0 ? -1 : (W - 1 - off) / stride;
  *lo = std::min(l, OW);
  *hi = std::max(*lo, std::min(h + 1, OW));
}

// im2col of one sample, channels [c0, c0+Cg_in) of x (C_in, H, W), into
// col (Kd, ldc) (already offset to this sample's first column): row (ci*KH+kh)*KW+kw,
// column oh*OW+ow.
void im2col(float* col, int64_t ldc, const float* x, const Geom& g, bool relu) {
  for (int ci = 0; ci < g.Cg_in; ci++) {
    const float* xc = x + (int64_t)ci * g.H * g.W;  // (H, W)
    for (int kh = 0; kh < g.KH; kh++) {
      for (int kw = 0; kw < g.KW; kw++) {
        float* row = col + ((int64_t)(ci * g.KH + kh) * g.KW + kw) * ldc;  // (OH*OW)
        int off = kw * g.dilation - g.pad_w;
        int lo, hi;
        valid_cols(g.OW, g.W, g.stride, off, &lo, &hi);
        for (int oh = 0; oh < g.OH; oh++) {
          float* r = row + (int64_t)oh * g.OW;
          int ih = oh * g.stride - g.pad_h + kh * g.dilation;
          if (ih < 0 || ih >= g.H) {
            std::memset(r, 0, sizeof(float) * g.OW);
            continue;
          }
          int64_t xo = (int64_t)ih * g.W + off;  // input index of ow = 0 (may be < row start)
          for (int ow = 0; ow < lo; ow++) r[ow] = 0.f;
          if (g.stride == 1) {
            for (int ow = lo; ow < hi; ow++) r[ow] = xc[xo + ow];
          } else {
            for (int ow = lo; ow < hi; ow++) r[ow] = xc[xo + (int64_t)ow * g.stride];
          }
          if (relu)
            for (int ow = lo; ow < hi; ow++) r[ow] = r[ow] > 0.f ? r[ow] : 0.f;
          for (int ow = hi; ow < g.OW; ow++) r[ow] = 0.f;
        }
      }
    }
  }
}

// col2im of one sample: dx (Cg_in, H, W) += the columns of col (Kd, ldc).
void col2im_add(float* dx, const float* col, int64_t ldc, const Geom& g) {
  for (int ci = 0; ci < g.Cg_in; ci++) {
    float* dxc = dx + (int64_t)ci * g.H * g.W;  // (H, W)
    for (int kh = 0; kh < g.KH; kh++) {
      for (int kw = 0; kw < g.KW; kw++) {
        const float* row = col + ((int64_t)(ci * g.KH + kh) * g.KW + kw) * ldc;  // (OH*OW)
        int off = kw * g.dilation - g.pad_w;
        int lo, hi;
        valid_cols(g.OW, g.W, g.stride, off, &lo, &hi);
        for (int oh = 0; oh < g.OH; oh++) {
          int ih = oh * g.stride - g.pad_h + kh * g.dilation;
          if (ih < 0 || ih >= g.H) continue;
          const float* r = row + (int64_t)oh * g.OW;
          int64_t xo = (int64_t)ih * g.W + off;
          if (g.stride == 1) {
            for (int ow = lo; ow < hi; ow++) dxc[xo + ow] += r[ow];
          } else {
            for (int ow = lo; ow < hi; ow++) dxc[xo + (int64_t)ow * g.stride] += r[ow];
          }
        }
      }
    }
  }
}

// dx (n) += t where x > 0: the end of a backward through a fused ReLU whose input is x.
void add_masked(float* dx, const float* t, const float* x, int64_t n) {
  for (int64_t i = 0; i < n; i++) dx[i] += x[i] > 0.f ? t[i] : 0.f;
}

// Samples per block so that col (Kd, nb*P) fits the budget (at least one).
int block_samples(const Geom& g) {
  int64_t per = std::max<int64_t>(1, g.Kd * g.P);
  return (int)std::max<int64_t>(1, std::min<int64_t>(g.B, (int64_t)kColBudget / per));
}

// dbias (C_out) += sum over b and pixels of dout (B, C_out, P); one chunk per channel range.
void bias_backward(float* dbias, const float* dout, int B, int C_out, int64_t P) {
  jnas::parallel_for(C_out, [&](int64_t c0, int64_t c1) {
    for (int64_t c = c0; c < c1; c++) {
      double s = 0;
      for (int b = 0; b < B; b++) {
        const float* d = dout + ((int64_t)b * C_out + c) * P;  // (P)
        float t = 0.f;
        for (int64_t p = 0; p < P; p++) t += d[p];
        s += t;
      }
      dbias[c] += (float)s;
    }
  });
}

// ----------------------------------------------------------------- depthwise

// out (B, C, OH, OW) = direct depthwise conv of inp (B, C, H, W) with weight (C, 1, KH, KW).
void depthwise_forward(float* out, const float* inp, const float* weight, const float* bias,
                       const Geom& g, bool relu) {
  int C = g.C_out;
  jnas::parallel_for((int64_t)g.B * C, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; i++) {
      int c = (int)(i % C);
      const float* x = inp + i * g.H * g.W;              // (H, W)
      const float* w = weight + (int64_t)c * g.KH * g.KW;  // (KH, KW)
      float* o = out + i * g.P;                           // (OH, OW)
      float b0 = bias ? bias[c] : 0.f;
      for (int oh = 0; oh < g.OH; oh++) {
        float* orow = o + (int64_t)oh * g.OW;
        for (int ow = 0; ow < g.OW; ow++) orow[ow] = b0;
        for (int kh = 0; kh < g.KH; kh++) {
          int ih = oh * g.stride - g.pad_h + kh * g.dilation;
          if (ih < 0 || ih >= g.H) continue;
          for (int kw = 0; kw < g.KW; kw++) {
            float wv = w[kh * g.KW + kw];
            int off = kw * g.dilation - g.pad_w;
            int lo, hi;
            valid_cols(g.OW, g.W, g.stride, off, &lo, &hi);
            int64_t xo = (int64_t)ih * g.W + off;
            if (relu) {
              for (int ow = lo; ow < hi; ow++) {
                float v = x[xo + (int64_t)ow * g.stride];
                orow[ow] += wv * (v > 0.f ? v : 0.f);
              }
            } else if (g.stride == 1) {
              for (int ow = lo; ow < hi; ow++) orow[ow] += wv * x[xo + ow];
            } else {
              for (int ow = lo; ow < hi; ow++) orow[ow] += wv * x[xo + (int64_t)ow * g.stride];
            }
          }
        }
      }
    }
  });
}

void depthwise_backward(float* dinp, float* dweight, float* dbias, const float* dout,
                        const float* inp, const float* weight, const Geom& g, bool relu) {
  int C = g.C_out;
  int KK = g.KH * g.KW;
  jnas::parallel_for(C, [&](int64_t c0, int64_t c1) {
    std::vector<double> dw(KK);
    std::vector<float> rx, tdx;  // relu: the plane's ReLU(x), and its gradient before the mask
    if (relu) {
      rx.resize((size_t)g.H * g.W);
      tdx.resize((size_t)g.H * g.W);
    }
    for (int64_t c = c0; c < c1; c++) {
      const float* w = weight + c * KK;  // (KH, KW)
      std::fill(dw.begin(), dw.end(), 0.0);
      double db = 0;
      for (int b = 0; b < g.B; b++) {
        int64_t plane = (int64_t)b * C + c;
        const float* d = dout + plane * g.P;            // (OH, OW)
        const float* x = inp + plane * g.H * g.W;       // (H, W)
        float* dx = dinp ? dinp + plane * g.H * g.W : nullptr;  // (H, W)
        const float* xin = x;
        if (relu) {
          for (int64_t i = 0; i < (int64_t)g.H * g.W; i++) rx[i] = x[i] > 0.f ? x[i] : 0.f;
          x = rx.data();
          if (dx) {
            std::fill(tdx.begin(), tdx.end(), 0.f);
            dx = tdx.data();
          }
        }
        if (dbias) {
          float t = 0.f;
          for (int64_t p = 0; p < g.P; p++) t += d[p];
          db += t;
        }
        for (int kh = 0; kh < g.KH; kh++) {
          for (int kw = 0; kw < g.KW; kw++) {
            float wv = w[kh * g.KW + kw];
            int off = kw * g.dilation - g.pad_w;
            int lo, hi;
            valid_cols(g.OW, g.W, g.stride, off, &lo, &hi);
            float acc = 0.f;
            for (int oh = 0; oh < g.OH; oh++) {
              int ih = oh * g.stride - g.pad_h + kh * g.dilation;
              if (ih < 0 || ih >= g.H) continue;
              const float* drow = d + (int64_t)oh * g.OW;
              int64_t xo = (int64_t)ih * g.W + off;
              if (g.stride == 1) {
                if (dweight) for (int ow = lo; ow < hi; ow++) acc += drow[ow] * x[xo + ow];
                if (dx) for (int ow = lo; ow < hi; ow++) dx[xo + ow] += wv * drow[ow];
              } else {
                int64_t s = g.stride;
                if (dweight) for (int ow = lo; ow < hi; ow++) acc += drow[ow] * x[xo + ow * s];
                if (dx) for (int ow = lo; ow < hi; ow++) dx[xo + ow * s] += wv * drow[ow];
              }
            }
            dw[kh * g.KW + kw] += acc;
          }
        }
        if (relu && dinp) add_masked(dinp + plane * g.H * g.W, tdx.data(), xin, (int64_t)g.H * g.W);
      }
      if (dweight) for (int k = 0; k < KK; k++) dweight[c * KK + k] += (float)dw[k];
      if (dbias) dbias[c] += (float)db;
    }
  });
}

// --------------------------------------------------------- dense and grouped

// OpenBLAS runs single-threaded inside jnas (Backends sets its thread count to 1: its idle
// workers spin for a while after every call and, on a few cores, take the CPU from the
// kernels that follow), so the gemms of this file split their columns over our own pool,
// each chunk one single-threaded sgemm on its slice.

// Column chunks of N for the pool: multiples of 64 columns, at most one per thread.
int col_chunks(int64_t N) { return jnas::parallel_chunks((N + 63) / 64); }
void col_range(int64_t N, int chunks, int i, int64_t* c0, int64_t* c1) {
  int64_t b0, b1;
  jnas::chunk_bounds((N + 63) / 64, chunks, i, &b0, &b1);
  *c0 = std::min(N, b0 * 64);
  *c1 = std::min(N, b1 * 64);
}

// C (M, N) = op(A) (M, K) x B (K, N) (+ beta C), row-major, split over the columns of B and C.
void sgemm_cols(bool trans_a, int M, int64_t N, int K, const float* A, int lda, const float* B, float beta, float* C) {
  int chunks = col_chunks(N);
  jnas::parallel_for_chunks(chunks, chunks, [&](int i, int64_t, int64_t) {
    int64_t c0, c1;
    col_range(N, chunks, i, &c0, &c1);
    if (c1 > c0)
      cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, CblasNoTrans, M, (int)(c1 - c0), K, 1.f, A, lda,
                  B + c0, (int)N, beta, C + c0, (int)N);
  });
}

// G (M, Kd) += D (M, N) x X^T (N, Kd): the sum over N split in column chunks, each into its own
// partial (one single-threaded sgemm), the partials added in chunk order: fixed results for
// a fixed thread count.
void sgemm_nt_sum(int M, int Kd, int64_t N, const float* D, const float* X, float* G) {
  int chunks = col_chunks(N);
  if (chunks <= 1) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, M, Kd, (int)N, 1.f, D, (int)N, X, (int)N, 1.f, G, Kd);
    return;
  }
  std::vector<float> part((size_t)chunks * M * Kd);
  jnas::parallel_for_chunks(chunks, chunks, [&](int i, int64_t, int64_t) {
    int64_t c0, c1;
    col_range(N, chunks, i, &c0, &c1);
    float* pi = part.data() + (size_t)i * M * Kd;
    if (c1 > c0)
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, M, Kd, (int)(c1 - c0), 1.f, D + c0, (int)N, X + c0, (int)N,
                  0.f, pi, Kd);
    else
      std::fill(pi, pi + (size_t)M * Kd, 0.f);
  });
  for (int i = 0; i < chunks; i++)
    for (size_t k = 0; k < (size_t)M * Kd; k++) G[k] += part[(size_t)i * M * Kd + k];
}


// col (Kd, n*P) = the im2col of samples b0 .. b0+n-1, group gr: sample j's columns at j*P.
void im2col_block(float* col, const float* inp, const Geom& g, int b0, int n, int gr, bool relu) {
  int64_t N = (int64_t)n * g.P;
  jnas::parallel_for(n, [&](int64_t j0, int64_t j1) {
    for (int64_t j = j0; j < j1; j++) {
      const float* x = inp + (((int64_t)(b0 + j) * g.C_in) + (int64_t)gr * g.Cg_in) * g.H * g.W;
      im2col(col + j * g.P, N, x, g, relu);
    }
  });
}

// The calling thread's two gemm scratches (col: Kd x nb*P, other: Cg_out x nb*P), every element
// written before it is read, or false if they cannot grow. The pool's threads reach them through
// the returned pointers (a thread_local named inside a lambda would be the worker's own).
bool gemm_scratch(const Geom& g, int64_t ldc, float** col, float** other) {
  thread_local std::vector<float> col_buf, other_buf;
  if (!grow(col_buf, (size_t)(g.Kd * ldc)) || !grow(other_buf, (size_t)((int64_t)g.Cg_out * ldc))) return false;
  *col = col_buf.data();
  *other = other_buf.data();
  return true;
}

int gemm_forward(float* out, const float* inp, const float* weight, const float* bias,
                 const Geom& g, bool relu) {
  int nb = block_samples(g);
  int64_t ldc = (int64_t)nb * g.P;
  float *col, *res;
  if (!gemm_scratch(g, ldc, &col, &res)) return JNAS_E_ALLOC;
  for (int b0 = 0; b0 < g.B; b0 += nb) {
    int n = std::min(nb, g.B - b0);
    int64_t N = (int64_t)n * g.P;
    for (int gr = 0; gr < g.groups; gr++) {
      im2col_block(col, inp, g, b0, n, gr, relu);
      // res (Cg_out, n*P) = W_g (Cg_out, Kd) x col (Kd, n*P)
      sgemm_cols(false, g.Cg_out, N, (int)g.Kd, weight + (int64_t)gr * g.Cg_out * g.Kd, (int)g.Kd, col, 0.f,
                 res);
      // out[b0+j, gr*Cg_out + co, :] = res[co, j*P:(j+1)*P] + bias
      jnas::parallel_for(n, [&](int64_t j0, int64_t j1) {
        for (int64_t j = j0; j < j1; j++) {
          for (int co = 0; co < g.Cg_out; co++) {
            int64_t c = (int64_t)gr * g.Cg_out + co;
            float* o = out + ((int64_t)(b0 + j) * g.C_out + c) * g.P;  // (P)
            const float* r = res + co * N + j * g.P;             // (P)
            float bv = bias ? bias[c] : 0.f;
            for (int64_t p = 0; p < g.P; p++) o[p] = r[p] + bv;
          }
        }
      });
    }
  }
  return JNAS_OK;
}

int gemm_backward(float* dinp, float* dweight, float* dbias, const float* dout,
                  const float* inp, const float* weight, const Geom& g, bool relu) {
  if (dbias) bias_backward(dbias, dout, g.B, g.C_out, g.P);
  if (!dinp && !dweight) return JNAS_OK;
  int nb = block_samples(g);
  int64_t ldc = (int64_t)nb * g.P;
  float *col, *dres;  // col (Kd, nb*P): im2col of inp, or dcol for dinp
  if (!gemm_scratch(g, ldc, &col, &dres)) return JNAS_E_ALLOC;
  for (int b0 = 0; b0 < g.B; b0 += nb) {
    int n = std::min(nb, g.B - b0);
    int64_t N = (int64_t)n * g.P;
    for (int gr = 0; gr < g.groups; gr++) {
      // dres (Cg_out, n*P) = this group's slice of dout, samples side by side
      jnas::parallel_for(n, [&](int64_t j0, int64_t j1) {
        for (int64_t j = j0; j < j1; j++) {
          for (int co = 0; co < g.Cg_out; co++) {
            const float* d = dout + ((int64_t)(b0 + j) * g.C_out + (int64_t)gr * g.Cg_out + co) * g.P;
            std::memcpy(dres + co * N + j * g.P, d, sizeof(float) * g.P);
          }
        }
      });
      if (dweight) {
        im2col_block(col, inp, g, b0, n, gr, relu);
        // dweight_g (Cg_out, Kd) += dres (Cg_out, n*P) x col^T (n*P, Kd)
        sgemm_nt_sum(g.Cg_out, (int)g.Kd, N, dres, col, dweight + (int64_t)gr * g.Cg_out * g.Kd);
      }
      if (dinp) {
        // dcol (Kd, n*P) = W_g^T (Kd, Cg_out) x dres (Cg_out, n*P), then col2im adds it
        sgemm_cols(true, (int)g.Kd, N, g.Cg_out, weight + (int64_t)gr * g.Cg_out * g.Kd, (int)g.Kd, dres, 0.f,
                   col);
        jnas::parallel_for(n, [&](int64_t j0, int64_t j1) {
          std::vector<float> t;  // relu: the sample's gradient before the mask
          if (relu) t.resize((size_t)g.Cg_in * g.H * g.W);
          for (int64_t j = j0; j < j1; j++) {
            int64_t at = (((int64_t)(b0 + j) * g.C_in) + (int64_t)gr * g.Cg_in) * g.H * g.W;
            if (relu) {
              std::fill(t.begin(), t.end(), 0.f);
              col2im_add(t.data(), col + j * g.P, N, g);
              add_masked(dinp + at, t.data(), inp + at, (int64_t)t.size());
            } else {
              col2im_add(dinp + at, col + j * g.P, N, g);
            }
          }
        });
      }
    }
  }
  return JNAS_OK;
}

}  // namespace

extern "C" {

int jnas_cpu_conv2d_forward(float* out, const float* inp, const float* weight, const float* bias,
                            int B, int C_in, int H, int W, int C_out, int KH, int KW,
                            int stride, int pad_h, int pad_w, int dilation, int groups, int relu_in) {
  Geom g = geom(B, C_in, H, W, C_out, KH, KW, stride, pad_h, pad_w, dilation, groups);
  bool relu = relu_in != 0;
  if (jnas::pointwise_fits(KH, KW, stride, pad_h, pad_w, groups)) {
    jnas::pointwise_forward(out, inp, weight, bias, B, C_in, g.P, C_out, relu);
    return JNAS_OK;
  }
  if (g.Cg_in == 1 && g.Cg_out == 1) {
    if (jnas::depthwise_s1_fits(KH, KW, stride, pad_h, pad_w, dilation)) {
      jnas::depthwise_s1_forward(out, inp, weight, bias, B, C_in, H, W, KH, KW, pad_h, pad_w, dilation, relu);
    } else {
      depthwise_forward(out, inp, weight, bias, g, relu);
    }
    return JNAS_OK;
  }
  return gemm_forward(out, inp, weight, bias, g, relu);
}

int jnas_cpu_conv2d_backward(float* dinp, float* dweight, float* dbias,
                             const float* dout, const float* inp, const float* weight,
                             int B, int C_in, int H, int W, int C_out, int KH, int KW,
                             int stride, int pad_h, int pad_w, int dilation, int groups, int relu_in) {
  Geom g = geom(B, C_in, H, W, C_out, KH, KW, stride, pad_h, pad_w, dilation, groups);
  bool relu = relu_in != 0;
  if (jnas::pointwise_fits(KH, KW, stride, pad_h, pad_w, groups)) {
    if (dbias) bias_backward(dbias, dout, B, C_out, g.P);
    jnas::pointwise_backward(dinp, dweight, dout, inp, weight, B, C_in, g.P, C_out, relu);
    return JNAS_OK;
  }
  if (g.Cg_in == 1 && g.Cg_out == 1) {
    if (jnas::depthwise_s1_fits(KH, KW, stride, pad_h, pad_w, dilation)) {
      if (dbias) bias_backward(dbias, dout, B, C_out, g.P);
      jnas::depthwise_s1_backward(dinp, dweight, dout, inp, weight, B, C_in, H, W, KH, KW, pad_h, pad_w, dilation, relu);
    } else {
      depthwise_backward(dinp, dweight, dbias, dout, inp, weight, g, relu);
    }
    return JNAS_OK;
  }
  return gemm_backward(dinp, dweight, dbias, dout, inp, weight, g, relu);
}

// ------------------------------------------------------------------ reference
// Direct loops straight from the definition, serial, sums in double:
//   out[b,co,oh,ow] = bias[co] + sum_{ci,kh,kw} w[co,ci,kh,kw] * x[b, g*Cg_in+ci, ih, iw]
//   ih = oh*stride - pad_h + kh*dilation, iw likewise, zero outside the input.

int jnas_cpu_conv2d_forward_ref(float* out, const float* inp, const float* weight, const float* bias,
                                int B, int C_in, int H, int W, int C_out, int KH, int KW,
                                int stride, int pad_h, int pad_w, int dilation, int groups, int relu_in) {
  Geom g = geom(B, C_in, H, W, C_out, KH, KW, stride, pad_h, pad_w, dilation, groups);
  for (int b = 0; b < B; b++)
    for (int co = 0; co < C_out; co++) {
      int gr = co / g.Cg_out;
      for (int oh = 0; oh < g.OH; oh++)
        for (int ow = 0; ow < g.OW; ow++) {
          double s = bias ? bias[co] : 0.0;
          for (int ci = 0; ci < g.Cg_in; ci++)
            for (int kh = 0; kh < KH; kh++)
              for (int kw = 0; kw < KW; kw++) {
                int ih = oh * stride - pad_h + kh * dilation;
                int iw = ow * stride - pad_w + kw * dilation;
                if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                double x = inp[(((int64_t)b * C_in + gr * g.Cg_in + ci) * H + ih) * W + iw];
                if (relu_in && !(x > 0)) x = 0;
                double w = weight[(((int64_t)co * g.Cg_in + ci) * KH + kh) * KW + kw];
                s += x * w;
              }
          out[(((int64_t)b * C_out + co) * g.OH + oh) * g.OW + ow] = (float)s;
        }
    }
  return JNAS_OK;
}

int jnas_cpu_conv2d_backward_ref(float* dinp, float* dweight, float* dbias,
                                 const float* dout, const float* inp, const float* weight,
                                 int B, int C_in, int H, int W, int C_out, int KH, int KW,
                                 int stride, int pad_h, int pad_w, int dilation, int groups, int relu_in) {
  Geom g = geom(B, C_in, H, W, C_out, KH, KW, stride, pad_h, pad_w, dilation, groups);
  std::vector<double> dx, dw, db;  // double accumulators, added into the outputs at the end
  try {
    if (dinp) dx.assign((size_t)B * C_in * H * W, 0.0);
    if (dweight) dw.assign((size_t)C_out * g.Kd, 0.0);
    if (dbias) db.assign((size_t)C_out, 0.0);
  } catch (const std::bad_alloc&) {
    return JNAS_E_ALLOC;
  }
  for (int b = 0; b < B; b++)
    for (int co = 0; co < C_out; co++) {
      int gr = co / g.Cg_out;
      for (int oh = 0; oh < g.OH; oh++)
        for (int ow = 0; ow < g.OW; ow++) {
          double d = dout[(((int64_t)b * C_out + co) * g.OH + oh) * g.OW + ow];
          if (dbias) db[co] += d;
          for (int ci = 0; ci < g.Cg_in; ci++)
            for (int kh = 0; kh < KH; kh++)
              for (int kw = 0; kw < KW; kw++) {
                int ih = oh * stride - pad_h + kh * dilation;
                int iw = ow * stride - pad_w + kw * dilation;
                if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                int64_t xi = (((int64_t)b * C_in + gr * g.Cg_in + ci) * H + ih) * W + iw;
                int64_t wi = (((int64_t)co * g.Cg_in + ci) * KH + kh) * KW + kw;
                bool pass = !relu_in || inp[xi] > 0;  // the fused ReLU: x > 0 passes
                if (dinp && pass) dx[xi] += d * weight[wi];
                if (dweight && pass) dw[wi] += d * inp[xi];
              }
        }
    }
  for (size_t i = 0; i < dx.size(); i++) dinp[i] += (float)dx[i];
  for (size_t i = 0; i < dw.size(); i++) dweight[i] += (float)dw[i];
  for (size_t i = 0; i < db.size(); i++) dbias[i] += (float)db[i];
  return JNAS_OK;
}

}  // extern "C"
