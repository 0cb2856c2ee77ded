package io.jnas.backend;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.LongPointer;

/**
 * Chooses the backend at run time and makes the others on demand.
 *
 * <p>{@code -Djnas.backend=auto|cpu|cuda} (default {@code auto}) picks the process-wide backend
 * that networks use unless given one. {@code auto} runs on the CPU, and says why: on a machine
 * without a GPU ("no GPU found (...)"), or because the CUDA steps have not yet been verified on
 * a GPU host; {@code cuda} asks for the CUDA backend and is an error (one line, naming the
 * reason) where this build or machine has none. {@code -Djnas.threads=N} sets the CPU kernels'
 * and OpenBLAS's threads. The probe runs once, on first use, and never crashes: any failure
 * (no driver, no device) falls back to the CPU with one log line.
 */
public final class Backends {
  /** System property naming the backend. */
  public static final String BACKEND_PROPERTY = "jnas.backend";
  /** System property with the CPU kernels' thread count. */
  public static final String THREADS_PROPERTY = "jnas.threads";

  private static volatile BackendInfo info;
  private static volatile NativeBackend cpu;

  private Backends() {}

  /** The backend in use, probing on first call. */
  public static Backend current() {
    return info().backend();
  }

  /** The process-wide CPU backend (host memory, the C++ kernels). */
  public static Backend cpu() {
    NativeBackend c = cpu;
    if (c == null) {
      synchronized (Backends.class) {
        if (cpu == null) cpu = NativeBackend.create("cpu", 0, true, cpuDescription());
        c = cpu;
      }
    }
    return c;
  }

  /**
   * A new host-blind backend: the CPU kernels on memory the host cannot touch outside a kernel
   * call (see {@link Backend}). For tests of the orchestration; close it after its networks.
   */
  public static Backend hostBlind() {
    return NativeBackend.create("hostblind", 0, false, "hostblind (CPU kernels on PROT_NONE pages)");
  }

  /**
   * A new dry backend: nothing is allocated or computed, every byte is counted (see
   * {@link Backend}). Close it after its networks.
   */
  public static Backend dry() {
    return NativeBackend.create("dry", 0, false, "dry (counts bytes, computes nothing)");
  }

  /** The probe's full answer, probing on first call. */
  public static BackendInfo info() {
    BackendInfo i = info;
    if (i == null) {
      synchronized (Backends.class) {
        if (info == null) info = probe();
        i = info;
      }
    }
    return i;
  }

