// factorized_reduce.cpp: ENAS/DARTS factorized reduce without its BN (CPU).
//   x = relu(inp)
//   out[:, :C1]  = conv1x1 stride 2 of x with w1,          pixel (oh, ow) reads x[2oh,   2ow]
//   out[:, C1:]  = conv1x1 stride 2 of x shifted down-right, pixel (oh, ow) reads x[2oh+1, 2ow+1]
//                  (zero past the edge: the last row/column when H or W is odd)
//   C1 = C_out/2, C2 = C_out - C1; OH = (H+1)/2, OW = (W+1)/2; P = OH*OW.
//   out (B, C_out, OH, OW)   inp (B, C_in, H, W)
//   w1  (C1, C_in, 1, 1)     w2  (C2, C_in, 1, 1)
// Contract: forward OVERWRITES out; backward ADDS into dinp, dw1, dw2 (NULL skips).
// Shape of the kernel: one sample at a time (the samples split across threads), each path's
// strided, ReLU'd pixels are gathered into a per-thread scratch (C_in, OH, OW), then the
// pointwise kernel of conv_fast (conv_isa) writes its channel range of out directly. The
// backward recomputes the gather, adds the weight gradients as outer products (per chunk
// of samples, in double, chunks added in order: fixed results for a fixed thread count) and
// scatters W^T dout back through the ReLU's mask. Nothing larger than a sample is allocated.
#include "conv_fast.h"
#include "jnas.h"
#include "parallel.h"

#include <vector>

namespace {

struct FrGeom {
  int B, C_in, H, W, C_out, C1, C2, OH, OW;
  int64_t P;
};

FrGeom fr_geom(int B, int C_in, int H, int W, int C_out) {
  FrGeom g{B, C_in, H, W, C_out, C_out / 2, C_out - C_out / 2, (H + 1) / 2, (W + 1) / 2, 0};
  g.P = (int64_t)g.OH * g.OW;
  return g;
}

// xs (C_in, OH, OW) = relu(x[.., 2oh+s, 2ow+s]) of one sample x (C_in, H, W), zero past the edge.
void gather(float* xs, const float* x, const FrGeom& g, int s) {
  for (int c = 0; c < g.C_in; c++) {
    const float* xc = x + (int64_t)c * g.H * g.W;
    float* o = xs + (int64_t)c * g.P;
    for (int oh = 0; oh < g.OH; oh++) {
      int ih = 2 * oh + s;
      for (int ow = 0; ow < g.OW; ow++) {
        int iw = 2 * ow + s;
        float v = (ih < g.H && iw < g.W) ? xc[(int64_t)ih * g.W + iw] : 0.f;
        o[oh * g.OW + ow] = v > 0.f ? v : 0.f;
      }
    }
  }
}

// dx[.., 2oh+s, 2ow+s] += dxs where x > 0 (the ReLU's gradient), in bounds only; one sample.
void scatter_add(float* dx, const float* dxs, const float* x, const FrGeom& g, int s) {
  for (int c = 0; c < g.C_in; c++) {
    const float* xc = x + (int64_t)c * g.H * g.W;
    float* dc = dx + (int64_t)c * g.H * g.W;
    const float* d = dxs + (int64_t)c * g.P;
    for (int oh = 0; oh < g.OH; oh++) {
      int ih = 2 * oh + s;
      if (ih >= g.H) continue;
      for (int ow = 0; ow < g.OW; ow++) {
        int iw = 2 * ow + s;
        if (iw >= g.W) continue;
        int64_t k = (int64_t)ih * g.W + iw;
        if (xc[k] > 0.f) dc[k] += d[oh * g.OW + ow];
      }
    }
  }
}

float* scratch(std::vector<float>& v, size_t n) {
  if (v.size() < n) v.resize(n);
  return v.data();
}

}  // namespace

