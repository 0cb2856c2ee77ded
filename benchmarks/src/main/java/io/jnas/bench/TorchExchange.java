package io.jnas.bench;

import io.jnas.backend.NativeNetwork.TensorInfo;
import io.jnas.util.AtomicFiles;
import io.jnas.util.Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The folder through which {@link VsPyTorch} hands a network, its weights, a batch and the
 * architectures to {@code benchmarks/pytorch/jnas_ref.py}. One folder per network:
 *
 * <pre>
 * spec.json       {"net": "supernet"|"final", "config": {...}, "threads", "steps", "seed",
 *                  "hyper": {lr, momentum, weight_decay, grad_clip, dropout_keep, drop_path_keep, progress},
 *                  "tensors": [{"name", "offset", "size"}, ...]   (NativeNetwork.tensors(), buffer order)
 *                  "buffer_floats": N, "weights": "weights.f32",
 *                  "images": "images.f32", "images_shape": [B, C, H, W], "labels": "labels.i32",
 *                  "arcs": [round][step] {"normal": [...], "reduce": [...]}   (supernet; step 0 = warm-up)
 *                  "check": {...}                                            (--check cases only)}
 * weights.f32     the whole weight buffer (N floats, little-endian; tensors at their offsets)
 * images.f32      (B, C, H, W) float32; labels.i32 (B) int32
 * </pre>
 *
 * A check case's batch is the one {@code jnas_ref.py pick} chose (it rewrites images.f32 and
 * labels.i32); the case then adds {@code grads.f32} (the gradient buffer after one forward+backward),
 * {@code weights_after.f32} (the weights after one training step from {@code weights.f32})
 * and, for the final network, {@code running_after.f32} (the BN running statistics after it).
 */
final class TorchExchange {
  private final Path dir;
  private final Map<String, Object> spec = new LinkedHashMap<>();

  TorchExchange(Path dir) {
    this.dir = dir;
  }

  Path dir() {
    return dir;
  }

  /** The spec's top-level map, written by {@link #writeSpec}. */
  Map<String, Object> spec() {
    return spec;
  }

  /** Records the tensor index and writes the weight buffer. */
  void weights(List<TensorInfo> tensors, float[] buffer) throws IOException {
    List<Object> index = new ArrayList<>();
    for (TensorInfo t : tensors) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", t.name());
      m.put("offset", t.offset());
      m.put("size", t.size());
      index.add(m);
    }
    spec.put("tensors", index);
    spec.put("buffer_floats", buffer.length);
    spec.put("weights", "weights.f32");
    floats("weights.f32", buffer);
  }

  /** Records and writes the batch. */
  void batch(float[] images, int[] shape, int[] labels) throws IOException {
    spec.put("images", "images.f32");
    spec.put("images_shape", shape);
    spec.put("labels", "labels.i32");
    floats("images.f32", images);
    ByteBuffer b = ByteBuffer.allocate(4 * labels.length).order(ByteOrder.LITTLE_ENDIAN);
    for (int v : labels) b.putInt(v);
    AtomicFiles.writeBytes(dir.resolve("labels.i32"), b.array());
  }

  /** Writes {@code values} as little-endian float32 to {@code name} in the folder. */
  void floats(String name, float[] values) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(values);
    AtomicFiles.writeBytes(dir.resolve(name), b.array());
  }

  /** A little-endian float32 file. */
  static float[] readFloats(Path file) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    float[] v = new float[b.capacity() / 4];
    b.asFloatBuffer().get(v);
    return v;
  }

  /** A little-endian int32 file. */
  static int[] readInts(Path file) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    int[] v = new int[b.capacity() / 4];
    b.asIntBuffer().get(v);
    return v;
  }

  void writeSpec() throws IOException {
    Files.createDirectories(dir);
    AtomicFiles.writeString(dir.resolve("spec.json"), Json.pretty(spec) + "\n");
  }

  /** An architecture pair as the spec's {"normal", "reduce"} object. */
  static Map<String, Object> arc(int[] normal, int[] reduce) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("normal", normal);
    m.put("reduce", reduce);
    return m;
  }
}
