/**
 * Training: schedules and checkpoints shared by the search and the final training, and the
 * final training itself: {@link io.jnas.train.FinalNetwork} (a genotype built as a native network
 * to train from scratch), {@link io.jnas.train.Trainer} (ENAS's final-training recipe into a run
 * folder, with resume) and {@link io.jnas.train.WeightsFile} ({@code weights.jnw}; the fields every
 * weights file shares, whatever network it holds, in {@link io.jnas.train.WeightsHeader}; what it says of its classifier, in {@link io.jnas.train.TrainedWeights}).
 */
package io.jnas.train;
