package io.jnas.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** ONNX Runtime's logits for an exported model of the built-in synthetic set (3 x 32 x 32 images, 10 classes). */
final class OrtLogits {
  private OrtLogits() {}

  /** Logits {@code (b, 10)} of {@code model} on {@code images} {@code (b, 3, 32, 32)}, on one thread. */
  static float[] of(Path model, float[] images, int b) throws Exception {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
      so.setIntraOpNumThreads(1);
      so.setInterOpNumThreads(1);
      try (OrtSession s = env.createSession(model.toString(), so);
          OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(images), new long[] {b, 3, 32, 32});
          OrtSession.Result r = s.run(Map.of("images", x))) {
        OnnxTensor out = (OnnxTensor) r.get(0);
        assertEquals(List.of((long) b, 10L), Arrays.stream(out.getInfo().getShape()).boxed().toList(), "ONNX Runtime output shape");
        FloatBuffer fb = out.getFloatBuffer();
        float[] v = new float[fb.remaining()];
        fb.get(v);
        assertEquals(b * 10, v.length);
        return v;
      }
    }
  }
}
