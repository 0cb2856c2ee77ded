// linear.cpp: fully connected layer (CPU), the classifier head.
//   out    (B, OC) = inp (B, IC) x weight^T (IC, OC) + bias
//   inp    (B, IC)
//   weight (OC, IC)   (PyTorch's nn.Linear layout)
//   bias   (OC) or NULL
// Contract: forward OVERWRITES out; backward ADDS into dinp, dweight, dbias (NULL skips).
// All three products are single sgemm calls (beta = 1 in backward implements the
// gradient rule for free); OpenBLAS threads them. dbias is a serial column sum in
// batch order (OC*B is tiny next to the gemms), so every result is deterministic.
#include "jnas.h"

#include <cblas.h>

extern "C" {

int jnas_cpu_linear_forward(float* out, const float* inp, const float* weight, const float* bias,
                            int B, int IC, int OC) {
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, B, OC, IC, 1.f, inp, IC, weight, IC, 0.f,
              out, OC);
  if (bias) {
    for (int b = 0; b < B; b++) {
      float* o = out + (int64_t)b * OC;  // (OC)
      for (int j = 0; j < OC; j++) o[j] += bias[j];
    }
  }
  return JNAS_OK;
}

int jnas_cpu_linear_backward(float* dinp, float* dweight, float* dbias,
                             const float* dout, const float* inp, const float* weight,
                             int B, int IC, int OC) {
  // dinp (B, IC) += dout (B, OC) x weight (OC, IC)
  if (dinp) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, B, IC, OC, 1.f, dout, OC, weight, IC,
                1.f, dinp, IC);
  }
  // dweight (OC, IC) += dout^T (OC, B) x inp (B, IC)
  if (dweight) {
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, OC, IC, B, 1.f, dout, OC, inp, IC, 1.f,
                dweight, IC);
  }
  // dbias (OC) += column sums of dout (B, OC)
  if (dbias) {
    for (int b = 0; b < B; b++) {
      const float* d = dout + (int64_t)b * OC;  // (OC)
      for (int j = 0; j < OC; j++) dbias[j] += d[j];
    }
  }
  return JNAS_OK;
}

}  // extern "C"
