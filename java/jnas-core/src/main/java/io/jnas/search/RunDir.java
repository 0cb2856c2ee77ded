package io.jnas.search;

import io.jnas.util.AtomicFiles;
import io.jnas.util.Json;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A run folder: where a search or a training writes its log ({@code log.jsonl}, one JSON object
 * per line), checkpoint and results. A new run never writes into a non-empty folder; a resumed
 * run reopens one that holds a checkpoint, and cuts its log back to what the checkpoint saw,
 * so the resumed run's lines follow on as if it had never stopped.
 */
public final class RunDir {
  /** The log's file name. */
  public static final String LOG = "log.jsonl";
  /** The checkpoint's file name. */
  public static final String CHECKPOINT = "checkpoint.bin";

  private final Path dir;

  private RunDir(Path dir) {
    this.dir = dir;
  }

  /**
   * Creates a new run folder.
   *
   * @throws IllegalArgumentException if it exists and is not empty (naming it), so nothing in
   *     an existing run is overwritten
   */
  public static RunDir create(Path dir) throws IOException {
    if (Files.exists(dir)) {
      if (!Files.isDirectory(dir)) throw new IllegalArgumentException(dir + ": exists and is not a folder");
      try (var s = Files.list(dir)) {
        if (s.findAny().isPresent()) {
          throw new IllegalArgumentException(dir + ": exists and is not empty; choose a new --out folder, or --resume it");
        }
      }
    }
    Files.createDirectories(dir);
    return new RunDir(dir);
  }

  /**
   * Reopens a run folder to resume it.
   *
   * @throws IllegalArgumentException if it holds no checkpoint
   */
  public static RunDir resume(Path dir) {
    if (!Files.isDirectory(dir)) throw new IllegalArgumentException(dir + ": no such run folder");
    if (!Files.isRegularFile(dir.resolve(CHECKPOINT))) {
      throw new IllegalArgumentException(dir + ": holds no " + CHECKPOINT + " (nothing to resume; the run stopped before its first checkpoint)");
    }
    return new RunDir(dir);
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
}
