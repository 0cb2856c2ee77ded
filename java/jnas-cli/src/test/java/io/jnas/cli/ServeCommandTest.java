package io.jnas.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnas.study.Study;
import io.jnas.study.StudySpec;
import io.jnas.study.Trial;
import io.jnas.util.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jnas serve} as a process: killed with SIGKILL in the middle of a study and started
 * again on its state folder, it continues the study as if it had never stopped; a generated
 * token is printed once and required; bad flags exit 2 with one line.
 */
class ServeCommandTest {
  private static final Pattern URL = Pattern.compile("listening on (http://\\S+);");
  private static final Pattern TOKEN = Pattern.compile("token ([A-Za-z0-9_-]{43}) ");
  private static final String CREATE = "{\"name\": \"s\", \"space\": {\"name\": \"enas-micro\", \"nodes\": 2}, \"strategy\": \"evolution\","
      + " \"strategy_params\": {\"population\": 3, \"tournament\": 2}, \"objectives\": [{\"name\": \"accuracy\"}], \"seed\": 5,"
      + " \"pruner\": {\"name\": \"median\", \"min_trials\": 2}}";
  private final HttpClient client = HttpClient.newHttpClient();

  /** A server process; its first lines name the URL and, where generated, the token. */
  private record Server(Process process, String url, String token, Path log) {}

  private static Server serve(Path tmp, String name, String tokenFile) throws Exception {
    Path log = tmp.resolve(name + ".log");
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
        System.getProperty("java.class.path"), Main.class.getName(), "serve", "--port", "0", "--state", tmp.resolve("state").toString()));
    if (tokenFile != null) cmd.addAll(List.of("--token-file", tokenFile));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    long end = System.nanoTime() + 60_000_000_000L;
    while (System.nanoTime() < end) {
      String text = Files.exists(log) ? Files.readString(log) : "";
      Matcher u = URL.matcher(text);
      Matcher t = TOKEN.matcher(text);
      if (u.find() && (tokenFile != null || t.find())) return new Server(p, u.group(1), tokenFile != null ? null : t.group(1), log);
      if (!p.isAlive()) throw new AssertionError("server exited: " + text);
      Thread.sleep(50);
    }
    p.destroyForcibly();
    throw new AssertionError("no listening line in 60 s: " + Files.readString(log));
  }

  private Map<String, Object> call(Server s, String token, String method, String path, String body, int expect) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(s.url() + path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (token != null) b.header("Authorization", "Bearer " + token);
    HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(expect, r.statusCode(), method + " " + path + ": " + r.body());
    return Json.parseObject(r.body());
  }

  /** Asks a trial over HTTP and of the reference study: the same decisions. */
  private Trial ask(Server s, String token, Study ref) throws Exception {
    Map<?, ?> t = (Map<?, ?>) call(s, token, "POST", "/studies/s/ask", null, 200).get("trial");
    Trial r = ref.ask();
    int[] d = ((List<?>) t.get("decisions")).stream().mapToInt(v -> ((Number) v).intValue()).toArray();
    assertArrayEquals(r.decisions(), d, "trial " + r.id() + ": the server proposes what an uninterrupted study proposes");
    return r;
  }

  private void tell(Server s, String token, Study ref, Trial t) throws Exception {
    double v = 0.1 * (t.decisions()[1] + t.decisions()[3]) + 0.01 * t.id();
    call(s, token, "POST", "/studies/s/trials/" + t.id() + "/tell", "{\"value\": " + v + "}", 200);
    ref.tell(t, v);
  }

  @Test
  void killedServerContinuesTheStudy(@TempDir Path tmp) throws Exception {
    Path tokenFile = tmp.resolve("token");
    String token = "file-token-0123456789abcdef";
    Files.writeString(tokenFile, token + "\n");
    Study ref = Study.create(StudySpec.fromMap(Json.parseObject(CREATE.replace("\"name\": \"s\", ", ""))));
    Server a = serve(tmp, "a", tokenFile.toString());
    Trial running;
    try {
      assertTrue(Files.readString(a.log()).contains("token from"), "a token from a file is not printed");
      call(a, token, "POST", "/studies", CREATE, 201);
      for (int i = 0; i < 5; i++) tell(a, token, ref, ask(a, token, ref));
      running = ask(a, token, ref);
      call(a, token, "POST", "/studies/s/trials/" + running.id() + "/report", "{\"step\": 1, \"value\": 0.25}", 200);
      running.report(1, 0.25);
    } finally {
      a.process().destroyForcibly().waitFor();  // SIGKILL: no shutdown hook, nothing flushed
    }
    Server b = serve(tmp, "b", null);  // a generated token this time
    try {
      call(b, null, "GET", "/studies/s", null, 401);
      call(b, token, "GET", "/studies/s", null, 401);  // the old token is gone with the old server
      Map<String, Object> st = call(b, b.token(), "GET", "/studies/s", null, 200);
      assertEquals(6, ((Number) st.get("trials")).intValue());
      assertEquals(1, ((Number) ((Map<?, ?>) st.get("counts")).get("running")).intValue(), "the running trial survived the kill");
      tell(b, b.token(), ref, running);
      for (int i = 0; i < 5; i++) tell(b, b.token(), ref, ask(b, b.token(), ref));
      assertEquals(Json.write(ref.toMap()), Json.write(Study.load(tmp.resolve("state").resolve("s.study.json")).toMap()));
      String out = Files.readString(b.log());
      assertEquals(1, out.split(b.token(), -1).length - 2, "the token is printed once (in one line, twice: token and header)");
    } finally {
      b.process().destroy();  // SIGTERM: the shutdown hook stops the server
      assertEquals(143, b.process().waitFor());
    }
  }

  @Test
  void badFlagsExitTwo(@TempDir Path tmp) throws Exception {
    CliRun.bad("--token-file " + tmp.resolve("none") + ": no such file", "serve", "--token-file", tmp.resolve("none").toString());
    Files.writeString(tmp.resolve("short"), "abc\n");
    CliRun.bad("at least 16 printable characters", "serve", "--token-file", tmp.resolve("short").toString());
    CliRun.bad("--port is 70000", "serve", "--port", "70000");
    CliRun.bad("--max-body is 10, expected at least 256", "serve", "--max-body", "10");
  }
}
