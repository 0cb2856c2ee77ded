// conv_fast.cpp: register-blocked SIMD paths for the two convolutions that
// dominate the ENAS supernet: pointwise 1x1 (the second half of every
// separable conv, the cell's final 1x1 convs) and stride-1 depthwise KxK (the
// first half). conv2d.cpp dispatches here when the shape fits (see
// conv_fast.h); everything else takes the im2col + sgemm or generic path.
//
// Two instruction sets: the inner loops (conv_fast_kernels.inc) are compiled
// for AVX2 (8 floats a register) and for AVX-512F (16), and the AVX-512 ones
// run where the CPU has it (conv_isa(); JNAS_CPU_ISA=avx2 or
// jnas_cpu_set_isa("avx2") forces AVX2). The build's -march stays x86-64-v3:
// only the functions between the pragmas use AVX-512 instructions.
//
// Why not sgemm for pointwise: at ENAS sizes the matrices are skinny
// (M = C_out = 20..80, K = C_in = 20..80, N = H*W), so sgemm spends its time
// packing, and NCHW forces an im2col-like copy to fold the batch into N. Here
// each sample's out (C_out, P) = W (C_out, C_in) x in (C_in, P) is computed
// in place: a kRows x 2-register tile of the output (6 x 16 floats on AVX2,
// 8 x 32 on AVX-512) stays in registers while the kernel streams C_in rows
// of the input, i.e. 2*kRows FMAs per 2 loads + kRows broadcasts.
//
// Depthwise, three walks of a plane, each the same products in the same order
// (so the same bits): "same" planes (output the input's size) with a 3x3/5x5
// kernel at dilation 1/2 and rows of whole registers are read in place by row
// stencils (constant column masks, rows off the plane read as zeros); "same"
// planes with rows narrower than a register (8x8, 7x7 on AVX-512) are walked
// flat, 16 outputs a register, taps masked where they leave the plane; any
// other plane is copied into a zero-bordered scratch (L1/L2-resident) that
// removes every bounds test. The input gradient is the same stencil over the
// output gradient with the flipped kernel; the weight gradient is KH*KW dot
// products over the input, kept as lanes and summed once per channel.
//
// Contract (jnas.h): forward overwrites, backward adds; NULL grads skipped.
// Determinism: weight gradients are summed per chunk into partial buffers
// (pointwise) or per channel by one thread (depthwise), then combined in a
// fixed order: fixed results for a fixed thread count and instruction set.
#include "conv_fast.h"

#include <immintrin.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <type_traits>
#include <vector>

#include "parallel.h"

