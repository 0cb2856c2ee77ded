package io.jnas.cli;

import io.jnas.data.Normalization;
import io.jnas.tensor.Tensor;
import io.jnas.util.AtomicFiles;
import io.jnas.util.Json;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/** {@code jnas predict}: top-5 classes of PNG/JPEG images with a trained network (cell, ENAS macro or NAS-Bench-201). */
final class PredictCommand implements Command {
  @Override
  public String name() {
    return "predict";
  }

  @Override
  public String summary() {
    return "classify PNG/JPEG images with a trained network (top-5 as JSON)";
  }

  @Override
  public Options options() {
    return new Options(name())
        .value("run", "DIR", null, "a finished jnas train run (reads DIR/weights.jnw)")
        .value("weights", "FILE", null, "a weights.jnw file")
        .value("genotype", "SPEC", null, "optional: check the stored genotype is this one")
        .value("images", "FOLDER", null, "folder of .png / .jpg / .jpeg images (resized to the network's input)")
        .value("top", "K", "5", "classes per image")
        .value("out", "FILE", null, "write the JSON here instead of standard output")
        .flag("force", "replace an existing --out file");
  }

  @Override
  public String details() {
    return "An image that cannot be read gets an \"error\" field instead of \"top\" (and one line on standard error);\n"
        + "the others go on. Exit 2 only if no image could be read. --out never replaces a file without --force.\n"
        + "The weights file carries the normalization and class names: no data set is needed.";
  }

  @Override
  public int run(Options.Parsed a, PrintStream out) throws Exception {
    if (!a.has("images")) throw new UsageException("predict: --images FOLDER is required");
    Path folder = a.path("images");
    if (!Files.isDirectory(folder)) throw new UsageException("predict: --images " + folder + " is not a folder");
    List<Path> files;
    try (Stream<Path> s = Files.list(folder)) {
      files = s.filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).matches(".*\\.(png|jpe?g)")).sorted().toList();
    }
    if (files.isEmpty()) throw new UsageException("predict: " + folder + " holds no .png, .jpg or .jpeg file");
    if (a.has("out")) TrainedModel.refuseExisting(a, name(), a.path("out"));
    TrainedModel.Model w = TrainedModel.load(a, name());
    int[] in = w.inputShape();
    int top = Math.min(a.integer("top", 1), w.numClasses());
    List<Object> results = new ArrayList<>();
    int failed = 0;
    try (TrainedModel.Net net = w.open()) {
      for (Path f : files) {
        float[] px;
        try {
          px = pixels(f, in[0], in[1], in[2], w.normalization());
        } catch (IOException | RuntimeException e) {  // a corrupt file can make a decoder throw anything
          String msg = e instanceof UsageException ? e.getMessage().replaceFirst("^predict: " + java.util.regex.Pattern.quote(f.toString()) + ": ", "")
              : "cannot read the image: " + e;
          System.err.println("jnas predict: " + f + ": " + msg);
          Map<String, Object> r = new LinkedHashMap<>();
          r.put("image", f.getFileName().toString());
          r.put("error", msg);
          results.add(r);
          failed++;
          continue;
        }
        float[] logits;
        try (Tensor t = Tensor.of(px, 1, in[0], in[1], in[2])) {
          logits = net.predict(t);
        }
        double max = Double.NEGATIVE_INFINITY;
        for (float v : logits) max = Math.max(max, v);
        double z = 0;
        for (float v : logits) z += Math.exp(v - max);
        Integer[] order = new Integer[logits.length];
        for (int i = 0; i < order.length; i++) order[i] = i;
        final float[] lg = logits;
        java.util.Arrays.sort(order, (x, y) -> Float.compare(lg[y], lg[x]));
        List<Object> topK = new ArrayList<>();
        for (int k = 0; k < top; k++) {
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("class", w.classNames().get(order[k]));
          m.put("index", order[k]);
          m.put("probability", Math.exp(logits[order[k]] - max) / z);
          topK.add(m);
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("image", f.getFileName().toString());
        r.put("top", topK);
        results.add(r);
      }
    }
    String json = Json.pretty(results);
    if (a.has("out")) {
      AtomicFiles.writeString(a.path("out"), json + "\n");
    } else {
      out.println(json);
    }
    if (failed == files.size()) {
      System.err.println("jnas predict: none of the " + files.size() + " images in " + folder + " could be read");
      return 2;
    }
    return 0;
  }

  /** The image as (C, H, W) floats: resized (bilinear), grey or RGB as the network wants, in [0, 1], normalized. */
  static float[] pixels(Path f, int ch, int h, int wd, Normalization norm) throws IOException {
    BufferedImage src;
    try {
      src = ImageIO.read(f.toFile());
    } catch (IOException e) {
      throw new UsageException("predict: " + f + ": cannot read the image: " + e.getMessage());
    }
    if (src == null) throw new UsageException("predict: " + f + ": not a readable PNG or JPEG");
    BufferedImage img = new BufferedImage(wd, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
    g.drawImage(src, 0, 0, wd, h, null);
    g.dispose();
    float[] px = new float[ch * h * wd];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < wd; x++) {
        int rgb = img.getRGB(x, y);
        float r = ((rgb >> 16) & 0xFF) / 255f, gr = ((rgb >> 8) & 0xFF) / 255f, b = (rgb & 0xFF) / 255f;
        if (ch == 1) {
          px[y * wd + x] = 0.299f * r + 0.587f * gr + 0.114f * b;
        } else {
          float[] v = {r, gr, b};
          for (int k = 0; k < ch; k++) px[(k * h + y) * wd + x] = v[Math.min(k, 2)];
        }
      }
    }
    if (norm != null) {
      float[] mean = norm.mean(), std = norm.std();
      for (int k = 0; k < ch; k++) {
        for (int i = 0; i < h * wd; i++) px[k * h * wd + i] = (px[k * h * wd + i] - mean[k]) / std[k];
      }
    }
    return px;
  }
}
