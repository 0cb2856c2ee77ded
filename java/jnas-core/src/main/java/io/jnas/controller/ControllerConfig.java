package io.jnas.controller;

/**
 * Shape and logit shaping of an {@link LstmController}.
 *
 * @param hidden LSTM units {@code H} (ENAS micro: 32 with two layers; here one layer, default 64)
 * @param tanhConstant {@code C} in {@code C * tanh(u / T)} for attention logits; 0 turns the
 *     tanh squashing off (logits {@code u / T})
 * @param opTanhReduce op logits use {@code C / opTanhReduce} instead of {@code C} (ENAS: 2.5)
 * @param temperature {@code T}, dividing raw logits before the tanh (1 = none)
 * @param initRange weights start uniform in {@code [-initRange, initRange]} (ENAS: 0.1)
 */
public record ControllerConfig(int hidden, double tanhConstant, double opTanhReduce, double temperature,
    double initRange) {
  /** Checks ranges. */
  public ControllerConfig {
    if (hidden < 1) throw new IllegalArgumentException("hidden must be >= 1, got " + hidden);
    if (!(tanhConstant >= 0)) throw new IllegalArgumentException("tanhConstant must be >= 0, got " + tanhConstant);
    if (!(opTanhReduce > 0)) throw new IllegalArgumentException("opTanhReduce must be > 0, got " + opTanhReduce);
    if (!(temperature > 0)) throw new IllegalArgumentException("temperature must be > 0, got " + temperature);
    if (!(initRange >= 0)) throw new IllegalArgumentException("initRange must be >= 0, got " + initRange);
  }

  /** The ENAS micro search values: 64 units, tanh constant 1.10, op tanh reduce 2.5, no temperature, init 0.1. */
  public static ControllerConfig enas() {
    return new ControllerConfig(64, 1.10, 2.5, 1.0, 0.1);
  }

  /** This config with another hidden size. */
  public ControllerConfig withHidden(int h) {
    return new ControllerConfig(h, tanhConstant, opTanhReduce, temperature, initRange);
  }

  /** This config with another tanh constant and op tanh reduce. */
  public ControllerConfig withTanh(double constant, double opReduce) {
    return new ControllerConfig(hidden, constant, opReduce, temperature, initRange);
  }

  /** This config with another temperature. */
  public ControllerConfig withTemperature(double t) {
    return new ControllerConfig(hidden, tanhConstant, opTanhReduce, t, initRange);
  }

  /** This config with another init range. */
  public ControllerConfig withInitRange(double r) {
    return new ControllerConfig(hidden, tanhConstant, opTanhReduce, temperature, r);
  }
}