namespace jnas {

// The inner loops of one instruction set (conv_fast_kernels.inc): ConvIsa in conv_fast.h.

// ------------------------------------------------------------------ AVX2 (8 floats)
namespace isa_avx2 {
namespace {
struct V {
  using T = __m256;
  static constexpr int N = 8;
  static constexpr int kRows = 4;  // a 4 x 16 pointwise tile: 8 accumulators (6 x 16 measured no faster)
  static constexpr const char* kName = "avx2";
  static T load(const float* p) { return _mm256_loadu_ps(p); }
  static void store(float* p, T v) { _mm256_storeu_ps(p, v); }
  static __m256i lanes(int n) { return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7)); }
  static T loadn(const float* p, int n) { return _mm256_maskload_ps(p, lanes(n)); }
  static void storen(float* p, T v, int n) { _mm256_maskstore_ps(p, lanes(n), v); }
  static T set1(float f) { return _mm256_set1_ps(f); }
  static T zero() { return _mm256_setzero_ps(); }
  static T bcast(const float* p) { return _mm256_broadcast_ss(p); }
  static T fma(T a, T b, T c) { return _mm256_fmadd_ps(a, b, c); }
  static T add(T a, T b) { return _mm256_add_ps(a, b); }
  static T relu(T v) { return _mm256_max_ps(v, _mm256_setzero_ps()); }  // max(NaN, 0) and max(-0, 0) give +0
  // y += v where mask > 0, the first n lanes
  static void add_masked(float* y, T v, const float* mask, int n) {
    if (n == N) {
      T keep = _mm256_cmp_ps(_mm256_loadu_ps(mask), _mm256_setzero_ps(), _CMP_GT_OQ);
      _mm256_storeu_ps(y, _mm256_add_ps(_mm256_loadu_ps(y), _mm256_and_ps(v, keep)));
    } else {
      T keep = _mm256_cmp_ps(loadn(mask, n), _mm256_setzero_ps(), _CMP_GT_OQ);
      storen(y, _mm256_add_ps(loadn(y, n), _mm256_and_ps(v, keep)), n);
    }
  }
  // Lane masks from bits (bit l: lane l), for the flat small-plane stencils.
  using M = __m256i;
  static M mbits(uint32_t b) {
    const __m256i bit = _mm256_setr_epi32(1, 2, 4, 8, 16, 32, 64, 128);
    return _mm256_cmpeq_epi32(_mm256_and_si256(_mm256_set1_epi32((int)b), bit), bit);
  }
  static T loadm(const float* p, M m) { return _mm256_maskload_ps(p, m); }  // masked lanes: 0, not read
  static void storem(float* p, T v, M m) { _mm256_maskstore_ps(p, m, v); }
  // y += v where mask > 0, lanes m only (as add_masked)
  static void add_masked_m(float* y, T v, const float* mask, M m) {
    T keep = _mm256_cmp_ps(loadm(mask, m), _mm256_setzero_ps(), _CMP_GT_OQ);
    storem(y, _mm256_add_ps(loadm(y, m), _mm256_and_ps(v, keep)), m);
  }
  static float hsum(T v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
    return _mm_cvtss_f32(s);
  }
};
}  // namespace
#include "conv_fast_kernels.inc"
}  // namespace isa_avx2

// ---------------------------------------------------------------- AVX-512 (16 floats)
// Compiled for AVX-512F whatever the build's -march; called only where the CPU has it.
#pragma GCC push_options
#pragma GCC target("avx512f")
// GCC 12's AVX-512 intrinsics pass _mm512_undefined_ps() as the merge source and -Wall then
// warns "__Y may be used uninitialized" at every call, or "is used uninitialized" where a
// masked load inlines into a max (GCC bug 105593, fixed in GCC 13).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
namespace isa_avx512 {
namespace {
struct V {
  using T = __m512;
  static constexpr int N = 16;
  static constexpr int kRows = 8;  // an 8 x 32 pointwise tile: 16 accumulators of 32 registers
  static constexpr const char* kName = "avx512";
  static T load(const float* p) { return _mm512_loadu_ps(p); }
  static void store(float* p, T v) { _mm512_storeu_ps(p, v); }
  static __mmask16 lanes(int n) { return (__mmask16)((1u << n) - 1u); }
  static T loadn(const float* p, int n) { return _mm512_maskz_loadu_ps(lanes(n), p); }
  static void storen(float* p, T v, int n) { _mm512_mask_storeu_ps(p, lanes(n), v); }
  static T set1(float f) { return _mm512_set1_ps(f); }
  static T zero() { return _mm512_setzero_ps(); }
  static T bcast(const float* p) { return _mm512_set1_ps(*p); }
  static T fma(T a, T b, T c) { return _mm512_fmadd_ps(a, b, c); }
  static T add(T a, T b) { return _mm512_add_ps(a, b); }
  static T relu(T v) { return _mm512_max_ps(v, _mm512_setzero_ps()); }  // as AVX2's: NaN and -0 give +0
  static void add_masked(float* y, T v, const float* mask, int n) {
    __mmask16 keep = _mm512_mask_cmp_ps_mask(lanes(n), loadn(mask, n), _mm512_setzero_ps(), _CMP_GT_OQ);
    _mm512_mask_storeu_ps(y, keep, _mm512_add_ps(loadn(y, n), v));
  }
  using M = __mmask16;
  static M mbits(uint32_t b) { return (__mmask16)b; }
  static T loadm(const float* p, M m) { return _mm512_maskz_loadu_ps(m, p); }  // masked lanes: 0, not read
  static void storem(float* p, T v, M m) { _mm512_mask_storeu_ps(p, m, v); }
  static void add_masked_m(float* y, T v, const float* mask, M m) {
    __mmask16 keep = _mm512_mask_cmp_ps_mask(m, loadm(mask, m), _mm512_setzero_ps(), _CMP_GT_OQ);
    _mm512_mask_storeu_ps(y, keep, _mm512_add_ps(loadm(y, m), v));
  }
  static float hsum(T v) {  // halves added pairwise (the casts to 256 bits warn in GCC 12)
    alignas(64) float t[16];
    _mm512_store_ps(t, v);
    for (int w = 8; w >= 1; w /= 2)
      for (int i = 0; i < w; i++) t[i] += t[i + w];
    return t[0];
  }
};
}  // namespace
#include "conv_fast_kernels.inc"
}  // namespace isa_avx512
#pragma GCC diagnostic pop
#pragma GCC pop_options

