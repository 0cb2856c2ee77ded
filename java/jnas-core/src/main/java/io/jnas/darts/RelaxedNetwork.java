package io.jnas.darts;

import io.jnas.tensor.IntTensor;
import io.jnas.tensor.Tensor;

/**
 * A weight-shared search network whose architecture is relaxed: every edge the weighted sum of
 * its candidate ops, the weights set from outside ({@link #setArchWeights}) and their gradient
 * read back ({@link #archGradient}). What DARTS and GDAS need of a network; implemented by the
 * NAS-Bench-201 search network and the DARTS search network.
 */
public interface RelaxedNetwork {
  /** Candidate ops per edge (the architecture weights come in groups of this size). */
  int opsPerEdge();

  /** Architecture weights: edges x {@link #opsPerEdge()}. */
  int archSize();

  /** Sets the architecture weights; an op of weight 0 is not computed. */
  void setArchWeights(float[] w);

  /** After {@link #lossAndGradients}: d loss / d architecture weights. */
  float[] archGradient();

  /** Forward and backward of the relaxed network on a batch (no update); returns the loss. */
  float lossAndGradients(Tensor images, IntTensor labels);

  /** One SGD step of the weights on a batch at the current architecture weights; returns the loss and hits. */
  float[] trainStep(Tensor images, IntTensor labels, float lr, float momentum, float weightDecay, float gradClip, long seed);

  /** A copy of the weights. */
  float[] weights();

  /** Overwrites the weights. */
  void setWeights(float[] w);

  /** A copy of the weights' gradients (after {@link #lossAndGradients}). */
  float[] gradients();
}
