// backend.cpp: the four backend kinds of backend.h and the backend C API.
//
// The kernel tables are generated from backend_ops.def: the CPU table wraps
// jnas_cpu_<op> (dropping the stream), the host-blind table wraps it between
// opening and closing the backend's pages, the dry table returns at once, and
// the CUDA table points at jnas_cuda_<op> itself (the stub's where nvcc was
// absent). A signature that differs from jnas.h does not compile.
#include "backend.h"

#include "conv_fast.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>
#include <stdexcept>
#include <string>
#include <unordered_map>

namespace jnas {

namespace {

thread_local std::string t_last_error;

// ------------------------------------------------------------------ cpu

#define JNAS_OP(name, params, args) \
  int cpu_##name(JNAS_UNPAREN params, void*) { return jnas_cpu_##name args; }
#include "backend_ops.def"
#undef JNAS_OP

class CpuBackend : public Backend {
 public:
  CpuBackend() : Backend("cpu") {
#define JNAS_OP(name, params, args) this->name = cpu_##name;
#include "backend_ops.def"
#undef JNAS_OP
  }
  void* alloc(int64_t bytes) override {
    size_t n = ((size_t)std::max<int64_t>(bytes, 1) + 63) & ~size_t(63);
    void* p = std::aligned_alloc(64, n);
    if (!p) throw std::bad_alloc();
    count(bytes);
    return p;
  }
  void free(void* p, int64_t bytes) override {
    std::free(p);
    count(-bytes);
  }
  void zero(void* p, int64_t bytes) override { std::memset(p, 0, bytes); }
  void copy_from_host(void* dst, const void* src, int64_t bytes) override { std::memcpy(dst, src, bytes); }
  void copy_to_host(void* dst, const void* src, int64_t bytes) override { std::memcpy(dst, src, bytes); }
  void copy(void* dst, const void* src, int64_t bytes) override { std::memmove(dst, src, bytes); }
};

// ------------------------------------------------------------ hostblind

class HostBlindBackend;

#define JNAS_OP(name, params, args) int hostblind_##name(JNAS_UNPAREN params, void* stream);
#include "backend_ops.def"
#undef JNAS_OP

// Every allocation is its own mapping, PROT_NONE while closed. open() makes all
// of them readable and writable for one kernel or copy; close() shuts them again.
class HostBlindBackend : public Backend {
 public:
  HostBlindBackend() : Backend("hostblind") {
    page_ = sysconf(_SC_PAGESIZE);
    stream = this;
#define JNAS_OP(name, params, args) this->name = hostblind_##name;
#include "backend_ops.def"
#undef JNAS_OP
  }
  ~HostBlindBackend() override {
    for (auto& [p, n] : maps_) munmap(p, n);
  }
  void* alloc(int64_t bytes) override {
    size_t n = ((size_t)std::max<int64_t>(bytes, 1) + page_ - 1) / page_ * page_;
    void* p = mmap(nullptr, n, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    maps_[p] = n;
    count(bytes);
    return p;
  }
  void free(void* p, int64_t bytes) override {
    auto it = maps_.find(p);
    if (it == maps_.end()) return;
    munmap(p, it->second);
    maps_.erase(it);
    count(-bytes);
  }
  void zero(void* p, int64_t bytes) override {
    open();
    std::memset(p, 0, bytes);
    close();
  }
  void copy_from_host(void* dst, const void* src, int64_t bytes) override {
    open();
    std::memcpy(dst, src, bytes);
    close();
  }
  void copy_to_host(void* dst, const void* src, int64_t bytes) override {
    open();
    std::memcpy(dst, src, bytes);
    close();
  }
  void copy(void* dst, const void* src, int64_t bytes) override {
    open();
    std::memmove(dst, src, bytes);
    close();
  }
  void open() { protect(PROT_READ | PROT_WRITE); }
  void close() { protect(PROT_NONE); }

 private:
  void protect(int prot) {
    for (auto& [p, n] : maps_)
      if (mprotect(p, n, prot) != 0) throw std::runtime_error("hostblind: mprotect failed");
  }
  long page_ = 4096;
  std::unordered_map<void*, size_t> maps_;
};

#define JNAS_OP(name, params, args)                         \
  int hostblind_##name(JNAS_UNPAREN params, void* stream) { \
    auto* hb = static_cast<HostBlindBackend*>(stream);      \
    hb->open();                                             \
    int rc = jnas_cpu_##name args;                          \
    hb->close();                                            \
    return rc;                                              \
  }
#include "backend_ops.def"
#undef JNAS_OP

// ------------------------------------------------------------------ dry

#define JNAS_OP(name, params, args) \
  int dry_##name(JNAS_UNPAREN params, void*) { return JNAS_OK; }
#include "backend_ops.def"
#undef JNAS_OP

class DryBackend : public Backend {
 public:
  DryBackend() : Backend("dry", true) {
#define JNAS_OP(name, params, args) this->name = dry_##name;
#include "backend_ops.def"
#undef JNAS_OP
  }
  // Distinct, aligned addresses in a range nothing maps: a dereference faults.
  void* alloc(int64_t bytes) override {
    void* p = reinterpret_cast<void*>(next_);
    next_ += ((uint64_t)std::max<int64_t>(bytes, 1) + 63) & ~uint64_t(63);
    count(bytes);
    return p;
  }
  void free(void*, int64_t bytes) override { count(-bytes); }
  void zero(void*, int64_t) override {}
  void copy_from_host(void*, const void*, int64_t) override {}
  void copy_to_host(void* dst, const void*, int64_t bytes) override { std::memset(dst, 0, bytes); }
  void copy(void*, const void*, int64_t) override {}

