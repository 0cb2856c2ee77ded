package io.jnas.search;

import io.jnas.util.AtomicFiles;
import io.jnas.util.Json;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A run folder: where a search or a training writes its log ({@code log.jsonl}, one JSON object
 * per line), checkpoint and results. A new run never writes into a non-empty folder; a resumed
 * run reopens one that holds a checkpoint, and cuts its log back to what the checkpoint saw,
 * so the resumed run's lines follow on as if it had never stopped.
 *
 * <p>The three methods that take a command name ({@link #create(Path, String, PrintStream)},
 * {@link #resume(Path, String, PrintStream)}, {@link #open(Path, String, PrintStream)}) hold the
 * folder's {@link RunLock} from the moment they return until {@link #close()}: a second run on
 * the same folder, in this process or another, is refused naming the holder, and stale
 * temporary files of interrupted writes are removed. A new folder is checked for emptiness
 * after the lock is taken, so two runs started together cannot both pass the check. The
 * methods without a command name take no lock (for callers that hold one themselves).
 */
public final class RunDir implements AutoCloseable {
  /** The log's file name. */
  public static final String LOG = "log.jsonl";
  /** The checkpoint's file name. */
  public static final String CHECKPOINT = "checkpoint.bin";

  /** A temporary file of {@link AtomicFiles} ({@code .NAME.DIGITS.tmp}), as {@link RunLock} removes them. */
  private static final Pattern TEMP = Pattern.compile("^\\..+\\.\\d+\\.tmp$");

  private final Path dir;
  private final RunLock lock;

  private RunDir(Path dir, RunLock lock) {
    this.dir = dir;
    this.lock = lock;
  }

  /**
   * Creates a new run folder, without a lock.
   *
   * @throws IllegalArgumentException if it exists and is not empty (naming it), so nothing in
   *     an existing run is overwritten; a lock file and stale temporary files do not count
   */
  public static RunDir create(Path dir) throws IOException {
    if (Files.exists(dir) && !Files.isDirectory(dir)) throw new IllegalArgumentException(dir + ": exists and is not a folder");
    if (!isEmpty(dir)) throw notEmpty(dir);
    Files.createDirectories(dir);
    return new RunDir(dir, null);
  }

  /**
   * Creates a new run folder and holds its lock for {@code command} until {@link #close()}.
   * Messages (a stale lock taken over, temporary files removed) go to {@code messages} if not
   * null.
   *
   * @throws IllegalArgumentException if the folder is not empty, or another run holds it (both
   *     naming the folder; the second also the holder)
   */
  public static RunDir create(Path dir, String command, PrintStream messages) throws IOException {
    if (Files.exists(dir) && !Files.isDirectory(dir)) throw new IllegalArgumentException(dir + ": exists and is not a folder");
    boolean empty = isEmpty(dir);
    // a non-empty folder that is no jnas run is refused untouched; one that is a run is locked
    // first, so that a live holder is named rather than "not empty"
    if (!empty && !Files.exists(dir.resolve(RunLock.FILE))) throw notEmpty(dir);
    RunLock l = RunLock.acquire(dir, command, empty ? messages : null);
    try {
      if (!isEmpty(dir)) throw notEmpty(dir);  // checked again under the lock
      return new RunDir(dir, l);
    } catch (RuntimeException e) {
      l.close();
      throw e;
    }
  }

  /**
   * Reopens a run folder to resume it, without a lock.
   *
   * @throws IllegalArgumentException if it holds no checkpoint
   */
  public static RunDir resume(Path dir) {
    if (!Files.isDirectory(dir)) throw new IllegalArgumentException(dir + ": no such run folder");
    if (!Files.isRegularFile(dir.resolve(CHECKPOINT))) throw noCheckpoint(dir);
    return new RunDir(dir, null);
  }

  /**
   * Reopens a run folder to resume it, holding its lock for {@code command} until
   * {@link #close()}.
   *
   * @throws IllegalArgumentException if it is not a folder, another run holds it, or it holds
   *     no checkpoint
   */
  public static RunDir resume(Path dir, String command, PrintStream messages) throws IOException {
    RunDir d = open(dir, command, messages);
    if (!d.hasCheckpoint()) {
      d.close();
      throw noCheckpoint(dir);
    }
    return d;
  }

  /**
   * Opens an existing folder, whatever it holds, and holds its lock for {@code command} until
   * {@link #close()} (a resume that may find no checkpoint; a command that adds files to a
   * finished run).
   *
   * @throws IllegalArgumentException if it is not a folder, or another run holds it
   */
  public static RunDir open(Path dir, String command, PrintStream messages) throws IOException {
    if (!Files.isDirectory(dir)) throw new IllegalArgumentException(dir + ": no such run folder");
    return new RunDir(dir, RunLock.acquire(dir, command, messages));
  }

  /**
   * A data spec as a run records it: a folder as an absolute, normalized path (so the run
   * folder can move, and be used from any working directory); {@code synthetic[:...]}
   * unchanged.
   */
  public static String portableData(String spec) {
    if (spec == null) return null;
    String s = spec.strip();
    if (s.equals("synthetic") || s.startsWith("synthetic:")) return s;
    return Path.of(s).toAbsolutePath().normalize().toString();
  }

  /**
   * Checks that the data set a run recorded is still where it was; returns {@code spec}.
   *
   * @throws IllegalArgumentException naming the run, the path, and {@code --data} as the way
   *     to say where it is now
   */
  public static String requireData(Path run, String spec) {
    if (spec == null) throw new IllegalArgumentException(run + ": records no data set; give --data DIR");
    String s = spec.strip();
    if (!(s.equals("synthetic") || s.startsWith("synthetic:")) && !Files.exists(Path.of(s))) {
      throw new IllegalArgumentException(run + ": its data set " + s + " is not found (moved?); give --data DIR to say where it is now");
    }
    return spec;
  }

  /** Whether the folder holds a checkpoint. */
  public boolean hasCheckpoint() {
    return Files.isRegularFile(file(CHECKPOINT));
  }

  /** Whether this object holds the folder's lock. */
  public boolean isLocked() {
    return lock != null && lock.isHeld();
  }

  /** Releases the lock, if held. */
  @Override
  public void close() throws IOException {
    if (lock != null) lock.close();
  }

  private static IllegalArgumentException noCheckpoint(Path dir) {
    return new IllegalArgumentException(dir + ": holds no " + CHECKPOINT + " (nothing to resume; the run stopped before its first checkpoint)");
  }

  private static IllegalArgumentException notEmpty(Path dir) {
    return new IllegalArgumentException(dir + ": exists and is not empty; choose a new --out folder, or --resume it");
  }

  /** Whether {@code dir} is absent or holds nothing but a lock file and stale temporary files. */
  private static boolean isEmpty(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) return true;
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString())
          .allMatch(n -> n.equals(RunLock.FILE) || (TEMP.matcher(n).matches() && Files.isRegularFile(dir.resolve(n))));
    }
  }

  /** The folder. */
  public Path path() {
    return dir;
  }

  /** A file inside the folder. */
  public Path file(String name) {
    return dir.resolve(name);
  }

  /** Appends one event to the log (a JSON object on one line, forced to disk). */
  public void log(Map<String, Object> event) throws IOException {
    AtomicFiles.appendLine(file(LOG), Json.write(event));
  }

  /** Current size of the log in bytes (0 if absent): stored in checkpoints. */
  public long logSize() throws IOException {
    Path f = file(LOG);
    return Files.exists(f) ? Files.size(f) : 0;
  }

  /** Cuts the log back to {@code bytes} (what a checkpoint saw), dropping lines of an unfinished epoch. */
  public void truncateLog(long bytes) throws IOException {
    Path f = file(LOG);
    if (!Files.exists(f)) {
      if (bytes == 0) return;
      throw new IOException(f + ": missing, but the checkpoint expects " + bytes + " bytes of log");
    }
    if (Files.size(f) < bytes) throw new IOException(f + ": shorter (" + Files.size(f) + " bytes) than the checkpoint expects (" + bytes + ")");
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
      ch.truncate(bytes);
      ch.force(true);
    }
  }

  /** The log's events, in order (for tests and plots). */
  public List<Map<String, Object>> readLog() throws IOException {
    List<Map<String, Object>> out = new ArrayList<>();
    Path f = file(LOG);
    if (!Files.exists(f)) return out;
    for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
      if (!line.isBlank()) out.add(Json.parseObject(line));
    }
    return out;
  }

  /** Writes a text file atomically. */
  public void writeString(String name, String text) throws IOException {
    AtomicFiles.writeString(file(name), text);
  }

  /**
   * Writes {@code name} atomically like {@link #writeString}, first moving an existing file of
   * that name to the first free {@code stem-K.ext} (K = 1, 2, ...), so that a re-check of a
   * finished run (say {@code search --resume RUN --verify 8} under another proxy) does not
   * destroy the earlier one's results.
   *
   * @return the name the earlier file now has, or null where there was none
   */
  public String writeKeepingEarlier(String name, String text) throws IOException {
    Path target = file(name);
    String kept = null;
    if (Files.exists(target)) {
      int dot = name.lastIndexOf('.');
      String stem = dot < 0 ? name : name.substring(0, dot), ext = dot < 0 ? "" : name.substring(dot);
      for (int k = 1; kept == null; k++) {
        String candidate = stem + "-" + k + ext;
        if (!Files.exists(file(candidate))) kept = candidate;
      }
      Files.move(target, file(kept), StandardCopyOption.ATOMIC_MOVE);
    }
    AtomicFiles.writeString(target, text);
    return kept;
  }
}
