package io.jnas.onnx;

import java.util.List;

/**
 * The subset of ONNX's protobuf schema that jnas writes, as field numbers and encoders.
 *
 * <p>Every field number below is copied from {@code onnx/onnx.proto} in the onnx/onnx
 * repository (messages {@code ModelProto}, {@code OperatorSetIdProto}, {@code GraphProto},
 * {@code NodeProto}, {@code AttributeProto}, {@code TensorProto}, {@code ValueInfoProto},
 * {@code TypeProto}, {@code TypeProto.Tensor}, {@code TensorShapeProto} and
 * {@code TensorShapeProto.Dimension}); the comment on each group names its message. These
 * numbers are frozen by protobuf's compatibility rules, so they hold for every IR version.
 * Fields jnas never writes (doc strings, sparse tensors, training info, external data, ...)
 * are left out.
 */
final class OnnxProto {
  private OnnxProto() {}

  // --- message ModelProto
  static final int MODEL_IR_VERSION = 1; // optional int64 ir_version = 1
  static final int MODEL_PRODUCER_NAME = 2; // optional string producer_name = 2
  static final int MODEL_PRODUCER_VERSION = 3; // optional string producer_version = 3
  static final int MODEL_GRAPH = 7; // optional GraphProto graph = 7
  static final int MODEL_OPSET_IMPORT = 8; // repeated OperatorSetIdProto opset_import = 8

  // --- message OperatorSetIdProto
  static final int OPSET_DOMAIN = 1; // optional string domain = 1 ("" = the default ONNX domain)
  static final int OPSET_VERSION = 2; // optional int64 version = 2

  // --- message GraphProto
  static final int GRAPH_NODE = 1; // repeated NodeProto node = 1 (topologically sorted)
  static final int GRAPH_NAME = 2; // optional string name = 2
  static final int GRAPH_INITIALIZER = 5; // repeated TensorProto initializer = 5
  static final int GRAPH_INPUT = 11; // repeated ValueInfoProto input = 11
  static final int GRAPH_OUTPUT = 12; // repeated ValueInfoProto output = 12
  static final int GRAPH_VALUE_INFO = 13; // repeated ValueInfoProto value_info = 13

  // --- message NodeProto
  static final int NODE_INPUT = 1; // repeated string input = 1
  static final int NODE_OUTPUT = 2; // repeated string output = 2
  static final int NODE_NAME = 3; // optional string name = 3
  static final int NODE_OP_TYPE = 4; // optional string op_type = 4
  static final int NODE_ATTRIBUTE = 5; // repeated AttributeProto attribute = 5

  // --- message AttributeProto
  static final int ATTR_NAME = 1; // optional string name = 1
  static final int ATTR_F = 2; // optional float f = 2
  static final int ATTR_I = 3; // optional int64 i = 3
  static final int ATTR_FLOATS = 7; // repeated float floats = 7
  static final int ATTR_INTS = 8; // repeated int64 ints = 8
  static final int ATTR_TYPE = 20; // optional AttributeType type = 20
  // enum AttributeProto.AttributeType
  static final int ATTR_TYPE_FLOAT = 1;
  static final int ATTR_TYPE_INT = 2;
  static final int ATTR_TYPE_FLOATS = 6;
  static final int ATTR_TYPE_INTS = 7;

  // --- message TensorProto
  static final int TENSOR_DIMS = 1; // repeated int64 dims = 1
  static final int TENSOR_DATA_TYPE = 2; // optional int32 data_type = 2
  static final int TENSOR_NAME = 8; // optional string name = 8
  static final int TENSOR_RAW_DATA = 9; // optional bytes raw_data = 9 (fixed width, little-endian)
  // enum TensorProto.DataType
  static final int DATA_TYPE_FLOAT = 1;
  static final int DATA_TYPE_INT64 = 7;

  // --- message ValueInfoProto
  static final int VALUE_INFO_NAME = 1; // optional string name = 1
  static final int VALUE_INFO_TYPE = 2; // optional TypeProto type = 2

  // --- message TypeProto
  static final int TYPE_TENSOR_TYPE = 1; // oneof value { Tensor tensor_type = 1; ... }
  // --- message TypeProto.Tensor
  static final int TYPE_TENSOR_ELEM_TYPE = 1; // optional int32 elem_type = 1
  static final int TYPE_TENSOR_SHAPE = 2; // optional TensorShapeProto shape = 2
  // --- message TensorShapeProto
  static final int SHAPE_DIM = 1; // repeated Dimension dim = 1
  // --- message TensorShapeProto.Dimension
  static final int DIM_VALUE = 1; // oneof value { int64 dim_value = 1; string dim_param = 2; }
  static final int DIM_PARAM = 2;

  /** One attribute of a node: an int, a float, a list of ints or a list of floats. */
  record Attribute(String name, int type, long i, float f, long[] ints, float[] floats) {
    static Attribute ofInt(String name, long v) {
      return new Attribute(name, ATTR_TYPE_INT, v, 0f, null, null);
    }

