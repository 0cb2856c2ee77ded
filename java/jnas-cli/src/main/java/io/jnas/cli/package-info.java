/** The {@code jnas} command line: {@link io.jnas.cli.Main} and its subcommands. */
package io.jnas.cli;
