package io.jnas.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnas.util.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Runs {@link Main} in-process with captured output, for the CLI tests. */
record CliRun(int code, String out, String err) {
  /** {@code jnas args...}: exit code, standard output, standard error. */
  static CliRun run(String... args) {
    ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
    int code = Main.run(args, new PrintStream(o, true, StandardCharsets.UTF_8), new PrintStream(e, true, StandardCharsets.UTF_8));
    return new CliRun(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
  }

  /**
   * As {@link #run}, with {@code System.err} (where commands print progress and messages)
   * captured into {@code err} too. Not for concurrent use.
   */
  static CliRun runCapturingStderr(String... args) {
    PrintStream was = System.err;
    ByteArrayOutputStream sys = new ByteArrayOutputStream();
    System.setErr(new PrintStream(sys, true, StandardCharsets.UTF_8));
    try {
      CliRun r = run(args);
      return new CliRun(r.code(), r.out(), sys.toString(StandardCharsets.UTF_8) + r.err());
    } finally {
      System.setErr(was);
    }
  }

  /** {@code base} followed by {@code extra}: a test's fixed arguments plus this call's. */
  static String[] with(String[] base, String... extra) {
    String[] out = java.util.Arrays.copyOf(base, base.length + extra.length);
    System.arraycopy(extra, 0, out, base.length, extra.length);
    return out;
  }

  /** Asserts bad input: exit 2 and one line on standard error containing {@code expect}. */
  static void bad(String expect, String... args) {
    CliRun r = run(args);
    assertEquals(2, r.code(), String.join(" ", args) + ": " + r.err());
    assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
    assertTrue(r.err().contains(expect), String.join(" ", args) + " -> " + r.err());
  }

  /**
   * Runs {@code search} ({@code args} without {@code --out}) into {@code cut} stopped after
   * epoch 1, resumes it, and asserts that it made the events and the final architecture of
   * {@code ref}, the same search never stopped.
   */
  static void assertStoppedAndResumedMatches(Path ref, Path cut, String what, String... args) throws IOException {
    CliRun r = run(with(args, "--out", cut.toString(), "--stop-after", "1"));
    assertEquals(0, r.code(), r.err());
    r = run("search", "--resume", cut.toString());
    assertEquals(0, r.code(), r.err());
    assertEquals(searchEvents(ref), searchEvents(cut), "a resumed " + what + " makes the events of one never stopped");
    assertEquals(Files.readString(ref.resolve("final_arch.json")), Files.readString(cut.resolve("final_arch.json")));
  }

  /** A search's log.jsonl events, minus wall-clock fields and the start/resume markers: what a resumed run must repeat. */
  static List<Map<String, Object>> searchEvents(Path run) throws IOException {
    List<Map<String, Object>> out = new ArrayList<>();
    for (String line : Files.readAllLines(run.resolve("log.jsonl"))) {
      Map<String, Object> ev = Json.parseObject(line);
      if (ev.get("event").equals("start") || ev.get("event").equals("resume")) continue;
      ev.remove("seconds");
      ev.remove("images_per_second");
      out.add(ev);
    }
    return out;
  }
}
