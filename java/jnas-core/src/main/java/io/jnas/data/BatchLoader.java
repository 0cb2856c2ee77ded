package io.jnas.data;

import io.jnas.tensor.IntTensor;
import io.jnas.tensor.Tensor;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Iterates the minibatches of an epoch, prepared on background threads while the caller
 * computes.
 *
 * <p>Epoch {@code e} visits the images in an order shuffled by {@code (seed, e)} (or in
 * order, with {@code shuffle(false)}); batch {@code k} holds images {@code k·B .. k·B+B-1} of
 * that order, transformed by the {@link Augmentation} with the generator
 * {@link Augmentation#rngFor Augmentation.rngFor(seed, e, k)}. A batch therefore depends only
 * on (seed, e, k): the same with 0, 1 or 8 workers, and {@link #epoch(int, int) epoch(e, k)}
 * resumes exactly where an interrupted run stopped.
 *
 * <p>Workers fill at most {@code prefetch} batches ahead of the caller (a bounded queue);
 * batches come back in order. With {@code workers(0)} batches are made on the caller's thread.
 * The loader owns its threads: close it (try-with-resources).
 *
 * <p>Proxies for multi-trial search: {@code subset(f)} keeps a random fraction f of the
 * images (chosen by the seed, the same every epoch), {@code resolution(h, w)} resamples every
 * image once, at build time (a box average for 32→16). Augmentation padding and cutout stay in
 * pixels of the new resolution.
 */
public final class BatchLoader implements AutoCloseable {
  private static final AtomicInteger THREADS = new AtomicInteger();

  private final Dataset data;
  private final int batchSize;
  private final long seed;
  private final boolean shuffle;
  private final boolean dropLast;
  private final Augmentation augmentation;
  private final int prefetch;
  private final ExecutorService pool; // null: work on the caller's thread

  private BatchLoader(Builder b) {
    Dataset d = b.data;
    if (b.subset < 1) d = d.subset(b.subset, b.seed);
    if (b.height > 0) d = d.resized(b.height, b.width);
    this.data = d;
    this.batchSize = b.batchSize;
    this.seed = b.seed;
    this.shuffle = b.shuffle;
    this.dropLast = b.dropLast;
    this.augmentation = b.augmentation;
    this.prefetch = b.prefetch;
    this.pool = b.workers == 0 ? null : Executors.newFixedThreadPool(b.workers, r -> {
      Thread t = new Thread(r, "jnas-data-" + THREADS.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  /** A builder over {@code data}: batch size 64, seed 0, shuffled, last partial batch kept, no augmentation, 2 workers. */
  public static Builder builder(Dataset data) {
    return new Builder(data);
  }

  /** Options of a {@link BatchLoader}; each setter checks its argument. */
  public static final class Builder {
    private final Dataset data;
    private int batchSize = 64;
    private long seed;
    private boolean shuffle = true;
    private boolean dropLast;
    private Augmentation augmentation = Augmentation.none();
    private int workers = 2;
    private int prefetch = 4;
    private double subset = 1;
    private int height;
    private int width;

    private Builder(Dataset data) {
      if (data == null) throw new IllegalArgumentException("batch loader: data set is null");
      this.data = data;
    }

    /** Images per batch, B (default 64). */
    public Builder batchSize(int b) {
      if (b <= 0) throw new IllegalArgumentException("batch loader: batch size " + b + " must be positive");
      batchSize = b;
      return this;
    }

    /** The seed of shuffling, subset choice and augmentation (default 0). */
    public Builder seed(long s) {
      seed = s;
      return this;
    }

    /** Whether each epoch visits the images in a shuffled order (default true; false for evaluation). */
    public Builder shuffle(boolean on) {
      shuffle = on;
      return this;
    }

    /** Whether to drop the last batch when it is smaller than B (default false: keep it). */
    public Builder dropLast(boolean on) {
      dropLast = on;
      return this;
    }

    /** The per-image transform (default {@link Augmentation#none()}: pixels in [0, 1]). */
    public Builder augmentation(Augmentation a) {
      if (a == null) throw new IllegalArgumentException("batch loader: augmentation is null (use Augmentation.none())");
      augmentation = a;
      return this;
    }

    /** Background threads (default 2; 0: batches are made on the caller's thread). */
    public Builder workers(int n) {
      if (n < 0) throw new IllegalArgumentException("batch loader: workers " + n + " must be >= 0");
      workers = n;
      return this;
    }

    /** How many batches may be prepared ahead of the caller (default 4). */
    public Builder prefetch(int n) {
      if (n <= 0) throw new IllegalArgumentException("batch loader: prefetch " + n + " must be positive");
      prefetch = n;
      return this;
    }

    /** Use a random fraction in (0, 1] of the images, chosen by the seed (default 1: all). */
    public Builder subset(double fraction) {
      if (!(fraction > 0 && fraction <= 1)) {
        throw new IllegalArgumentException("batch loader: subset fraction " + fraction + ", expected (0, 1]");
      }
      subset = fraction;
      return this;
    }

    /** Resample images to {@code h x w} (e.g. 16x16, a cheap proxy); default: as stored. */
    public Builder resolution(int h, int w) {
      if (h <= 0 || w <= 0) {
        throw new IllegalArgumentException("batch loader: resolution " + h + "x" + w + " must be positive");
      }
      height = h;
      width = w;
      return this;
    }

    /** The loader (starts its worker threads). */
    public BatchLoader build() {
      return new BatchLoader(this);
    }
  }

  /**
   * One minibatch. {@code images} is (B, C, H, W) and {@code labels} (B), with B the loader's
   * batch size; only the first {@link #size()} rows are real (a last partial batch has zero
   * images and label -1 after them). The arrays are reused: they are valid until the next
   * call to {@link Epoch#next()} or {@link Epoch#close()}.
   */
  public static final class Batch {
    private final float[] images;
    private final int[] labels;
    private int size;
    private int epoch;
    private int index;

    Batch(int batchSize, int imageSize) {
      images = new float[batchSize * imageSize];
      labels = new int[batchSize];
    }

    /** Images, (B, C, H, W); not a copy. */
    public float[] images() {
      return images;
    }

    /** Labels, (B); not a copy. */
    public int[] labels() {
      return labels;
    }

    /** Number of real images (B, or fewer for a last partial batch). */
    public int size() {
      return size;
    }

    /** The epoch this batch belongs to. */
    public int epoch() {
      return epoch;
    }

    /** Index of this batch within its epoch. */
    public int index() {
      return index;
    }
  }

  /** The images this loader draws from (after subset and resolution). */
  public Dataset dataset() {
    return data;
  }

  /** Images per batch, B. */
  public int batchSize() {
    return batchSize;
  }

  /** Batches in an epoch. */
  public int batchesPerEpoch() {
    int n = data.size();
    return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
  }

  /** The order in which epoch {@code epoch} visits the images (indices into {@link #dataset()}). */
  public int[] order(int epoch) {
    if (!shuffle) {
      int[] o = new int[data.size()];
      for (int i = 0; i < o.length; i++) o[i] = i;
      return o;
    }
    return Seeds.permutation(data.size(), new SplittableRandom(Seeds.mix(seed, 0x5F1L, epoch)));
  }

  /**
   * Batches epoch after epoch, without end (epoch 0, 1, ... in turn): the validation stream of a
   * search that takes one validation batch per training step. Close it when done.
   */
  public Cycle cycle() {
    return new Cycle();
  }

  /** See {@link #cycle()}. */
  public final class Cycle implements AutoCloseable {
    private Epoch it;
    private int epoch;

    private Cycle() {}

    /** Fills {@code x} and {@code y} with the next batch, starting the next epoch where one ends. */
    public void next(Tensor x, IntTensor y) {
      if (it == null || !it.hasNext()) {
        if (it != null) it.close();
        it = epoch(epoch++);
      }
      it.next(x, y);
    }

    @Override
    public void close() {
      if (it != null) it.close();
    }
  }

  /** Iterates epoch {@code epoch} from its first batch. */
  public Epoch epoch(int epoch) {
    return epoch(epoch, 0);
  }

  /**
   * Iterates epoch {@code epoch} from batch {@code fromBatch} on (to resume a run): the batches
   * are identical to those of {@code epoch(epoch)} from that index.
   */
  public Epoch epoch(int epoch, int fromBatch) {
    if (fromBatch < 0 || fromBatch > batchesPerEpoch()) {
      throw new IllegalArgumentException("batch loader: start batch " + fromBatch + " not in [0, "
          + batchesPerEpoch() + "] for " + data.name());
    }
    if (pool != null && pool.isShutdown()) throw new IllegalStateException("batch loader is closed");
    return new Epoch(epoch, fromBatch);
  }

  /** Fills {@code out} with batch {@code k} of an epoch whose order is {@code order}. */
  private void fill(Batch out, int[] order, int epoch, int k) {
    int c = data.imageSize();
    int from = k * batchSize;
    int size = Math.min(batchSize, data.size() - from);
    SplittableRandom rng = augmentation.isRandom() ? Augmentation.rngFor(seed, epoch, k) : null;
    float[] scratch = new float[c];
    for (int j = 0; j < size; j++) {
      int i = order[from + j];
      augmentation.apply(data, i, rng, scratch, out.images, j * c);
      out.labels[j] = data.label(i);
    }
    if (size < batchSize) {
      Arrays.fill(out.images, size * c, out.images.length, 0f);
      Arrays.fill(out.labels, size, batchSize, -1);
    }
    out.size = size;
    out.epoch = epoch;
    out.index = k;
  }

  /**
   * The batches of one epoch, in order. Not thread-safe: one consumer. Closing it cancels
   * the batches prepared ahead.
   */
  public final class Epoch implements AutoCloseable {
    private final int epoch;
    private final int[] order;
    private final int end;
    private final ArrayDeque<Future<Batch>> pending = new ArrayDeque<>();
    private final ConcurrentLinkedQueue<Batch> free = new ConcurrentLinkedQueue<>();
    private int nextToSubmit;
    private int nextToReturn;
    private Batch held;
    private boolean closed;

    private Epoch(int epoch, int from) {
      this.epoch = epoch;
      this.order = order(epoch);
      this.end = batchesPerEpoch();
      this.nextToSubmit = from;
      this.nextToReturn = from;
    }

    /** Index of the batch the next call returns. */
    public int nextIndex() {
      return nextToReturn;
    }

    /** Whether batches remain. */
    public boolean hasNext() {
      return !closed && nextToReturn < end;
    }

    private Batch buffer() {
      Batch b = free.poll();
      return b != null ? b : new Batch(batchSize, data.imageSize());
    }

    private void submit() {
      int k = nextToSubmit++;
      pending.add(pool.submit(() -> {
        Batch b = buffer();
        fill(b, order, epoch, k);
        return b;
      }));
    }

    /** The next batch, or {@code null} at the end of the epoch. The previous batch's arrays are reused. */
    public Batch next() {
      if (closed) throw new IllegalStateException("epoch " + epoch + " of " + data.name() + " is closed");
      if (held != null) {
        free.add(held);
        held = null;
      }
      if (nextToReturn >= end) return null;
      if (pool == null) {
        held = buffer();
        fill(held, order, epoch, nextToReturn++);
        return held;
      }
      while (nextToSubmit < end && pending.size() < prefetch) submit();
      Future<Batch> f = pending.poll();
      while (nextToSubmit < end && pending.size() < prefetch) submit(); // keep `prefetch` in the works
      try {
        held = f.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for batch " + nextToReturn, e);
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof RuntimeException re) throw re;
        if (cause instanceof Error err) throw err;
        throw new IllegalStateException("preparing batch " + nextToReturn + " failed", cause);
      }
      nextToReturn++;
      return held;
    }

    /**
     * Copies the next batch into {@code x} (B', C, H, W) and {@code y} (B') and returns how
     * many images are real (0 at the end of the epoch). B' is the loader's batch size, or the
     * size of this (last, partial) batch; where B' exceeds the real count, the extra rows are
     * zeros with label -1.
     *
     * @throws IllegalArgumentException naming the tensor whose shape does not fit
     */
    public int next(Tensor x, IntTensor y) {
      if (hasNext()) checkShapes(x, y);
      Batch b = next();
      if (b == null) return 0;
      int rows = x.dim(0);
      if (rows < b.size) {
        throw new IllegalArgumentException("batch loader: x has " + rows + " rows, batch " + b.index + " has "
            + b.size + " images");
      }
      x.pointer().put(b.images, 0, rows * data.imageSize());
      y.pointer().put(b.labels, 0, rows);
      return b.size;
    }

    private void checkShapes(Tensor x, IntTensor y) {
      int c = data.channels(), h = data.height(), w = data.width();
      if (x.rank() != 4 || x.dim(1) != c || x.dim(2) != h || x.dim(3) != w || x.dim(0) > batchSize) {
        throw new IllegalArgumentException("batch loader: x is " + x + ", expected (B, " + c + ", " + h + ", " + w
            + ") with B <= " + batchSize);
      }
      if (y.rank() != 1 || y.dim(0) != x.dim(0)) {
        throw new IllegalArgumentException("batch loader: y is " + y + ", expected (" + x.dim(0) + ")");
      }
    }

    /** Cancels the batches prepared ahead; further {@link #next()} calls throw. */
    @Override
    public void close() {
      if (closed) return;
      closed = true;
      for (Future<Batch> f : pending) f.cancel(false);
      pending.clear();
      held = null;
    }
  }

  /** Stops the worker threads. */
  @Override
  public void close() {
    if (pool != null) pool.shutdownNow();
  }

  @Override
  public String toString() {
    return "BatchLoader[" + data + ", batch " + batchSize + ", " + batchesPerEpoch() + " batches/epoch, "
        + augmentation + "]";
  }
}
