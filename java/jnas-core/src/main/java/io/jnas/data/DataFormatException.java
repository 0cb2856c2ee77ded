package io.jnas.data;

import java.nio.file.Path;

/**
 * A data file that is missing or does not hold what its format promises. The message names
 * the file and what was wrong ("…/data_batch_1.bin: 30730001 bytes is not a whole number of
 * 3073-byte records"). It is an {@link IllegalArgumentException} because a bad data path is
 * bad input: the command line maps it to exit code 2.
 */
public final class DataFormatException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  /** The file at fault (may be a folder). */
  private final transient Path file;

  /** A problem with {@code file}, described by {@code problem}. */
  public DataFormatException(Path file, String problem) {
    super(file + ": " + problem);
    this.file = file;
  }

  /** A problem with {@code file}, caused by {@code cause}. */
  public DataFormatException(Path file, String problem, Throwable cause) {
    super(file + ": " + problem, cause);
    this.file = file;
  }

  /** The file (or folder) the problem is in. */
  public Path file() {
    return file;
  }
}
