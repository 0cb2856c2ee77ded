package io.jnas.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The orchestration of every network step is host-blind: it never reads or writes backend
 * memory on the host, which is what a GPU step needs. Proved without a GPU: the whole supernet
 * step, the final-network step and final-network inference run on the {@code hostblind}
 * backend (the CPU kernels on memory mapped {@code PROT_NONE} except while a kernel or copy
 * runs) and give results equal to the bit to the plain CPU backend. A host access would fault,
 * so the checks run in a child JVM ({@link HostBlindCheck}); the negative control shows that a
 * deliberate host read does fault there (and answers on the CPU).
 */
class HostBlindBackendTest {
  @TempDir Path tmp;

  private record Run(int exit, String out, String hsErr) {}

  private Run child(String... args) throws IOException, InterruptedException {
    String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    List<String> cmd = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
        "-XX:ErrorFile=" + tmp.resolve("hs_err_%p.log"), "-XX:-CreateCoredumpOnCrash", "-Djnas.threads=2",
        HostBlindCheck.class.getName()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "child did not finish");
    String hsErr = "";
    try (Stream<Path> files = Files.list(tmp)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        if (f.getFileName().toString().startsWith("hs_err")) hsErr += Files.readString(f);
      }
    }
    return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8), hsErr);
  }

  /** The lines of a crash report that say where it happened. */
  private static String where(String hsErr) {
    StringBuilder sb = new StringBuilder();
    for (String line : hsErr.split("\n")) {
      if (line.contains("SIGSEGV") || line.contains("Problematic frame") || line.startsWith("C  [")) sb.append(line).append('\n');
    }
    return sb.toString();
  }

  @Test
  void supernetStepFinalNetworkStepAndInferenceRunHostBlind() throws Exception {
    Run r = child("steps");
    assertEquals(0, r.exit(), () -> "host-blind steps failed (a host access to backend memory crashes with SIGSEGV):\n"
        + r.out() + where(r.hsErr()));
    for (String check : List.of("supernet train_step 1", "supernet forward_backward", "supernet evaluate",
        "supernet GRADIENTS", "final train_step 1", "final forward_backward", "final predict", "final evaluate",
        "final RUNNING_STATS", "macro train_step 1", "macro predict", "macro RUNNING_STATS", "macro supernet train_step 1",
        "macro supernet evaluate")) {
      assertTrue(r.out().contains("equal: " + check), () -> "no equal line for " + check + ":\n" + r.out());
    }
    assertTrue(r.out().contains("host-blind: all equal"), r.out());
  }

  @Test
  void aHostReadOfBackendMemoryFaultsOnlyOnTheHostBlindBackend() throws Exception {
    Run cpu = child("poke", "cpu");
    assertEquals(0, cpu.exit(), cpu.out());
    assertTrue(cpu.out().contains("read weight 0 = "), cpu.out());
    Run hb = child("poke", "hostblind");
    assertNotEquals(0, hb.exit(), () -> "the host read did not fault:\n" + hb.out());
    assertTrue(hb.hsErr().contains("SIGSEGV"), () -> "expected a SIGSEGV crash report:\n" + hb.out() + hb.hsErr());
    assertTrue(hb.hsErr().contains("jnas_debug_host_read_weight"), () -> "the fault is not in the deliberate read:\n" + where(hb.hsErr()));
  }
}
