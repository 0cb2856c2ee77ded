package io.jnas.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnas.backend.Backends;
import io.jnas.data.Dataset;
import io.jnas.data.SyntheticDataset;
import io.jnas.multitrial.EarlyStopping;
import io.jnas.multitrial.TrialResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * jnas embedded the way a program uses it: images in memory (no files), a listener, a search
 * cancelled midway from the listener and resumed, which then ends where an uninterrupted one
 * ends; two searches in one JVM with different thread counts, each as it is alone.
 */
class EmbeddedSearchTest {
  /** 16x16 images in memory, as a program would hand them over (here cut from the synthetic set). */
  private static SearchData memoryData(int train, int val) {
    Dataset all = SyntheticDataset.generate("mine", train + val, 11, 1).resized(16, 16);
    return SearchData.of(all.range(0, train).withName("mine-train"), all.range(train, train + val).withName("mine-val"));
  }

  private static final SearchData DATA = memoryData(96, 64);

  private static EnasSpec tinyEnas(int threads) {
    return EnasSpec.builder().data(DATA).epochs(2).layers(0).channels(4).nodes(2).batch(32).stepsPerEpoch(3)
        .controllerSteps(1).derive(3, 1).seed(4).threads(threads).build();
  }

  /** Every step's loss and every epoch's numbers, as heard: a fingerprint of the run's bits. */
  private static final class Recorder implements SearchListener {
    final List<String> heard = new ArrayList<>();

    @Override
    public void onStep(StepEvent e) {
      heard.add(e.toString());
    }

    @Override
    public void onEpoch(EpochEvent e) {
      heard.add(e.toString());
    }
  }

  @Test
  void inMemoryEnasSearchCancelledMidwayResumesToTheSameResult() throws Exception {
    EnasResult whole;
    Recorder ref = new Recorder();
    try (Search<EnasResult> s = Search.enas(tinyEnas(0))) {
      whole = s.addListener(ref).run();
    }
    assertEquals(SearchResult.Status.DONE, whole.status());
    assertEquals(2, whole.epochsDone());
    assertNotNull(whole.found(), "derived an architecture");
    assertTrue(whole.best().isPresent() && whole.heldOutAccuracy() >= 0 && whole.heldOutAccuracy() <= 1);

    Path[] folder = new Path[1];
    AtomicBoolean once = new AtomicBoolean();
    Recorder heard = new Recorder();
    try (Search<EnasResult> s = Search.enas(tinyEnas(0))) {
      s.addListener(heard).addListener(new SearchListener() {
        @Override
        public void onStep(StepEvent e) {
          // midway through epoch 2, once
          if (e.epoch() == 2 && e.phase() == StepEvent.Phase.CHILD && e.step() == 2 && once.compareAndSet(false, true)) s.cancel();
        }
      });
      EnasResult first = s.run();
      assertEquals(SearchResult.Status.CANCELLED, first.status());
      assertEquals(1, first.epochsDone(), "epoch 2 was cut short");
      assertTrue(s.runFolder().isEmpty());
      EnasResult second = s.run();
      assertEquals(SearchResult.Status.DONE, second.status());
      assertEquals(whole.found(), second.found(), "the resumed search derives what the uninterrupted one did");
      assertEquals(whole.heldOutAccuracy(), second.heldOutAccuracy(), 0);
      assertEquals(whole.randomMeanAccuracy(), second.randomMeanAccuracy(), 0);
      assertSame(second, s.run(), "a done search returns its result again");
      folder[0] = tempFolderOf(s);
      assertTrue(Files.isDirectory(folder[0]));
    }
    assertFalse(Files.exists(folder[0]), "the temporary run folder is removed at close");
    // what the listener heard: epoch 1 and epoch 2's first two steps, then epoch 2 again from its start
    List<String> expect = new ArrayList<>(ref.heard.subList(0, ref.heard.indexOf(ref.heard.stream()
        .filter(h -> h.startsWith("EpochEvent")).findFirst().orElseThrow()) + 1));
    int epoch2 = expect.size();
    expect.addAll(ref.heard.subList(epoch2, epoch2 + 2));
    expect.addAll(ref.heard.subList(epoch2, ref.heard.size()));
    assertEquals(expect, heard.heard);
  }

  private static Path tempFolderOf(Search<EnasResult> s) throws Exception {
    java.lang.reflect.Field f = EnasApiSearch.class.getDeclaredField("folder");
    f.setAccessible(true);
    return ((Path) f.get(s)).getParent();
  }