namespace {

std::atomic<const ConvIsa*> g_isa{nullptr};

bool has_avx512() { return __builtin_cpu_supports("avx512f"); }

const ConvIsa* best_isa() {
  const char* want = std::getenv("JNAS_CPU_ISA");
  if (want && std::strcmp(want, "avx2") == 0) return &isa_avx2::table;
  return has_avx512() ? &isa_avx512::table : &isa_avx2::table;
}

}  // namespace

const ConvIsa& conv_isa() {
  const ConvIsa* k = g_isa.load(std::memory_order_acquire);
  if (!k) {
    k = best_isa();
    g_isa.store(k, std::memory_order_release);
  }
  return *k;
}

bool set_conv_isa(const char* name) {
  if (name && std::strcmp(name, "avx2") == 0) {
    g_isa.store(&isa_avx2::table, std::memory_order_release);
    return true;
  }
  if (name && std::strcmp(name, "avx512") == 0 && has_avx512()) {
    g_isa.store(&isa_avx512::table, std::memory_order_release);
    return true;
  }
  if (name && std::strcmp(name, "auto") == 0) {
    g_isa.store(best_isa(), std::memory_order_release);
    return true;
  }
  return false;
}

namespace {

constexpr int64_t kTileP = 256;  // output columns per work item

// Work items (sample, column tile) of a per-sample loop.
template <typename F>
void for_tiles(int B, int64_t P, F&& f) {
  int64_t tiles = (P + kTileP - 1) / kTileP;
  parallel_for((int64_t)B * tiles, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; i++) {
      int b = (int)(i / tiles);
      int64_t p0 = (i % tiles) * kTileP;
      f(b, p0, std::min(P, p0 + kTileP));
    }
  });
}

float* scratch(std::vector<float>& v, size_t n) {
  if (v.size() < n) v.resize(n);
  return v.data();
}

// Samples per call of the weight-gradient dot products: as many as keep one group's D and X
// (floats per sample: per_sample) within about 1 MiB (L2), so the lanes are summed once a group.
int dot_group(int64_t per_sample) {
  return (int)std::max<int64_t>(1, (int64_t(1) << 18) / std::max<int64_t>(1, per_sample));
}

// The geometry of the flat stencils (conv_fast_kernels.inc) for one call: tap offsets and
// lane masks, shared read-only by the threads. `on` where the plane is "same" (the output
// has the input's size) and its rows are narrower than a register (8x8 and 7x7 planes on
// AVX-512, 7x7 on AVX2): there whole-plane registers beat rows, which leave lanes empty.
// Wider "same" planes take the row stencils where a compile-time case exists (rows_case).
struct FlatGeom {
  bool on = false;
  int HW = 0;
  std::vector<int64_t> off;      // (KH*KW) source offset of each tap
  std::vector<uint32_t> masks;   // (nv, KH*KW) lanes whose tap lies inside the plane
};

