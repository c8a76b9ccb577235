package io.timesformer4j.run;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a TensorBoard event file the way TensorBoard's reader does (tensorboard/summary/_tf/.. record_reader +
 * event_pb2): TFRecord framing with masked CRC-32C checks on the length and the data, then the Event protobuf.
 * Independent of the writer: its own bitwise CRC-32C and a generic protobuf wire decoder.
 */
public final class TfEvents {
    public record Event(double wallTime, long step, String fileVersion, List<Scalar> scalars) {}

    public record Scalar(String tag, float value) {}

    private TfEvents() {}

    public static List<Event> read(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        List<Event> out = new ArrayList<>();
        while (b.hasRemaining()) {
            if (b.remaining() < 12) throw new IOException("truncated record header at " + b.position());
            byte[] len = new byte[8];
            b.get(len);
            int lenCrc = b.getInt();
            if (lenCrc != masked(crc32c(len))) throw new IOException("length CRC mismatch at " + (b.position() - 12));
            long n = ByteBuffer.wrap(len).order(ByteOrder.LITTLE_ENDIAN).getLong();
            byte[] data = new byte[(int) n];
            b.get(data);
            int dataCrc = b.getInt();
            if (dataCrc != masked(crc32c(data))) throw new IOException("data CRC mismatch");
            out.add(event(data));
        }
        return out;
    }

    /** CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), bit by bit. */
    static int crc32c(byte[] data) {
        int crc = 0xFFFFFFFF;
        for (byte x : data) {
            crc ^= x & 0xFF;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >>> 1) ^ 0x82F63B78 : crc >>> 1;
        }
        return ~crc;
    }

    static int masked(int crc) {
        return ((crc >>> 15) | (crc << 17)) + 0xa282ead8;
    }

    private static Event event(byte[] data) throws IOException {
        Wire w = new Wire(data);
        double wall = 0;
        long step = 0;
        String version = null;
        List<Scalar> scalars = new ArrayList<>();
        while (w.more()) {
            long key = w.varint();
            int field = (int) (key >>> 3), type = (int) (key & 7);
            if (field == 1 && type == 1) wall = Double.longBitsToDouble(w.fixed64());
            else if (field == 2 && type == 0) step = w.varint();
            else if (field == 3 && type == 2) version = new String(w.bytes(), StandardCharsets.UTF_8);
            else if (field == 5 && type == 2) scalars.addAll(summary(w.bytes()));
            else w.skip(type);
        }
        return new Event(wall, step, version, scalars);
    }

    private static List<Scalar> summary(byte[] data) throws IOException {
        Wire w = new Wire(data);
        List<Scalar> out = new ArrayList<>();
        while (w.more()) {
            long key = w.varint();
            if (key >>> 3 == 1 && (key & 7) == 2) {
                Wire v = new Wire(w.bytes());
                String tag = null;
                Float value = null;
                while (v.more()) {
                    long k = v.varint();
                    if (k >>> 3 == 1 && (k & 7) == 2) tag = new String(v.bytes(), StandardCharsets.UTF_8);
                    else if (k >>> 3 == 2 && (k & 7) == 5) value = Float.intBitsToFloat(v.fixed32());
                    else v.skip((int) (k & 7));
                }
                if (tag == null || value == null) throw new IOException("a Summary.Value without tag or simple_value");
                out.add(new Scalar(tag, value));
            } else {
                w.skip((int) (key & 7));
            }
        }
        return out;
    }

    private static final class Wire {
        final ByteBuffer b;

        Wire(byte[] d) {
            b = ByteBuffer.wrap(d).order(ByteOrder.LITTLE_ENDIAN);
        }

        boolean more() {
            return b.hasRemaining();
        }

        long varint() throws IOException {
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                byte x = b.get();
                v |= (long) (x & 0x7F) << shift;
                if ((x & 0x80) == 0) return v;
            }
            throw new IOException("varint too long");
        }

        long fixed64() { return b.getLong(); }

        int fixed32() { return b.getInt(); }

        byte[] bytes() throws IOException {
            byte[] d = new byte[(int) varint()];
            b.get(d);
            return d;
        }

        void skip(int type) throws IOException {
            switch (type) {
                case 0 -> varint();
                case 1 -> b.position(b.position() + 8);
                case 2 -> bytes();
                case 5 -> b.position(b.position() + 4);
                default -> throw new IOException("wire type " + type);
            }
        }
    }
}
