package io.jnas.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.jnas.enas.Supernet;
import io.jnas.tensor.IntTensor;
import io.jnas.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Per-thread kernel thread counts: two networks stepped at once with different counts give what each gives alone. */
class ThreadCountTest {
  private static final Supernet.Config CFG = new Supernet.Config(3, 16, 16, 10, 1, 8, 3, 5);

  /** Four training steps on the calling thread with {@code threads} kernel threads: the losses and the weights' sum. */
  private static List<String> run(int threads) {
    int before = Backends.setThreadCpuThreads(threads);
    try (Supernet net = new Supernet(CFG); Tensor x = Tensor.randn(new SplittableRandom(1), 1f, 32, 3, 16, 16);
        IntTensor y = IntTensor.zeros(32)) {
      assertEquals(threads, Backends.cpuThreads());
      int[] arc = {0, 0, 1, 1, 0, 2, 2, 3, 1, 4, 3, 0};
      List<String> out = new ArrayList<>();
      for (int s = 0; s < 4; s++) out.add(net.trainStep(arc, arc, x, y, new Supernet.Hyper(0.1f, 0.9f, 1e-4f, 5f, 0.9f), s).toString());
      double sum = 0;
      for (float v : net.get(Supernet.Buffer.WEIGHTS)) sum += v;
      out.add(Double.toString(sum));
      return out;
    } finally {
      Backends.setThreadCpuThreads(before);
    }
  }

  @Test
  void twoNetworksWithDifferentThreadCountsDoNotInterfere() throws Exception {
    List<String> one = run(1), three = run(3);
    assertNotEquals(one, three, "the counts must change the bits (chunked sums), or this test could not fail");
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      for (int round = 0; round < 2; round++) {
        Future<List<String>> a = pool.submit(() -> run(1));
        Future<List<String>> b = pool.submit(() -> run(3));
        assertEquals(one, a.get(), "1 thread, run beside a 3-thread network");
        assertEquals(three, b.get(), "3 threads, run beside a 1-thread network");
      }
    } finally {
      pool.shutdown();
    }
  }
}