    static Attribute ofFloat(String name, float v) {
      return new Attribute(name, ATTR_TYPE_FLOAT, 0, v, null, null);
    }

    static Attribute ofInts(String name, long... v) {
      return new Attribute(name, ATTR_TYPE_INTS, 0, 0f, v.clone(), null);
    }

    static Attribute ofFloats(String name, float... v) {
      return new Attribute(name, ATTR_TYPE_FLOATS, 0, 0f, null, v.clone());
    }

    ProtoWriter encode() {
      ProtoWriter w = new ProtoWriter().string(ATTR_NAME, name);
      switch (type) {
        case ATTR_TYPE_INT -> w.int64(ATTR_I, i);
        case ATTR_TYPE_FLOAT -> w.float32(ATTR_F, f);
        case ATTR_TYPE_INTS -> {
          for (long v : ints) w.int64(ATTR_INTS, v);
        }
        case ATTR_TYPE_FLOATS -> {
          for (float v : floats) w.float32(ATTR_FLOATS, v);
        }
        default -> throw new IllegalStateException("attribute " + name + ": unknown type " + type);
      }
      return w.int64(ATTR_TYPE, type);
    }
  }

  /** One node: {@code outputs = opType(inputs)} with attributes; an empty input name is an absent optional input. */
  record Node(String name, String opType, List<String> inputs, List<String> outputs, List<Attribute> attributes) {
    ProtoWriter encode() {
      ProtoWriter w = new ProtoWriter();
      for (String s : inputs) w.string(NODE_INPUT, s);
      for (String s : outputs) w.string(NODE_OUTPUT, s);
      w.string(NODE_NAME, name).string(NODE_OP_TYPE, opType);
      for (Attribute a : attributes) w.message(NODE_ATTRIBUTE, a.encode());
      return w;
    }
  }

  /** A constant tensor (weights, shape arguments): dims, element type and raw little-endian bytes. */
  record Initializer(String name, int dataType, long[] dims, byte[] raw) {
    ProtoWriter encode() {
      ProtoWriter w = new ProtoWriter();
      for (long d : dims) w.int64(TENSOR_DIMS, d);
      return w.int64(TENSOR_DATA_TYPE, dataType).string(TENSOR_NAME, name).bytes(TENSOR_RAW_DATA, raw);
    }
  }

  /**
   * A float32 tensor's name, element type and shape; a {@code null} entry of {@code dimParams}
   * means the fixed size in {@code dims}, a non-null one a symbolic dimension of that name.
   */
  record ValueInfo(String name, int elemType, long[] dims, String[] dimParams) {
    ProtoWriter encode() {
      ProtoWriter shape = new ProtoWriter();
      for (int k = 0; k < dims.length; k++) {
        ProtoWriter dim = new ProtoWriter();
        if (dimParams[k] != null) dim.string(DIM_PARAM, dimParams[k]);
        else dim.int64(DIM_VALUE, dims[k]);
        shape.message(SHAPE_DIM, dim);
      }
      ProtoWriter tensor = new ProtoWriter().int64(TYPE_TENSOR_ELEM_TYPE, elemType).message(TYPE_TENSOR_SHAPE, shape);
      ProtoWriter type = new ProtoWriter().message(TYPE_TENSOR_TYPE, tensor);
      return new ProtoWriter().string(VALUE_INFO_NAME, name).message(VALUE_INFO_TYPE, type);
    }
  }

  /** A whole {@code ModelProto} with one graph and one opset import of the default domain. */
  static byte[] model(long irVersion, long opsetVersion, String producerName, String producerVersion,
      String graphName, List<Node> nodes, List<Initializer> initializers, List<ValueInfo> inputs,
      List<ValueInfo> outputs, List<ValueInfo> valueInfo) {
    ProtoWriter graph = new ProtoWriter();
    for (Node n : nodes) graph.message(GRAPH_NODE, n.encode());
    graph.string(GRAPH_NAME, graphName);
    for (Initializer t : initializers) graph.message(GRAPH_INITIALIZER, t.encode());
    for (ValueInfo v : inputs) graph.message(GRAPH_INPUT, v.encode());
    for (ValueInfo v : outputs) graph.message(GRAPH_OUTPUT, v.encode());
    for (ValueInfo v : valueInfo) graph.message(GRAPH_VALUE_INFO, v.encode());
    ProtoWriter opset = new ProtoWriter().string(OPSET_DOMAIN, "").int64(OPSET_VERSION, opsetVersion);
    ProtoWriter model = new ProtoWriter().int64(MODEL_IR_VERSION, irVersion).string(MODEL_PRODUCER_NAME, producerName);
    if (producerVersion != null) model.string(MODEL_PRODUCER_VERSION, producerVersion);
    return model.message(MODEL_GRAPH, graph).message(MODEL_OPSET_IMPORT, opset).toByteArray();
  }
}
