package io.jnas.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import org.junit.jupiter.api.Test;

/**
 * The protobuf encoder against hand-encoded bytes, ONNX Runtime's native library loading on
 * this machine, what ORT reads back from a written model (names, symbolic batch), and the
 * builder's argument checks.
 */
class OnnxWriterTest {
  private static byte[] bytes(int... v) {
    byte[] b = new byte[v.length];
    for (int i = 0; i < v.length; i++) b[i] = (byte) v[i];
    return b;
  }

  @Test
  void varintsFloatsAndStringsEncodeAsProtobufDoes() {
    // protobuf's encoding guide: 150 in field 1 is 08 96 01; 300 is AC 02
    assertArrayEquals(bytes(0x08, 0x96, 0x01), new ProtoWriter().int64(1, 150).toByteArray());
    assertArrayEquals(bytes(0xAC, 0x02), new ProtoWriter().varint(300).toByteArray());
    // a negative int64 is ten bytes of two's complement
    assertArrayEquals(bytes(0x18, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01),
        new ProtoWriter().int64(3, -1).toByteArray());
    // float field 2 (wire type 5): 1.0f = 0x3F800000 little-endian
    assertArrayEquals(bytes(0x15, 0x00, 0x00, 0x80, 0x3F), new ProtoWriter().float32(2, 1f).toByteArray());
    // string field 2 "testing": 12 07 74 65 73 74 69 6e 67
    assertArrayEquals(bytes(0x12, 0x07, 't', 'e', 's', 't', 'i', 'n', 'g'),
        new ProtoWriter().string(2, "testing").toByteArray());
    // a field number above 15 takes a two-byte tag: AttributeProto.type = 20, INTS (7) -> A0 01 07
    assertArrayEquals(bytes(0xA0, 0x01, 0x07), new ProtoWriter().int64(OnnxProto.ATTR_TYPE, 7).toByteArray());
    // nested: OperatorSetIdProto {domain "", version 17} inside ModelProto.opset_import (8)
    ProtoWriter opset = new ProtoWriter().string(OnnxProto.OPSET_DOMAIN, "").int64(OnnxProto.OPSET_VERSION, 17);
    assertArrayEquals(bytes(0x42, 0x04, 0x0A, 0x00, 0x10, 0x11),
        new ProtoWriter().message(OnnxProto.MODEL_OPSET_IMPORT, opset).toByteArray());
  }

  @Test
  void onnxRuntimeNativeLibraryLoads() {
    // OrtEnvironment loads libonnxruntime.so and its JNI glue from the jar; a glibc or CPU
    // mismatch fails here with UnsatisfiedLinkError.
    String version = OrtCheck.ENV.getVersion();
    assertTrue(version.startsWith("1."), "ONNX Runtime version " + version);
  }

  @Test
  void onnxRuntimeReadsNamesShapesAndSymbolicBatch() throws OrtException {
    OnnxGraph g = new OnnxGraph("tiny");
    OnnxGraph.Value x = g.input("images", 3, 5, 7);
    g.output(g.globalAvgPool(g.relu(x)), "features");
    try (OrtSession s = OrtCheck.session(g.toBytes())) {
      NodeInfo in = s.getInputInfo().get("images");
      NodeInfo out = s.getOutputInfo().get("features");
      assertArrayEquals(new long[] {-1, 3, 5, 7}, ((TensorInfo) in.getInfo()).getShape(), "-1: the symbolic batch");
      assertArrayEquals(new String[] {OnnxGraph.BATCH_PARAM, "", "", ""}, ((TensorInfo) in.getInfo()).getDimensionNames());
      assertArrayEquals(new long[] {-1, 3}, ((TensorInfo) out.getInfo()).getShape());
      assertEquals("jnas", s.getMetadata().getProducerName());
      assertEquals("tiny", s.getMetadata().getGraphName());
    }
  }

  @Test
  void badArgumentsNameTheOpTheArgumentAndWhatWasExpected() {
    OnnxGraph g = new OnnxGraph("bad");
    OnnxGraph.Value x = g.input("x", 4, 8, 8);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> g.named("stem").conv(x, new float[6 * 3 * 9], new int[] {6, 3, 3, 3}, null, 1, 1, 1, 1, 1));
    assertTrue(e.getMessage().contains("conv 'stem'") && e.getMessage().contains("expected dimension 1"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> g.conv(x, new float[5], new int[] {6, 4, 3, 3}, null, 1, 1, 1, 1, 1));
    assertTrue(e.getMessage().contains("w has 5 values, expected 216"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> g.linear(x, new float[40], new int[] {10, 4}, null));
    assertTrue(e.getMessage().contains("expected (batch, IC)"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> g.avgPool(x, 3, 1, 3));
    assertTrue(e.getMessage().contains("pad is 3, expected less than k = 3"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> g.batchNormInference(x, null, null, new float[4], new float[3], 1e-5f));
    assertTrue(e.getMessage().contains("runningVar has 3 values, expected 4"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> g.sum(x, g.maxPool(x, 2, 2, 0)));
    assertTrue(e.getMessage().contains("xs[1]"), e.getMessage());
    OnnxGraph other = new OnnxGraph("other");
    OnnxGraph.Value y = other.input("y", 4, 8, 8);
    e = assertThrows(IllegalArgumentException.class, () -> g.relu(y));
    assertTrue(e.getMessage().contains("belongs to another OnnxGraph"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> g.named("x"));
    assertTrue(e.getMessage().contains("taken"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> g.factorizedReduce(x, new float[12], new int[] {3, 4, 1, 1},
        new float[8], new int[] {2, 4, 1, 1}));
    assertTrue(e.getMessage().contains("expected [C_out/2, 4, 1, 1]"), e.getMessage());
    assertThrows(IllegalStateException.class, g::toBytes, "no output yet");
  }
}
