package io.jnas.train;

import io.jnas.data.Normalization;
import java.util.List;

/**
 * What every trained-weights file says about its classifier besides the network itself: the
 * images it takes, its classes and the normalization it was trained with. Implemented by
 * {@link WeightsFile} (a cell network), {@code io.jnas.enas.MacroWeightsFile} (an ENAS macro
 * network) and {@code io.jnas.nasbench.Nb201WeightsFile} (a NAS-Bench-201 network), so that
 * evaluation, prediction and export can treat them alike.
 */
public interface TrainedWeights {
  /** Image channels, height and width the network takes. */
  int[] inputShape();

  /** The number of classes. */
  int numClasses();

  /** The training normalization of pixels in [0, 1], or null. */
  Normalization normalization();

  /** One name per class. */
  List<String> classNames();
}