FlatGeom flat_geom(int lanes, int H, int W, int KH, int KW, int d, int ph, int pw) {
  FlatGeom g;
  if (2 * ph != d * (KH - 1) || 2 * pw != d * (KW - 1) || W >= lanes || KH * KW > 64) return g;
  g.on = true;
  g.HW = H * W;
  int kk = KH * KW, nv = (g.HW + lanes - 1) / lanes;
  g.off.resize(kk);
  g.masks.assign((size_t)nv * kk, 0u);
  for (int kh = 0; kh < KH; kh++)
    for (int kw = 0; kw < KW; kw++) {
      int t = kh * KW + kw, dr = kh * d - ph, dc = kw * d - pw;
      g.off[t] = (int64_t)dr * W + dc;
      for (int v = 0; v < nv; v++) {
        uint32_t bits = 0;
        for (int l = 0; l < lanes; l++) {
          int i = v * lanes + l;
          if (i >= g.HW) break;
          int r = i / W + dr, c = i % W + dc;
          if (r >= 0 && r < H && c >= 0 && c < W) bits |= 1u << l;
        }
        g.masks[(size_t)v * kk + t] = bits;
      }
    }
  return g;
}

}  // namespace

bool pointwise_fits(int KH, int KW, int stride, int pad_h, int pad_w, int groups) {
  return KH == 1 && KW == 1 && stride == 1 && pad_h == 0 && pad_w == 0 && groups == 1;
}

void pointwise_forward(float* out, const float* inp, const float* weight, const float* bias, int B, int C_in,
                       int64_t P, int C_out, bool relu) {
  // out (B, C_out, P); inp (B, C_in, P); weight (C_out, C_in); bias (C_out) or NULL
  const ConvIsa& k = conv_isa();
  auto block = relu ? k.pw_relu : k.pw;
  for_tiles(B, P, [&](int b, int64_t p0, int64_t p1) {
    block(out + (int64_t)b * C_out * P, weight, inp + (int64_t)b * C_in * P, bias, C_out, C_in, P, p0, p1, false);
  });
}

void pointwise_backward(float* dinp, float* dweight, const float* dout, const float* inp, const float* weight,
                        int B, int C_in, int64_t P, int C_out, bool relu, bool overwrite) {
  // dinp (B, C_in, P) += W^T dout; dweight (C_out, C_in) += sum_b dout[b] inp[b]^T
  const ConvIsa& k = conv_isa();
  if (dinp) {
    std::vector<float> wt((size_t)C_in * C_out);  // (C_in, C_out)
    for (int o = 0; o < C_out; o++)
      for (int i = 0; i < C_in; i++) wt[(size_t)i * C_out + o] = weight[(size_t)o * C_in + i];
    for_tiles(B, P, [&](int b, int64_t p0, int64_t p1) {
      float* dx = dinp + (int64_t)b * C_in * P;
      const float* d = dout + (int64_t)b * C_out * P;
      if (relu) k.pw_mask(dx, wt.data(), d, C_in, C_out, P, p0, p1, inp + (int64_t)b * C_in * P);
      else k.pw(dx, wt.data(), d, nullptr, C_in, C_out, P, p0, p1, !overwrite);
    });
  }
  if (dweight) {
    // per chunk of samples: groups of samples packed (X^T, ReLU'd) into a scratch, then
    // outer products into the chunk's double partial sums
    int chunks = parallel_chunks(B);
    int Np = (C_in + k.lanes - 1) / k.lanes * k.lanes;
    int group = dot_group((int64_t)(C_out + Np) * P);
    std::vector<double> part((size_t)chunks * C_out * C_in, 0.0);
    parallel_for_chunks(B, chunks, [&](int ch, int64_t b0, int64_t b1) {
      thread_local std::vector<float> buf;
      double* g = part.data() + (size_t)ch * C_out * C_in;
      for (int64_t b = b0; b < b1; b += group) {
        int nb = (int)std::min<int64_t>(group, b1 - b);
        float* xt = scratch(buf, (size_t)nb * P * Np);
        for (int i = 0; i < nb; i++) k.pack(xt + (size_t)i * P * Np, inp + (b + i) * C_in * P, C_in, P, Np, relu);
        k.dotp(g, dout + b * C_out * P, xt, C_out, C_in, P, Np, nb);
      }
    });
    for (int ch = 0; ch < chunks; ch++)
      for (size_t i = 0; i < (size_t)C_out * C_in; i++) dweight[i] += (float)part[(size_t)ch * C_out * C_in + i];
  }
}

bool depthwise_s1_fits(int KH, int KW, int stride, int pad_h, int pad_w, int dilation) {
  return stride == 1 && pad_h <= dilation * (KH - 1) && pad_w <= dilation * (KW - 1) && KH * KW <= 64;
}

