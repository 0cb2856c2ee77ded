// backend.h: where a network's memory lives and which kernels run on it.
//
// The tape (tape.h) and the networks never call jnas_cpu_* or jnas_cuda_*
// directly: they call a Backend's table, whose entries have the jnas.h
// signatures plus `void* stream` last (backend_ops.def lists them once), and
// they allocate and copy only through the Backend's memory functions. The rule
// that makes a GPU step possible: the orchestration never reads or writes
// backend memory on the host; results cross through copy_to_host, inputs
// through copy_from_host.
//
// Kinds (jnas_backend_create in jnas.h):
//   cpu        host memory (64-byte aligned), the jnas_cpu_* kernels
//   cuda       device memory, the jnas_cuda_* kernels on one stream
//   hostblind  the CPU kernels on mmap'd pages that are PROT_NONE except while a
//              kernel or copy runs: any host access from the orchestration
//              faults, which is how the tests prove the rule on a CPU-only machine
//   dry        no memory and no kernels: allocations return distinct fake
//              addresses and are only counted, kernels return at once. A network
//              built and stepped on it reports sizes, FLOPs, its plan and the exact
//              bytes a real backend would allocate, without computing anything.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "jnas.h"

#define JNAS_UNPAREN(...) __VA_ARGS__

namespace jnas {

class Backend {
 public:
  virtual ~Backend() = default;

  const std::string& kind() const { return kind_; }
  // Whether kernels and copies are skipped (the dry backend).
  bool dry() const { return dry_; }

  // ---- memory (bytes); alloc throws std::bad_alloc on failure
  virtual void* alloc(int64_t bytes) = 0;
  virtual void free(void* p, int64_t bytes) = 0;
  virtual void zero(void* p, int64_t bytes) = 0;
  virtual void copy_from_host(void* dst, const void* src, int64_t bytes) = 0;
  virtual void copy_to_host(void* dst, const void* src, int64_t bytes) = 0;
  virtual void copy(void* dst, const void* src, int64_t bytes) = 0;
  // Waits for the work queued so far (a no-op on the host).
  virtual void sync() {}

  int64_t bytes() const { return bytes_; }
  int64_t peak_bytes() const { return peak_; }

  // ---- kernels: the table, filled by each kind; the stream argument is `stream`.
#define JNAS_OP(name, params, args) int (*name)(JNAS_UNPAREN params, void* stream) = nullptr;
#include "backend_ops.def"
#undef JNAS_OP
  void* stream = nullptr;

 protected:
  explicit Backend(std::string kind, bool dry = false) : kind_(std::move(kind)), dry_(dry) {}
  void count(int64_t delta) {
    bytes_ += delta;
    if (bytes_ > peak_) peak_ = bytes_;
  }

 private:
  std::string kind_;
  bool dry_;
  int64_t bytes_ = 0, peak_ = 0;
};

// The C handle (jnas_backend*, declared but never defined in jnas.h) is the Backend.
inline Backend* from_handle(jnas_backend* h) { return reinterpret_cast<Backend*>(h); }
inline jnas_backend* to_handle(Backend* b) { return reinterpret_cast<jnas_backend*>(b); }

// Makes a backend of a kind (see above); throws std::invalid_argument for an
// unknown kind and std::runtime_error (with the reason) where CUDA is unusable.
Backend* make_backend(const std::string& kind, int device);

// This thread's last error message (jnas_last_error).
void set_last_error(const std::string& msg);

// Runs f; returns JNAS_OK, or JNAS_E_ALLOC / JNAS_E_ARG with the message kept as
// the thread's last error (prefixed with what).
int guard(const char* what, const std::function<void()>& f);

}  // namespace jnas
