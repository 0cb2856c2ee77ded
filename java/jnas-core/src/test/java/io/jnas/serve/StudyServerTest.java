package io.jnas.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnas.study.Study;
import io.jnas.study.StudySpec;
import io.jnas.study.Trial;
import io.jnas.study.TrialState;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jnas serve} driven over HTTP: a whole study (create, ask, report, should-prune, tell,
 * status, Pareto front) that proposes what an in-memory study proposes; every rejection (token,
 * size, JSON, fields, unknown study or trial) with its status and nothing changed; a server
 * stopped and started again on its state folder continues the study.
 */
class StudyServerTest {
  static final String TOKEN = "test-token-0123456789abcdef";
  static final String CREATE = "{\"space\": {\"name\": \"categorical\", \"choices\": [4, 4, 3, 5]}, \"strategy\": \"evolution\","
      + " \"strategy_params\": {\"population\": 4, \"tournament\": 2}, \"objectives\": [{\"name\": \"accuracy\"},"
      + " {\"name\": \"params\", \"direction\": \"minimize\"}], \"seed\": 3, \"pruner\": {\"name\": \"median\", \"min_trials\": 2,"
      + " \"warmup_steps\": 1}}";
  private final HttpClient client = HttpClient.newHttpClient();

  record Answer(int status, Map<String, Object> json) {}

  static StudyServer start(Path state, int maxBody) throws Exception {
    return StudyServer.start(new StudyServer.Config("127.0.0.1", 0, state, TOKEN, maxBody, 2), null);
  }

  Answer call(StudyServer s, String method, String path, String body) throws Exception {
    return call(s.url(), method, path, body, TOKEN);
  }

  Answer call(String url, String method, String path, String body, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (token != null) b.header("Authorization", "Bearer " + token);
    HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return new Answer(r.statusCode(), Json.parseObject(r.body()));
  }

  /** The caller's "evaluation": accuracy after an epoch, and a parameter count. */
  static double accuracy(int[] d, int epoch) {
    return 0.2 * d[0] - 0.1 * Math.abs(d[1] - 2) + 0.05 * d[2] - 0.03 * Math.abs(d[3] - 3) + 0.1 * epoch;
  }

  static double params(int[] d) {
    return 1000 + 300 * d[0] + 50 * d[2];
  }

  static int[] ints(Object list) {
    return ((List<?>) list).stream().mapToInt(v -> ((Number) v).intValue()).toArray();
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object o) {
    return (Map<String, Object>) o;
  }

  /**
   * Runs trials over HTTP and on the in-memory reference side by side: each asked, reported
   * for 3 epochs while the pruner lets it, told; asserts the server answers as the reference.
   */
  void drive(StudyServer s, String id, Study ref, int n) throws Exception {
    for (int i = 0; i < n; i++) {
      Answer a = call(s, "POST", "/studies/" + id + "/ask", null);
      assertEquals(200, a.status(), a.json().toString());
      Map<String, Object> trial = map(a.json().get("trial"));
      Trial t = ref.ask();
      assertEquals(t.id(), ((Number) trial.get("id")).intValue());
      int[] d = ints(trial.get("decisions"));
      assertArrayEquals(t.decisions(), d, "the server proposes what the reference study proposes");
      finish(s, id, ref, t, 1);
    }
  }

  /** Reports epochs from {@code from} to 3 (stopping where pruned) and tells. */
  void finish(StudyServer s, String id, Study ref, Trial t, int from) throws Exception {
    int[] d = t.decisions();
    boolean pruned = false;
    double acc = 0;
    for (int e = from; e <= 3 && !pruned; e++) {
      acc = accuracy(d, e);
      Answer r = call(s, "POST", "/studies/" + id + "/trials/" + t.id() + "/report", "{\"step\": " + e + ", \"value\": " + acc + "}");
      assertEquals(200, r.status(), r.json().toString());
      t.report(e, acc);
      boolean refPrune = e < 3 && t.shouldPrune();
      assertEquals(t.shouldPrune(), r.json().get("should_prune"));
      pruned = refPrune;
    }
    String body = pruned ? "{\"state\": \"pruned\"}" : "{\"values\": {\"params\": " + params(d) + ", \"accuracy\": " + acc + "}}";
    Answer told = call(s, "POST", "/studies/" + id + "/trials/" + t.id() + "/tell", body);
    assertEquals(200, told.status(), told.json().toString());
    if (pruned) ref.tellPruned(t);
    else ref.tell(t, acc, params(d));
    assertEquals(t.state().id(), map(told.json().get("trial")).get("state"));
  }

