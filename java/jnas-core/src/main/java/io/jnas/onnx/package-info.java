/**
 * ONNX export: {@link io.jnas.onnx.OnnxGraph} builds an inference graph from jnas ops and
 * jnas weights and writes it as an ONNX model (opset 17), with a small hand-written protobuf
 * encoder and no protobuf dependency. {@code docs/onnx.md} maps each jnas op to its nodes.
 */
package io.jnas.onnx;
