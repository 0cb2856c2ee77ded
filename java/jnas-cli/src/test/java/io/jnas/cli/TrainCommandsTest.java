package io.jnas.cli;

import static io.jnas.cli.CliRun.bad;
import static io.jnas.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** jnas train / eval / predict / info --genotype: bad input exits 2 with one line; a tiny run end to end. */
class TrainCommandsTest {
  @Test
  void badInputExitsTwo(@TempDir Path tmp) throws Exception {
    bad("neither a known name", "info", "--genotype", "nope");
    bad("neither a known name", "train", "--genotype", "nope", "--out", tmp.resolve("a").toString());
    bad("exactly one of --out", "train", "--genotype", "enas");
    bad("--layers is 0", "train", "--layers", "0", "--out", tmp.resolve("b").toString());
    bad("--drop-path-keep", "train", "--drop-path-keep", "1.5", "--out", tmp.resolve("c").toString());
    bad("no checkpoint", "train", "--resume", tmp.toString());
    bad("drop --epochs", "train", "--resume", tmp.toString(), "--epochs", "3");
    bad("exactly one of --run", "eval");
    bad("not found", "eval", "--run", tmp.toString());
    bad("--images FOLDER is required", "predict", "--run", tmp.toString());
    bad("expected CxHxW", "info", "--genotype", "enas", "--image", "32");
    // flags renamed to the common names say what they are called now
    bad("--train-fraction is now --train-subset N", "train", "--train-fraction", "0.5", "--out", tmp.resolve("d").toString());
    bad("--test-fraction is now --test-subset N", "train", "--test-fraction", "0.5", "--out", tmp.resolve("d").toString());
    bad("--until is now --stop-after N", "search", "--until", "2");
    bad("--stop-after 9 exceeds the run's 2 epochs", "search", "--epochs", "2", "--stop-after", "9", "--out", tmp.resolve("f").toString());
    bad("--stop-after is 0, expected at least 1", "search", "--stop-after", "0", "--out", tmp.resolve("f").toString());
    assertTrue(!Files.exists(tmp.resolve("f")), "refused before the run folder is made");
    bad("--train-subset 100 exceeds the 40 training images", "train", "--data", "synthetic:train=32,val=8,test=16",
        "--train-subset", "100", "--out", tmp.resolve("e").toString());
    bad("--lr-max cannot be combined with --resume", "search", "--resume", tmp.toString(), "--lr-max", "0.1");
    Files.createDirectories(tmp.resolve("empty"));
    bad("holds no .png", "predict", "--run", tmp.toString(), "--images", tmp.resolve("empty").toString());
  }