  @Test
  void wholeStudyOverHttp(@TempDir Path tmp) throws Exception {
    Study ref = Study.create(StudySpec.fromMap(Json.parseObject(CREATE)));
    try (StudyServer s = start(tmp.resolve("state"), 65536)) {
      Answer c = call(s, "POST", "/studies", CREATE);
      assertEquals(201, c.status(), c.json().toString());
      String id = (String) c.json().get("id");
      assertEquals("study-1", id);
      drive(s, id, ref, 12);
      Answer st = call(s, "GET", "/studies/" + id, null);
      assertEquals(200, st.status());
      assertEquals(12, ((Number) st.json().get("trials")).intValue());
      Map<String, Object> counts = map(st.json().get("counts"));
      assertEquals(ref.counts().get(TrialState.PRUNED), ((Number) counts.get("pruned")).intValue());
      assertTrue(ref.counts().get(TrialState.PRUNED) > 0, "the median pruner pruned some: " + ref.counts());
      assertEquals(ref.best().orElseThrow().id(), ((Number) map(st.json().get("best")).get("id")).intValue());
      Answer pf = call(s, "GET", "/studies/" + id + "/pareto", null);
      List<Integer> front = new ArrayList<>();
      for (Object o : (List<?>) pf.json().get("front")) front.add(((Number) map(o).get("id")).intValue());
      assertEquals(ref.paretoFront().stream().map(Trial::id).toList(), front);
      assertTrue(front.size() >= 2, "two objectives in tension: " + front);
      Answer one = call(s, "GET", "/studies/" + id + "/trials/3", null);
      assertEquals(Json.write(ref.trialMap(ref.trial(3))), Json.write(one.json()));
      Answer all = call(s, "GET", "/studies", null);
      assertEquals(1, ((List<?>) all.json().get("studies")).size());
      assertTrue(Files.isRegularFile(tmp.resolve("state").resolve(id + StudyServer.SUFFIX)));
    }
  }

