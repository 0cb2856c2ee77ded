// tape.h: a reverse-mode tape over a backend's kernels, for whole networks
// run natively in one call (the ENAS supernet step, the final network).
//
// Forward ops execute at once through the Backend's kernel table and, while
// recording, push a closure that runs their backward. backward() replays the
// closures in reverse. Activations and their gradients share one pool of
// backend buffers kept by size across steps (small per-op state such as batch
// statistics and pooling indices in an Arena reset every step), so a step
// allocates nothing once the pool has grown to the widest path. A buffer goes
// back to the pool as soon as nothing reads it: an activation when the network
// releases it in the forward or when the last backward that reads it has run,
// a gradient once its producer's backward has run. A training batch norm's
// output is not kept for the backward at all where the network releases it:
// the backward that reads it rebuilds it from the norm's input and statistics
// (Act::remake), bit for bit. Nothing here reads or writes
// backend memory on the host (backend.h states the rule): data crosses only
// through Tape::input / Tape::labels and the backend's copies.
//
// Parameters live outside the tape: one backend buffer for all weights, one
// for their gradients, one for the momentum (see ParamStore), so zeroing,
// clipping, the optimizer step and checkpointing are one call each.
//
// Gradient rule (as jnas.h): backward closures ADD into gradient buffers.
// Activation gradients are allocated zeroed on first use; an activation marked
// needs_grad=false (the input images, a zero op) gets none.
//
// Plans: while `plan` is set, every op also appends a PlanStep (op, inputs,
// output shape, parameter ids, attributes, scope), which is how the networks
// describe themselves to the ONNX export and the diagrams (jnas_net_plan).
#pragma once

#include <cstdint>
#include <cstring>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <unordered_map>
#include <string>
#include <utility>
#include <vector>

#include "backend.h"
#include "jnas.h"

namespace jnas {

struct Shape {
  int B, C, H, W;
  int64_t n() const { return (int64_t)B * C * H * W; }
  int HW() const { return H * W; }
};

// Bump allocator of backend memory (floats); reset() keeps the memory.
class Arena {
 public:
  explicit Arena(Backend* be) : be_(be) {}
  ~Arena();
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;
  float* alloc(int64_t n);   // uninitialized
  float* zalloc(int64_t n);  // zeroed
  void reset();
  int64_t bytes_reserved() const;

 private:
  struct Block {
    float* mem = nullptr;
    int64_t cap = 0, used = 0;
  };
  void release();
  Backend* be_;
  std::vector<Block> blocks_;
  size_t cur_ = 0;
};

// Backend buffers by size, for activations' data (taken as is) and their gradients (taken
// zeroed), each with a reference count: an alias (a sum's single-use input sharing the sum's
// gradient) holds one more. A released buffer serves the next take of its size, whether data
// or gradient; buffers are kept across steps, so a step's working set is its widest point and
// stays warm in cache.
class BufferPool {
 public:
  explicit BufferPool(Backend* be) : be_(be) {}
  ~BufferPool();
  BufferPool(const BufferPool&) = delete;
  BufferPool& operator=(const BufferPool&) = delete;
  float* take(int64_t n, bool zero = true);  // zeroed unless !zero, one reference
  void retain(float* p);
  void release(float* p);
  void reset();  // every buffer free again (a new step)
  int64_t bytes_reserved() const;

 private:
  Backend* be_;
  std::unordered_map<int64_t, std::vector<float*>> free_;  // by size in floats
  std::unordered_map<float*, int64_t> sizes_;              // every buffer
  std::unordered_map<float*, int> refs_;                   // the taken ones
};

struct Act {
  Shape s;
  float* data = nullptr;  // (B, C, H, W) backend memory; NULL once released (Tape::release)
  float* grad = nullptr;  // (B, C, H, W), allocated by Tape::grad
  bool needs_grad = true;
  bool kept = false;      // a recorded backward reads data: it lives until that backward has run
  int readers = 0;        // recorded backwards that read data and have not run yet
  // Set where the data can be rebuilt from what the tape keeps anyway (a training batch norm's
  // output, from its input and statistics): such an activation is not kept for the backwards
  // that read it; the network may release it, and the backward rebuilds it (once) when the
  // first of them runs.
  std::function<void(float*)> remake;
  int id = -1;    // value id in a plan
  int uses = 0;   // ops that read it so far (forward): a gradient with one reader may alias
};

// A parameter: a slice of the ParamStore's buffers.
struct Param {
  int id = -1;
  int64_t offset = -1, n = 0;
  float* w = nullptr;  // (n) weights, backend memory
  float* g = nullptr;  // (n) gradients, backend memory
};

// All parameters of a network in one allocation each (weights, gradients, momentum).
class ParamStore {
 public:
  enum Init { HE_NORMAL, ONES, ZEROS };
  explicit ParamStore(Backend* be) : be_(be) {}
  ~ParamStore();
  ParamStore(const ParamStore&) = delete;
  ParamStore& operator=(const ParamStore&) = delete;
  // Registers a parameter; fan_in sets the He-normal std sqrt(2/fan_in).
  int add(const std::string& name, int64_t n, Init init, int64_t fan_in = 1);
  // Allocates the buffers and initializes the weights from seed (one stream per
  // parameter: adding a parameter does not shift the others).
  void finalize(uint64_t seed);
  Param get(int id) const;
  int64_t size() const { return total_; }
  int count() const { return (int)names_.size(); }
  const std::string& name(int id) const { return names_[id]; }
  int64_t offset(int id) const { return offsets_[id]; }
  int64_t numel(int id) const { return sizes_[id]; }
  // One optimizer step over the whole store (the supernet's and the final network's): the
  // gradients' global norm into norm (1, backend memory), clipped to grad_clip where positive
  // and exceeded, then Nesterov SGD with weight decay. Throws on a kernel error.
  void clip_and_sgd(float lr, float momentum, float weight_decay, float grad_clip, float* norm);
  // The C API's tensor_info: name (truncated to name_len - 1 chars), offset and size of
  // tensor index; JNAS_E_ARG for an index out of range.
  int info(int index, char* name, int name_len, int64_t* offset, int64_t* size) const;
  float* weights() { return w_; }
  float* grads() { return g_; }
  float* momentum() { return m_; }

