// rng.h: the counter-based random numbers of dropout and drop-path.
//
// A draw is a pure function of (seed, index): no state, no sequence, so any
// thread (or CUDA thread) can draw element i on its own and the CPU and GPU
// backends produce the same masks. The formula is SplitMix64 (Steele, Lea,
// Flood 2014): the i-th output of a SplitMix64 stream seeded with mix(seed),
//   jnas_hash(seed, i) = mix(mix(seed) + (i + 1) * GOLDEN)
// where mix is SplitMix64's finalizer (variant 13 of Stafford's mixers).
// jnas_uniform takes the top 24 bits, a float in [0, 1) exact in float32.
//
// Header-only and free of host-only calls so that cuda/*.cu can include it;
// JNAS_HD marks the functions __host__ __device__ under nvcc.
#pragma once
#include <stdint.h>

#if defined(__CUDACC__)
#define JNAS_HD __host__ __device__ __forceinline__
#else
#define JNAS_HD inline
#endif

namespace jnas {

constexpr uint64_t kGolden = 0x9e3779b97f4a7c15ULL;

// SplitMix64's output function: a bijection on 64 bits with full avalanche.
JNAS_HD uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// 64 random bits for element `index` of the stream named by `seed`.
JNAS_HD uint64_t hash64(uint64_t seed, uint64_t index) {
  return mix64(mix64(seed + kGolden) + (index + 1) * kGolden);
}

// A float uniform in [0, 1) on the grid k / 2^24.
JNAS_HD float uniform(uint64_t seed, uint64_t index) {
  return (float)(hash64(seed, index) >> 40) * (1.0f / 16777216.0f);
}

// The mask value of a dropout draw: 0 with probability 1 - keep_prob, else
// 1 / keep_prob (inverted dropout: the expectation of inp * mask is inp).
JNAS_HD float keep_mask(uint64_t seed, uint64_t index, float keep_prob) {
  return uniform(seed, index) < keep_prob ? 1.0f / keep_prob : 0.0f;
}

}  // namespace jnas