  private static BackendInfo probe() {
    String wanted = System.getProperty(BACKEND_PROPERTY, "auto").trim().toLowerCase(Locale.ROOT);
    if (!List.of("auto", "cpu", "cuda").contains(wanted)) {
      throw new IllegalArgumentException("-D" + BACKEND_PROPERTY + "=" + wanted + ": expected cpu, cuda or auto");
    }
    NativeLib.load();
    String threads = System.getProperty(THREADS_PROPERTY);
    if (threads != null) {
      int n;
      try {
        n = Integer.parseInt(threads.trim());
      } catch (NumberFormatException e) {
        n = -1;
      }
      if (n <= 0) throw new IllegalArgumentException("-D" + THREADS_PROPERTY + "=" + threads + ": expected a positive integer");
      NativeLib.jnas_cpu_set_num_threads(n);
    }
    String isa = System.getenv("JNAS_CPU_ISA");
    if (isa != null && !isa.isBlank()) {
      try {
        setCpuIsa(isa.trim().toLowerCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("JNAS_CPU_ISA=" + isa + ": " + e.getMessage());
      }
    }
    int cpuThreads = NativeLib.jnas_cpu_get_num_threads();
    boolean built = false;
    List<BackendInfo.Gpu> gpus = new ArrayList<>();
    String cudaProblem;
    try {
      built = NativeLib.jnas_cuda_built() == 1;
      if (!built) {
        cudaProblem = "this build has no CUDA backend (nvcc was absent at build time)";
      } else {
        try (IntPointer count = new IntPointer(1)) {
          int err = NativeLib.jnas_cuda_device_count(count);
          if (err == 35) {
            cudaProblem = "no GPU found (no CUDA driver on this machine: cudaGetDeviceCount error 35)";
          } else if (err != 0) {
            cudaProblem = "no GPU found (" + NativeLib.jnas_cuda_error_string(err).getString() + ": cudaGetDeviceCount error " + err + ")";
          } else {
            for (int d = 0; d < count.get(); d++) gpus.add(gpu(d));
            cudaProblem = gpus.isEmpty() ? "no GPU found (the CUDA driver lists no device)" : null;
          }
        }
      }
    } catch (Throwable t) {  // a broken driver must not take the JVM's CPU path down
      cudaProblem = "CUDA probe failed: " + t;
    }
    List<String> compiled = new ArrayList<>(List.of("cpu", "hostblind", "dry"));
    if (built) compiled.add(1, "cuda");
    BackendInfo result;
    if (wanted.equals("cpu")) {
      result = new BackendInfo(cpu(), "-D" + BACKEND_PROPERTY + "=cpu", cpuThreads, built, compiled, gpus);
    } else if (cudaProblem != null) {
      if (wanted.equals("cuda")) throw new IllegalArgumentException("-D" + BACKEND_PROPERTY + "=cuda: " + cudaProblem);
      result = new BackendInfo(cpu(), cudaProblem + ": using the CPU", cpuThreads, built, compiled, gpus);
    } else if (wanted.equals("cuda")) {
      BackendInfo.Gpu g = gpus.get(0);
      NativeBackend c = NativeBackend.create("cuda", 0, true, "cuda (" + g.name() + ", compute capability "
          + g.computeCapability() + ")");
      result = new BackendInfo(c, "-D" + BACKEND_PROPERTY + "=cuda: " + g.name() + " (the CUDA steps are not yet verified on a GPU host)",
          cpuThreads, built, compiled, gpus);
    } else {
      // The CUDA steps run through the same tape, but have not been checked on a GPU yet.
      String why = "GPU present (" + gpus.get(0).name() + "), but the CUDA steps are not yet verified on a GPU host; "
          + "using the CPU (-D" + BACKEND_PROPERTY + "=cuda uses the GPU anyway)";
      result = new BackendInfo(cpu(), why, cpuThreads, built, compiled, gpus);
    }
    System.getLogger("io.jnas").log(System.Logger.Level.INFO, "backend " + result.backend().id() + ": " + result.reason());
    return result;
  }

  private static String cpuDescription() {
    return "cpu (" + NativeLib.jnas_cpu_get_num_threads() + " kernel threads, " + cpuIsa() + ", OpenBLAS "
        + NativeLib.jnas_cpu_get_blas_threads() + ")";
  }

  /** Supported values of {@link #setCpuIsa}. */
  public static final java.util.List<String> CPU_ISAS = java.util.List.of("avx2", "avx512", "auto");

  /**
   * The instruction set of the CPU kernels' SIMD convolution paths: {@code avx512} where the
   * CPU has AVX-512F, else {@code avx2} (the build's floor); the environment variable
   * {@code JNAS_CPU_ISA=avx2} forces AVX2. Results are deterministic for a fixed instruction set
   * and thread count; the two sets' weight gradients differ in the last bits.
   */
  public static String cpuIsa() {
    NativeLib.load();
    return NativeLib.jnas_cpu_get_isa().getString();
  }

  /**
   * Sets the instruction set of the CPU kernels for the whole process: {@code avx2},
   * {@code avx512} or {@code auto} (the best the CPU has). For tests and benchmarks that compare
   * the two; change it only while no network runs.
   *
   * @throws IllegalArgumentException for another name, or {@code avx512} on a CPU without it
   */
  public static void setCpuIsa(String isa) {
    if (isa == null || !CPU_ISAS.contains(isa)) {
      throw new IllegalArgumentException("cpu isa is " + isa + ", expected one of " + CPU_ISAS);
    }
    NativeLib.load();
    if (NativeLib.jnas_cpu_set_isa(isa) != 0) {
      throw new IllegalArgumentException(NativeLib.jnas_last_error().getString());
    }
  }


  /** Threads of the CPU kernels' own loops for calls from this thread: its own count ({@link #setThreadCpuThreads}) or the process pool's. */
  public static int cpuThreads() {
    NativeLib.load();
    return NativeLib.jnas_cpu_get_num_threads();
  }

  /**
   * Sets the CPU kernels' thread count for calls made from the current Java thread only (0 or
   * less: back to the process setting), and returns the previous per-thread count. Two searches
   * in one JVM, each on its own thread, can so use different counts, each deterministic for
   * its own count; OpenBLAS's count stays process-wide (its results do not depend on it: it
   * never splits a gemm's sum).
   */
  public static int setThreadCpuThreads(int n) {
    NativeLib.load();
    int before = LOCAL_THREADS.get();
    NativeLib.jnas_cpu_set_local_threads(Math.max(0, n));
    LOCAL_THREADS.set(Math.max(0, n));
    return before;
  }

  private static final ThreadLocal<Integer> LOCAL_THREADS = ThreadLocal.withInitial(() -> 0);

  /** Threads of OpenBLAS now. */
  public static int blasThreads() {
    NativeLib.load();
    return NativeLib.jnas_cpu_get_blas_threads();
  }

  /**
   * Sets the threads of the CPU kernels for the whole process (global: every network in the
   * JVM shares them). With 1, a kernel runs on its caller's thread and never enters the shared
   * pool, so several Java threads can each run their own network at once. OpenBLAS stays at
   * one thread: the kernels split their gemms over this pool themselves (see
   * {@link #setBlasThreads}).
   */
  public static void setCpuThreads(int n) {
    if (n < 1) throw new IllegalArgumentException("cpu threads is " + n + ", expected at least 1");
    NativeLib.load();
    NativeLib.jnas_cpu_set_num_threads(n);
  }

  /**
   * Sets OpenBLAS's own thread count (1 from the moment jnas loads). jnas's kernels call
   * OpenBLAS from their pool's threads and expect 1 there: OpenBLAS's idle workers spin after
   * every call and take the CPU from the kernels that follow. For benchmarks that time a lone
   * sgemm as a reference; set it back to 1 before running networks.
   */
  public static void setBlasThreads(int n) {
    if (n < 1) throw new IllegalArgumentException("blas threads is " + n + ", expected at least 1");
    NativeLib.load();
    NativeLib.jnas_cpu_set_blas_threads(n);
  }

  /**
   * Memory a backend can still hand out, in bytes: for the CPU, the kernel's estimate of
   * available memory ({@code MemAvailable} of {@code /proc/meminfo}, else the JVM's view of free
   * physical memory); for CUDA, the device's free memory.
   */
  public static long availableBytes(Backend backend) {
    if (backend.id().equals("cuda")) {
      List<BackendInfo.Gpu> g = info().gpus();
      return g.isEmpty() ? 0 : gpu(g.get(0).index()).freeBytes();
    }
    try {
      for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (line.startsWith("MemAvailable:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      // not Linux: fall through
    }
    var os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean s) return s.getFreeMemorySize();
    return Long.MAX_VALUE;
  }

  /**
   * Checks that {@code bytes} fit in what {@code backend} can hand out.
   *
   * @param what the run, e.g. {@code "the supernet at batch 160"}
   * @param hint what to lower, e.g. {@code "--channels, --layers or --batch"}
   * @throws IllegalArgumentException naming the estimate, the limit and the hint
   */
  public static void checkFits(Backend backend, String what, long bytes, String hint) {
    long avail = availableBytes(backend);
    if (bytes > avail) {
      throw new IllegalArgumentException(what + " needs " + gib(bytes) + " of " + backend.id() + " memory, but "
          + gib(avail) + " is available; lower " + hint);
    }
  }

  /** Bytes as GiB (or MiB below 1 GiB) for messages. */
  public static String gib(long bytes) {
    return bytes >= (1L << 30) ? String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30))
        : String.format(Locale.ROOT, "%.0f MiB", bytes / (double) (1L << 20));
  }

  private static BackendInfo.Gpu gpu(int d) {
    try (BytePointer name = new BytePointer(256);
        LongPointer total = new LongPointer(1);
        LongPointer free = new LongPointer(1);
        IntPointer major = new IntPointer(1);
        IntPointer minor = new IntPointer(1)) {
      NativeLib.jnas_cuda_device_info(d, name, 256, total, free, major, minor);
      return new BackendInfo.Gpu(d, name.getString(), total.get(), free.get(), major.get() + "." + minor.get());
    }
  }
}