  @Test
  void rejectionsChangeNothing(@TempDir Path tmp) throws Exception {
    Path state = tmp.resolve("state");
    try (StudyServer s = start(state, 1024)) {
      String id = (String) call(s, "POST", "/studies", CREATE).json().get("id");
      assertEquals(200, call(s, "POST", "/studies/" + id + "/ask", null).status());
      Path file = state.resolve(id + StudyServer.SUFFIX);
      byte[] before = Files.readAllBytes(file);
      String statusBefore = Json.write(call(s, "GET", "/studies/" + id, null).json());
      String tell = "/studies/" + id + "/trials/1/tell";
      record Case(String method, String path, String body, String token, int status, String says) {}
      String big = "{\"values\": [" + "0.5, ".repeat(400) + "0.5]}";
      for (Case k : List.of(
          new Case("POST", tell, "{\"value\": 0.5}", "wrong-token-0123456789", 401, "wrong token"),
          new Case("POST", tell, "{\"value\": 0.5}", null, 401, "Authorization: Bearer"),
          new Case("GET", "/studies", null, "x", 401, "wrong token"),
          new Case("POST", tell, big, TOKEN, 413, "limit of 1024"),
          new Case("POST", tell, "{\"values\": [0.5,", TOKEN, 400, "line 1, column"),
          new Case("POST", tell, "[" .repeat(40) + "]".repeat(40), TOKEN, 400, "nests deeper"),
          new Case("POST", tell, "{\"values\": [\"high\", 3]}", TOKEN, 400, "'values[0]'"),
          new Case("POST", tell, "{\"values\": [0.5]}", TOKEN, 400, "one per objective"),
          new Case("POST", tell, "{\"values\": {\"accuracy\": 0.5}}", TOKEN, 400, "'values.params' is missing"),
          new Case("POST", tell, "{\"value\": 0.5, \"colour\": 1}", TOKEN, 400, "'colour'"),
          new Case("POST", tell, "{\"state\": \"lost\"}", TOKEN, 400, "'state'"),
          new Case("POST", "/studies/" + id + "/trials/1/report", "{\"step\": 1.5, \"value\": 0.1}", TOKEN, 400, "'step'"),
          new Case("POST", "/studies/" + id + "/trials/1/report", "{\"step\": 1}", TOKEN, 400, "'value' is missing"),
          new Case("POST", "/studies", "{\"space\": {\"name\": \"nb999\"}}", TOKEN, 400, "'space.name'"),
          new Case("POST", "/studies", "{\"space\": {\"name\": \"nb201\"}, \"seed\": \"x\"}", TOKEN, 400, "'seed'"),
          new Case("POST", "/studies/nope/ask", null, TOKEN, 404, "no study nope"),
          new Case("POST", "/studies/" + id + "/trials/9/tell", "{\"value\": 1}", TOKEN, 404, "no trial 9"),
          new Case("GET", "/studies/" + id + "/ask", null, TOKEN, 405, "use POST"),
          new Case("GET", "/elsewhere", null, TOKEN, 404, "no route"))) {
        Answer a = call(s.url(), k.method(), k.path(), k.body(), k.token());
        assertEquals(k.status(), a.status(), k + " -> " + a.json());
        assertTrue(String.valueOf(a.json().get("error")).contains(k.says()), k + " -> " + a.json());
      }
      assertArrayEquals(before, Files.readAllBytes(file), "the study's file is untouched");
      assertEquals(statusBefore, Json.write(call(s, "GET", "/studies/" + id, null).json()), "the study is untouched");
      assertEquals(List.of(id), s.studyIds(), "no study was made by the rejected creations");
      assertEquals(1, Files.list(state).filter(p -> p.toString().endsWith(StudyServer.SUFFIX)).count());
      // a trial ends once
      assertEquals(200, call(s, "POST", tell, "{\"values\": [0.5, 1000]}").status());
      Answer again = call(s, "POST", tell, "{\"values\": [0.6, 1000]}");
      assertEquals(409, again.status());
      assertTrue(String.valueOf(again.json().get("error")).contains("complete already"), again.json().toString());
    }
  }

  @Test
  void restartedServerContinuesTheStudy(@TempDir Path tmp) throws Exception {
    Path state = tmp.resolve("state");
    Study ref = Study.create(StudySpec.fromMap(Json.parseObject(CREATE)));
    Trial open;
    try (StudyServer s = start(state, 65536)) {
      call(s, "POST", "/studies", "{\"name\": \"mine\", " + CREATE.substring(1));
      drive(s, "mine", ref, 6);
      // one more trial, asked and reported once: running when the server stops
      assertEquals(200, call(s, "POST", "/studies/mine/ask", null).status());
      open = ref.ask();
      call(s, "POST", "/studies/mine/trials/" + open.id() + "/report", "{\"step\": 1, \"value\": " + accuracy(open.decisions(), 1) + "}");
      open.report(1, accuracy(open.decisions(), 1));
    }
    try (StudyServer s = start(state, 65536)) {
      assertEquals(List.of("mine"), s.studyIds());
      finish(s, "mine", ref, open, 2);
      drive(s, "mine", ref, 6);
      assertEquals(Json.write(ref.toMap()), Json.write(Study.load(state.resolve("mine" + StudyServer.SUFFIX)).toMap()),
          "the restarted study holds what one never stopped holds");
    }
  }
}
