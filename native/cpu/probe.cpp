// probe.cpp: the activation-pattern kernel of NASWOT (Mellor et al. 2021), CPU.
//
//   K (B, B) += for every pair of samples (i, j) the number of features f of x (B, F) where
//               x[i, f] > 0 and x[j, f] > 0, or x[i, f] <= 0 and x[j, f] <= 0
// i.e. F minus the Hamming distance of the two samples' binary codes (x > 0): the
// c c^T + (1 - c)(1 - c)^T of the NASWOT code, summed over every ReLU of a network.
// K is accumulated in float: exact while an entry stays below 2^24 (F summed over the ReLUs).
// The codes are packed 64 features to a word; rows of K are split over the threads.
#include <cstdint>
#include <vector>

#include "jnas.h"
#include "parallel.h"

extern "C" {

int jnas_cpu_binary_code_gram(float* K,        // (B, B), +=
                              const float* x,  // (B, F)
                              int B, int64_t F) {
  if (B < 1 || F < 0) return JNAS_E_ARG;
  const int64_t words = (F + 63) / 64;
  std::vector<uint64_t> codes((size_t)B * words, 0);
  jnas::parallel_for(B, [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; b++) {
      const float* xb = x + b * F;
      uint64_t* cb = codes.data() + b * words;
      for (int64_t f = 0; f < F; f++)
        if (xb[f] > 0.f) cb[f >> 6] |= 1ull << (f & 63);
    }
  });
  jnas::parallel_for(B, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; i++) {
      const uint64_t* ci = codes.data() + i * words;
      for (int j = 0; j < B; j++) {
        const uint64_t* cj = codes.data() + (int64_t)j * words;
        int64_t diff = 0;
        for (int64_t w = 0; w < words; w++) diff += __builtin_popcountll(ci[w] ^ cj[w]);
        K[i * B + j] += (float)(F - diff);
      }
    }
  });
  return JNAS_OK;
}

}  // extern "C"
