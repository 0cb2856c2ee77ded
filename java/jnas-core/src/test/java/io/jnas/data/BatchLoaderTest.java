package io.jnas.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnas.tensor.IntTensor;
import io.jnas.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchLoaderTest {
  private static final Dataset DATA = SyntheticDataset.generate("s", 230, 4, 1);
  private static final Augmentation AUG = Augmentation.standard(Normalization.of(DATA)).withCutout(8);

  private static BatchLoader.Builder builder() {
    return BatchLoader.builder(DATA).batchSize(32).seed(17).augmentation(AUG);
  }

  /** All batches of epochs [0, epochs), from batch `from` of the first, copied. */
  private static List<float[]> collect(BatchLoader loader, int epoch, int from) {
    List<float[]> out = new ArrayList<>();
    try (BatchLoader.Epoch it = loader.epoch(epoch, from)) {
      BatchLoader.Batch b;
      while ((b = it.next()) != null) {
        float[] row = Arrays.copyOf(b.images(), b.images().length + b.labels().length + 2);
        for (int j = 0; j < b.labels().length; j++) row[b.images().length + j] = b.labels()[j];
        row[row.length - 2] = b.size();
        row[row.length - 1] = b.index();
        out.add(row);
      }
    }
    return out;
  }

  private static void assertSameBatches(List<float[]> a, List<float[]> b, String what) {
    assertEquals(a.size(), b.size(), what + ": batch count");
    for (int k = 0; k < a.size(); k++) assertArrayEquals(a.get(k), b.get(k), what + ": batch " + k);
  }

  @Test
  void sameBatchesWithZeroOneOrTwoWorkers() {
    try (BatchLoader l0 = builder().workers(0).build();
        BatchLoader l1 = builder().workers(1).prefetch(1).build();
        BatchLoader l2 = builder().workers(2).prefetch(3).build()) {
      for (int epoch = 0; epoch < 2; epoch++) {
        List<float[]> ref = collect(l0, epoch, 0);
        assertEquals(8, ref.size(), "230 images in batches of 32, last kept");
        assertSameBatches(ref, collect(l1, epoch, 0), "1 worker, epoch " + epoch);
        assertSameBatches(ref, collect(l2, epoch, 0), "2 workers, epoch " + epoch);
      }
      assertFalse(Arrays.equals(collect(l0, 0, 0).get(0), collect(l0, 1, 0).get(0)), "epochs differ");
    }
  }

  @Test
  void resumeAtBatchKGivesTheSameRest() {
    try (BatchLoader loader = builder().build()) {
      List<float[]> all = collect(loader, 3, 0);
      for (int k : new int[] {1, 5, 7, 8}) {
        assertSameBatches(all.subList(k, all.size()), collect(loader, 3, k), "resume at " + k);
      }
      assertThrows(IllegalArgumentException.class, () -> loader.epoch(3, 9));
    }
  }

  @Test
  void anEpochVisitsEveryImageOnceAndLastBatchIsMarked() {
    try (BatchLoader loader = builder().augmentation(Augmentation.none()).build()) {
      int[] seen = new int[DATA.numClasses()];
      int images = 0;
      try (BatchLoader.Epoch it = loader.epoch(0)) {
        BatchLoader.Batch b;
        while ((b = it.next()) != null) {
          for (int j = 0; j < b.size(); j++) seen[b.labels()[j]]++;
          images += b.size();
          if (b.size() < 32) {
            assertEquals(230 - 7 * 32, b.size());
            assertEquals(-1, b.labels()[b.size()]);
            assertEquals(0f, b.images()[b.size() * DATA.imageSize()]);
          }
        }
        assertNull(it.next());
      }
      assertEquals(230, images);
      assertArrayEquals(DATA.classCounts(), seen);
      int[] order = loader.order(5);
      int[] sorted = order.clone();
      Arrays.sort(sorted);
      for (int i = 0; i < sorted.length; i++) assertEquals(i, sorted[i]);
    }
    try (BatchLoader drop = builder().dropLast(true).build();
        BatchLoader eval = builder().shuffle(false).augmentation(Augmentation.none()).build()) {
      assertEquals(7, drop.batchesPerEpoch());
      assertEquals(7, collect(drop, 0, 0).size());
      BatchLoader.Batch first = eval.epoch(0).next();
      float[] img = new float[DATA.imageSize()];
      DATA.readImage(0, img, 0);
      assertArrayEquals(img, Arrays.copyOf(first.images(), img.length), "no shuffle: image 0 first, as stored");
    }
  }

  @Test
  void fillsCallerTensors() {
    try (BatchLoader loader = builder().build();
        Tensor x = Tensor.zeros(32, 3, 32, 32);
        IntTensor y = IntTensor.zeros(32);
        Tensor small = Tensor.zeros(230 - 7 * 32, 3, 32, 32);
        IntTensor smallY = IntTensor.zeros(230 - 7 * 32)) {
      List<float[]> ref = collect(loader, 2, 0);
      try (BatchLoader.Epoch it = loader.epoch(2)) {
        for (int k = 0; k < 7; k++) {
          assertEquals(32, it.next(x, y));
          float[] r = ref.get(k);
          assertArrayEquals(Arrays.copyOf(r, 32 * 3072), x.toArray(), "batch " + k);
          assertEquals((int) r[32 * 3072 + 5], y.get(5));
        }
        assertEquals(6, it.next(small, smallY), "the last batch into a tensor of its size");
        assertEquals(0, it.next(x, y));
      }
      try (BatchLoader.Epoch it = loader.epoch(0);
          Tensor wrong = Tensor.zeros(32, 3, 16, 16)) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> it.next(wrong, y));
        assertTrue(e.getMessage().contains("expected (B, 3, 32, 32)"), e.getMessage());
      }
    }
  }

  @Test
  void proxiesSubsetAndResolution() {
    try (BatchLoader loader = builder().subset(0.5).resolution(16, 16).build()) {
      assertEquals(115, loader.dataset().size());
      assertEquals(16, loader.dataset().height());
      assertEquals(4, loader.batchesPerEpoch());
      assertEquals(32 * 3 * 16 * 16, loader.epoch(0).next().images().length);
    }
    try (BatchLoader loader = builder().build()) {
      BatchLoader.Epoch it = loader.epoch(0);
      it.next();
      it.close();
      assertThrows(IllegalStateException.class, it::next);
    }
  }
}
