package io.jnas.api;

import io.jnas.enas.EnasArch;
import io.jnas.genotype.Genotype;
import java.util.Map;
import java.util.Optional;

/**
 * The result of an ENAS search so far (the typed form of {@code result.json}).
 *
 * @param status how the run ended
 * @param epochsDone epochs completed (a cancelled epoch does not count)
 * @param epochs epochs planned
 * @param found the derived architecture, or null before the first derivation
 * @param heldOutAccuracy its accuracy with the shared weights on held-out validation images (NaN: none yet)
 * @param randomMeanAccuracy the mean accuracy of 20 random architectures on the same images (NaN: none yet)
 * @param chanceAccuracy 1 / classes
 * @param verdict {@code better}, {@code within_noise} or {@code worse} than random, or null before the first derivation
 * @param seconds wall time of the search so far
 */
public record EnasResult(Status status, int epochsDone, int epochs, EnasArch found, double heldOutAccuracy,
    double randomMeanAccuracy, double chanceAccuracy, String verdict, double seconds) implements SearchResult {

  @Override
  public Optional<Genotype> best() {
    return found == null ? Optional.empty() : Optional.of(Genotype.of(found));
  }

  @Override
  public double bestAccuracy() {
    return heldOutAccuracy;
  }

  /** The result of {@code EnasSearch.runUntil}'s map. */
  static EnasResult of(Map<String, Object> r, int nodes, Status status, double seconds) {
    EnasArch arch = null;
    double acc = Double.NaN, rnd = Double.NaN;
    if (r.get("found") instanceof Map<?, ?> f) {
      arch = EnasArch.parse((String) f.get("arc"), nodes);
      acc = ((Number) f.get("held_out_accuracy")).doubleValue();
      rnd = ((Number) f.get("random_mean_accuracy")).doubleValue();
    }
    return new EnasResult(status, ((Number) r.get("epochs_done")).intValue(), ((Number) r.get("epochs")).intValue(), arch, acc, rnd,
        ((Number) r.get("chance_accuracy")).doubleValue(), (String) r.get("verdict"), seconds);
  }
}
