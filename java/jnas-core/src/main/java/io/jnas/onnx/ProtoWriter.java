package io.jnas.onnx;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A minimal protocol-buffers encoder: just what ONNX's messages need, written by hand so the
 * library carries no protobuf dependency.
 *
 * <p>Wire format (protobuf's "Encoding" guide): every field is a tag {@code (field << 3) |
 * wireType} as a varint, then its payload: a varint (wire type 0: int32, int64, enums), four
 * little-endian bytes (wire type 5: float), or a varint length and that many bytes (wire type
 * 2: strings, bytes, nested messages). Repeated scalars are written one tag per element
 * (unpacked), which is what proto2's {@code repeated} without {@code [packed=true]} means and
 * what every parser accepts. Negative int64 values take ten bytes (two's complement), as
 * protobuf writes them.
 *
 * <p>Nested messages are encoded into their own writer first, then copied in with their
 * length; the output is a pure function of the calls made, so the same calls give the same
 * bytes.
 */
final class ProtoWriter {
  static final int WIRE_VARINT = 0;
  static final int WIRE_LEN = 2;
  static final int WIRE_FIXED32 = 5;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  /** Appends a raw varint (unsigned LEB128 of the 64-bit two's complement). */
  ProtoWriter varint(long v) {
    while ((v & ~0x7FL) != 0) {
      out.write((int) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    out.write((int) v);
    return this;
  }

  private ProtoWriter tag(int field, int wireType) {
    if (field <= 0) throw new IllegalArgumentException("protobuf field number " + field + ", expected positive");
    return varint(((long) field << 3) | wireType);
  }

  /** An int32, int64 or enum field (wire type 0). */
  ProtoWriter int64(int field, long v) {
    return tag(field, WIRE_VARINT).varint(v);
  }

  /** A float field (wire type 5, IEEE 754 little-endian). */
  ProtoWriter float32(int field, float v) {
    tag(field, WIRE_FIXED32);
    int bits = Float.floatToRawIntBits(v);
    out.write(bits);
    out.write(bits >>> 8);
    out.write(bits >>> 16);
    out.write(bits >>> 24);
    return this;
  }

  /** A bytes field (wire type 2). */
  ProtoWriter bytes(int field, byte[] b) {
    tag(field, WIRE_LEN).varint(b.length);
    out.write(b, 0, b.length);
    return this;
  }

  /** A string field, UTF-8 (wire type 2). */
  ProtoWriter string(int field, String s) {
    return bytes(field, s.getBytes(StandardCharsets.UTF_8));
  }

  /** A nested message field (wire type 2). */
  ProtoWriter message(int field, ProtoWriter m) {
    tag(field, WIRE_LEN).varint(m.out.size());
    out.writeBytes(m.out.toByteArray());
    return this;
  }

  /** The bytes written so far. */
  byte[] toByteArray() {
    return out.toByteArray();
  }
}
