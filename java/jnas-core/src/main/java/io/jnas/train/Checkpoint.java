package io.jnas.train;

import io.jnas.util.AtomicFiles;
import io.jnas.util.Json;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * A checkpoint file: a JSON header (epoch, settings, random states, any small state) and
 * named float arrays (weights, optimizer state), written atomically.
 *
 * <p>Format (all integers big-endian, floats little-endian):
 * <pre>
 *   magic "JNASCKP1" (8 bytes)
 *   int32 header length, header (UTF-8 JSON object)
 *   int32 number of arrays, then per array:
 *     int32 name length, name (UTF-8), int64 count, count float32 (little-endian)
 *   int64 CRC-32 of everything before it
 * </pre>
 * A truncated or corrupted file fails to load with a message naming the file.
 */
public final class Checkpoint {
  private static final byte[] MAGIC = "JNASCKP1".getBytes(StandardCharsets.US_ASCII);

  private final Map<String, Object> header;
  private final Map<String, float[]> arrays;

  /** A checkpoint holding the given header and arrays (kept by reference). */
  public Checkpoint(Map<String, Object> header, Map<String, float[]> arrays) {
    this.header = header;
    this.arrays = arrays;
  }

  /** The JSON header. */
  public Map<String, Object> header() {
    return header;
  }

  /** The named arrays, in file order. */
  public Map<String, float[]> arrays() {
    return arrays;
  }

  /** One array; throws naming the missing name. */
  public float[] array(String name) {
    float[] a = arrays.get(name);
    if (a == null) throw new IllegalArgumentException("checkpoint: no array named '" + name + "' (has " + arrays.keySet() + ")");
    return a;
  }

  /** Writes the checkpoint atomically (temp file, fsync, rename). */
  public void write(Path file) throws IOException {
    AtomicFiles.write(file, os -> {
      CRC32 crc = new CRC32();
      DataOutputStream out = new DataOutputStream(new java.util.zip.CheckedOutputStream(os, crc));
      out.write(MAGIC);
      byte[] h = Json.write(header).getBytes(StandardCharsets.UTF_8);
      out.writeInt(h.length);
      out.write(h);
      out.writeInt(arrays.size());
      ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
      for (Map.Entry<String, float[]> e : arrays.entrySet()) {
        byte[] n = e.getKey().getBytes(StandardCharsets.UTF_8);
        out.writeInt(n.length);
        out.write(n);
        float[] a = e.getValue();
        out.writeLong(a.length);
        for (int i = 0; i < a.length; ) {
          buf.clear();
          while (i < a.length && buf.remaining() >= 4) buf.putFloat(a[i++]);
          out.write(buf.array(), 0, buf.position());
        }
      }
      out.flush();
      long sum = crc.getValue();
      new DataOutputStream(os).writeLong(sum);
    });
  }

  /**
   * Reads a checkpoint.
   *
   * @throws IOException naming the file when it is missing, truncated or corrupt
   */
  public static Checkpoint read(Path file) throws IOException {
    if (!Files.isRegularFile(file)) throw new IOException(file + ": checkpoint not found");
    byte[] all = Files.readAllBytes(file);
    if (all.length >= MAGIC.length && !java.util.Arrays.equals(all, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
      throw new IOException(file + ": not a jnas checkpoint or weights file (it does not start with " + new String(MAGIC, StandardCharsets.US_ASCII) + ")");
    }
    if (all.length < MAGIC.length + 8) throw new IOException(file + ": truncated checkpoint (" + all.length + " bytes)");
    CRC32 crc = new CRC32();
    crc.update(all, 0, all.length - 8);
    long stored = ByteBuffer.wrap(all, all.length - 8, 8).getLong();
    if (stored != crc.getValue()) throw new IOException(file + ": corrupt or truncated checkpoint (checksum mismatch)");
    try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(all, 0, all.length - 8))) {
      in.skipNBytes(MAGIC.length);  // checked above
      byte[] h = in.readNBytes(in.readInt());
      Map<String, Object> header = Json.parseObject(new String(h, StandardCharsets.UTF_8));
      int n = in.readInt();
      Map<String, float[]> arrays = new LinkedHashMap<>();
      for (int k = 0; k < n; k++) {
        String name = new String(in.readNBytes(in.readInt()), StandardCharsets.UTF_8);
        long count = in.readLong();
        if (count < 0 || count > Integer.MAX_VALUE) throw new IOException(file + ": bad array length " + count);
        byte[] raw = in.readNBytes(Math.toIntExact(count * 4));
        if (raw.length != count * 4) throw new EOFException();
        float[] a = new float[(int) count];
        ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(a);
        arrays.put(name, a);
      }
      return new Checkpoint(header, arrays);
    } catch (EOFException | IllegalArgumentException e) {
      throw new IOException(file + ": corrupt checkpoint (" + e.getMessage() + ")");
    }
  }
}