 private:
  Backend* be_;
  std::vector<std::string> names_;
  std::vector<int64_t> offsets_, sizes_, fan_in_;
  std::vector<Init> inits_;
  int64_t total_ = 0;
  float *w_ = nullptr, *g_ = nullptr, *m_ = nullptr;
};

// Batch-norm parameters as the tape sees them.
struct BNRef {
  Param gamma, beta;
  float* running = nullptr;  // (2C) backend memory: running mean then running var, or NULL
  int64_t running_offset = -1;  // where `running` starts in the network's statistics buffer
};

// ---- plans (jnas_net_plan)
struct PlanStep {
  std::string op, scope;
  std::vector<int> in;
  int out = -1;
  Shape shape{};  // the output's, batch 1
  std::vector<std::pair<std::string, int>> params;    // role -> parameter id
  std::vector<std::pair<std::string, double>> attrs;  // kernel sizes, strides, ...
  int64_t running = -1;  // batch norm: offset of its running mean in the statistics buffer
};

struct PlanCell {
  struct Edge {
    int from, to;  // states: 0, 1 the cell inputs, 2 + j node j
    std::string op;
    int stride;
  };
  std::string name;
  bool reduction;
  int C, H, W;  // per-node channels and output size
  int nodes;
  std::vector<Edge> edges;
  std::vector<int> outputs;  // the states the cell output combines
  std::string combine;       // "concat" or "sum_relu_conv1x1_bn" (ENAS's search cell)
  std::vector<int> concat_nodes;  // nodes that concatenate their two results (NASNet's concat combiner)
};

struct Plan {
  std::string network;
  int input = -1, output = -1;
  Shape input_shape{};
  std::vector<PlanStep> steps;
  std::vector<PlanCell> cells;
  std::string json(const ParamStore& ps) const;
};

class Tape {
 public:
  explicit Tape(Backend* be) : be(be), arena(be), pool_(be) {}
  Backend* be;
  Arena arena;
  bool recording = true;
  // Multiply-adds x 2 of the forward ops since the last reset (convolutions,
  // linear layers; pooling and elementwise ops count one per output element).
  double flops = 0;
  // Set while tracing a plan; ops append to it. `scope` names what the network is building.
  Plan* plan = nullptr;
  std::string scope;

  Act* input(Shape s, const float* host);  // copies host data in; needs_grad = false
  int32_t* labels(const int32_t* host, int B);  // copies B labels in
  Act* act(Shape s);                      // uninitialized output
  // The network's promise that no later op of this forward reads a: its data goes back to the
  // pool now, unless a recorded backward reads it (a->kept). A branch output that only feeds a
  // sum (whose backward reads no data) so lives from its op to the sum, not to the step's end.
  void release(Act* a);
  float* grad(Act* a);                    // the gradient buffer, taken zeroed from the pool
  float* grad_or_null(Act* a) { return a->needs_grad ? grad(a) : nullptr; }
  // x's gradient is y's (the same buffer, one more reference).
  void alias_grad(Act* x, Act* y);
  // Records an op's backward; `out` is the activation the op produced (its gradient is given
  // back once the closure has run), or NULL.
  // The activations passed to keep() since the last push are the ones this closure reads.
  void push(std::function<void()> f, Act* out = nullptr) {
    if (recording) backward_.push_back({std::move(f), out, std::move(reads_)});
    reads_.clear();
  }
  // Activation data and gradients together (one pool: see pool_).
  int64_t pool_bytes() const { return pool_.bytes_reserved(); }
  // Per-op wall time when the environment has JNAS_PROFILE=1: op -> (forward s, backward s, calls).
  struct Prof {
    double fwd = 0, bwd = 0;
    long calls = 0;
  };
  std::map<std::string, Prof> profile;
  bool profiling = false;
  // Runs f, charging its time to op's forward; wraps the backward closure likewise.
  void timed(const char* op, const std::function<void()>& f);
  void push_timed(const char* op, Act* out, std::function<void()> f);
  std::string profile_table() const;
  void backward();
  void reset();