namespace {

// How the stride-1 depthwise conv of one call walks a plane (the header comment): flat,
// rows in place, or through a zero-bordered copy in the caller's scratch
// (scratch_floats()); chosen once per call, the same walk for the forward (or its recompute),
// the input gradient and the weight gradient.
struct DwWalk {
  const ConvIsa& k;
  int H, W, KH, KW, d, ph, pw;
  int Hp, Wp, OH, OW;  // padded input, output
  int qh, qw, Dh, Dw;  // the output gradient's padding for the input gradient, and its padded size
  FlatGeom fg;
  int rc;  // the row stencils' case, or -1

  DwWalk(const ConvIsa& k, int H, int W, int KH, int KW, int d, int ph, int pw)
      : k(k), H(H), W(W), KH(KH), KW(KW), d(d), ph(ph), pw(pw), Hp(H + 2 * ph), Wp(W + 2 * pw),
        OH(Hp - d * (KH - 1)), OW(Wp - d * (KW - 1)), qh(d * (KH - 1) - ph), qw(d * (KW - 1) - pw),  // >= 0 (depthwise_s1_fits)
        Dh(OH + 2 * qh), Dw(OW + 2 * qw), fg(flat_geom(k.lanes, H, W, KH, KW, d, ph, pw)),
        rc(fg.on ? -1 : k.rows_case(KH, KW, d, H, W, ph, pw)) {}

  size_t scratch_floats() const { return (size_t)std::max(Hp * Wp, Dh * Dw); }

  // o (OH, OW) = the stencil of ReLU?(x) (H, W) with the kernel w, plus b0.
  void forward(float* o, const float* x, const float* w, float b0, bool relu, float* sp) const {
    if (fg.on) return k.stencil_flat(o, x, w, KH, KW, d, W, fg.off.data(), fg.HW, fg.masks.data(), b0, false, relu, nullptr);
    if (rc >= 0) return k.stencil_rows(rc, o, x, w, H, b0, false, relu, nullptr);
    k.pad_plane(sp, x, H, W, ph, pw, relu);
    k.stencil(o, sp, Wp, w, KH, KW, d, OH, OW, b0, false);
  }

  // dx (H, W) += the stencil of dout (OH, OW) with the flipped kernel wf; where relu_x is given,
  // only where relu_x > 0 (the backward of a fused ReLU).
  void input_grad(float* dx, const float* dout, const float* wf, const float* relu_x, float* sp) const {
    if (fg.on) return k.stencil_flat(dx, dout, wf, KH, KW, d, W, fg.off.data(), fg.HW, fg.masks.data(), 0.f, true, false, relu_x);
    if (rc >= 0) return k.stencil_rows(rc, dx, dout, wf, H, 0.f, true, false, relu_x);
    k.pad_plane(sp, dout, OH, OW, qh, qw, false);
    if (relu_x) k.stencil_mask(dx, sp, Dw, wf, KH, KW, d, H, W, relu_x);
    else k.stencil(dx, sp, Dw, wf, KH, KW, d, H, W, 0.f, true);
  }

  // accm (KH*KW, lanes) += the lanes of the weight gradient of dout (OH, OW) over ReLU?(x) (H, W).
  void weight_grad(float* accm, const float* dout, const float* x, bool relu, float* sp) const {
    if (fg.on) return k.dw_wgrad_flat(accm, dout, x, KH, KW, d, W, fg.off.data(), fg.HW, fg.masks.data(), relu);
    if (rc >= 0) return k.dw_wgrad_rows(rc, accm, dout, x, H, relu);
    k.pad_plane(sp, x, H, W, ph, pw, relu);
    k.dw_wgrad(accm, dout, sp, OH, OW, Wp, KH, KW, d);
  }
};

}  // namespace

