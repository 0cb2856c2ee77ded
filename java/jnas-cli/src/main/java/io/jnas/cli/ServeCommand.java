package io.jnas.cli;

import io.jnas.serve.StudyServer;
import java.io.PrintStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * {@code jnas serve}: ask/tell studies over HTTP and JSON ({@link StudyServer}) until SIGINT or
 * SIGTERM; the studies' state survives a restart.
 */
final class ServeCommand implements Command {
  @Override
  public String name() {
    return "serve";
  }

  @Override
  public String summary() {
    return "ask/tell studies over HTTP/JSON (create, ask, report, tell, status, Pareto front) for programs outside the JVM";
  }

  @Override
  public Options options() {
    return new Options(name())
        .value("host", "ADDR", "127.0.0.1", "address to listen on (loopback by default; anything else is reachable from the network)")
        .value("port", "N", "8765", "port (0: any free one, printed)")
        .value("state", "DIR", "studies", "folder of the studies' files (one ID.study.json each); a restarted server continues them")
        .value("token-file", "FILE", null, "read the bearer token from FILE (first line); else one is generated and printed once")
        .value("max-body", "BYTES", "65536", "largest request body accepted (larger: 413)")
        .value("threads", "N", "4", "threads answering requests");
  }

  @Override
  public String details() {
    return "Every request needs the header 'Authorization: Bearer TOKEN'. Routes (JSON bodies and answers):\n"
        + "  POST /studies                        {space, strategy, strategy_params, objectives, seed, pruner, name}\n"
        + "  GET  /studies, /studies/ID           list; status (counts, best trial, front size)\n"
        + "  POST /studies/ID/ask                 a new trial: id, decisions, architecture\n"
        + "  POST /studies/ID/trials/N/report     {step, value} -> {should_prune}\n"
        + "  GET  /studies/ID/trials/N/should-prune\n"
        + "  POST /studies/ID/trials/N/tell       {values: [...]} | {value: x} | {state: pruned} | {state: failed, reason}\n"
        + "  GET  /studies/ID/trials[/N], /studies/ID/pareto\n"
        + "Spaces: {\"name\": \"enas-micro\", \"nodes\": 5}, {\"name\": \"nb201\"}, {\"name\": \"nb101\"},\n"
        + "{\"name\": \"categorical\", \"choices\": [3, 4], \"names\": [\"a\", \"b\"]}. Pruners: {\"name\": \"median\", \"min_trials\": 3,\n"
        + "\"warmup_steps\": 0}, {\"name\": \"halving\", \"min_resource\": 1, \"eta\": 3, \"min_trials\": 3}.\n\n"
        + "Example:\n"
        + "  jnas serve --port 8765 --state runs/studies\n"
        + "  curl -s -H \"Authorization: Bearer $TOKEN\" -d '{\"space\": {\"name\": \"nb201\"}, \"strategy\": \"evolution\"}' \\\n"
        + "       http://127.0.0.1:8765/studies\n";
  }

  @Override
  public int run(Options.Parsed a, PrintStream out) throws Exception {
    String host = a.string("host");
    int port = a.integer("port", 0);
    if (port > 65535) throw new UsageException(name() + ": --port is " + port + ", expected 0..65535");
    int maxBody = a.integer("max-body", 256);
    int threads = a.integer("threads", 1);
    Path state = a.path("state");
    InetAddress addr;
    try {
      addr = InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      throw new UsageException(name() + ": --host " + host + ": unknown address");
    }
    String token;
    boolean generated = !a.has("token-file");
    if (generated) {
      token = StudyServer.newToken();
    } else {
      Path f = a.path("token-file");
      if (!Files.isRegularFile(f)) throw new UsageException(name() + ": --token-file " + f + ": no such file");
      List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
      token = lines.isEmpty() ? "" : lines.get(0).strip();
      if (token.length() < 16 || token.chars().anyMatch(c -> c <= ' ' || c > '~')) {
        throw new UsageException(name() + ": --token-file " + f + ": the token (its first line) must be at least 16 printable characters without spaces");
      }
    }
    StudyServer server;
    try {
      server = StudyServer.start(new StudyServer.Config(host, port, state, token, maxBody, threads), System.err);
    } catch (BindException e) {
      throw new UsageException(name() + ": --host " + host + " --port " + port + ": cannot listen there (" + e.getMessage() + ")");
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      stopped.countDown();
    }, "jnas-serve-stop"));
    if (!addr.isLoopbackAddress()) {
      System.err.println("jnas serve: warning: listening on " + host + ", beyond this machine: anyone who reaches the port and has the token"
          + " drives the studies, in plain HTTP (put TLS in front)");
    }
    out.println("jnas serve: listening on " + server.url() + "; state in " + state.toAbsolutePath() + " (" + server.studyIds().size()
        + " studies restored); Ctrl-C stops");
    if (generated) {
      out.println("jnas serve: token " + token + " (send 'Authorization: Bearer " + token + "'; it is not shown again)");
    } else {
      out.println("jnas serve: token from " + a.path("token-file"));
    }
    out.flush();
    stopped.await();
    return 0;
  }
}
