package io.jnas.serve;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.jnas.search.RunLock;
import io.jnas.study.Study;
import io.jnas.study.StudySpec;
import io.jnas.study.Trial;
import io.jnas.study.TrialState;
import io.jnas.util.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Pattern;

/**
 * {@code jnas serve}: studies ({@link Study}) over HTTP and JSON, on the JDK's
 * {@link HttpServer}, so that programs outside the JVM (Python, shell scripts, other
 * services) drive jnas's strategies and pruners with ask/tell.
 *
 * <p><b>Security.</b> Binds to the loopback address unless told otherwise. Every request, of
 * every route, must carry {@code Authorization: Bearer TOKEN}; the token is generated at start
 * ({@link #newToken()}, 256 random bits) or read from a file, and compared in constant time.
 * Request bodies above {@code maxBodyBytes} are refused before they are read (413), as is JSON
 * nested deeper than {@value #MAX_DEPTH} levels.
 *
 * <p><b>Routes</b> (bodies and answers are JSON objects; an error is {@code {"error": "..."}}):
 * <pre>
 * POST /studies                         {space, strategy, strategy_params, objectives, seed, pruner, name?} -> 201 the study
 * GET  /studies                         every study: id, trials, counts
 * GET  /studies/ID                      status: trials, counts, best, front size, spec
 * POST /studies/ID/ask                  -> the new trial: id, decisions, architecture, state
 * GET  /studies/ID/trials[/N]           every trial, or one
 * POST /studies/ID/trials/N/report      {step, value} -> {should_prune}
 * GET  /studies/ID/trials/N/should-prune -> {should_prune}
 * POST /studies/ID/trials/N/tell        {values: [..] or {name: v}} | {value: v} | {state: "pruned"} | {state: "failed", reason}
 * GET  /studies/ID/pareto               the objectives and the front's trials
 * </pre>
 * Statuses: 400 malformed JSON or a bad field (the message names it), 401 a missing or wrong
 * token, 404 an unknown study, trial or route, 405 a wrong method, 409 a trial that has ended
 * or a strategy with nothing left, 413 a body too large. A rejected request changes nothing.
 *
 * <p><b>State.</b> Each study is one file in the state folder, {@code ID.study.json}
 * ({@link Study#toMap()}), rewritten atomically before a change is answered; the folder is
 * locked ({@link RunLock}) while a server uses it. A server started on the folder again, after
 * a stop or a kill, restores every study ({@link Study#load}) and continues it: the strategy
 * proposes what it would have proposed had the server never stopped.
 */
public final class StudyServer implements AutoCloseable {
  /** Deepest JSON nesting accepted in a request body. */
  public static final int MAX_DEPTH = 32;
  /** Suffix of a study's file in the state folder. */
  public static final String SUFFIX = ".study.json";
  private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");

  /**
   * How a server runs.
   *
   * @param host the address to bind ({@code 127.0.0.1}: loopback only)
   * @param port the port (0: any free one; {@link #port()} says which)
   * @param stateDir the folder of the studies' files (made where absent)
   * @param token the bearer token every request must carry (at least 16 characters)
   * @param maxBodyBytes largest request body accepted
   * @param threads threads answering requests
   */
  public record Config(String host, int port, Path stateDir, String token, int maxBodyBytes, int threads) {
    /** Checks the values. */
    public Config {
      Objects.requireNonNull(host, "host");
      Objects.requireNonNull(stateDir, "stateDir");
      Objects.requireNonNull(token, "token");
      if (port < 0 || port > 65535) throw new IllegalArgumentException("port is " + port + ", expected 0..65535");
      if (token.length() < 16 || token.chars().anyMatch(c -> c <= ' ' || c > '~')) {
        throw new IllegalArgumentException("the token must be at least 16 printable characters without spaces");
      }
      if (maxBodyBytes < 256) throw new IllegalArgumentException("max body is " + maxBodyBytes + " bytes, expected at least 256");
      if (threads < 1) throw new IllegalArgumentException("threads is " + threads + ", expected at least 1");
    }
  }

  private final Config config;
  private final HttpServer http;
  private final ExecutorService pool;
  private final RunLock lock;
  private final Map<String, Study> studies = new LinkedHashMap<>();
  private final byte[] token;
  private final PrintStream log;