void depthwise_s1_forward(float* out, const float* inp, const float* weight, const float* bias, int B, int C, int H,
                          int W, int KH, int KW, int pad_h, int pad_w, int dilation, bool relu) {
  const DwWalk walk(conv_isa(), H, W, KH, KW, dilation, pad_h, pad_w);
  const int64_t P = (int64_t)walk.OH * walk.OW;
  parallel_for((int64_t)B * C, [&](int64_t i0, int64_t i1) {
    thread_local std::vector<float> buf;
    float* sp = scratch(buf, walk.scratch_floats());
    for (int64_t i = i0; i < i1; i++) {
      int c = (int)(i % C);
      walk.forward(out + i * P, inp + i * H * W, weight + (int64_t)c * KH * KW, bias ? bias[c] : 0.f, relu, sp);
    }
  });
}

void depthwise_s1_backward(float* dinp, float* dweight, const float* dout, const float* inp, const float* weight,
                           int B, int C, int H, int W, int KH, int KW, int pad_h, int pad_w, int dilation, bool relu) {
  const ConvIsa& k = conv_isa();
  const DwWalk walk(k, H, W, KH, KW, dilation, pad_h, pad_w);
  const int64_t P = (int64_t)walk.OH * walk.OW;
  int KK = KH * KW;
  parallel_for(C, [&](int64_t c0, int64_t c1) {
    thread_local std::vector<float> buf;
    float* sp = scratch(buf, walk.scratch_floats() + KK + (size_t)KK * k.lanes);
    float* wf = sp + walk.scratch_floats();  // flipped kernel
    float* accm = wf + KK;                   // the weight gradient's lanes (dw_wgrad)
    for (int64_t c = c0; c < c1; c++) {
      const float* w = weight + c * KK;
      for (int i = 0; i < KK; i++) wf[i] = w[KK - 1 - i];
      std::fill(accm, accm + (size_t)KK * k.lanes, 0.f);
      double dw[64] = {0};
      for (int b = 0; b < B; b++) {
        int64_t plane = (int64_t)b * C + c;
        const float* d = dout + plane * P;
        const float* x = inp + plane * H * W;
        if (dinp) walk.input_grad(dinp + plane * H * W, d, wf, relu ? x : nullptr, sp);
        if (dweight) walk.weight_grad(accm, d, x, relu, sp);
      }
      if (dweight) {
        k.dw_wgrad_finish(dw, accm, KK);
        for (int i = 0; i < KK; i++) dweight[c * KK + i] += (float)dw[i];
      }
    }
  });
}

// ------------------------------------------------------------ fused separable conv
//
// ReLU (optional) -> depthwise KxK stride 1 -> pointwise 1x1, one sample at a time: the
// sample's depthwise output (C_in, P) lives in a per-thread scratch (tens of KiB: L2), so the
// intermediate `mid` never goes to memory; backward recomputes it the same way (same bits)
// instead of storing it. Weight gradients are summed per chunk of samples in double and the
// chunks added in order: fixed results for a fixed thread count.

bool sepconv_fused_fits(int K, int stride, int pad, int dilation) {
  return depthwise_s1_fits(K, K, stride, pad, pad, dilation);
}

namespace {

// mid (C, OH, OW) = depthwise of ReLU?(x) (C, H, W); sp: the walk's scratch.
void dw_sample(const DwWalk& walk, float* mid, const float* x, const float* w_dw, int C, bool relu, float* sp) {
  const int64_t P = (int64_t)walk.OH * walk.OW, HW = (int64_t)walk.H * walk.W, KK = walk.KH * walk.KW;
  for (int c = 0; c < C; c++) walk.forward(mid + c * P, x + c * HW, w_dw + c * KK, 0.f, relu, sp);
}

}  // namespace

void sepconv_fused_forward(float* out, const float* inp, const float* w_dw, const float* w_pw, int B, int C_in, int H,
                           int W, int C_out, int K, int pad, int dilation, bool relu) {
  const ConvIsa& k = conv_isa();
  const DwWalk walk(k, H, W, K, K, dilation, pad, pad);
  const int64_t P = (int64_t)walk.OH * walk.OW;
  parallel_for(B, [&](int64_t b0, int64_t b1) {
    thread_local std::vector<float> buf;
    float* mid = scratch(buf, (size_t)C_in * P + walk.scratch_floats());
    float* sp = mid + (size_t)C_in * P;
    for (int64_t b = b0; b < b1; b++) {
      dw_sample(walk, mid, inp + b * C_in * H * W, w_dw, C_in, relu, sp);
      k.pw(out + b * C_out * P, w_pw, mid, nullptr, C_out, C_in, P, 0, P, false);
    }
  });
}

