package io.jnas.cli;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code jnas} command line. {@code jnas --help} lists the subcommands;
 * {@code jnas CMD --help} lists a subcommand's flags.
 *
 * <p>Exit codes: 0 success, 1 an unexpected failure, 2 bad input (a flag, file or value;
 * one line on standard error names it).
 */
public final class Main {
  private Main() {}

  /** The subcommands, in the order {@code --help} shows them. */
  static Map<String, Command> commands() {
    Map<String, Command> m = new LinkedHashMap<>();
    for (Command c : List.<Command>of(new InfoCommand(), new SearchCommand(), new TrainCommand(), new EvalCommand(),
        new PredictCommand(), new ExportCommand(), new BenchCommand(), new MultiTrialCommand(), new ServeCommand())) m.put(c.name(), c);
    return m;
  }

  /** Entry point. */
  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs the command line and returns the exit code (used by tests). */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    System.setProperty("java.util.logging.SimpleFormatter.format", "jnas: %5$s%n");
    Map<String, Command> commands = commands();
    if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
      out.print(usage(commands));
      return args.length == 0 ? 2 : 0;
    }
    if (args[0].equals("--version")) {
      out.println("jnas " + version());
      return 0;
    }
    Command c = commands.get(args[0]);
    if (c == null) {
      err.println("jnas: unknown command '" + args[0] + "', expected one of " + String.join(", ", commands.keySet())
          + " (see jnas --help)");
      return 2;
    }
    String[] rest = java.util.Arrays.copyOfRange(args, 1, args.length);
    try {
      Options.Parsed p = c.options().parse(rest, c.positional());
      if (p.flag("help")) {
        out.print(help(c));
        return 0;
      }
      return c.run(p, out);
    } catch (UsageException | IllegalArgumentException | java.io.IOException e) {
      // bad input: a flag, a value, a missing, truncated or corrupt file (the message names it)
      err.println("jnas " + c.name() + ": " + stripPrefix(e.getMessage(), c.name()));
      return 2;
    } catch (Exception e) {
      err.println("jnas " + c.name() + ": failed: " + e);
      return 1;
    }
  }

  private static String stripPrefix(String msg, String name) {
    return msg != null && msg.startsWith(name + ": ") ? msg.substring(name.length() + 2) : msg;
  }

  static String help(Command c) {
    String d = c.details();
    return "Usage: jnas " + c.name() + " [flags]" + (c.positional() ? " [args]" : "") + "\n\n" + c.summary() + "\n\nFlags:\n"
        + c.options().help() + (d.isEmpty() ? "" : "\n" + d + (d.endsWith("\n") ? "" : "\n"));
  }

  static String usage(Map<String, Command> commands) {
    StringBuilder sb = new StringBuilder("jnas " + version()
        + ": neural architecture search on a native core\n\nUsage: java -jar jnas.jar COMMAND [flags]\n\nCommands:\n");
    for (Command c : commands.values()) sb.append(String.format("  %-10s %s%n", c.name(), c.summary()));
    sb.append("\nRun 'jnas COMMAND --help' for a command's flags.\n"
        + "System properties: -Djnas.backend=cpu|cuda|auto, -Djnas.threads=N.\n");
    return sb.toString();
  }

  static String version() {
    String v = Main.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }
}
