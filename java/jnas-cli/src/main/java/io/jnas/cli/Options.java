package io.jnas.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The flags a command accepts, with defaults and help, and their parsing. Flags are
 * {@code --name value}, {@code --name=value}, or {@code --name} for a switch. An unknown flag,
 * a missing value or a value of the wrong type is a {@link UsageException} naming the flag.
 */
public final class Options {
  private record Opt(String name, String arg, String defaultValue, String help) {}

  private final Map<String, Opt> opts = new LinkedHashMap<>();
  private final Map<String, String> renamed = new LinkedHashMap<>();
  private final String command;

  /** @param command the subcommand's name, used in messages */
  public Options(String command) {
    this.command = command;
    flag("help", "print this help and exit");
  }

  /** Declares a flag that takes a value. */
  public Options value(String name, String arg, String defaultValue, String help) {
    opts.put(name, new Opt(name, arg, defaultValue, help));
    return this;
  }

  /** Declares a switch (no value). */
  public Options flag(String name, String help) {
    opts.put(name, new Opt(name, null, null, help));
    return this;
  }

  /**
   * Records a flag of an earlier version that is now called otherwise: using it is refused
   * with a message naming its replacement (not listed in the help).
   */
  public Options renamed(String oldName, String replacement) {
    renamed.put(oldName, replacement);
    return this;
  }

  /** The help text of the flags, one per line. */
  public String help() {
    StringBuilder sb = new StringBuilder();
    for (Opt o : opts.values()) {
      String left = "  --" + o.name + (o.arg == null ? "" : " " + o.arg);
      sb.append(String.format(Locale.ROOT, "%-28s %s", left, o.help));
      if (o.defaultValue != null) sb.append(" (default: ").append(o.defaultValue).append(')');
      sb.append('\n');
    }
    return sb.toString();
  }

  /** Parses {@code args}; positional arguments are refused unless {@code positional} is true. */
  public Parsed parse(String[] args, boolean positional) {
    Map<String, String> values = new LinkedHashMap<>();
    List<String> rest = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.startsWith("--")) {
        String name = a.substring(2);
        String val = null;
        int eq = name.indexOf('=');
        if (eq >= 0) {
          val = name.substring(eq + 1);
          name = name.substring(0, eq);
        }
        Opt o = opts.get(name);
        if (o == null && renamed.containsKey(name)) {
          throw new UsageException(command + ": --" + name + " is now --" + renamed.get(name) + " (see jnas " + command + " --help)");
        }
        if (o == null) throw new UsageException(command + ": unknown flag --" + name + " (see jnas " + command + " --help)");
        if (o.arg == null) {
          if (val != null) throw new UsageException(command + ": --" + name + " takes no value");
          values.put(name, "true");
        } else {
          if (val == null) {
            if (i + 1 >= args.length) throw new UsageException(command + ": --" + name + " needs a value (" + o.arg + ")");
            val = args[++i];
          }
          values.put(name, val);
        }
      } else if (positional) {
        rest.add(a);
      } else {
        throw new UsageException(command + ": unexpected argument '" + a + "' (see jnas " + command + " --help)");
      }
    }
    return new Parsed(values, rest);
  }

  /** Parsed flags with typed getters that name the flag on a bad value. */
  public final class Parsed {
    private final Map<String, String> values;
    private final List<String> positional;

    Parsed(Map<String, String> values, List<String> positional) {
      this.values = values;
      this.positional = positional;
    }

    /** Positional arguments, in order. */
    public List<String> positional() {
      return positional;
    }

    /** Whether the flag was given. */
    public boolean has(String name) {
      return values.containsKey(name);
    }

    /** The switch's state. */
    public boolean flag(String name) {
      return values.containsKey(name);
    }

    /** The value, or the declared default (which may be null). */
    public String string(String name) {
      Opt o = opts.get(name);
      if (o == null) throw new IllegalStateException("undeclared flag " + name);
      return values.getOrDefault(name, o.defaultValue);
    }

    /** An integer value. */
    public int integer(String name) {
      String v = string(name);
      try {
        return Integer.parseInt(v.trim());
      } catch (NumberFormatException | NullPointerException e) {
        throw new UsageException(command + ": --" + name + " is '" + v + "', expected an integer");
      }
    }

    /** An integer value of at least {@code min}. */
    public int integer(String name, int min) {
      int v = integer(name);
      if (v < min) throw new UsageException(command + ": --" + name + " is " + v + ", expected at least " + min);
      return v;
    }

    /** A 64-bit integer value. */
    public long longValue(String name) {
      String v = string(name);
      try {
        return Long.parseLong(v.trim());
      } catch (NumberFormatException | NullPointerException e) {
        throw new UsageException(command + ": --" + name + " is '" + v + "', expected an integer");
      }
    }

    /** A finite number in [lo, hi]. */
    public double number(String name, double lo, double hi) {
      String v = string(name);
      double d;
      try {
        d = Double.parseDouble(v.trim());
      } catch (NumberFormatException | NullPointerException e) {
        throw new UsageException(command + ": --" + name + " is '" + v + "', expected a number");
      }
      if (!(d >= lo && d <= hi)) {
        throw new UsageException(command + ": --" + name + " is " + v + ", expected a number in [" + lo + ", " + hi + "]");
      }
      return d;
    }

    /** One of the given choices. */
    public String choice(String name, String... choices) {
      String v = string(name);
      for (String c : choices) if (c.equals(v)) return v;
      throw new UsageException(command + ": --" + name + " is '" + v + "', expected one of " + String.join(", ", choices));
    }

    /** A path, or null where neither given nor defaulted. */
    public Path path(String name) {
      String v = string(name);
      return v == null ? null : Path.of(v);
    }
  }
}