  // ---- ops (shapes follow jnas.h; every op records its backward)
  Act* relu(Act* x);
  // Any conv2d of jnas.h: w (C_out, C_in/groups, KH, KW); no bias. relu_in: of ReLU(x), the
  // ReLU fused into the convolution (nothing stores its output; a plan shows it as a step).
  Act* conv(Act* x, const Param& w, int C_out, int KH, int KW, int stride, int pad_h, int pad_w, int dilation = 1,
            int groups = 1, bool relu_in = false);
  Act* sepconv(Act* x, const Param& dw, const Param& pw, int K, int stride, int pad, int dilation, bool relu_in = false);
  // training: batch statistics, and the running ones (bn.running) move when update_running;
  // !training: bn.running normalizes, no backward.
  Act* batchnorm(Act* x, const BNRef& bn, bool training, bool update_running);
  Act* avgpool(Act* x, int K, int stride, int pad);
  Act* maxpool(Act* x, int K, int stride, int pad);
  Act* add(Act* a, Act* b) { return sum({a, b}); }
  Act* sum(const std::vector<Act*>& xs);
  // Channel concat of same-(B, H, W) activations; one input is returned as is.
  Act* concat(const std::vector<Act*>& xs);
  Act* factorized_reduce(Act* x, const Param& w1, const Param& w2, int C_out);
  Act* global_avgpool(Act* x);  // (B, C, 1, 1)
  Act* dropout(Act* x, float keep_prob, uint64_t seed);
  // One keep/drop draw per sample, kept samples scaled by 1/keep_prob; keep_prob >= 1 returns x.
  Act* drop_path(Act* x, float keep_prob, uint64_t seed);
  Act* linear(Act* x, const Param& w, const Param* b, int OC);  // x (B, IC, 1, 1) -> (B, OC, 1, 1)
  // A relaxed op's weighted sum (DARTS's mixed op; GDAS): y = sum_k w[k] xs[k], shape s.
  // xs[k] NULL: op k was not computed (adds nothing). w: host weights (copied). dw: backend
  // (xs.size()) or NULL: the backward adds dL/dw[k] there (sum of dy where xs[k] is NULL).
  Act* mix(const std::vector<Act*>& xs, const std::vector<float>& w, float* dw, Shape s);
  // NASWOT's probe: while set (backend memory, (codes_B, codes_B)), every ReLU's input (relu,
  // and the ReLU fused into conv and sepconv) adds its binary-code gram there.
  float* codes = nullptr;
  // The 'none' op: zeros shaped like x at `stride` (needs_grad = false).
  Act* zeros(Act* x, int stride);
  // Mean softmax cross-entropy of logits against labels (backend memory) into *loss (1,
  // backend memory) and the argmax hits into *hits (1, backend memory, may be NULL); the
  // backward seed is `weight` (1 for the loss, 0.4 for an auxiliary head).
  void xent(Act* logits, const int32_t* labels, float weight, float* loss, int32_t* hits);

 private:
  // Counts the inputs' uses and, while tracing a plan, records the step. Every op calls it.
  void trace(const char* op, std::vector<Act*> in, Act* out, std::vector<std::pair<std::string, int>> params = {},
             std::vector<std::pair<std::string, double>> attrs = {}, int64_t running = -1);
  void ok(int code, const char* what);
  // A fused ReLU as a plan step of its own (the ONNX export and diagrams see a plain ReLU):
  // the value the consumer reads. Only while tracing; x itself otherwise.
  Act* traced_relu(Act* x, bool relu_in);
  struct Entry {
    std::function<void()> fn;
    Act* out;
    std::vector<Act*> reads;  // activations whose data fn reads (keep)
  };
  // NASWOT's probe of a ReLU's input (a no-op unless `codes` is set).
  void probe_relu(Act* x);
  // Marks x as read by the backward being recorded next (see Act::kept): its data lives until
  // the last such backward has run, or is rebuilt for it (Act::remake). pin: kept even so.
  void keep(Act* x, bool pin = false) {
    if (!recording) return;
    if (pin || !x->remake) x->kept = true;
    x->readers++;
    reads_.push_back(x);
  }
  // Before a backward that reads a: its data again if the network released it (Act::remake).
  void rebuild(Act* a);
  std::deque<Act> acts_;
  std::vector<Entry> backward_;
  std::vector<Act*> reads_;  // keep() since the last push
  // Activations' data and gradients, per size, in one pool: an activation's buffer goes back
  // when the network releases it (forward) or when the last backward that reads it has run,
  // and gradients taken later in the backward reuse it. Recycled every step.
  BufferPool pool_;
};

}  // namespace jnas