void sepconv_fused_backward(float* dinp, float* dw_dw, float* dw_pw, const float* dout, const float* inp,
                            const float* w_dw, const float* w_pw, int B, int C_in, int H, int W, int C_out, int K,
                            int pad, int dilation, bool relu) {
  const ConvIsa& k = conv_isa();
  const DwWalk walk(k, H, W, K, K, dilation, pad, pad);
  const int64_t P = (int64_t)walk.OH * walk.OW;
  int KK = K * K;
  std::vector<float> wt((size_t)C_in * C_out);  // (C_in, C_out) = w_pw^T
  for (int o = 0; o < C_out; o++)
    for (int c = 0; c < C_in; c++) wt[(size_t)c * C_out + o] = w_pw[(size_t)o * C_in + c];
  std::vector<float> wf((size_t)C_in * KK);  // flipped depthwise kernels
  for (int c = 0; c < C_in; c++)
    for (int i = 0; i < KK; i++) wf[(size_t)c * KK + i] = w_dw[(size_t)c * KK + KK - 1 - i];
  int chunks = parallel_chunks(B);
  size_t npw = (size_t)C_out * C_in, ndw = (size_t)C_in * KK;
  std::vector<double> part((size_t)chunks * (npw + ndw), 0.0);  // per chunk: d w_pw then d w_dw
  parallel_for_chunks(B, chunks, [&](int ch, int64_t b0, int64_t b1) {
    thread_local std::vector<float> buf;
    size_t plane = walk.scratch_floats();
    int Np = (C_in + k.lanes - 1) / k.lanes * k.lanes;
    float* mid = scratch(buf, 2 * (size_t)C_in * P + plane + (size_t)P * Np + (size_t)C_in * KK * k.lanes);
    float* dmid = mid + (size_t)C_in * P;
    float* sp = dmid + (size_t)C_in * P;
    float* midt = sp + plane;                  // mid^T (P, Np) for the pointwise weight gradient
    float* accm = midt + (size_t)P * Np;       // (C_in, KK, lanes): the depthwise weight gradient's lanes
    std::fill(accm, accm + (size_t)C_in * KK * k.lanes, 0.f);
    double* gpw = part.data() + (size_t)ch * (npw + ndw);
    double* gdw = gpw + npw;
    for (int64_t b = b0; b < b1; b++) {
      const float* x = inp + b * C_in * H * W;
      const float* d = dout + b * C_out * P;
      dw_sample(walk, mid, x, w_dw, C_in, relu, sp);  // mid again, the same bits
      if (dw_pw) {
        k.pack(midt, mid, C_in, P, Np, false);
        k.dotp(gpw, d, midt, C_out, C_in, P, Np, 1);
      }
      if (!dinp && !dw_dw) continue;
      k.pw(dmid, wt.data(), d, nullptr, C_in, C_out, P, 0, P, false);
      for (int c = 0; c < C_in; c++) {
        const float* dm = dmid + (size_t)c * P;       // (OH, OW)
        const float* xc = x + (int64_t)c * H * W;     // (H, W)
        if (dinp) walk.input_grad(dinp + (b * C_in + c) * (int64_t)H * W, dm, wf.data() + (size_t)c * KK, relu ? xc : nullptr, sp);
        if (dw_dw) walk.weight_grad(accm + (size_t)c * KK * k.lanes, dm, xc, relu, sp);
      }
    }
    if (dw_dw) k.dw_wgrad_finish(gdw, accm, C_in * KK);
  });
  for (int ch = 0; ch < chunks; ch++) {
    const double* gpw = part.data() + (size_t)ch * (npw + ndw);
    if (dw_pw)
      for (size_t i = 0; i < npw; i++) dw_pw[i] += (float)gpw[i];
    if (dw_dw)
      for (size_t i = 0; i < ndw; i++) dw_dw[i] += (float)gpw[npw + i];
  }
}

}  // namespace jnas
