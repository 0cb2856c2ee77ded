// factorized_reduce.cpp: ENAS/DARTS factorized reduce without its BN (CPU).
//   x = relu(inp)
//   out[:, :C1]  = conv1x1 stride 2 of x with w1,          pixel (oh, ow) reads x[2oh,   2ow]
//   out[:, C1:]  = conv1x1 stride 2 of x shifted down-right, pixel (oh, ow) reads x[2oh+1, 2ow+1]
//                  (zero past the edge: the last row/column when H or W is odd)
//   C1 = C_out/2, C2 = C_out - C1; OH = (H+1)/2, OW = (W+1)/2; P = OH*OW.
//   out (B, C_out, OH, OW)   inp (B, C_in, H, W)
//   w1  (C1, C_in, 1, 1)     w2  (C2, C_in, 1, 1)
// Contract: forward OVERWRITES out; backward ADDS into dinp, dw1, dw2 (NULL skips).
// Shape of the kernel: the two strided, ReLU'd pixel sets are gathered once into
// xs1, xs2 (B, C_in, OH, OW); each path is then a dense 1x1 conv2d (im2col+sgemm with the
// batch folded in, see conv2d.cpp) into its own (B, Ck, OH, OW) buffer, copied into its
// channel range of out. Gathering first costs one quarter of the input in scratch and
// lets the stride-2 gather, the ReLU and the shift share one pass.
#include "jnas.h"
#include "parallel.h"

#include <cstring>
#include <new>
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

// xs (B, C_in, OH, OW) = relu(inp[.., 2oh+s, 2ow+s]), zero past the edge; s = shift (0 or 1).
void gather(float* xs, const float* inp, const FrGeom& g, int s) {
  jnas::parallel_for((int64_t)g.B * g.C_in, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; i++) {
      const float* x = inp + i * g.H * g.W;  // (H, W)
      float* o = xs + i * g.P;               // (OH, OW)
      for (int oh = 0; oh < g.OH; oh++)
        for (int ow = 0; ow < g.OW; ow++) {
          int ih = 2 * oh + s, iw = 2 * ow + s;
          float v = (ih < g.H && iw < g.W) ? x[(int64_t)ih * g.W + iw] : 0.f;
          o[oh * g.OW + ow] = v > 0.f ? v : 0.f;
        }
    }
  });
}

// dinp[.., 2oh+s, 2ow+s] += dxs where inp > 0 (the ReLU's gradient), in bounds only.
void scatter_add(float* dinp, const float* dxs, const float* inp, const FrGeom& g, int s) {
  jnas::parallel_for((int64_t)g.B * g.C_in, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; i++) {
      const float* x = inp + i * g.H * g.W;  // (H, W)
      float* dx = dinp + i * g.H * g.W;      // (H, W)
      const float* d = dxs + i * g.P;        // (OH, OW)
      for (int oh = 0; oh < g.OH; oh++)
        for (int ow = 0; ow < g.OW; ow++) {
          int ih = 2 * oh + s, iw = 2 * ow + s;
          if (ih >= g.H || iw >= g.W) continue;
          int64_t k = (int64_t)ih * g.W + iw;
          if (x[k] > 0.f) dx[k] += d[oh * g.OW + ow];
        }
    }
  });
}

// Copies between part (B, Ck, P) and channels [c0, c0+Ck) of full (B, C_out, P).
void to_full(float* full, const float* part, const FrGeom& g, int c0, int Ck) {
  for (int b = 0; b < g.B; b++)
    std::memcpy(full + ((int64_t)b * g.C_out + c0) * g.P, part + (int64_t)b * Ck * g.P,
                sizeof(float) * Ck * g.P);
}
void from_full(float* part, const float* full, const FrGeom& g, int c0, int Ck) {
  for (int b = 0; b < g.B; b++)
    std::memcpy(part + (int64_t)b * Ck * g.P, full + ((int64_t)b * g.C_out + c0) * g.P,
                sizeof(float) * Ck * g.P);
}

bool alloc(std::vector<float>& v, size_t n) {
  try {
    v.assign(n, 0.f);
    return true;
  } catch (const std::bad_alloc&) {
    return false;
  }
}

}  // namespace

extern "C" {

int jnas_cpu_factorized_reduce_forward(float* out, const float* inp,
                                       const float* w1, const float* w2,
                                       int B, int C_in, int H, int W, int C_out) {
  FrGeom g = fr_geom(B, C_in, H, W, C_out);
  std::vector<float> xs, part;  // xs (B, C_in, P); part (B, C2, P), C2 >= C1
  if (!alloc(xs, (size_t)B * C_in * g.P) || !alloc(part, (size_t)B * g.C2 * g.P)) return JNAS_E_ALLOC;
  for (int path = 0; path < 2; path++) {
    int Ck = path == 0 ? g.C1 : g.C2;
    gather(xs.data(), inp, g, path);
    int rc = jnas_cpu_conv2d_forward(part.data(), xs.data(), path == 0 ? w1 : w2, nullptr, B, C_in,
                                     g.OH, g.OW, Ck, 1, 1, 1, 0, 0, 1, 1, 0);
    if (rc != JNAS_OK) return rc;
    to_full(out, part.data(), g, path == 0 ? 0 : g.C1, Ck);
  }
  return JNAS_OK;
}

int jnas_cpu_factorized_reduce_backward(float* dinp, float* dw1, float* dw2,
                                        const float* dout, const float* inp,
                                        const float* w1, const float* w2,
                                        int B, int C_in, int H, int W, int C_out) {
  FrGeom g = fr_geom(B, C_in, H, W, C_out);
  std::vector<float> xs, dxs, part;  // xs, dxs (B, C_in, P); part (B, C2, P)
  if (!alloc(xs, (size_t)B * C_in * g.P) || !alloc(part, (size_t)B * g.C2 * g.P)) return JNAS_E_ALLOC;
  if (dinp && !alloc(dxs, (size_t)B * C_in * g.P)) return JNAS_E_ALLOC;
  for (int path = 0; path < 2; path++) {
    int Ck = path == 0 ? g.C1 : g.C2;
    float* dw = path == 0 ? dw1 : dw2;
    if (!dinp && !dw) continue;
    gather(xs.data(), inp, g, path);  // the saved activation, recomputed (cheap)
    from_full(part.data(), dout, g, path == 0 ? 0 : g.C1, Ck);
    if (dinp) std::memset(dxs.data(), 0, sizeof(float) * dxs.size());
    int rc = jnas_cpu_conv2d_backward(dinp ? dxs.data() : nullptr, dw, nullptr, part.data(),
                                      xs.data(), path == 0 ? w1 : w2, B, C_in, g.OH, g.OW, Ck, 1, 1,
                                      1, 0, 0, 1, 1, 0);
    if (rc != JNAS_OK) return rc;
    if (dinp) scatter_add(dinp, dxs.data(), inp, g, path);
  }
  return JNAS_OK;
}

}  // extern "C"
