/** Native-memory tensors: {@link io.jnas.tensor.Tensor} (float32) and {@link io.jnas.tensor.IntTensor}. */
package io.jnas.tensor;