extern "C" {

int jnas_cpu_factorized_reduce_forward(float* out, const float* inp,
                                       const float* w1, const float* w2,
                                       int B, int C_in, int H, int W, int C_out) {
  FrGeom g = fr_geom(B, C_in, H, W, C_out);
  const jnas::ConvIsa& k = jnas::conv_isa();
  jnas::parallel_for(B, [&](int64_t b0, int64_t b1) {
    thread_local std::vector<float> buf;
    float* xs = scratch(buf, (size_t)C_in * g.P);  // (C_in, P)
    for (int64_t b = b0; b < b1; b++) {
      for (int path = 0; path < 2; path++) {
        int Ck = path == 0 ? g.C1 : g.C2, c0 = path == 0 ? 0 : g.C1;
        gather(xs, inp + b * C_in * H * W, g, path);
        k.pw(out + (b * C_out + c0) * g.P, path == 0 ? w1 : w2, xs, nullptr, Ck, C_in, g.P, 0, g.P, false);
      }
    }
  });
  return JNAS_OK;
}

int jnas_cpu_factorized_reduce_backward(float* dinp, float* dw1, float* dw2,
                                        const float* dout, const float* inp,
                                        const float* w1, const float* w2,
                                        int B, int C_in, int H, int W, int C_out) {
  FrGeom g = fr_geom(B, C_in, H, W, C_out);
  const jnas::ConvIsa& k = jnas::conv_isa();
  int Np = (C_in + k.lanes - 1) / k.lanes * k.lanes;
  std::vector<float> wt[2];  // w_k^T (C_in, Ck)
  for (int path = 0; path < 2; path++) {
    int Ck = path == 0 ? g.C1 : g.C2;
    const float* w = path == 0 ? w1 : w2;
    wt[path].resize((size_t)C_in * Ck);
    for (int o = 0; o < Ck; o++)
      for (int i = 0; i < C_in; i++) wt[path][(size_t)i * Ck + o] = w[(size_t)o * C_in + i];
  }
  size_t n1 = (size_t)g.C1 * C_in, n2 = (size_t)g.C2 * C_in;
  int chunks = jnas::parallel_chunks(B);
  std::vector<double> part((size_t)chunks * (n1 + n2), 0.0);  // per chunk: dw1 then dw2
  jnas::parallel_for_chunks(B, chunks, [&](int ch, int64_t b0, int64_t b1) {
    thread_local std::vector<float> buf;
    float* xs = scratch(buf, (size_t)C_in * g.P * 2 + (size_t)g.P * Np);
    float* dxs = xs + (size_t)C_in * g.P;  // (C_in, P)
    float* xt = dxs + (size_t)C_in * g.P;  // xs^T (P, Np)
    double* gw = part.data() + (size_t)ch * (n1 + n2);
    for (int64_t b = b0; b < b1; b++) {
      const float* x = inp + b * C_in * H * W;
      for (int path = 0; path < 2; path++) {
        int Ck = path == 0 ? g.C1 : g.C2, c0 = path == 0 ? 0 : g.C1;
        float* dw = path == 0 ? dw1 : dw2;
        const float* d = dout + (b * C_out + c0) * g.P;  // (Ck, P)
        if (dw) {
          gather(xs, x, g, path);  // the saved activation, recomputed (cheap)
          k.pack(xt, xs, C_in, g.P, Np, false);
          k.dotp(gw + (path == 0 ? 0 : n1), d, xt, Ck, C_in, g.P, Np, 1);
        }
        if (dinp) {
          k.pw(dxs, wt[path].data(), d, nullptr, C_in, Ck, g.P, 0, g.P, false);
          scatter_add(dinp + b * C_in * H * W, dxs, x, g, path);
        }
      }
    }
  });
  for (int ch = 0; ch < chunks; ch++) {
    const double* gw = part.data() + (size_t)ch * (n1 + n2);
    if (dw1)
      for (size_t i = 0; i < n1; i++) dw1[i] += (float)gw[i];
    if (dw2)
      for (size_t i = 0; i < n2; i++) dw2[i] += (float)gw[n1 + i];
  }
  return JNAS_OK;
}

}  // extern "C"