  private StudyServer(Config config, HttpServer http, ExecutorService pool, RunLock lock, PrintStream log) {
    this.config = config;
    this.http = http;
    this.pool = pool;
    this.lock = lock;
    this.token = config.token().getBytes(StandardCharsets.US_ASCII);
    this.log = log;
  }

  /** A new random token: 32 bytes from {@link SecureRandom}, base64url without padding (43 characters). */
  public static String newToken() {
    byte[] b = new byte[32];
    new SecureRandom().nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  /**
   * Locks the state folder, restores its studies and starts answering.
   *
   * @param log where one line per request that changed a study goes, or null
   * @throws IllegalArgumentException where the folder is held by another server or a study file
   *     cannot be restored (named)
   * @throws IOException where the address cannot be bound
   */
  public static StudyServer start(Config config, PrintStream log) throws IOException {
    Files.createDirectories(config.stateDir());
    RunLock lock = RunLock.acquire(config.stateDir(), "serve", log);
    ExecutorService pool = null;
    try {
      Map<String, Study> restored = new LinkedHashMap<>();
      List<Path> files = new ArrayList<>();
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(config.stateDir(), "*" + SUFFIX)) {
        for (Path p : ds) files.add(p);
      }
      files.sort(null);
      for (Path f : files) {
        String name = f.getFileName().toString();
        restored.put(name.substring(0, name.length() - SUFFIX.length()), Study.load(f));
      }
      HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getByName(config.host()), config.port()), 0);
      pool = Executors.newFixedThreadPool(config.threads(), r -> {
        Thread t = new Thread(r, "jnas-serve");
        t.setDaemon(true);
        return t;
      });
      http.setExecutor(pool);
      StudyServer s = new StudyServer(config, http, pool, lock, log);
      s.studies.putAll(restored);
      http.createContext("/", s::handle);
      http.start();
      return s;
    } catch (IOException | RuntimeException e) {
      if (pool != null) pool.shutdownNow();
      lock.close();
      throw e;
    }
  }

  /** The port it listens on. */
  public int port() {
    return http.getAddress().getPort();
  }

  /** The base URL, e.g. {@code http://127.0.0.1:8765}. */
  public String url() {
    String h = http.getAddress().getAddress().getHostAddress();
    return "http://" + (h.contains(":") ? "[" + h + "]" : h) + ":" + port();
  }

  /** Ids of the studies it holds. */
  public synchronized List<String> studyIds() {
    return List.copyOf(studies.keySet());
  }

  /**
   * Stops answering and releases the state folder. A request under way is cut off; since every
   * change is written before it is answered, its study is either changed and saved or not changed.
   */
  @Override
  public void close() {
    try {
      http.stop(0);
      pool.shutdownNow();
    } finally {
      try {
        lock.close();
      } catch (IOException e) {
        // the lock goes with the process anyway
      }
    }
  }

  // ------------------------------------------------------------------ requests

  /** An answer: HTTP status and JSON body. */
  private record Reply(int status, Object body) {}

  /** A refused request: status and message. */
  private static final class Refused extends RuntimeException {
    final int status;

    Refused(int status, String message) {
      super(message, null, false, false);
      this.status = status;
    }
  }

  private void handle(HttpExchange ex) throws IOException {
    Reply r;
    try {
      r = route(ex);
    } catch (Refused e) {
      r = error(e.status, e.getMessage());
    } catch (IllegalArgumentException e) {
      r = error(400, e.getMessage());
    } catch (IllegalStateException e) {
      r = error(409, e.getMessage());
    } catch (NoSuchElementException e) {
      r = error(404, e.getMessage());
    } catch (IOException e) {
      r = error(500, "the state could not be written: " + e.getMessage());
    } catch (RuntimeException | StackOverflowError e) {
      r = error(500, "internal error: " + e);
    }
    byte[] body = (Json.pretty(r.body()) + "\n").getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
    if (r.status() == 401) ex.getResponseHeaders().set("WWW-Authenticate", "Bearer");
    ex.sendResponseHeaders(r.status(), body.length);
    try (OutputStream o = ex.getResponseBody()) {
      o.write(body);
    }
  }

  private static Reply error(int status, String message) {
    return new Reply(status, Map.of("error", message == null ? "error" : message));
  }

  private Reply route(HttpExchange ex) throws IOException {
    String auth = ex.getRequestHeaders().getFirst("Authorization");
    boolean bearer = auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7);
    if (!bearer || !MessageDigest.isEqual(auth.substring(7).strip().getBytes(StandardCharsets.UTF_8), token)) {
      drain(ex);
      throw new Refused(401, !bearer ? "no bearer token; expected the header 'Authorization: Bearer TOKEN'" : "wrong token");
    }
    String method = ex.getRequestMethod();
    String path = ex.getRequestURI().getPath();
    if (path.length() > 1 && path.endsWith("/")) path = path.substring(0, path.length() - 1);
    String[] p = path.equals("/") ? new String[0] : path.substring(1).split("/", -1);
    if (p.length == 0 || !p[0].equals("studies")) throw new Refused(404, "no route " + path + "; routes start with /studies");
    if (p.length == 1) {
      if (method.equals("POST")) return create(body(ex));
      if (method.equals("GET")) return new Reply(200, Map.of("studies", list()));
      throw notAllowed(method, path, "GET, POST");
    }
    String id = p[1];
    Study study = study(id);
    if (p.length == 2) {
      requireMethod(method, path, "GET");
      return new Reply(200, withId(id, study.status()));
    }
    switch (p[2]) {
      case "ask" -> {
        requireMethod(method, path, "POST");
        if (p.length != 3) break;
        drain(ex);
        synchronized (study) {
          Trial t = study.ask();
          save(id, study);
          log("study " + id + ": trial " + t.id() + " asked");
          return new Reply(200, Map.of("trial", study.trialMap(t)));
        }
      }
      case "pareto" -> {
        requireMethod(method, path, "GET");
        if (p.length != 3) break;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("objectives", study.spec().toMap().get("objectives"));
        List<Object> front = new ArrayList<>();
        for (Trial t : study.paretoFront()) front.add(study.trialMap(t));
        m.put("front", front);
        return new Reply(200, m);
      }
      case "trials" -> {
        if (p.length == 3) {
          requireMethod(method, path, "GET");
          List<Object> ts = new ArrayList<>();
          for (Trial t : study.trials()) ts.add(study.trialMap(t));
          return new Reply(200, Map.of("trials", ts));
        }
        Trial t = trial(study, p[3]);
        if (p.length == 4) {
          requireMethod(method, path, "GET");
          return new Reply(200, study.trialMap(t));
        }
        if (p.length == 5) return trialAction(ex, method, path, id, study, t, p[4]);
      }
      default -> {
      }
    }
    throw new Refused(404, "no route " + path);
  }

  private Reply trialAction(HttpExchange ex, String method, String path, String id, Study study, Trial t, String action) throws IOException {
    switch (action) {
      case "should-prune" -> {
        requireMethod(method, path, "GET");
        return new Reply(200, Map.of("should_prune", t.shouldPrune()));
      }
      case "report" -> {
        requireMethod(method, path, "POST");
        Map<String, Object> b = body(ex);
        allow(b, "step", "value");
        int step = integer(b, "step");
        double value = number(b.get("value"), "value");
        synchronized (study) {
          t.report(step, value);
          save(id, study);
          return new Reply(200, Map.of("should_prune", t.shouldPrune()));
        }
      }
      case "tell" -> {
        requireMethod(method, path, "POST");
        Map<String, Object> b = body(ex);
        allow(b, "values", "value", "state", "reason");
        synchronized (study) {
          tell(study, t, b);
          save(id, study);
          log("study " + id + ": trial " + t.id() + " " + t.state().id());
          return new Reply(200, Map.of("trial", study.trialMap(t)));
        }
      }
      default -> throw new Refused(404, "no route " + path);
    }
  }

  /** Ends a trial as the body says; everything is checked before the study changes. */
  private static void tell(Study study, Trial t, Map<String, Object> b) {
    Object state = b.get("state");
    if (state != null && !"complete".equals(state)) {
      if (b.containsKey("values") || b.containsKey("value")) throw new IllegalArgumentException("'values' is given with 'state' " + quoted(state) + "; give one or the other");
      if ("pruned".equals(state)) {
        if (b.containsKey("reason")) throw new IllegalArgumentException("'reason' is only for 'state' \"failed\"");
        study.tellPruned(t);
        return;
      }
      if ("failed".equals(state)) {
        Object reason = b.get("reason");
        if (reason != null && !(reason instanceof String)) throw new IllegalArgumentException("'reason' is " + reason + ", expected a string");
        study.tellFailure(t, reason == null ? "failed (no reason given)" : (String) reason);
        return;
      }
      throw new IllegalArgumentException("'state' is " + quoted(state) + ", expected \"complete\", \"pruned\" or \"failed\"");
    }
    if (b.containsKey("reason")) throw new IllegalArgumentException("'reason' is only for 'state' \"failed\"");
    var objectives = study.spec().objectives();
    double[] v;
    if (b.containsKey("value") && b.containsKey("values")) throw new IllegalArgumentException("'value' and 'values' are both given; give one");
    if (b.containsKey("value")) {
      v = new double[] {number(b.get("value"), "value")};
    } else if (b.get("values") instanceof List<?> l) {
      v = new double[l.size()];
      for (int i = 0; i < v.length; i++) v[i] = number(l.get(i), "values[" + i + "]");
    } else if (b.get("values") instanceof Map<?, ?> m) {
      v = new double[objectives.size()];
      for (Object k : m.keySet()) {
        if (objectives.stream().noneMatch(o -> o.name().equals(k))) {
          throw new IllegalArgumentException("'values." + k + "' is no objective of the study, expected "
              + String.join(", ", objectives.stream().map(o -> o.name()).toList()));
        }
      }
      for (int i = 0; i < v.length; i++) {
        String name = objectives.get(i).name();
        if (!m.containsKey(name)) throw new IllegalArgumentException("'values." + name + "' is missing");
        v[i] = number(m.get(name), "values." + name);
      }
    } else {
      throw new IllegalArgumentException("'values' is " + (b.containsKey("values") ? String.valueOf(b.get("values")) : "missing")
          + ", expected a list of numbers (one per objective), an object by objective name, 'value', or 'state'");
    }
    study.tell(t, v);
  }

  private static String quoted(Object state) {
    return state instanceof String s ? "\"" + s + "\"" : String.valueOf(state);
  }

  private Reply create(Map<String, Object> b) throws IOException {
    Map<String, Object> rest = new LinkedHashMap<>(b);
    Object name = rest.remove("name");
    if (name != null && !(name instanceof String s && ID.matcher(s).matches())) {
      throw new IllegalArgumentException("'name' is " + quoted(name) + ", expected 1 to 64 of a-z, 0-9, '-', '_' (starting with a letter or digit)");
    }
    StudySpec spec = StudySpec.fromMap(rest);
    Study study = Study.create(spec);
    synchronized (this) {
      String id = (String) name;
      if (id == null) {
        int n = studies.size() + 1;
        while (studies.containsKey("study-" + n)) n++;
        id = "study-" + n;
      } else if (studies.containsKey(id)) {
        throw new IllegalStateException("a study named " + id + " exists already");
      }
      save(id, study);
      studies.put(id, study);
      log("study " + id + " created: " + spec.strategy() + " over " + spec.space().get("name"));
      return new Reply(201, withId(id, study.status()));
    }
  }

  /** Every study's id and counts; the studies are read outside the server's lock (a study's lock is never taken under it). */
  private List<Object> list() {
    Map<String, Study> snapshot;
    synchronized (this) {
      snapshot = new LinkedHashMap<>(studies);
    }
    List<Object> out = new ArrayList<>();
    snapshot.forEach((id, s) -> {
      Map<String, Object> st = s.status();
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("id", id);
      m.put("trials", st.get("trials"));
      m.put("counts", st.get("counts"));
      out.add(m);
    });
    return out;
  }

  private static Map<String, Object> withId(String id, Map<String, Object> status) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", id);
    m.putAll(status);
    return m;
  }

  private synchronized Study study(String id) {
    Study s = studies.get(id);
    if (s == null) throw new Refused(404, "no study " + id);
    return s;
  }

  private static Trial trial(Study s, String n) {
    int id;
    try {
      id = Integer.parseInt(n);
    } catch (NumberFormatException e) {
      throw new Refused(404, "no trial " + n + " (trials are numbered from 1)");
    }
    return s.trial(id);
  }

  /**
   * Writes the study's file; where that fails, the study is reloaded from its last file, so
   * that what the server holds is what it would restore.
   */
  private void save(String id, Study study) throws IOException {
    Path f = config.stateDir().resolve(id + SUFFIX);
    try {
      study.save(f);
    } catch (IOException e) {
      if (Files.exists(f)) {
        synchronized (this) {
          studies.put(id, Study.load(f));
        }
      }
      throw e;
    }
  }

  private void log(String line) {
    if (log != null) log.println("jnas serve: " + line);
  }

  private static Refused notAllowed(String method, String path, String allowed) {
    return new Refused(405, method + " is not allowed on " + path + "; use " + allowed);
  }

  private static void requireMethod(String method, String path, String allowed) {
    if (!method.equals(allowed)) throw notAllowed(method, path, allowed);
  }

  /** The request's JSON object: size-limited, depth-limited, parse errors as 400. */
  private Map<String, Object> body(HttpExchange ex) throws IOException {
    String len = ex.getRequestHeaders().getFirst("Content-Length");
    long declared = -1;
    if (len != null) {
      try {
        declared = Long.parseLong(len.trim());
      } catch (NumberFormatException e) {
        throw new Refused(400, "Content-Length is '" + len + "', expected a number");
      }
    }
    int max = config.maxBodyBytes();
    if (declared > max) throw new Refused(413, "body of " + declared + " bytes, over the limit of " + max);
    byte[] bytes;
    try (InputStream in = ex.getRequestBody()) {
      bytes = in.readNBytes(max + 1);
    }
    if (bytes.length > max) throw new Refused(413, "body over the limit of " + max + " bytes");
    String text = new String(bytes, StandardCharsets.UTF_8);
    if (text.isBlank()) throw new Refused(400, "the body is empty, expected a JSON object");
    checkDepth(text);
    try {
      return Json.parseObject(text);
    } catch (IllegalArgumentException e) {
      throw new Refused(400, "the body is not a JSON object: " + e.getMessage().replaceFirst("^JSON: ", ""));
    }
  }

  /** Refuses nesting deeper than {@link #MAX_DEPTH} (the parser recurses). */
  private static void checkDepth(String text) {
    int depth = 0;
    boolean str = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (str) {
        if (c == '\\') i++;
        else if (c == '"') str = false;
      } else if (c == '"') {
        str = true;
      } else if (c == '{' || c == '[') {
        if (++depth > MAX_DEPTH) throw new Refused(400, "the body nests deeper than " + MAX_DEPTH + " levels");
      } else if (c == '}' || c == ']') {
        depth--;
      }
    }
  }

  /** Reads and drops a body a route does not use (so the connection can be reused). */
  private void drain(HttpExchange ex) throws IOException {
    try (InputStream in = ex.getRequestBody()) {
      byte[] buf = new byte[4096];
      long n = 0;
      int k;
      while ((k = in.read(buf)) > 0 && (n += k) <= config.maxBodyBytes()) {
        // discard
      }
    }
  }

  private static void allow(Map<String, Object> b, String... keys) {
    for (String k : b.keySet()) {
      if (!List.of(keys).contains(k)) throw new IllegalArgumentException("'" + k + "' is unknown here, expected " + String.join(", ", keys));
    }
  }

  private static int integer(Map<String, Object> b, String key) {
    Object v = b.get(key);
    if (!(v instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue()) || Math.abs(n.doubleValue()) > 1e9) {
      throw new IllegalArgumentException("'" + key + "' is " + (v == null ? "missing" : quoted(v)) + ", expected an integer");
    }
    return n.intValue();
  }

  private static double number(Object v, String field) {
    if (!(v instanceof Number n) || !Double.isFinite(n.doubleValue())) {
      throw new IllegalArgumentException("'" + field + "' is " + (v == null ? "missing" : quoted(v)) + ", expected a finite number");
    }
    return n.doubleValue();
  }
}
