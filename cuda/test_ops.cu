// test_ops.cu: every CUDA op against its CPU twin, plus timings. Standalone
// (no JVM): built by `make -C cuda test` into <OUT>/test_ops, never part of the
// default build. Run it on a GPU host, also under
//   compute-sanitizer --tool memcheck <OUT>/test_ops --no-timing
//
// For each op and shape:
//  - inputs are random, drawn fresh for every check, never zero (|x| in
//    [0.05, 1], random sign, so ReLU-like kinks are never hit exactly);
//  - outputs that the forward OVERWRITES are poisoned first (NaN bit pattern
//    0xFFFFFFFF, -1 for int32), on CPU and GPU alike, so an element a kernel
//    forgets to write shows up as NaN/-1;
//  - gradient and state buffers start at the same RANDOM values on both sides
//    and what is compared is the change (after - before): this checks the
//    "backward ADDS" rule and is not hidden by the starting values;
//  - the CPU op (libjnas_cpu.a) and the CUDA op run forward then backward; each
//    checked tensor is compared by max |gpu - cpu| and ||gpu - cpu|| / ||cpu||
//    (relative L2) against the op's tolerance (below, each with its reason);
//    masks, argmax and other exact tensors must match bit for bit;
//  - the GPU run is repeated from the same starting values and must give the
//    same bits (the kernels are deterministic: no float atomics);
//  - timings: cudaEvent around each call on a non-default stream, median of
//    20 runs after 3 warm-up runs, forward and backward separately.
// One table line per (op, shape). A failure prints the tensor's name, the
// largest errors, where, and the first differing value pairs. Exit status:
// 0 all PASS, 1 any FAIL, 2 no usable CUDA device.
// Options: --no-timing (for compute-sanitizer), --filter SUBSTRING.
#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "jnas.h"

