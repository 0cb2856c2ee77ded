package io.jnas.search;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The exclusive lock of a run folder, held for a run's whole lifetime by every command that
 * writes into the folder (search, train, multitrial, bench, eval). A second run on the same
 * folder, in this process or another, is refused with an {@link IllegalArgumentException}
 * naming the folder and the holder (pid, host, command, start time).
 *
 * <p>The lock is an OS file lock ({@link FileChannel#tryLock()}) on {@value #FILE} inside the
 * folder, so it goes with its holder: a run killed with SIGKILL leaves the file but not the
 * lock. The file holds the holder's description; the next run finds the lock free, reports
 * that it takes over from a holder that is gone, and goes on. The file is never deleted (a
 * delete would let two runs lock two different files of the same name); on a clean release
 * it is emptied.
 *
 * <p>Under the lock, {@link #acquire} also deletes the stale temporary files that an
 * interrupted atomic write ({@link io.jnas.util.AtomicFiles}) leaves behind: hidden
 * {@code .NAME.DIGITS.tmp} files anywhere in the folder. Nobody else writes there while the
 * lock is held, so none of them can belong to a live writer.
 */
public final class RunLock implements AutoCloseable {
  /** The lock file's name inside the run folder. */
  public static final String FILE = ".jnas.lock";

  /** What {@code Files.createTempFile(dir, "." + name + ".", ".tmp")} makes. */
  private static final Pattern TEMP = Pattern.compile("^\\..+\\.\\d+\\.tmp$");

  private final Path dir;
  private final FileChannel channel;
  private final FileLock lock;
  private final String previousHolder;
  private final List<Path> removedTemps;

  private RunLock(Path dir, FileChannel channel, FileLock lock, String previousHolder, List<Path> removedTemps) {
    this.dir = dir;
    this.channel = channel;
    this.lock = lock;
    this.previousHolder = previousHolder;
    this.removedTemps = removedTemps;
  }

  /**
   * Takes the lock of {@code dir} (creating the folder if needed) for {@code command}, and
   * removes stale temporary files. Where a holder that is gone left its description, says so on
   * {@code messages} (if not null), as it does for every temporary file removed.
   *
   * @throws IllegalArgumentException if another run (in any process) holds the lock
   * @throws IOException if the folder or the lock file cannot be created or written
   */
  public static RunLock acquire(Path dir, String command, PrintStream messages) throws IOException {
    if (Files.exists(dir) && !Files.isDirectory(dir)) throw new IllegalArgumentException(dir + ": exists and is not a folder");
    Files.createDirectories(dir);
    Path f = dir.resolve(FILE);
    FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = ch.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;  // this process holds it already
    } catch (IOException e) {
      ch.close();
      throw e;
    }
    if (lock == null) {
      // the holder writes its description right after taking the lock: give it a moment
      String holder = read(ch);
      for (int i = 0; i < 20 && holder.isEmpty(); i++) {
        try {
          Thread.sleep(10);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
        holder = read(ch);
      }
      ch.close();
      throw new IllegalArgumentException(dir + ": in use by another run (" + (holder.isEmpty() ? "holder unknown" : holder)
          + "); wait for it to end, or choose another folder");
    }
    try {
      String previous = read(ch);
      String me = "pid " + ProcessHandle.current().pid() + " on " + host() + ", jnas " + command + ", since "
          + Instant.now().toString();
      ch.truncate(0);
      ch.write(ByteBuffer.wrap((me + "\n").getBytes(StandardCharsets.UTF_8)), 0);
      ch.force(true);
      if (!previous.isEmpty() && messages != null) {
        messages.println("jnas: " + dir + ": taking over the lock left by a run that is gone (" + previous + ")");
      }
      List<Path> removed = removeStaleTemps(dir);
      if (messages != null) {
        for (Path p : removed) messages.println("jnas: removed " + p + " (left by an interrupted write)");
      }
      return new RunLock(dir, ch, lock, previous.isEmpty() ? null : previous, removed);
    } catch (IOException | RuntimeException e) {
      lock.release();
      ch.close();
      throw e;
    }
  }

  /** The folder. */
  public Path dir() {
    return dir;
  }

  /** The description a holder that is gone left in the lock file, or null if it was released cleanly. */
  public String previousHolder() {
    return previousHolder;
  }

  /** The stale temporary files removed when the lock was taken. */
  public List<Path> removedTemps() {
    return List.copyOf(removedTemps);
  }

  /** Whether the lock is still held. */
  public boolean isHeld() {
    return lock.isValid();
  }

  /** Empties the lock file and releases the lock. */
  @Override
  public void close() throws IOException {
    if (!channel.isOpen()) return;
    try {
      channel.truncate(0);
      channel.force(true);
    } finally {
      try {
        lock.release();
      } finally {
        channel.close();
      }
    }
  }

  private static List<Path> removeStaleTemps(Path dir) throws IOException {
    List<Path> removed = new ArrayList<>();
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        if (Files.isRegularFile(p) && TEMP.matcher(p.getFileName().toString()).matches()) {
          Files.deleteIfExists(p);
          removed.add(p);
        }
      }
    }
    return removed;
  }

  private static String read(FileChannel ch) throws IOException {
    long n = Math.min(ch.size(), 4096);
    ByteBuffer b = ByteBuffer.allocate((int) n);
    while (b.hasRemaining() && ch.read(b, b.position()) > 0) {
      // read until full or end of file
    }
    return new String(b.array(), 0, b.position(), StandardCharsets.UTF_8).trim();
  }

  private static String host() {
    String h = System.getenv("HOSTNAME");
    if (h != null && !h.isBlank()) return h;
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "unknown host";
    }
  }
}
