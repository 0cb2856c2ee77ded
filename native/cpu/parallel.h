// parallel.h: a small persistent thread pool for the CPU kernels' loops.
//
// parallel_for(n, fn) splits [0, n) into at most num_threads() contiguous,
// equal chunks and calls fn(begin, end) once per chunk, the calling thread
// taking the first. The split depends only on n and the thread count, so a
// kernel whose chunks write disjoint outputs is deterministic for a fixed
// thread count. Reductions must be done per chunk then combined in chunk
// order by the caller (see parallel_chunks).
//
// Nested calls run serially on the calling thread (no oversubscription).
#pragma once
#include <cstdint>
#include <functional>

namespace jnas {

// The thread count of kernels called from this thread: its own (set_local_threads) or the pool's.
int num_threads();
void set_num_threads(int n);
void set_local_threads(int n);

// fn(begin, end) for each chunk of [0, n); runs inline when n < grain or one thread.
void parallel_for(int64_t n, const std::function<void(int64_t, int64_t)>& fn, int64_t grain = 1);

// Number of chunks parallel_for(n, ..., grain) uses, and the bounds of chunk i,
// so a caller can keep per-chunk partial sums and add them in a fixed order.
int parallel_chunks(int64_t n, int64_t grain = 1);
void chunk_bounds(int64_t n, int chunks, int i, int64_t* begin, int64_t* end);
void parallel_for_chunks(int64_t n, int chunks, const std::function<void(int, int64_t, int64_t)>& fn);

}  // namespace jnas
