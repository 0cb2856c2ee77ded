package io.jnas.api;

/**
 * The end of an epoch, as a {@link SearchListener} hears it.
 *
 * @param trial the trial's id (multi-trial search), or 0 (ENAS)
 * @param epoch the epoch, from 1
 * @param epochs epochs in all
 * @param trainLoss mean training loss of the epoch (NaN where not measured)
 * @param trainAccuracy mean training accuracy of the epoch (NaN where not measured)
 * @param validationAccuracy validation accuracy: the trial's after the epoch (multi-trial), or the
 *     mean over the controller's samples with the shared weights (ENAS; NaN without controller steps)
 */
public record EpochEvent(int trial, int epoch, int epochs, double trainLoss, double trainAccuracy, double validationAccuracy) {}
