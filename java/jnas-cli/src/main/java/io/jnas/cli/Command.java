package io.jnas.cli;

import java.io.PrintStream;

/** One subcommand of {@code jnas}. */
public interface Command {
  /** The word that selects it, e.g. {@code info}. */
  String name();

  /** One line for {@code jnas --help}. */
  String summary();

  /** Its flags. */
  Options options();

  /** Extra help text shown after the flags (may be empty). */
  default String details() {
    return "";
  }

  /** Whether positional arguments are accepted. */
  default boolean positional() {
    return false;
  }

  /**
   * Runs the command.
   *
   * @return the exit code (0 success)
   * @throws UsageException for bad input (printed as one line, exit 2)
   */
  int run(Options.Parsed args, PrintStream out) throws Exception;
}
