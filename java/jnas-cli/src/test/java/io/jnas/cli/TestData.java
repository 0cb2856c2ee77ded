package io.jnas.cli;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/** Small data sets on disk for the CLI tests. */
final class TestData {
  private TestData() {}

  /**
   * Writes an MNIST-style IDX folder (train and t10k files) of {@code size x size} grey images in
   * 10 classes, each class a brighter square at its own place, so that a network can learn it.
   */
  static Path idx(Path dir, int train, int test, int size, long seed) throws IOException {
    Files.createDirectories(dir);
    SplittableRandom r = new SplittableRandom(seed);
    write(dir, "train", train, size, r);
    write(dir, "t10k", test, size, r);
    return dir;
  }

  private static void write(Path dir, String prefix, int n, int size, SplittableRandom r) throws IOException {
    byte[] labels = new byte[n];
    byte[] pixels = new byte[n * size * size];
    for (int i = 0; i < n; i++) {
      int c = i % 10;
      labels[i] = (byte) c;
      for (int y = 0; y < size; y++) {
        for (int x = 0; x < size; x++) {
          boolean on = (y * 3 / size) == c / 3 && (x * 3 / size) == c % 3;
          pixels[(i * size + y) * size + x] = (byte) (on ? 200 + r.nextInt(56) : r.nextInt(60));
        }
      }
    }
    try (OutputStream o = Files.newOutputStream(dir.resolve(prefix + "-images-idx3-ubyte")); DataOutputStream d = new DataOutputStream(o)) {
      d.writeInt(2051);
      d.writeInt(n);
      d.writeInt(size);
      d.writeInt(size);
      d.write(pixels);
    }
    try (OutputStream o = Files.newOutputStream(dir.resolve(prefix + "-labels-idx1-ubyte")); DataOutputStream d = new DataOutputStream(o)) {
      d.writeInt(2049);
      d.writeInt(n);
      d.write(labels);
    }
  }

  /** {@code p} relative to the working directory (a relative path that a run must record absolute). */
  static String relative(Path p) {
    return Path.of("").toAbsolutePath().relativize(p.toAbsolutePath()).toString();
  }
}
