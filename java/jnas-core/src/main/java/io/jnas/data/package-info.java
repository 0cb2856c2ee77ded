/**
 * Image classification data for the search: in-memory data sets, loaders, splits,
 * augmentation and a background batch loader.
 *
 * <p>Typical use in a search loop:
 * <pre>{@code
 * DataSource src = Datasets.open(spec);              // "synthetic", or a CIFAR-10 / MNIST folder
 * Splits s = src.splits();                           // train / validation held out of the train files
 * try (BatchLoader train = BatchLoader.builder(s.train()).batchSize(64).seed(seed)
 *          .augmentation(src.trainAugmentation()).dropLast(true).build();
 *      BatchLoader val = BatchLoader.builder(s.validation()).batchSize(256).shuffle(false)
 *          .augmentation(src.evalAugmentation()).build()) {
 *   for (int epoch = 0; epoch < epochs; epoch++) {
 *     try (BatchLoader.Epoch it = train.epoch(epoch)) {   // or train.epoch(epoch, k) to resume at batch k
 *       int n;
 *       while ((n = it.next(x, y)) > 0) { ... }      // x: Tensor (B, C, H, W), y: IntTensor (B)
 *     }
 *   }
 * }
 * }</pre>
 *
 * <p>Randomness (shuffling, subsets, augmentation, synthetic images) comes from explicit
 * seeds: batch k of epoch e depends only on (seed, epoch, k), never on thread timing. The test
 * set is kept apart and is never used by a search.
 */
package io.jnas.data;