namespace {

// ------------------------------------------------------------ tolerances
// Relative L2 error allowed, each with its reason.
// Elementwise ops compute the same float expression on both sides; only FMA
// contraction (nvcc contracts a*b+c, g++ -std=c++17 does not) may differ by an ulp.
constexpr double kTolElementwise = 1e-6;
// Dot products / sums of up to ~10^4 float terms summed in a different order
// (tiled GEMM vs OpenBLAS, tree vs serial): error ~ sqrt(K) * 2^-24 relative.
constexpr double kTolReduction = 2e-5;
// Batchnorm's input gradient subtracts two means from dout (cancellation) and
// its statistics are summed in a different order (double, shifted, one pass on
// the GPU; double, two passes on the CPU).
constexpr double kTolBatchnorm = 1e-4;
// Softmax: expf on the GPU vs std::exp (both within 1-2 ulp), then a sum.
constexpr double kTolSoftmax = 1e-5;
// Exact: masks (same hash), argmax (same first-max rule), copies.
constexpr double kTolExact = 0.0;

bool g_timing = true;
std::string g_filter;
int g_failures = 0;
cudaStream_t g_stream = nullptr;

// ------------------------------------------------------------ random numbers
uint64_t g_rng = 0x1234567887654321ULL;  // one stream: every draw is fresh
uint64_t next_u64() {
  uint64_t z = (g_rng += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
double next_unit() { return (double)(next_u64() >> 11) * (1.0 / 9007199254740992.0); }
// Never zero: |x| in [0.05, 1] * scale, random sign, plus offset.
float rnd(float scale = 1.f, float offset = 0.f) {
  const double m = 0.05 + 0.95 * next_unit();
  return (float)((next_u64() & 1 ? m : -m) * scale + offset);
}

float nan_poison() {
  uint32_t bits = 0xFFFFFFFFu;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

// ------------------------------------------------------------ buffers
enum Kind {
  IN,     // random input, not compared
  OUT,    // overwritten by the op: poisoned first, compared as is
  DELTA,  // gradient or state: random start, the change is compared
};

struct Buf {
  std::string name;
  Kind kind;
  bool is_int;
  double tol;                // < 0: not compared
  std::vector<float> init;   // 32-bit words (int32 stored bitwise for int buffers)
  std::vector<float> cpu;    // the CPU run's buffer
  std::vector<float> gpu;    // the GPU run's result
  float* dev = nullptr;
};

struct Test {
  std::string op, config;
  std::vector<Buf> bufs;
  std::function<int(Test&)> cpu_fwd, cpu_bwd;
  std::function<int(Test&, cudaStream_t)> gpu_fwd, gpu_bwd;

  int add(const std::string& name, Kind kind, size_t n, double tol, float scale = 1.f, float offset = 0.f) {
    Buf b{name, kind, false, tol, std::vector<float>(n), {}, {}, nullptr};
    for (size_t i = 0; i < n; i++) b.init[i] = kind == OUT ? nan_poison() : rnd(scale, offset);
    bufs.push_back(std::move(b));
    return (int)bufs.size() - 1;
  }
  int add_values(const std::string& name, Kind kind, std::vector<float> v, double tol) {
    bufs.push_back(Buf{name, kind, false, tol, std::move(v), {}, {}, nullptr});
    return (int)bufs.size() - 1;
  }
  // int32 buffer: IN with values in [0, hi), or OUT poisoned with -1
  int add_int(const std::string& name, Kind kind, size_t n, int hi, double tol) {
    Buf b{name, kind, true, tol, std::vector<float>(n), {}, {}, nullptr};
    for (size_t i = 0; i < n; i++) {
      const int32_t v = kind == OUT ? -1 : (int32_t)(next_u64() % (uint64_t)hi);
      std::memcpy(&b.init[i], &v, 4);
    }
    bufs.push_back(std::move(b));
    return (int)bufs.size() - 1;
  }
  float* c(int i) { return bufs[i].cpu.data(); }
  float* d(int i) { return bufs[i].dev; }
  int32_t* ci(int i) { return reinterpret_cast<int32_t*>(bufs[i].cpu.data()); }
  int32_t* di(int i) { return reinterpret_cast<int32_t*>(bufs[i].dev); }
};

#define CK(call)                                                                        \
  do {                                                                                  \
    cudaError_t e_ = (call);                                                            \
    if (e_ != cudaSuccess) {                                                            \
      std::fprintf(stderr, "%s:%d: %s: %s\n", __FILE__, __LINE__, #call, cudaGetErrorString(e_)); \
      std::exit(1);                                                                     \
    }                                                                                   \
  } while (0)

void upload(Test& t) {
  for (auto& b : t.bufs) {
    if (!b.dev) CK(cudaMalloc((void**)&b.dev, std::max<size_t>(1, b.init.size()) * 4));
    CK(cudaMemcpy(b.dev, b.init.data(), b.init.size() * 4, cudaMemcpyHostToDevice));
  }
}

void download(Test& t, std::vector<std::vector<float>>* into) {
  into->resize(t.bufs.size());
  for (size_t i = 0; i < t.bufs.size(); i++) {
    auto& b = t.bufs[i];
    (*into)[i].resize(b.init.size());
    CK(cudaMemcpy((*into)[i].data(), b.dev, b.init.size() * 4, cudaMemcpyDeviceToHost));
  }
}

void free_dev(Test& t) {
  for (auto& b : t.bufs) {
    if (b.dev) cudaFree(b.dev);
    b.dev = nullptr;
  }
}

struct Cmp {
  double max_abs = 0, rel = 0;
  bool ok = true;
};

// Compares one buffer; prints details on failure.
Cmp compare(const Test& t, const Buf& b) {
  Cmp r;
  if (b.tol < 0) return r;
  const size_t n = b.init.size();
  if (b.is_int || b.tol == kTolExact) {
    size_t bad = 0, first = n;
    for (size_t i = 0; i < n; i++)
      if (std::memcmp(&b.cpu[i], &b.gpu[i], 4) != 0) {
        if (first == n) first = i;
        bad++;
      }
    if (bad) {
      r.ok = false;
      r.max_abs = NAN;
      std::printf("    %s.%s: %zu of %zu elements differ (exact compare); first at %zu:", t.op.c_str(),
                  b.name.c_str(), bad, n, first);
      for (size_t i = first, k = 0; i < n && k < 4; i++)
        if (std::memcmp(&b.cpu[i], &b.gpu[i], 4) != 0) {
          if (b.is_int) {
            int32_t x, y;
            std::memcpy(&x, &b.cpu[i], 4);
            std::memcpy(&y, &b.gpu[i], 4);
            std::printf(" [%zu] cpu %d gpu %d;", i, x, y);
          } else {
            std::printf(" [%zu] cpu %.9g gpu %.9g;", i, b.cpu[i], b.gpu[i]);
          }
          k++;
        }
      std::printf("\n");
    }
    return r;
  }
  double num = 0, den = 0;
  size_t where = 0, nonfinite = n;
  for (size_t i = 0; i < n; i++) {
    double c = b.cpu[i], g = b.gpu[i];
    if (b.kind == DELTA) {
      c -= b.init[i];
      g -= b.init[i];
    }
    if (!std::isfinite(b.gpu[i]) && std::isfinite(b.cpu[i])) {
      if (nonfinite == n) nonfinite = i;
      continue;
    }
    const double d = std::fabs(g - c);
    if (d > r.max_abs || std::isnan(d)) {
      r.max_abs = d;
      where = i;
    }
    num += d * d;
    den += c * c;
  }
  r.rel = den > 0 ? std::sqrt(num / den) : std::sqrt(num);
  r.ok = nonfinite == n && r.rel <= b.tol && std::isfinite(r.rel);
  if (!r.ok) {
    std::printf("    %s.%s (%s): max abs %.3g at %zu, rel L2 %.3g (tol %.1g)", t.op.c_str(), b.name.c_str(),
                b.kind == DELTA ? "change" : "value", r.max_abs, where, r.rel, b.tol);
    if (nonfinite != n) std::printf(", NON-FINITE/UNWRITTEN gpu value at %zu", nonfinite);
    std::printf("\n     first pairs (cpu, gpu):");
    for (size_t i = 0; i < std::min<size_t>(n, 4); i++) std::printf(" (%.7g, %.7g)", b.cpu[i], b.gpu[i]);
    std::printf("\n");
  }
  return r;
}

double median_ms(const std::function<int(cudaStream_t)>& fn) {
  if (!g_timing || !fn) return NAN;
  for (int i = 0; i < 3; i++)
    if (fn(g_stream) != 0) return NAN;
  cudaEvent_t a, b;
  CK(cudaEventCreate(&a));
  CK(cudaEventCreate(&b));
  std::vector<float> ms;
  for (int i = 0; i < 20; i++) {
    CK(cudaEventRecord(a, g_stream));
    fn(g_stream);
    CK(cudaEventRecord(b, g_stream));
    CK(cudaEventSynchronize(b));
    float x = 0;
    CK(cudaEventElapsedTime(&x, a, b));
    ms.push_back(x);
  }
  cudaEventDestroy(a);
  cudaEventDestroy(b);
  std::sort(ms.begin(), ms.end());
  return 0.5 * (ms[9] + ms[10]);
}

void print_header() {
  std::printf("%-18s %-44s %10s %10s %9s %9s %4s  %s\n", "op", "config", "max_abs", "rel_l2", "fwd_ms",
              "bwd_ms", "det", "result");
}

void run(Test t) {
  const std::string full = t.op + " " + t.config;
  if (!g_filter.empty() && full.find(g_filter) == std::string::npos) return;
  std::string why;
  // CPU
  for (auto& b : t.bufs) b.cpu = b.init;
  int rc = t.cpu_fwd ? t.cpu_fwd(t) : 0;
  if (rc == 0 && t.cpu_bwd) rc = t.cpu_bwd(t);
  if (rc != 0) why = "cpu op returned " + std::to_string(rc) + " (CPU op missing from this build?)";
  // GPU, twice (determinism)
  std::vector<std::vector<float>> run1, run2;
  bool det = true;
  for (int rep = 0; rep < 2 && why.empty(); rep++) {
    upload(t);
    int g = t.gpu_fwd ? t.gpu_fwd(t, g_stream) : 0;
    if (g == 0 && t.gpu_bwd) g = t.gpu_bwd(t, g_stream);
    const int s = (int)cudaStreamSynchronize(g_stream);
    if (g == 0) g = s;
    if (g != 0) {
      why = "gpu op returned " + std::to_string(g) + " (" + jnas_cuda_error_string(g) + ")";
      break;
    }
    download(t, rep == 0 ? &run1 : &run2);
  }
  Cmp worst;
  if (why.empty()) {
    for (size_t i = 0; i < t.bufs.size(); i++) {
      t.bufs[i].gpu = run1[i];
      if (std::memcmp(run1[i].data(), run2[i].data(), run1[i].size() * 4) != 0 && t.bufs[i].kind != IN) {
        det = false;
        std::printf("    %s.%s: two GPU runs from the same start differ\n", t.op.c_str(), t.bufs[i].name.c_str());
      }
      const Cmp c = compare(t, t.bufs[i]);
      if (!c.ok) worst.ok = false;
      if (std::isnan(c.max_abs) || c.max_abs > worst.max_abs) worst.max_abs = c.max_abs;
      worst.rel = std::max(worst.rel, c.rel);
    }
  }
  double fwd = NAN, bwd = NAN;
  if (why.empty()) {
    fwd = median_ms(t.gpu_fwd ? [&](cudaStream_t s) { return t.gpu_fwd(t, s); } : std::function<int(cudaStream_t)>());
    bwd = median_ms(t.gpu_bwd ? [&](cudaStream_t s) { return t.gpu_bwd(t, s); } : std::function<int(cudaStream_t)>());
  }
  free_dev(t);
  const bool ok = why.empty() && worst.ok && det;
  if (!ok) g_failures++;
  std::printf("%-18s %-44s %10.3g %10.3g %9.4f %9.4f %4s  %s%s%s\n", t.op.c_str(), t.config.c_str(),
              worst.max_abs, worst.rel, fwd, bwd, why.empty() ? (det ? "yes" : "NO") : "-",
              ok ? "PASS" : "FAIL", why.empty() ? "" : ": ", why.c_str());
  std::fflush(stdout);
}

std::string fmt(const char* f, ...) __attribute__((format(printf, 1, 2)));
std::string fmt(const char* f, ...) {
  char buf[256];
  va_list ap;
  va_start(ap, f);
  std::vsnprintf(buf, sizeof buf, f, ap);
  va_end(ap);
  return buf;
}

int osz(int in, int k, int s, int p, int d) { return (in + 2 * p - d * (k - 1) - 1) / s + 1; }

// ------------------------------------------------------------------ tests

void test_relu(int64_t N) {
  Test t{"relu", fmt("N=%lld", (long long)N)};
  int x = t.add("inp", IN, N, -1), y = t.add("out", OUT, N, kTolExact);
  int dy = t.add("dout", IN, N, -1), dx = t.add("dinp", DELTA, N, kTolElementwise);
  t.cpu_fwd = [=](Test& t) { return jnas_cpu_relu_forward(t.c(y), t.c(x), N); };
  t.cpu_bwd = [=](Test& t) { return jnas_cpu_relu_backward(t.c(dx), t.c(dy), t.c(x), N); };
  t.gpu_fwd = [=](Test& t, cudaStream_t s) { return jnas_cuda_relu_forward(t.d(y), t.d(x), N, s); };
  t.gpu_bwd = [=](Test& t, cudaStream_t s) { return jnas_cuda_relu_backward(t.d(dx), t.d(dy), t.d(x), N, s); };
  run(t);
}

void test_sum(int n, int64_t N) {
  Test t{"sum", fmt("n=%d N=%lld", n, (long long)N)};
  std::vector<int> xs, dxs;
  for (int i = 0; i < n; i++) xs.push_back(t.add("inp" + std::to_string(i), IN, N, -1));
  int y = t.add("out", OUT, N, kTolElementwise), dy = t.add("dout", IN, N, -1);
  for (int i = 0; i < n; i++) dxs.push_back(i == 1 ? -1 : t.add("dinp" + std::to_string(i), DELTA, N, kTolElementwise));
  auto ptrs = [=](Test& t, bool dev, const std::vector<int>& ids) {
    std::vector<float*> p;
    for (int i : ids) p.push_back(i < 0 ? nullptr : dev ? t.d(i) : t.c(i));
    return p;
  };
  t.cpu_fwd = [=](Test& t) { auto p = ptrs(t, false, xs); return jnas_cpu_sum_forward(t.c(y), p.data(), n, N); };
  t.cpu_bwd = [=](Test& t) { auto p = ptrs(t, false, dxs); return jnas_cpu_sum_backward(p.data(), t.c(dy), n, N); };
  t.gpu_fwd = [=](Test& t, cudaStream_t s) { auto p = ptrs(t, true, xs); return jnas_cuda_sum_forward(t.d(y), p.data(), n, N, s); };
  t.gpu_bwd = [=](Test& t, cudaStream_t s) { auto p = ptrs(t, true, dxs); return jnas_cuda_sum_backward(p.data(), t.d(dy), n, N, s); };
  run(t);
}

void test_concat(std::vector<int32_t> ch, int B, int HW) {
  const int n = (int)ch.size();
  int ctot = 0;
  for (int c : ch) ctot += c;
  Test t{"concat", fmt("n=%d C_tot=%d B=%d HW=%d", n, ctot, B, HW)};
  std::vector<int> xs, dxs;
  for (int i = 0; i < n; i++) xs.push_back(t.add("inp" + std::to_string(i), IN, (size_t)B * ch[i] * HW, -1));
  int y = t.add("out", OUT, (size_t)B * ctot * HW, kTolExact), dy = t.add("dout", IN, (size_t)B * ctot * HW, -1);
  for (int i = 0; i < n; i++) dxs.push_back(t.add("dinp" + std::to_string(i), DELTA, (size_t)B * ch[i] * HW, kTolElementwise));
  auto ptrs = [=](Test& t, bool dev, const std::vector<int>& ids) {
    std::vector<float*> p;
    for (int i : ids) p.push_back(dev ? t.d(i) : t.c(i));
    return p;
  };
  t.cpu_fwd = [=](Test& t) { auto p = ptrs(t, false, xs); return jnas_cpu_concat_forward(t.c(y), p.data(), ch.data(), n, B, HW); };
  t.cpu_bwd = [=](Test& t) { auto p = ptrs(t, false, dxs); return jnas_cpu_concat_backward(p.data(), t.c(dy), ch.data(), n, B, HW); };
  t.gpu_fwd = [=](Test& t, cudaStream_t s) { auto p = ptrs(t, true, xs); return jnas_cuda_concat_forward(t.d(y), p.data(), ch.data(), n, B, HW, s); };
  t.gpu_bwd = [=](Test& t, cudaStream_t s) { auto p = ptrs(t, true, dxs); return jnas_cuda_concat_backward(p.data(), t.d(dy), ch.data(), n, B, HW, s); };
  run(t);
}

void test_scale(int64_t N, float sc) {
  Test t{"scale", fmt("N=%lld s=%g", (long long)N, sc)};
  int b = t.add("buf", DELTA, N, kTolElementwise);
  t.cpu_fwd = [=](Test& t) { return jnas_cpu_scale(t.c(b), N, sc); };
  t.gpu_fwd = [=](Test& t, cudaStream_t s) { return jnas_cuda_scale(t.d(b), N, sc, s); };
  run(t);
}

// The relaxed op's weighted sum: input 1 not computed (NULL) and no gradient for input 2.
void test_weighted_sum(int n, int64_t N) {
  Test t{"weighted_sum", fmt("n=%d N=%lld", n, (long long)N)};
  std::vector<int> xs, dxs;
  std::vector<float> w;
  for (int i = 0; i < n; i++) {
    xs.push_back(i == 1 ? -1 : t.add("inp" + std::to_string(i), IN, N, -1));
    w.push_back(rnd());
  }
  int y = t.add("out", OUT, N, kTolElementwise), dy = t.add("dout", IN, N, -1);
  int dw = t.add("dw", DELTA, n, kTolReduction);
  for (int i = 0; i < n; i++) dxs.push_back(i == 1 || i == 2 ? -1 : t.add("dinp" + std::to_string(i), DELTA, N, kTolElementwise));
  auto ptrs = [=](Test& t, bool dev, const std::vector<int>& ids) {
    std::vector<float*> p;
    for (int i : ids) p.push_back(i < 0 ? nullptr : dev ? t.d(i) : t.c(i));
    return p;
  };
  t.cpu_fwd = [=](Test& t) {
    auto p = ptrs(t, false, xs);
    return jnas_cpu_weighted_sum_forward(t.c(y), (const float* const*)p.data(), w.data(), n, N);
  };
  t.cpu_bwd = [=](Test& t) {
    auto d = ptrs(t, false, dxs);
    auto p = ptrs(t, false, xs);
    return jnas_cpu_weighted_sum_backward(d.data(), t.c(dw), t.c(dy), (const float* const*)p.data(), w.data(), n, N);
  };
  t.gpu_fwd = [=](Test& t, cudaStream_t s) {
    auto p = ptrs(t, true, xs);
    return jnas_cuda_weighted_sum_forward(t.d(y), (const float* const*)p.data(), w.data(), n, N, s);
  };
  t.gpu_bwd = [=](Test& t, cudaStream_t s) {
    auto d = ptrs(t, true, dxs);
    auto p = ptrs(t, true, xs);
    return jnas_cuda_weighted_sum_backward(d.data(), t.d(dw), t.d(dy), (const float* const*)p.data(), w.data(), n, N, s);
  };
  run(t);
}

void test_fill(int64_t N, float v) {
  Test t{"fill", fmt("N=%lld v=%g", (long long)N, v)};
  int b = t.add("buf", OUT, N, kTolExact);
  t.cpu_fwd = [=](Test& t) { return jnas_cpu_fill(t.c(b), N, v); };
  t.gpu_fwd = [=](Test& t, cudaStream_t s) { return jnas_cuda_fill(t.d(b), N, v, s); };
  run(t);
}

// NASWOT's code gram: integer counts, so exact.
void test_binary_code_gram(int B, int64_t F) {
  Test t{"binary_code_gram", fmt("B=%d F=%lld", B, (long long)F)};
  int x = t.add("x", IN, (size_t)B * F, -1);
  int K = t.add_values("K", DELTA, std::vector<float>((size_t)B * B, 3.f), kTolExact);
  t.cpu_fwd = [=](Test& t) { return jnas_cpu_binary_code_gram(t.c(K), t.c(x), B, F); };
  t.gpu_fwd = [=](Test& t, cudaStream_t s) { return jnas_cuda_binary_code_gram(t.d(K), t.d(x), B, F, s); };
  run(t);
}

void test_dropout(int64_t N, float kp, uint64_t seed) {
  Test t{"dropout", fmt("N=%lld keep=%g", (long long)N, kp)};
  int x = t.add("inp", IN, N, -1), y = t.add("out", OUT, N, kTolExact), m = t.add("mask", OUT, N, kTolExact);
  int dy = t.add("dout", IN, N, -1), dx = t.add("dinp", DELTA, N, kTolElementwise);
  t.cpu_fwd = [=](Test& t) { return jnas_cpu_dropout_forward(t.c(y), t.c(m), t.c(x), N, kp, seed); };
  t.cpu_bwd = [=](Test& t) { return jnas_cpu_dropout_backward(t.c(dx), t.c(dy), t.c(m), N); };
  t.gpu_fwd = [=](Test& t, cudaStream_t s) { return jnas_cuda_dropout_forward(t.d(y), t.d(m), t.d(x), N, kp, seed, s); };
  t.gpu_bwd = [=](Test& t, cudaStream_t s) { return jnas_cuda_dropout_backward(t.d(dx), t.d(dy), t.d(m), N, s); };
  run(t);
}

void test_drop_path(int B, int64_t per, float kp, uint64_t seed) {
  Test t{"drop_path", fmt("B=%d per_sample=%lld keep=%g", B, (long long)per, kp)};
  const int64_t N = B * per;
  int x = t.add("inp", IN, N, -1), y = t.add("out", OUT, N, kTolExact), m = t.add("mask", OUT, B, kTolExact);
  int dy = t.add("dout", IN, N, -1), dx = t.add("dinp", DELTA, N, kTolElementwise);
  t.cpu_fwd = [=](Test& t) { return jnas_cpu_drop_path_forward(t.c(y), t.c(m), t.c(x), B, per, kp, seed); };
  t.cpu_bwd = [=](Test& t) { return jnas_cpu_drop_path_backward(t.c(dx), t.c(dy), t.c(m), B, per); };
  t.gpu_fwd = [=](Test& t, cudaStream_t s) { return jnas_cuda_drop_path_forward(t.d(y), t.d(m), t.d(x), B, per, kp, seed, s); };
  t.gpu_bwd = [=](Test& t, cudaStream_t s) { return jnas_cuda_drop_path_backward(t.d(dx), t.d(dy), t.d(m), B, per, s); };
  run(t);
}

// conv2d through the fast CUDA path (ref = false) or the CUDA naive reference,
// both against the CPU fast path. no_dinp: backward with dinp = NULL.
void test_conv2d(bool ref, int B, int Ci, int H, int W, int Co, int KH, int KW, int st, int ph, int pw,
                 int dil, int G, bool bias, bool no_dinp = false, int relu = 0) {
  const int OH = osz(H, KH, st, ph, dil), OW = osz(W, KW, st, pw, dil);
  Test t{ref ? "conv2d_ref" : "conv2d",
         fmt("B%d %d->%d %dx%d k%dx%d s%d p%d,%d d%d g%d%s%s%s", B, Ci, Co, H, W, KH, KW, st, ph, pw, dil, G,
             bias ? " bias" : "", no_dinp ? " dinp=NULL" : "", relu ? " relu_in" : "")};
  const size_t nin = (size_t)B * Ci * H * W, nout = (size_t)B * Co * OH * OW, nw = (size_t)Co * (Ci / G) * KH * KW;
  int x = t.add("inp", IN, nin, -1), w = t.add("weight", IN, nw, -1, 0.3f);
  int bi = bias ? t.add("bias", IN, Co, -1) : -1;
  int y = t.add("out", OUT, nout, kTolReduction), dy = t.add("dout", IN, nout, -1);
  int dx = no_dinp ? -1 : t.add("dinp", DELTA, nin, kTolReduction);
  int dw = t.add("dweight", DELTA, nw, kTolReduction), db = bias ? t.add("dbias", DELTA, Co, kTolReduction) : -1;
  auto P = [](Test& t, int i, bool dev) -> float* { return i < 0 ? nullptr : dev ? t.d(i) : t.c(i); };
  t.cpu_fwd = [=](Test& t) {
    return jnas_cpu_conv2d_forward(t.c(y), t.c(x), t.c(w), P(t, bi, false), B, Ci, H, W, Co, KH, KW, st, ph, pw, dil, G,
                                   relu);
  };
  t.cpu_bwd = [=](Test& t) {
    return jnas_cpu_conv2d_backward(P(t, dx, false), t.c(dw), P(t, db, false), t.c(dy), t.c(x), t.c(w), B, Ci, H, W,
                                    Co, KH, KW, st, ph, pw, dil, G, relu);
  };
  auto fwd = ref ? jnas_cuda_conv2d_forward_ref : jnas_cuda_conv2d_forward;
  auto bwd = ref ? jnas_cuda_conv2d_backward_ref : jnas_cuda_conv2d_backward;
  t.gpu_fwd = [=](Test& t, cudaStream_t s) {
    return fwd(t.d(y), t.d(x), t.d(w), P(t, bi, true), B, Ci, H, W, Co, KH, KW, st, ph, pw, dil, G, relu, s);
  };
  t.gpu_bwd = [=](Test& t, cudaStream_t s) {
    return bwd(P(t, dx, true), t.d(dw), P(t, db, true), t.d(dy), t.d(x), t.d(w), B, Ci, H, W, Co, KH, KW, st, ph, pw,
               dil, G, relu, s);
  };
  run(t);
}

void test_sepconv(int B, int Ci, int H, int W, int Co, int K, int st, int pad, int dil, int relu = 0) {
  const int OH = osz(H, K, st, pad, dil), OW = osz(W, K, st, pad, dil);
  Test t{"sepconv", fmt("B%d %d->%d %dx%d k%d s%d p%d d%d%s", B, Ci, Co, H, W, K, st, pad, dil, relu ? " relu_in" : "")};
  const size_t nin = (size_t)B * Ci * H * W, nmid = (size_t)B * Ci * OH * OW, nout = (size_t)B * Co * OH * OW;
  int x = t.add("inp", IN, nin, -1), wd = t.add("w_dw", IN, (size_t)Ci * K * K, -1, 0.3f),
      wp = t.add("w_pw", IN, (size_t)Co * Ci, -1, 0.3f);
  int y = t.add("out", OUT, nout, kTolReduction), mid = t.add("mid", OUT, nmid, kTolReduction);
  int dy = t.add("dout", IN, nout, -1), dx = t.add("dinp", DELTA, nin, kTolReduction);
  int dwd = t.add("dw_dw", DELTA, (size_t)Ci * K * K, kTolReduction), dwp = t.add("dw_pw", DELTA, (size_t)Co * Ci, kTolReduction);
  t.cpu_fwd = [=](Test& t) { return jnas_cpu_sepconv_forward(t.c(y), t.c(mid), t.c(x), t.c(wd), t.c(wp), B, Ci, H, W, Co, K, st, pad, dil, relu); };
  t.cpu_bwd = [=](Test& t) {
    return jnas_cpu_sepconv_backward(t.c(dx), t.c(dwd), t.c(dwp), t.c(dy), t.c(mid), t.c(x), t.c(wd), t.c(wp), B, Ci, H,
                                     W, Co, K, st, pad, dil, relu);
  };
  t.gpu_fwd = [=](Test& t, cudaStream_t s) {
    return jnas_cuda_sepconv_forward(t.d(y), t.d(mid), t.d(x), t.d(wd), t.d(wp), B, Ci, H, W, Co, K, st, pad, dil, relu, s);
  };
  t.gpu_bwd = [=](Test& t, cudaStream_t s) {
    return jnas_cuda_sepconv_backward(t.d(dx), t.d(dwd), t.d(dwp), t.d(dy), t.d(mid), t.d(x), t.d(wd), t.d(wp), B, Ci,
                                      H, W, Co, K, st, pad, dil, relu, s);
  };
  run(t);
}

void test_maxpool(int B, int C, int H, int W, int K, int st, int pad) {
  const int OH = osz(H, K, st, pad, 1), OW = osz(W, K, st, pad, 1);
  Test t{"maxpool", fmt("B%d C%d %dx%d k%d s%d p%d", B, C, H, W, K, st, pad)};
  const size_t nin = (size_t)B * C * H * W, nout = (size_t)B * C * OH * OW;
  int x = t.add("inp", IN, nin, -1), y = t.add("out", OUT, nout, kTolExact), a = t.add_int("argmax", OUT, nout, 0, kTolExact);
  int dy = t.add("dout", IN, nout, -1), dx = t.add("dinp", DELTA, nin, kTolElementwise);
  t.cpu_fwd = [=](Test& t) { return jnas_cpu_maxpool_forward(t.c(y), t.ci(a), t.c(x), B, C, H, W, K, st, pad); };
  t.cpu_bwd = [=](Test& t) { return jnas_cpu_maxpool_backward(t.c(dx), t.c(dy), t.ci(a), B, C, H, W, K, st, pad); };
  t.gpu_fwd = [=](Test& t, cudaStream_t s) { return jnas_cuda_maxpool_forward(t.d(y), t.di(a), t.d(x), B, C, H, W, K, st, pad, s); };
  t.gpu_bwd = [=](Test& t, cudaStream_t s) { return jnas_cuda_maxpool_backward(t.d(dx), t.d(dy), t.di(a), B, C, H, W, K, st, pad, s); };
  run(t);
}

void test_avgpool(int B, int C, int H, int W, int K, int st, int pad) {
  const int OH = osz(H, K, st, pad, 1), OW = osz(W, K, st, pad, 1);
  Test t{"avgpool", fmt("B%d C%d %dx%d k%d s%d p%d", B, C, H, W, K, st, pad)};
  const size_t nin = (size_t)B * C * H * W, nout = (size_t)B * C * OH * OW;
  int x = t.add("inp", IN, nin, -1), y = t.add("out", OUT, nout, kTolElementwise);
  int dy = t.add("dout", IN, nout, -1), dx = t.add("dinp", DELTA, nin, kTolElementwise);
  t.cpu_fwd = [=](Test& t) { return jnas_cpu_avgpool_forward(t.c(y), t.c(x), B, C, H, W, K, st, pad); };
  t.cpu_bwd = [=](Test& t) { return jnas_cpu_avgpool_backward(t.c(dx), t.c(dy), B, C, H, W, K, st, pad); };
  t.gpu_fwd = [=](Test& t, cudaStream_t s) { return jnas_cuda_avgpool_forward(t.d(y), t.d(x), B, C, H, W, K, st, pad, s); };
  t.gpu_bwd = [=](Test& t, cudaStream_t s) { return jnas_cuda_avgpool_backward(t.d(dx), t.d(dy), B, C, H, W, K, st, pad, s); };
  run(t);
}

void test_global_avgpool(int B, int C, int HW) {
  Test t{"global_avgpool", fmt("B%d C%d HW%d", B, C, HW)};
  const size_t nin = (size_t)B * C * HW, nout = (size_t)B * C;
  int x = t.add("inp", IN, nin, -1), y = t.add("out", OUT, nout, kTolReduction);
  int dy = t.add("dout", IN, nout, -1), dx = t.add("dinp", DELTA, nin, kTolElementwise);
  t.cpu_fwd = [=](Test& t) { return jnas_cpu_global_avgpool_forward(t.c(y), t.c(x), B, C, HW); };
  t.cpu_bwd = [=](Test& t) { return jnas_cpu_global_avgpool_backward(t.c(dx), t.c(dy), B, C, HW); };
  t.gpu_fwd = [=](Test& t, cudaStream_t s) { return jnas_cuda_global_avgpool_forward(t.d(y), t.d(x), B, C, HW, s); };
  t.gpu_bwd = [=](Test& t, cudaStream_t s) { return jnas_cuda_global_avgpool_backward(t.d(dx), t.d(dy), B, C, HW, s); };
  run(t);
}

void test_batchnorm(int B, int C, int HW, bool affine, bool running, int training, float offset) {
  Test t{"batchnorm", fmt("B%d C%d HW%d %s%s%s mean~%g", B, C, HW, training ? "train" : "eval",
                          affine ? " affine" : "", running ? " running" : "", offset)};
  const size_t n = (size_t)B * C * HW;
  int x = t.add("inp", IN, n, -1, 1.f, offset);
  int gm = affine ? t.add("gamma", IN, C, -1) : -1, bt = affine ? t.add("beta", IN, C, -1) : -1;
  // running var must be positive: values in [0.05, 1] + 0.5 (offset) and sign flips are fine for the mean only
  int rm = running ? t.add("running_mean", DELTA, C, kTolBatchnorm) : -1;
  int rv = -1;
  if (running) {
    std::vector<float> v(C);
    for (auto& e : v) e = 0.5f + std::fabs(rnd());
    rv = t.add_values("running_var", DELTA, v, kTolBatchnorm);
  }
  int y = t.add("out", OUT, n, kTolBatchnorm), mu = t.add("mean", OUT, C, kTolBatchnorm), rs = t.add("rstd", OUT, C, kTolBatchnorm);
  int dy = t.add("dout", IN, n, -1), dx = t.add("dinp", DELTA, n, kTolBatchnorm);
  int dg = affine ? t.add("dgamma", DELTA, C, kTolBatchnorm) : -1, db = affine ? t.add("dbeta", DELTA, C, kTolBatchnorm) : -1;
  if (running && !training) {  // eval: running stats are read, not written
    t.bufs[rm].kind = IN;
    t.bufs[rv].kind = IN;
  }
  auto P = [](Test& t, int i, bool dev) -> float* { return i < 0 ? nullptr : dev ? t.d(i) : t.c(i); };
  const float eps = 1e-5f, mom = 0.1f;
  t.cpu_fwd = [=](Test& t) {
    return jnas_cpu_batchnorm_forward(t.c(y), t.c(mu), t.c(rs), t.c(x), P(t, gm, false), P(t, bt, false), P(t, rm, false),
                                      P(t, rv, false), B, C, HW, eps, mom, training);
  };
  t.cpu_bwd = [=](Test& t) {
    return jnas_cpu_batchnorm_backward(t.c(dx), P(t, dg, false), P(t, db, false), t.c(dy), t.c(x), t.c(mu), t.c(rs),
                                       P(t, gm, false), B, C, HW, training);
  };
  t.gpu_fwd = [=](Test& t, cudaStream_t s) {
    return jnas_cuda_batchnorm_forward(t.d(y), t.d(mu), t.d(rs), t.d(x), P(t, gm, true), P(t, bt, true), P(t, rm, true),
                                       P(t, rv, true), B, C, HW, eps, mom, training, s);
  };
  t.gpu_bwd = [=](Test& t, cudaStream_t s) {
    return jnas_cuda_batchnorm_backward(t.d(dx), P(t, dg, true), P(t, db, true), t.d(dy), t.d(x), t.d(mu), t.d(rs),
                                        P(t, gm, true), B, C, HW, training, s);
  };
  run(t);
}

// The forward's output rebuilt from its statistics: exact against the CPU's given the same
// statistics (both the forward's own arithmetic, one multiply and one add or one FMA).
void test_batchnorm_apply(int B, int C, int HW) {
  Test t{"batchnorm_apply", fmt("B%d C%d HW%d", B, C, HW)};
  const size_t n = (size_t)B * C * HW;
  int x = t.add("inp", IN, n, -1), mu = t.add("mean", IN, C, -1), gm = t.add("gamma", IN, C, -1), bt = t.add("beta", IN, C, -1);
  std::vector<float> r(C);
  for (auto& e : r) e = 0.5f + std::fabs(rnd());
  int rs = t.add_values("rstd", IN, r, -1);
  int y = t.add("out", OUT, n, kTolElementwise);
  t.cpu_fwd = [=](Test& t) { return jnas_cpu_batchnorm_apply(t.c(y), t.c(x), t.c(mu), t.c(rs), t.c(gm), t.c(bt), B, C, HW); };
  t.gpu_fwd = [=](Test& t, cudaStream_t s) {
    return jnas_cuda_batchnorm_apply(t.d(y), t.d(x), t.d(mu), t.d(rs), t.d(gm), t.d(bt), B, C, HW, s);
  };
  run(t);
}

void test_factorized_reduce(int B, int Ci, int H, int W, int Co) {
  const int OH = (H + 1) / 2, OW = (W + 1) / 2, C1 = Co / 2, C2 = Co - C1;
  Test t{"factorized_reduce", fmt("B%d %d->%d %dx%d", B, Ci, Co, H, W)};
  const size_t nin = (size_t)B * Ci * H * W, nout = (size_t)B * Co * OH * OW;
  int x = t.add("inp", IN, nin, -1), w1 = t.add("w1", IN, (size_t)C1 * Ci, -1, 0.3f), w2 = t.add("w2", IN, (size_t)C2 * Ci, -1, 0.3f);
  int y = t.add("out", OUT, nout, kTolReduction), dy = t.add("dout", IN, nout, -1);
  int dx = t.add("dinp", DELTA, nin, kTolReduction), dw1 = t.add("dw1", DELTA, (size_t)C1 * Ci, kTolReduction),
      dw2 = t.add("dw2", DELTA, (size_t)C2 * Ci, kTolReduction);
  t.cpu_fwd = [=](Test& t) { return jnas_cpu_factorized_reduce_forward(t.c(y), t.c(x), t.c(w1), t.c(w2), B, Ci, H, W, Co); };
  t.cpu_bwd = [=](Test& t) {
    return jnas_cpu_factorized_reduce_backward(t.c(dx), t.c(dw1), t.c(dw2), t.c(dy), t.c(x), t.c(w1), t.c(w2), B, Ci, H, W, Co);
  };
  t.gpu_fwd = [=](Test& t, cudaStream_t s) {
    return jnas_cuda_factorized_reduce_forward(t.d(y), t.d(x), t.d(w1), t.d(w2), B, Ci, H, W, Co, s);
  };
  t.gpu_bwd = [=](Test& t, cudaStream_t s) {
    return jnas_cuda_factorized_reduce_backward(t.d(dx), t.d(dw1), t.d(dw2), t.d(dy), t.d(x), t.d(w1), t.d(w2), B, Ci, H,
                                                W, Co, s);
  };
  run(t);
}

void test_linear(int B, int IC, int OC, bool bias) {
  Test t{"linear", fmt("B%d %d->%d%s", B, IC, OC, bias ? " bias" : "")};
  int x = t.add("inp", IN, (size_t)B * IC, -1), w = t.add("weight", IN, (size_t)OC * IC, -1, 0.3f);
  int bi = bias ? t.add("bias", IN, OC, -1) : -1;
  int y = t.add("out", OUT, (size_t)B * OC, kTolReduction), dy = t.add("dout", IN, (size_t)B * OC, -1);
  int dx = t.add("dinp", DELTA, (size_t)B * IC, kTolReduction), dw = t.add("dweight", DELTA, (size_t)OC * IC, kTolReduction);
  int db = bias ? t.add("dbias", DELTA, OC, kTolReduction) : -1;
  auto P = [](Test& t, int i, bool dev) -> float* { return i < 0 ? nullptr : dev ? t.d(i) : t.c(i); };
  t.cpu_fwd = [=](Test& t) { return jnas_cpu_linear_forward(t.c(y), t.c(x), t.c(w), P(t, bi, false), B, IC, OC); };
  t.cpu_bwd = [=](Test& t) { return jnas_cpu_linear_backward(t.c(dx), t.c(dw), P(t, db, false), t.c(dy), t.c(x), t.c(w), B, IC, OC); };
  t.gpu_fwd = [=](Test& t, cudaStream_t s) { return jnas_cuda_linear_forward(t.d(y), t.d(x), t.d(w), P(t, bi, true), B, IC, OC, s); };
  t.gpu_bwd = [=](Test& t, cudaStream_t s) {
    return jnas_cuda_linear_backward(t.d(dx), t.d(dw), P(t, db, true), t.d(dy), t.d(x), t.d(w), B, IC, OC, s);
  };
  run(t);
}

void test_softmax_xent(int B, int V, float ls) {
  Test t{"softmax_xent", fmt("B%d V%d ls=%g", B, V, ls)};
  int z = t.add("logits", IN, (size_t)B * V, -1, 4.f), lab = t.add_int("labels", IN, B, V, -1);
  int loss = t.add("loss", OUT, 1, kTolSoftmax), p = t.add("probs", OUT, (size_t)B * V, kTolSoftmax);
  int dz = t.add("dlogits", DELTA, (size_t)B * V, kTolSoftmax);
  const float dloss = 0.75f;
  t.cpu_fwd = [=](Test& t) { return jnas_cpu_softmax_xent_forward(t.c(loss), t.c(p), t.c(z), t.ci(lab), B, V, ls); };
  t.cpu_bwd = [=](Test& t) { return jnas_cpu_softmax_xent_backward(t.c(dz), t.c(p), t.ci(lab), B, V, ls, dloss); };
  t.gpu_fwd = [=](Test& t, cudaStream_t s) { return jnas_cuda_softmax_xent_forward(t.d(loss), t.d(p), t.d(z), t.di(lab), B, V, ls, s); };
  t.gpu_bwd = [=](Test& t, cudaStream_t s) { return jnas_cuda_softmax_xent_backward(t.d(dz), t.d(p), t.di(lab), B, V, ls, dloss, s); };
  run(t);
}

void test_argmax_hits(int B, int V) {
  Test t{"argmax_hits", fmt("B%d V%d", B, V)};
  int z = t.add("logits", IN, (size_t)B * V, -1, 4.f), lab = t.add_int("labels", IN, B, V, -1);
  int hits = t.add_int("hits", OUT, 1, 0, kTolExact);
  t.cpu_fwd = [=](Test& t) { return jnas_cpu_argmax_hits(t.ci(hits), t.c(z), t.ci(lab), B, V); };
  t.gpu_fwd = [=](Test& t, cudaStream_t s) { return jnas_cuda_argmax_hits(t.di(hits), t.d(z), t.di(lab), B, V, s); };
  run(t);
}

// clip_by_norm with the norm in a buffer of its own: above the limit it scales, below it must not touch.
void test_clip_by_norm(int64_t N, float norm, float max_norm) {
  Test t{"clip_by_norm", fmt("N=%lld norm=%g max=%g", (long long)N, norm, max_norm)};
  int b = t.add("buf", DELTA, N, kTolElementwise);
  int n = t.add_values("norm", IN, {norm}, -1);
  t.cpu_fwd = [=](Test& t) { return jnas_cpu_clip_by_norm(t.c(b), N, t.c(n), max_norm); };
  t.gpu_fwd = [=](Test& t, cudaStream_t s) { return jnas_cuda_clip_by_norm(t.d(b), N, t.d(n), max_norm, s); };
  run(t);
}

void test_sgd(int64_t N, float mom, int nesterov) {
  Test t{"sgd_update", fmt("N=%lld momentum=%g nesterov=%d", (long long)N, mom, nesterov)};
  int p = t.add("param", DELTA, N, kTolElementwise), g = t.add("grad", IN, N, -1);
  int buf = mom != 0.f ? t.add("momentum_buf", DELTA, N, kTolElementwise) : -1;
  auto P = [](Test& t, int i, bool dev) -> float* { return i < 0 ? nullptr : dev ? t.d(i) : t.c(i); };
  t.cpu_fwd = [=](Test& t) { return jnas_cpu_sgd_update(t.c(p), P(t, buf, false), t.c(g), N, 0.05f, mom, 5e-4f, nesterov); };
  t.gpu_fwd = [=](Test& t, cudaStream_t s) { return jnas_cuda_sgd_update(t.d(p), P(t, buf, true), t.d(g), N, 0.05f, mom, 5e-4f, nesterov, s); };
  run(t);
}

void test_adam(int64_t N, int step) {
  Test t{"adam_update", fmt("N=%lld step=%d", (long long)N, step)};
  int p = t.add("param", DELTA, N, kTolElementwise), g = t.add("grad", IN, N, -1);
  std::vector<float> v(N);
  for (auto& e : v) e = std::fabs(rnd()) * 0.01f;  // the second moment is >= 0
  int m = t.add("m", DELTA, N, kTolElementwise, 0.1f), vv = t.add_values("v", DELTA, v, kTolElementwise);
  t.cpu_fwd = [=](Test& t) { return jnas_cpu_adam_update(t.c(p), t.c(m), t.c(vv), t.c(g), N, 1e-3f, 0.9f, 0.999f, 1e-8f, 1e-4f, step); };
  t.gpu_fwd = [=](Test& t, cudaStream_t s) {
    return jnas_cuda_adam_update(t.d(p), t.d(m), t.d(vv), t.d(g), N, 1e-3f, 0.9f, 0.999f, 1e-8f, 1e-4f, step, s);
  };
  run(t);
}

void test_global_norm(std::vector<int64_t> sizes) {
  std::string cfg = "sizes";
  for (auto s : sizes) cfg += " " + std::to_string(s);
  Test t{"global_norm", cfg};
  std::vector<int> ids;
  for (size_t i = 0; i < sizes.size(); i++) ids.push_back(t.add("buf" + std::to_string(i), IN, sizes[i], -1));
  int out = t.add("out", OUT, 1, kTolReduction);
  const int n = (int)sizes.size();
  auto ptrs = [=](Test& t, bool dev) {
    std::vector<const float*> p;
    for (int i : ids) p.push_back(dev ? t.d(i) : t.c(i));
    return p;
  };
  t.cpu_fwd = [=](Test& t) { auto p = ptrs(t, false); return jnas_cpu_global_norm(t.c(out), p.data(), sizes.data(), n); };
  t.gpu_fwd = [=](Test& t, cudaStream_t s) { auto p = ptrs(t, true); return jnas_cuda_global_norm(t.d(out), p.data(), sizes.data(), n, s); };
  run(t);
}

}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i < argc; i++) {
    if (!std::strcmp(argv[i], "--no-timing")) g_timing = false;
    else if (!std::strcmp(argv[i], "--filter") && i + 1 < argc) g_filter = argv[++i];
    else {
      std::fprintf(stderr, "usage: %s [--no-timing] [--filter SUBSTRING]\n", argv[0]);
      return 2;
    }
  }
  int count = 0;
  const int e = jnas_cuda_device_count(&count);
  if (e != 0 || count == 0) {
    std::printf("no CUDA device: %s (error %d)\n", e ? jnas_cuda_error_string(e) : "none found", e);
    return 2;
  }
  char name[256];
  int64_t total = 0, free_mem = 0;
  int major = 0, minor = 0;
  jnas_cuda_device_info(0, name, sizeof name, &total, &free_mem, &major, &minor);
  std::printf("device 0: %s, compute capability %d.%d, %.1f GiB; CPU threads %d\n", name, major, minor,
              total / 1073741824.0, jnas_cpu_get_num_threads());
  void* s = nullptr;
  if (jnas_cuda_stream_create(&s) != 0) {
    std::printf("stream_create failed\n");
    return 1;
  }
  g_stream = static_cast<cudaStream_t>(s);
  print_header();

  test_relu((1 << 20) + 7);
  test_sum(3, 100003);
  test_sum(1, 1000);
  test_concat({3, 5, 2}, 4, 49);
  test_concat({16, 16, 16, 16}, 8, 64);
  test_scale(100003, 0.9f);
  test_weighted_sum(5, 100003);
  test_fill(100003, 0.5f);
  test_binary_code_gram(16, 16 * 8 * 8 + 5);
  test_dropout((1 << 18) + 3, 0.7f, 42);
  test_drop_path(8, 3 * 7 * 7 + 1, 0.6f, 7);

  for (int ref = 0; ref < 2; ref++) {
    test_conv2d(ref, 4, 16, 16, 16, 24, 3, 3, 1, 1, 1, 1, 1, true);       // dense 3x3
    test_conv2d(ref, 8, 36, 16, 16, 36, 1, 1, 1, 0, 0, 1, 1, false);      // pointwise (ENAS)
    test_conv2d(ref, 3, 6, 15, 17, 10, 3, 3, 2, 1, 1, 1, 2, true);        // grouped, stride 2, odd sizes
    test_conv2d(ref, 2, 5, 13, 13, 7, 5, 5, 1, 4, 4, 2, 1, false);        // dilated 5x5
    test_conv2d(ref, 2, 4, 9, 11, 6, 3, 2, 1, 1, 0, 1, 1, true);          // non-square kernel and pads
    test_conv2d(ref, 8, 36, 32, 32, 36, 3, 3, 1, 1, 1, 1, 36, false);     // depthwise 3x3 (ENAS)
    test_conv2d(ref, 4, 20, 15, 15, 20, 5, 5, 2, 2, 2, 1, 20, true);      // depthwise 5x5 stride 2
    test_conv2d(ref, 4, 16, 16, 16, 16, 3, 3, 1, 2, 2, 2, 16, false);     // depthwise dilated (DARTS)
    test_conv2d(ref, 2, 8, 9, 9, 8, 4, 4, 1, 1, 1, 1, 8, false);          // depthwise 4x4: GEMM fallback
    test_conv2d(ref, 16, 32, 32, 32, 32, 3, 3, 1, 1, 1, 1, 1, false);     // split-K weight gradient
    test_conv2d(ref, 4, 16, 16, 16, 24, 3, 3, 1, 1, 1, 1, 1, true, true); // dinp = NULL
  }
  test_sepconv(4, 16, 16, 16, 16, 3, 1, 1, 1);
  test_sepconv(4, 16, 15, 15, 24, 5, 2, 2, 1);
  test_sepconv(4, 16, 16, 16, 16, 3, 1, 2, 2);
  test_sepconv(4, 16, 16, 16, 16, 5, 1, 2, 1, 1);  // fused ReLU (the supernet's sep convs)
  test_sepconv(4, 16, 15, 15, 24, 3, 2, 1, 1, 1);  // fused ReLU, stride 2
  for (int ref = 0; ref < 2; ref++) {
    test_conv2d(ref, 8, 36, 16, 16, 36, 1, 1, 1, 0, 0, 1, 1, false, false, 1);  // ReLU-conv1x1 (preprocessing)
    test_conv2d(ref, 2, 8, 9, 11, 8, 1, 7, 1, 0, 3, 1, 1, false, false, 1);     // ReLU-conv1x7
  }
  test_maxpool(4, 8, 16, 16, 3, 1, 1);
  test_maxpool(3, 5, 15, 17, 3, 2, 1);
  test_maxpool(2, 4, 16, 16, 2, 2, 0);
  test_avgpool(4, 8, 16, 16, 3, 1, 1);
  test_avgpool(3, 5, 15, 17, 3, 2, 1);
  test_avgpool(2, 4, 16, 16, 2, 2, 0);
  test_global_avgpool(8, 36, 64);
  test_global_avgpool(4, 20, 1024);
  test_batchnorm(8, 36, 256, true, true, 1, 0.f);
  test_batchnorm(32, 20, 1024, true, true, 1, 5.f);  // 4 slices per channel, |mean| >> std
  test_batchnorm(4, 7, 9, false, false, 1, 0.f);     // affine=False, no running stats
  test_batchnorm(8, 16, 64, true, true, 0, 0.f);     // inference
  test_batchnorm_apply(8, 36, 250);
  test_factorized_reduce(4, 16, 16, 16, 32);
  test_factorized_reduce(3, 6, 15, 13, 7);
  test_linear(64, 256, 10, true);
  test_linear(5, 33, 17, false);
  test_linear(1024, 64, 10, true);  // split-K weight gradient
  test_softmax_xent(64, 10, 0.1f);
  test_softmax_xent(7, 1000, 0.f);
  test_argmax_hits(160, 10);
  test_argmax_hits(1000, 7);
  test_clip_by_norm(100003, 12.f, 5.f);
  test_clip_by_norm(1000, 3.f, 5.f);
  test_sgd(100003, 0.9f, 1);
  test_sgd(100003, 0.9f, 0);
  test_sgd(1000, 0.f, 0);
  test_adam(100003, 3);
  test_global_norm({1000, 100003, 7});
  test_global_norm({1 << 20});

  jnas_cuda_stream_destroy(s);
  std::printf("%s: %d failure(s)\n", g_failures ? "FAIL" : "PASS", g_failures);
  return g_failures ? 1 : 0;
}