  @Test
  void tinyTrainEvalPredict(@TempDir Path tmp) throws Exception {
    Path out = tmp.resolve("run");
    CliRun r = run("train", "--genotype", "darts-v1", "--data", "synthetic:train=32,val=8,test=16,seed=1", "--layers", "3",
        "--channels", "4", "--epochs", "1", "--batch", "16", "--workers", "0", "--out", out.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(Files.isRegularFile(out.resolve("result.json")));
    r = run("eval", "--run", out.toString(), "--genotype", "darts-v1");
    assertEquals(0, r.code(), r.err());
    assertTrue(Files.isRegularFile(out.resolve("eval.json")) && Files.isRegularFile(out.resolve("confusion.png")));
    bad("differs from the genotype", "eval", "--run", out.toString(), "--genotype", "darts-v2");
    Path imgs = Files.createDirectories(tmp.resolve("imgs"));
    Files.copy(out.resolve("curves.png"), imgs.resolve("a.png"));  // any PNG: resized to the input
    r = run("predict", "--run", out.toString(), "--images", imgs.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("\"image\": \"a.png\"") && r.out().contains("probability"), r.out());
    r = run("export", "--run", out.toString(), "--genotype-json", tmp.resolve("g.json").toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(Files.size(out.resolve("model.onnx")) > 1000 && r.out().contains("pixels in [0, 1]"), r.out());
    assertTrue(Files.readString(tmp.resolve("g.json")).contains("sep_conv_3x3"));
    bad("exactly one of --run", "export");
    bad("is a folder", "export", "--run", out.toString(), "--onnx", tmp.toString());
    r = run("info", "--genotype", "nasnet-a", "--layers", "3", "--channels", "4", "--json");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("\"num_weights\":"), r.out());
  }

  @Test
  void nb201CellTrainsAndShowsTheTablesNumber(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Path table = BenchCommandTest.table(dir.resolve("t.csv"),
        "arch,cellstr,cifar10-test,cifar10-val,cifar100-test,cifar100-val,imagenet-test,imagenet-val", 0);
    java.nio.file.Path data = BenchCommandTest.cifar(dir.resolve("cifar"), 40, 2);
    String cell = "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|";
    CliRun r = run("train", "--space", "nb201", "--genotype", cell, "--epochs", "2", "--batch", "8", "--channels", "2", "--cells", "1",
        "--data", data.toString(), "--table", table.toString(), "--out", dir.resolve("run").toString());
    assertEquals(0, r.code(), r.err());
    // the test table: validation 70 + 2 per nor_conv_3x3 edge (3 here), test 4 more
    assertTrue(r.out().contains("12 epochs on 50,000 images: 80.00%"), r.out());
    var res = io.jnas.util.Json.parseObject(java.nio.file.Files.readString(dir.resolve("run/result.json")));
    assertEquals(cell, res.get("genotype"));
    assertEquals(2, java.nio.file.Files.readAllLines(dir.resolve("run/log.jsonl")).size());
    r = run("train", "--space", "nb201", "--genotype", "|conv~0|", "--out", dir.resolve("bad").toString());
    assertEquals(2, r.code());
    assertTrue(r.err().contains("--genotype") && r.err().contains("'conv'"), r.err());
    r = run("train", "--space", "nb201", "--genotype", cell, "--drop-path-keep", "0.5", "--out", dir.resolve("bad").toString());
    assertEquals(2, r.code());
    assertTrue(r.err().contains("--drop-path-keep is not a setting of --space nb201"), r.err());
    r = run("train", "--space", "nb201", "--genotype", cell, "--resume", dir.resolve("run").toString());
    assertEquals(2, r.code());
    assertTrue(r.err().contains("--resume keeps the run's own settings (config.json); drop --genotype"), r.err());
    r = run("train", "--cells", "3", "--out", dir.resolve("bad").toString());
    assertEquals(2, r.code());
    assertTrue(r.err().contains("--space nb201"), r.err());
  }

  @Test
  void macroNetworkTrainsFromTheNameAFileOrAnArcString(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Path data = BenchCommandTest.cifar(dir.resolve("cifar"), 40, 2);
    // a 3-layer arc: layer 0 op 1; layer 1 op 3, skip from 0; layer 2 op 5 (max pool), skips none
    String arc = "1 3 1 5 0 0";
    CliRun r = run("train", "--space", "enas-macro", "--genotype", arc, "--epochs", "2", "--batch", "8", "--channels", "4",
        "--data", data.toString(), "--out", dir.resolve("run").toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("enas-macro network, 3 layers x 4 channels"), r.out());
    var res = io.jnas.util.Json.parseObject(java.nio.file.Files.readString(dir.resolve("run/result.json")));
    assertEquals(arc, res.get("genotype"));
    double acc = ((Number) res.get("test_accuracy")).doubleValue();
    assertTrue(acc >= 0 && acc <= 1, "accuracy " + acc);
    assertEquals(2, java.nio.file.Files.readAllLines(dir.resolve("run/log.jsonl")).size());
    var cfg = io.jnas.util.Json.parseObject(java.nio.file.Files.readString(dir.resolve("run/config.json")));
    assertEquals("enas-macro", cfg.get("space"));
    // a macro search's final_arch.json (and its run folder) name the same network
    java.nio.file.Path search = java.nio.file.Files.createDirectories(dir.resolve("search"));
    java.nio.file.Files.writeString(search.resolve("final_arch.json"), io.jnas.enas.MacroArch.parse(arc).toJson());
    assertEquals(io.jnas.enas.MacroArch.parse(arc), TrainCommand.macroArch(search.toString()));
    assertEquals(io.jnas.enas.MacroArch.parse(arc), TrainCommand.macroArch(search.resolve("final_arch.json").toString()));
    assertEquals(io.jnas.enas.MacroArch.ENAS_MACRO_FINAL, TrainCommand.macroArch("enas-macro-final"));
    // bad input: exit 2, naming what was wrong
    r = run("train", "--space", "enas-macro", "--genotype", "1 3 x", "--out", dir.resolve("bad").toString());
    assertEquals(2, r.code());
    assertTrue(r.err().contains("--genotype 1 3 x") && r.err().contains("'x'"), r.err());
    r = run("train", "--space", "enas-macro", "--genotype", dir.resolve("nope.json").toString(), "--out", dir.resolve("bad").toString());
    assertEquals(2, r.code());
    assertTrue(r.err().contains("no such file"), r.err());
    r = run("train", "--space", "enas-macro", "--genotype", arc, "--layers", "6", "--out", dir.resolve("bad").toString());
    assertEquals(2, r.code());
    assertTrue(r.err().contains("--layers is not a setting of --space enas-macro"), r.err());
    r = run("train", "--space", "enas-macro", "--genotype", arc, "--channels", "5", "--data", data.toString(), "--out",
        dir.resolve("bad").toString());
    assertEquals(2, r.code());
    assertTrue(r.err().contains("channels is 5"), r.err());
    r = run("train", "--space", "enas-macro", "--out", dir.resolve("bad").toString());
    assertEquals(2, r.code());
    assertTrue(r.err().contains("needs --genotype"), r.err());
    assertTrue(!java.nio.file.Files.exists(dir.resolve("bad")), "no folder for refused runs");
  }
}
