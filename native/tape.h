// tape.h: a minimal reverse-mode tape over the jnas_cpu_* ops, for whole
// networks run natively in one call (the ENAS supernet step, the final network).
//
// Forward ops execute at once and, while recording, push a closure that runs
// their backward. backward() replays the closures in reverse. Activations and
// their gradients live in an Arena that is reset every step, so a step
// allocates nothing once the arena has grown to the largest path.
//
// Parameters live outside the tape: one float buffer for all weights, one for
// their gradients (see ParamStore), so zeroing, clipping, the optimizer step
// and checkpointing are one call each.
//
// Gradient rule (as jnas.h): backward closures ADD into gradient buffers.
// Activation gradients are allocated zeroed on first use; an activation marked
// needs_grad=false (the input images) gets none.
#pragma once

#include <cstdint>
#include <cstring>
#include <deque>
#include <functional>
#include <memory>
#include <map>
#include <string>
#include <vector>

#include "jnas.h"

namespace jnas {

struct Shape {
  int B, C, H, W;
  int64_t n() const { return (int64_t)B * C * H * W; }
  int HW() const { return H * W; }
};

// Bump allocator of float storage; reset() keeps the memory.
class Arena {
 public:
  float* alloc(int64_t n);   // uninitialized
  float* zalloc(int64_t n);  // zeroed
  void reset();
  int64_t bytes_reserved() const;

 private:
  struct Block {
    std::unique_ptr<float[]> mem;
    int64_t cap = 0, used = 0;
  };
  std::vector<Block> blocks_;
  size_t cur_ = 0;
};

struct Act {
  Shape s;
  float* data = nullptr;   // (B, C, H, W)
  float* grad = nullptr;   // (B, C, H, W), allocated by Tape::grad
  bool needs_grad = true;
};

// A parameter: a slice of the ParamStore's buffers.
struct Param {
  int64_t offset = -1, n = 0;
  float* w = nullptr;  // (n) weights
  float* g = nullptr;  // (n) gradients
};

// All parameters of a network in one allocation (weights, gradients, momentum).
class ParamStore {
 public:
  enum Init { HE_NORMAL, ONES, ZEROS };
  // Registers a parameter; fan_in sets the He-normal std sqrt(2/fan_in).
  int add(const std::string& name, int64_t n, Init init, int64_t fan_in = 1);
  // Allocates the buffers and initializes the weights from seed.
  void finalize(uint64_t seed);
  Param get(int id) const;
  int64_t size() const { return total_; }
  int count() const { return (int)names_.size(); }
  const std::string& name(int id) const { return names_[id]; }
  int64_t offset(int id) const { return offsets_[id]; }
  int64_t numel(int id) const { return sizes_[id]; }
  // One optimizer step over the whole store (the supernet's and the final network's): the
  // gradients' global norm into *grad_norm, clipped to grad_clip where positive and exceeded,
  // then Nesterov SGD with weight decay. Throws on a kernel error.
  void clip_and_sgd(float lr, float momentum, float weight_decay, float grad_clip, float* grad_norm);
  // The C API's tensor_info: name (truncated to name_len - 1 chars), offset and size of
  // tensor index; JNAS_E_ARG for an index out of range.
  int info(int index, char* name, int name_len, int64_t* offset, int64_t* size) const {
    if (index < 0 || index >= count()) return JNAS_E_ARG;
    if (name_len > 0) {
      std::strncpy(name, names_[index].c_str(), name_len - 1);
      name[name_len - 1] = 0;
    }
    *offset = offsets_[index];
    *size = sizes_[index];
    return JNAS_OK;
  }
  float* weights() { return w_.data(); }
  float* grads() { return g_.data(); }
  float* momentum() { return m_.data(); }

 private:
  std::vector<std::string> names_;
  std::vector<int64_t> offsets_, sizes_, fan_in_;
  std::vector<Init> inits_;
  int64_t total_ = 0;
  std::vector<float> w_, g_, m_;
};

class Tape {
 public:
  Arena arena;
  bool recording = true;
  // Multiply-adds x 2 of the forward ops since the last reset (convolutions,
  // linear layers; pooling and elementwise ops count one per output element).
  double flops = 0;

  Act* input(Shape s, const float* data);  // copies data; needs_grad = false
  Act* act(Shape s);                       // uninitialized output
  float* grad(Act* a);                     // the gradient buffer, allocated zeroed
  float* grad_or_null(Act* a) { return a->needs_grad ? grad(a) : nullptr; }
  void push(std::function<void()> f) {
    if (recording) backward_.push_back(std::move(f));
  }
  // Per-op wall time when the environment has JNAS_PROFILE=1: op -> (forward s, backward s, calls).
  struct Prof {
    double fwd = 0, bwd = 0;
    long calls = 0;
  };
  std::map<std::string, Prof> profile;
  bool profiling = false;
  // Runs f, charging its time to op's forward; wraps the backward closure likewise.
  void timed(const char* op, const std::function<void()>& f);
  void push_timed(const char* op, std::function<void()> f);
  std::string profile_table() const;
  void backward();
  void reset();

  // ---- ops (shapes follow jnas.h; every op records its backward) ----
  Act* relu(Act* x);
  Act* conv(Act* x, const Param& w, int C_out, int K, int stride, int pad);
  Act* sepconv(Act* x, const Param& dw, const Param& pw, int K, int stride, int pad, int dilation);
  Act* batchnorm(Act* x, const Param& gamma, const Param& beta);  // batch statistics
  Act* avgpool(Act* x, int K, int stride, int pad);
  Act* maxpool(Act* x, int K, int stride, int pad);
  Act* add(Act* a, Act* b);
  Act* sum(const std::vector<Act*>& xs);
  Act* factorized_reduce(Act* x, const Param& w1, const Param& w2, int C_out);
  Act* global_avgpool(Act* x);  // (B, C, 1, 1)
  Act* dropout(Act* x, float keep_prob, uint64_t seed);
  Act* linear(Act* x, const Param& w, const Param* b, int OC);  // x (B, IC, 1, 1) -> (B, OC, 1, 1)
  // Mean softmax cross-entropy; records the backward seed. *correct = argmax hits.
  float xent(Act* logits, const int32_t* labels, int* correct);

  // ---- final-network ops (tape_final.cpp)
  // Batch norm with running statistics: training uses the batch statistics and,
  // where running_mean/running_var (C each) are non-NULL, moves them (momentum
  // 0.1, PyTorch's rule); !training normalizes with the running statistics and
  // records no backward.
  Act* batchnorm_rs(Act* x, const Param& gamma, const Param& beta, float* running_mean, float* running_var,
                    bool training);
  // Any conv2d of jnas.h: w (C_out, C_in/groups, KH, KW); no bias.
  Act* conv_general(Act* x, const Param& w, int C_out, int KH, int KW, int stride, int pad_h, int pad_w,
                    int dilation, int groups);
  // One keep/drop draw per sample, kept samples scaled by 1/keep_prob; keep_prob >= 1 returns x.
  Act* drop_path(Act* x, float keep_prob, uint64_t seed);
  // Channel concat of same-(B, H, W) activations.
  Act* concat(const std::vector<Act*>& xs);
  // A zero activation (needs_grad = false): the 'none' op.
  Act* zeros(Shape s);
  // xent whose backward seed is `weight` (an auxiliary loss term); returns the unweighted loss.
  float xent_weighted(Act* logits, const int32_t* labels, float weight, int* correct);

 private:
  std::deque<Act> acts_;
  std::vector<std::function<void()>> backward_;
};

}  // namespace jnas
