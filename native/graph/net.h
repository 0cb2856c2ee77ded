// net.h: what the supernet and the final network share: a backend, a parameter
// store, batch-norm running statistics, the tape, one step (jnas_net_run) and the
// plan (jnas_net_plan). A network only registers its parameters in its
// constructor and builds its forward on t() in forward(); everything else,
// including the C API of every network (jnas_net_* in jnas.h), lives here.
//
// A step on the tape (run):
//   reset the tape; zero the gradients (training); copy the batch in;
//   logits = forward(images); copy the logits out (where asked);
//   loss and hits (and the auxiliary head's loss, weight 0.4) into the
//   backend-side scalars; backward (training); clip + SGD (train step);
//   copy the scalars out: the only host reads of a step.
// Plans and FLOP counts run forward() on a dry backend's tape (t() points at
// it meanwhile): nothing is computed or touched.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "backend.h"
#include "jnas.h"
#include "tape.h"

namespace jnas {

class Net {
 public:
  Net(Backend* be, const char* kind, bool running_stats, int in_ch, int H, int W, int classes);
  virtual ~Net();
  Net(const Net&) = delete;
  Net& operator=(const Net&) = delete;

  // ---- what ops and networks use while registering parameters
  struct BN {
    int gamma = -1, beta = -1;
    int64_t rs = -1;  // offset of the running mean (C) then var (C) in buffer 3; -1 without statistics
  };
  int add(const std::string& name, int64_t n, ParamStore::Init init, int64_t fan_in = 1) {
    return ps_.add(name, n, init, fan_in);
  }
  BN bn(const std::string& prefix, int C);  // prefix.gamma, prefix.beta (+ running statistics)
  Param P(int id) const { return ps_.get(id); }

  // ---- what ops and networks use while building the forward
  // The tape in use: the network's own, or a dry trace's.
  Tape& t() { return *t_; }
  // Batch norm as this step wants it: batch statistics in training (moving the running
  // ones when asked) and always where the network keeps none (the supernet); the
  // running statistics in evaluation.
  Act* norm(Act* x, const BN& b);
  // The current step's settings.
  struct Step {
    int mode = JNAS_RUN_PREDICT;
    bool train = false, update_stats = false;
    const int32_t* normal = nullptr;  // the supernet's architecture (host)
    const int32_t* reduce = nullptr;
    float hyper[JNAS_HYPER_COUNT] = {0, 0, 0, 0, 1, 1, 0, 0};
    uint64_t seed = 0;
  };
  const Step& step() const { return st_; }
  // A cell's description for the plan; a no-op when not tracing.
  void describe(PlanCell cell) {
    if (t_->plan) t_->plan->cells.push_back(std::move(cell));
  }

  // ---- relaxed architectures (DARTS, GDAS): the networks that have them override these
  // Floats of the architecture weights (0: none).
  virtual int arch_size() const { return 0; }
  // Sets them (host, n = arch_size()); n = 0 clears them. Throws where the network has none.
  virtual void set_arch_weights(const float* w, int n);
  // After a training-mode run of the relaxed architecture: d loss / d weights (host, n floats).
  virtual void arch_grad(float* out, int n);

  // ---- probes (zero-cost proxies): a forward with batch statistics, nothing updated
  // NASWOT: K (B x B, host) = the sum over every ReLU of its input's binary-code gram.
  void relu_codes(const int32_t* normal, const int32_t* reduce, const float* images, int B, float* K);
  // Leaves d(seed * sum(logits))/d(weights) in buffer 1 (synflow's backward).
  void sum_backward(const int32_t* normal, const int32_t* reduce, const float* images, int B, float seed);

  // ---- the C API's work
  void run(int mode, const int32_t* normal, const int32_t* reduce, const float* images, const int32_t* labels, int B,
           const float* hyper, uint64_t seed, float* out, float* logits);
  std::string plan_json(const int32_t* normal, const int32_t* reduce);
  double flops(const int32_t* normal, const int32_t* reduce);
  int64_t buffer_size(int which) const;
  void get(int which, float* dst);
  void set(int which, const float* src);
  ParamStore& params() { return ps_; }
  Tape& own_tape() { return tape_; }
  int64_t arena_bytes() const { return tape_.arena.bytes_reserved() + tape_.pool_bytes(); }
  double last_flops() const { return tape_.flops; }

 protected:
  // Without batch norm every bn() registers nothing and norm() returns its input (call before
  // registering parameters).
  void set_batchnorm(bool on) { batchnorm_ = on; }
  // Allocates the parameters and the running statistics (call at the end of the constructor).
  void finalize(uint64_t seed);
  // Checks the architecture a step or trace is given (the supernet's); throws invalid_argument.
  virtual void check_arch(const int32_t* normal, const int32_t* reduce) const {}
  // Builds the forward on t() from the input images; returns logits (B, classes, 1, 1) and,
  // where the network has an auxiliary head and the step trains, its logits in *aux.
  virtual Act* forward(Act* images, Act** aux) = 0;

  Backend* be_;
  std::string kind_;
  bool running_stats_;
  bool batchnorm_ = true;
  int in_ch_, H_, W_, classes_;

 private:
  void trace(const int32_t* normal, const int32_t* reduce, Plan* plan, double* flops);
  ParamStore ps_;
  Tape tape_;
  Tape* t_ = &tape_;
  Step st_;
  float* rs_ = nullptr;  // (rs_size_) running statistics, backend memory
  int64_t rs_size_ = 0;
  std::vector<std::pair<int64_t, int>> var_ranges_;  // (offset, C) of each running variance: starts at 1
  float* scalars_ = nullptr;  // (8) backend memory: loss, aux loss, hits, aux hits, grad norm
};

// splitmix64-style mixing of a seed and a salt (the dropout and drop-path streams).
inline uint64_t mix(uint64_t a, uint64_t b) {
  uint64_t z = a * 0x9E3779B97F4A7C15ull + b + 0x632BE59BD9B4E019ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

}  // namespace jnas
