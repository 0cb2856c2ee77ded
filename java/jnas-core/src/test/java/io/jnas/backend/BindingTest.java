package io.jnas.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The C API is declared in one header and implemented or bound in three other places; this
 * test holds them together, so no list is kept in sync by hand unchecked:
 *
 * <ul>
 *   <li>{@code NativeLib} binds every function of {@code native/jnas.h} with the same number of
 *       parameters, except the CUDA kernels, which only the backend table calls (C++);
 *   <li>every CUDA kernel of jnas.h is in {@code native/graph/backend_ops.def} (the one list
 *       the backend tables and the CUDA stub are generated from), and every entry there has a
 *       CPU and a CUDA declaration in jnas.h;
 *   <li>{@code cuda/cuda_stub.cpp} defines every CUDA runtime function of jnas.h by hand and
 *       the kernels through the list.
 * </ul>
 * (The compiler checks each generated stub, wrapper and table entry against jnas.h's types.)
 */
class BindingTest {
  private static final Path ROOT = findRoot();
  private static final Pattern DECL = Pattern.compile("^[A-Za-z_][\\w\\s\\*]*?\\b(jnas_\\w+)\\s*\\(([^;{]*?)\\)\\s*;", Pattern.MULTILINE | Pattern.DOTALL);

  private static Path findRoot() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.isRegularFile(p.resolve("native/jnas.h"))) p = p.getParent();
    if (p == null) throw new IllegalStateException("native/jnas.h not found above " + Path.of("").toAbsolutePath());
    return p;
  }

  /** jnas.h's functions and their parameter counts. */
  private static Map<String, Integer> header() throws IOException {
    String h = Files.readString(ROOT.resolve("native/jnas.h")).replaceAll("/\\*.*?\\*/", " ").replaceAll("//[^\n]*", "");
    Map<String, Integer> m = new TreeMap<>();
    Matcher mt = DECL.matcher(h);
    while (mt.find()) m.put(mt.group(1), params(mt.group(2)));
    return m;
  }

  private static int params(String list) {
    String t = list.trim();
    return t.isEmpty() || t.equals("void") ? 0 : t.split(",").length;
  }

  private static TreeSet<String> opList() throws IOException {
    TreeSet<String> ops = new TreeSet<>();
    Matcher m = Pattern.compile("^JNAS_OP\\((\\w+),", Pattern.MULTILINE).matcher(Files.readString(ROOT.resolve("native/graph/backend_ops.def")));
    while (m.find()) ops.add(m.group(1));
    return ops;
  }

  @Test
  void nativeLibBindsTheHeader() throws IOException {
    Map<String, Integer> h = header();
    assertTrue(h.size() > 100, "parsed only " + h.size() + " declarations from jnas.h");
    TreeSet<String> kernels = opList();
    Map<String, Integer> bound = new TreeMap<>();
    for (Method m : NativeLib.class.getDeclaredMethods()) {
      if (Modifier.isNative(m.getModifiers())) bound.put(m.getName(), m.getParameterCount());
    }
    for (var e : bound.entrySet()) {
      assertTrue(h.containsKey(e.getKey()), "NativeLib binds " + e.getKey() + ", which jnas.h does not declare");
      assertEquals(h.get(e.getKey()), e.getValue(), "parameter count of " + e.getKey() + " in NativeLib vs jnas.h");
    }
    TreeSet<String> missing = new TreeSet<>();
    for (String f : h.keySet()) {
      boolean cudaKernel = f.startsWith("jnas_cuda_") && kernels.contains(f.substring("jnas_cuda_".length()));
      if (!bound.containsKey(f) && !cudaKernel) missing.add(f);
    }
    // two CUDA kernels stay bound for CudaProbeTest
    assertEquals(new TreeSet<>(), missing, "jnas.h functions without a binding in NativeLib");
  }

  @Test
  void theKernelListCoversBothBackendsOfTheHeader() throws IOException {
    Map<String, Integer> h = header();
    TreeSet<String> ops = opList();
    for (String op : ops) {
      assertTrue(h.containsKey("jnas_cpu_" + op), "backend_ops.def lists " + op + " without jnas_cpu_" + op + " in jnas.h");
      assertTrue(h.containsKey("jnas_cuda_" + op), "backend_ops.def lists " + op + " without jnas_cuda_" + op + " in jnas.h");
      assertEquals(h.get("jnas_cpu_" + op) + 1, h.get("jnas_cuda_" + op), op + ": the CUDA twin takes the CPU arguments and a stream");
    }
    Path[] runtimeFiles = {ROOT.resolve("cuda/cuda_stub.cpp")};
    String stub = Files.readString(runtimeFiles[0]);
    for (String f : h.keySet()) {
      if (!f.startsWith("jnas_cuda_")) continue;
      String op = f.substring("jnas_cuda_".length());
      boolean inList = ops.contains(op);
      boolean inStub = Pattern.compile("\\b" + f + "\\s*\\(").matcher(stub).find();
      assertTrue(inList || inStub, f + " is declared in jnas.h but neither in backend_ops.def nor in cuda_stub.cpp");
    }
  }
}
