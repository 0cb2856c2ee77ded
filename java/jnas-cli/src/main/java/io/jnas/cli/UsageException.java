package io.jnas.cli;

/** A bad command line or bad input: printed as one line, exit code 2. */
public final class UsageException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** @param message one line naming the flag, file or value and what was expected */
  public UsageException(String message) {
    super(message);
  }
}
