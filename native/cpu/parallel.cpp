// parallel.cpp: the thread pool behind parallel_for (see parallel.h).
#include "parallel.h"
#include "jnas.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace jnas {
namespace {

class Pool {
 public:
  ~Pool() { resize(1); }

  int size() {
    std::lock_guard<std::mutex> g(api_);
    return (int)workers_.size() + 1;
  }

  void resize(int n) {
    std::lock_guard<std::mutex> g(api_);
    n = std::max(1, n);
    if ((int)workers_.size() + 1 == n) return;
    stop_workers();
    // a new worker must not take the last region (long finished, task_ null) for a new one
    uint64_t now;
    {
      std::lock_guard<std::mutex> l(m_);
      now = generation_;
    }
    for (int i = 1; i < n; i++) workers_.emplace_back([this, i, now] { loop(i, now); });
  }

  // Runs task(i) for i in [0, n_tasks), task 0 on the caller.
  void run(int n_tasks, const std::function<void(int)>& task) {
    std::lock_guard<std::mutex> g(api_);
    int n_workers = std::min<int>((int)workers_.size(), n_tasks - 1);
    {
      std::lock_guard<std::mutex> l(m_);
      task_ = &task;
      active_ = n_workers;
      remaining_ = n_workers;
      generation_++;
    }
    cv_.notify_all();
    in_pool_ = true;
    task(0);
    for (int i = n_workers + 1; i < n_tasks; i++) task(i);  // pool shrank meanwhile
    in_pool_ = false;
    std::unique_lock<std::mutex> l(m_);
    done_.wait(l, [this] { return remaining_ == 0; });
    task_ = nullptr;
  }

  static thread_local bool in_pool_;

 private:
  void loop(int id, uint64_t seen) {
    in_pool_ = true;
    for (;;) {
      const std::function<void(int)>* task;
      {
        std::unique_lock<std::mutex> l(m_);
        cv_.wait(l, [&] { return quit_ || generation_ != seen; });
        if (quit_) return;
        seen = generation_;
        if (id > active_) continue;
        task = task_;
      }
      (*task)(id);
      std::lock_guard<std::mutex> l(m_);
      if (--remaining_ == 0) done_.notify_one();
    }
  }

  void stop_workers() {
    {
      std::lock_guard<std::mutex> l(m_);
      quit_ = true;
    }
    cv_.notify_all();
    for (auto& t : workers_) t.join();
    workers_.clear();
    quit_ = false;
  }

  std::mutex api_;  // one parallel region at a time
  std::mutex m_;
  std::condition_variable cv_, done_;
  std::vector<std::thread> workers_;
  const std::function<void(int)>* task_ = nullptr;
  uint64_t generation_ = 0;
  int active_ = 0, remaining_ = 0;
  bool quit_ = false;
};

thread_local bool Pool::in_pool_ = false;

Pool& pool() {
  static Pool* p = [] {
    auto* q = new Pool();  // never destroyed: workers may outlive static teardown order
    unsigned hc = std::thread::hardware_concurrency();
    q->resize(hc == 0 ? 1 : (int)hc);
    return q;
  }();
  return *p;
}

}  // namespace

// A thread's own count (0: the pool's): lets two searches in one process use different
// thread counts, each deterministic for its own count (the chunking follows the count; a
// count above the pool's size runs its extra chunks on the caller).
thread_local int t_local_threads = 0;

int num_threads() { return t_local_threads > 0 ? t_local_threads : pool().size(); }
void set_num_threads(int n) { pool().resize(n); }
void set_local_threads(int n) { t_local_threads = n > 0 ? n : 0; }

int parallel_chunks(int64_t n, int64_t grain) {
  if (n <= 0) return 0;
  int64_t by_grain = (n + std::max<int64_t>(grain, 1) - 1) / std::max<int64_t>(grain, 1);
  int t = Pool::in_pool_ ? 1 : num_threads();
  return (int)std::max<int64_t>(1, std::min<int64_t>(t, by_grain));
}

void chunk_bounds(int64_t n, int chunks, int i, int64_t* begin, int64_t* end) {
  int64_t base = n / chunks, extra = n % chunks;
  *begin = i * base + std::min<int64_t>(i, extra);
  *end = *begin + base + (i < extra ? 1 : 0);
}

void parallel_for_chunks(int64_t n, int chunks, const std::function<void(int, int64_t, int64_t)>& fn) {
  if (chunks <= 0) return;
  if (chunks == 1) {
    fn(0, 0, n);
    return;
  }
  pool().run(chunks, [&](int i) {
    int64_t b, e;
    chunk_bounds(n, chunks, i, &b, &e);
    if (b < e) fn(i, b, e);
  });
}

void parallel_for(int64_t n, const std::function<void(int64_t, int64_t)>& fn, int64_t grain) {
  int chunks = parallel_chunks(n, grain);
  parallel_for_chunks(n, chunks, [&](int, int64_t b, int64_t e) { fn(b, e); });
}

}  // namespace jnas

extern "C" {
void jnas_cpu_set_num_threads(int n) { jnas::set_num_threads(n); }
int jnas_cpu_get_num_threads(void) { return jnas::num_threads(); }
void jnas_cpu_set_local_threads(int n) { jnas::set_local_threads(n); }
}