 private:
  uint64_t next_ = uint64_t(1) << 46;
};

// ----------------------------------------------------------------- cuda

void cuda_ok(int code, const char* what) {
  if (code != 0) throw std::runtime_error(std::string("cuda ") + what + ": " + jnas_cuda_error_string(code));
}

class CudaBackend : public Backend {
 public:
  explicit CudaBackend(int device) : Backend("cuda") {
    if (!jnas_cuda_built()) throw std::runtime_error("this build has no CUDA backend (nvcc was absent at build time)");
    int n = 0;
    int rc = jnas_cuda_device_count(&n);
    if (rc != 0) throw std::runtime_error(std::string("no GPU found (") + jnas_cuda_error_string(rc) + ")");
    if (device < 0 || device >= n)
      throw std::runtime_error("GPU " + std::to_string(device) + " does not exist (" + std::to_string(n) + " found)");
    cuda_ok(jnas_cuda_set_device(device), "set_device");
    cuda_ok(jnas_cuda_stream_create(&stream), "stream_create");
#define JNAS_OP(name, params, args) this->name = jnas_cuda_##name;
#include "backend_ops.def"
#undef JNAS_OP
  }
  ~CudaBackend() override {
    if (stream) jnas_cuda_stream_destroy(stream);
  }
  void* alloc(int64_t bytes) override {
    void* p = nullptr;
    if (jnas_cuda_malloc(std::max<int64_t>(bytes, 1), &p) != 0 || !p) throw std::bad_alloc();
    count(bytes);
    return p;
  }
  void free(void* p, int64_t bytes) override {
    jnas_cuda_free(p);
    count(-bytes);
  }
  void zero(void* p, int64_t bytes) override { cuda_ok(jnas_cuda_memset_async(p, 0, bytes, stream), "memset"); }
  // The host buffer may be reused as soon as this returns: wait for the copy.
  void copy_from_host(void* dst, const void* src, int64_t bytes) override {
    cuda_ok(jnas_cuda_memcpy_htod_async(dst, src, bytes, stream), "memcpy_htod");
    sync();
  }
  void copy_to_host(void* dst, const void* src, int64_t bytes) override {
    cuda_ok(jnas_cuda_memcpy_dtoh_async(dst, src, bytes, stream), "memcpy_dtoh");
    sync();
  }
  void copy(void* dst, const void* src, int64_t bytes) override {
    cuda_ok(jnas_cuda_memcpy_dtod_async(dst, src, bytes, stream), "memcpy_dtod");
  }
  void sync() override { cuda_ok(jnas_cuda_stream_synchronize(stream), "stream_synchronize"); }
};

}  // namespace

Backend* make_backend(const std::string& kind, int device) {
  if (kind == "cpu") return new CpuBackend();
  if (kind == "hostblind") return new HostBlindBackend();
  if (kind == "dry") return new DryBackend();
  if (kind == "cuda") return new CudaBackend(device);
  throw std::invalid_argument("unknown backend '" + kind + "', expected cpu, cuda, hostblind or dry");
}

void set_last_error(const std::string& msg) { t_last_error = msg; }

int guard(const char* what, const std::function<void()>& f) {
  t_last_error.clear();
  try {
    f();
    return JNAS_OK;
  } catch (const std::bad_alloc&) {
    t_last_error = std::string(what) + ": out of memory";
    return JNAS_E_ALLOC;
  } catch (const std::exception& e) {
    t_last_error = std::string(what) + ": " + e.what();
    return JNAS_E_ARG;
  } catch (...) {
    t_last_error = std::string(what) + ": unknown native error";
    return JNAS_E_ARG;
  }
}

}  // namespace jnas

extern "C" {

jnas_backend* jnas_backend_create(const char* kind, int device) {
  jnas::Backend* b = nullptr;
  int rc = jnas::guard("backend", [&] { b = jnas::make_backend(kind ? kind : "", device); });
  return rc == JNAS_OK ? jnas::to_handle(b) : nullptr;
}

void jnas_backend_destroy(jnas_backend* be) { delete jnas::from_handle(be); }

int64_t jnas_backend_bytes(jnas_backend* be, int peak) {
  auto* b = jnas::from_handle(be);
  return peak ? b->peak_bytes() : b->bytes();
}

const char* jnas_last_error(void) { return jnas::t_last_error.c_str(); }

const char* jnas_cpu_get_isa(void) { return jnas::conv_isa().name; }

int jnas_cpu_set_isa(const char* name) {
  jnas::t_last_error.clear();
  if (jnas::set_conv_isa(name)) return JNAS_OK;
  bool known = name && (std::strcmp(name, "avx2") == 0 || std::strcmp(name, "avx512") == 0);
  jnas::t_last_error = known ? std::string("cpu isa: this CPU has no AVX-512F")
                             : std::string("cpu isa: expected avx2, avx512 or auto, got ") + (name ? name : "NULL");
  return JNAS_E_ARG;
}

}  // extern "C"
