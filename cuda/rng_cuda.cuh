// rng_cuda.cuh: the counter-based random numbers of dropout and drop-path, GPU side.
//
// MUST EQUAL the CPU formula in native/cpu/rng.h (written on the `ops` branch,
// commit b0f3113; not on this branch yet). It is copied here, under its own
// namespace, only so that this branch builds and merges without a conflict;
// the integrator should delete this file and have cuda/dropout.cu include
// "rng.h" (which is already __host__ __device__-ready through JNAS_HD).
// cuda/test_ops.cu compares the masks bit for bit against the CPU's.
//
// A draw is a pure function of (seed, index): SplitMix64,
//   hash64(seed, i) = mix(mix(seed + GOLDEN) + (i + 1) * GOLDEN)
// uniform = top 24 bits / 2^24, in [0, 1); keep_mask = 1/keep_prob if
// uniform < keep_prob else 0 (inverted dropout).
#pragma once
#include <stdint.h>

namespace jnas_cuda_rng {

constexpr uint64_t kGolden = 0x9e3779b97f4a7c15ULL;

__host__ __device__ __forceinline__ uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

__host__ __device__ __forceinline__ uint64_t hash64(uint64_t seed, uint64_t index) {
  return mix64(mix64(seed + kGolden) + (index + 1) * kGolden);
}

__host__ __device__ __forceinline__ float uniform(uint64_t seed, uint64_t index) {
  return (float)(hash64(seed, index) >> 40) * (1.0f / 16777216.0f);
}

__host__ __device__ __forceinline__ float keep_mask(uint64_t seed, uint64_t index, float keep_prob) {
  return uniform(seed, index) < keep_prob ? 1.0f / keep_prob : 0.0f;
}

}  // namespace jnas_cuda_rng