  @Test
  void twoSearchesWithDifferentThreadCountsDoNotInterfere() throws Exception {
    int process = Backends.cpuThreads();
    List<String> one = fingerprint(1), three = fingerprint(3);
    assertNotEquals(one, three, "the counts must change what is heard (the kernels' count, and on most CPUs the bits), or this test could not fail");
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Future<List<String>> a = pool.submit(() -> fingerprint(1));
      Future<List<String>> b = pool.submit(() -> fingerprint(3));
      assertEquals(one, a.get(), "1 thread, beside a 3-thread search");
      assertEquals(three, b.get(), "3 threads, beside a 1-thread search");
    } finally {
      pool.shutdown();
    }
    assertEquals(process, Backends.cpuThreads(), "the process's count is untouched");
  }

  private static List<String> fingerprint(int threads) throws Exception {
    Recorder r = new Recorder();
    // a supernet large enough that the kernels split their work by the thread count
    // and the count the kernels read on the search's thread, heard at every step: on some CPUs the
    // counts leave these bits alike, and this keeps the test able to fail there
    try (Search<EnasResult> s = Search.enas(tinyEnas(threads).toBuilder().epochs(1).layers(2).channels(16).nodes(3).build())) {
      s.addListener(new SearchListener() {
        @Override
        public void onStep(StepEvent e) {
          r.heard.add("kernel threads " + Backends.cpuThreads());
        }
      });
      EnasResult res = s.addListener(r).run();
      r.heard.add(res.found().toArcString() + " " + res.heldOutAccuracy());
    }
    return r.heard;
  }

  // ------------------------------------------------------------------ multi-trial

  private static MultiTrialSpec tinyMultiTrial(Path folder) {
    return MultiTrialSpec.builder().data(DATA).strategy("evolution").strategyParam("population", "2").strategyParam("tournament", "1")
        .trials(4).parallel(2).epochs(2).trainSubset(0).valSubset(0).resolution(8).network(3, 4, 2).batch(16).latencyBatch(4)
        .earlyStopping(EarlyStopping.NONE).seed(9).runFolder(folder).build();
  }

  @Test
  void inMemoryMultiTrialSearchCancelledMidwayResumesWithTheSameTrials(@TempDir Path tmp) throws Exception {
    MultiTrialResult whole;
    try (Search<MultiTrialResult> s = Search.multiTrial(tinyMultiTrial(null))) {
      whole = s.run();
    }
    assertEquals(4, whole.trials().size());
    assertEquals(SearchResult.Status.DONE, whole.status());

    List<Integer> trialsHeard = new ArrayList<>();
    AtomicBoolean once = new AtomicBoolean();
    try (Search<MultiTrialResult> s = Search.multiTrial(tinyMultiTrial(tmp.resolve("run")))) {
      s.addListener(new SearchListener() {
        @Override
        public void onEpoch(EpochEvent e) {
          if (e.trial() == 3 && e.epoch() == 1 && once.compareAndSet(false, true)) s.cancel();  // the second round, midway
        }

        @Override
        public void onTrial(TrialResult t) {
          trialsHeard.add(t.id());
        }
      });
      MultiTrialResult first = s.run();
      assertEquals(SearchResult.Status.CANCELLED, first.status());
      assertEquals(2, first.trials().size(), "the first round is kept, the cut one dropped");
      assertEquals(whole.trials().subList(0, 2), first.trials());
      MultiTrialResult second = s.run();
      assertEquals(SearchResult.Status.DONE, second.status());
      assertEquals(whole.trials(), second.trials(), "decisions, statuses, accuracies, parameters, FLOPs");
      assertEquals(whole.bestTrial(), second.bestTrial());
      assertTrue(Files.size(tmp.resolve("run").resolve("trials.jsonl")) > 0 && Files.exists(tmp.resolve("run").resolve("config.json")));
    }
    assertEquals(List.of(1, 2, 3, 4), trialsHeard);
  }

  @Test
  void specsCheckTheirValues() {
    assertThrows(IllegalArgumentException.class, () -> EnasSpec.builder().epochs(1).build(), "no data");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EnasSpec.builder().data(DATA).channels(3).build());
    assertTrue(e.getMessage().contains("channels"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> MultiTrialSpec.builder().data(DATA).trials(0).build());
    assertTrue(e.getMessage().contains("trials"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> SearchData.of(DATA.source().train(),
        SyntheticDataset.generate("x", 4, 1, 1)));
    assertTrue(e.getMessage().contains("shape"), e.getMessage());
    // the controller's baseline survives a later change of its step count
    assertTrue(EnasSpec.builder().data(DATA).batchBaseline(true).controllerSteps(3).build().settings().controller().batchBaseline());
    assertTrue(EnasSpec.builder().data(DATA).build().settings().controller().batchBaseline(), "the quick preset's batch baseline by default");
    assertFalse(EnasSpec.builder().data(DATA).batchBaseline(false).build().settings().controller().batchBaseline());
    // the supernet's reductions survive later changes of its shape
    assertTrue(EnasSpec.builder().data(DATA).stridedReduce(true).layers(1).channels(6).nodes(2).build().settings().net().stridedReduce());
    assertFalse(EnasSpec.builder().data(DATA).build().settings().net().stridedReduce(), "ENAS's reductions by default");
  }
}
