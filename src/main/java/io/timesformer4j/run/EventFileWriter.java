package io.timesformer4j.run;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * Writes a TensorBoard event file ({@code events.out.tfevents.*}) with scalar summaries, without TensorFlow:
 * no Java library writes this format, so this is the small part of it that scalars need.
 *
 * <p>The file is a TFRecord stream: per record {@code uint64 length}, {@code uint32 masked_crc32c(length)},
 * the bytes, {@code uint32 masked_crc32c(bytes)}, little-endian; {@code masked(c) = ((c >>> 15) | (c << 17))
 * + 0xa282ead8}. Each record is a serialized {@code tensorflow.Event} protobuf: {@code wall_time} (field 1,
 * double), {@code step} (2, varint), then {@code file_version} (3, string; the first record, "brain.Event:2")
 * or {@code summary} (5, message) holding {@code Summary.Value}s with {@code tag} (1, string) and
 * {@code simple_value} (2, float). Each record is flushed to disk when written, so a killed run keeps its
 * events and TensorBoard can read the file while the run goes on.
 */
public final class EventFileWriter implements AutoCloseable {
    private final Path file;
    private final OutputStream out;

    /** Creates {@code dir/events.out.tfevents.<seconds>.<host>} and writes the version record. */
    public EventFileWriter(Path dir, double wallTime) throws IOException {
        Files.createDirectories(dir);
        String host = "timesformer4j";
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException | SecurityException e) {
            // a host name is only part of the file name
        }
        Path f = dir.resolve(String.format(java.util.Locale.ROOT, "events.out.tfevents.%d.%s", (long) wallTime, host));
        for (int i = 1; Files.exists(f); i++) f = dir.resolve(String.format(java.util.Locale.ROOT,
                "events.out.tfevents.%d.%s.%d", (long) wallTime, host, i));
        this.file = f;
        this.out = Files.newOutputStream(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        ByteArrayOutputStream ev = new ByteArrayOutputStream();
        header(ev, wallTime, 0);
        bytesField(ev, 3, "brain.Event:2".getBytes(StandardCharsets.UTF_8));
        record(ev.toByteArray());
    }

    public Path file() {
        return file;
    }

    /** One {@code Event} with one scalar {@code tag} at {@code step}. */
    public void scalar(String tag, double value, long step, double wallTime) throws IOException {
        ByteArrayOutputStream v = new ByteArrayOutputStream();
        bytesField(v, 1, tag.getBytes(StandardCharsets.UTF_8));
        tag(v, 2, 5);
        v.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat((float) value).array());
        ByteArrayOutputStream summary = new ByteArrayOutputStream();
        bytesField(summary, 1, v.toByteArray());
        ByteArrayOutputStream ev = new ByteArrayOutputStream();
        header(ev, wallTime, step);
        bytesField(ev, 5, summary.toByteArray());
        record(ev.toByteArray());
    }

    @Override
    public void close() throws IOException {
        out.close();
    }

    /** {@code masked_crc32c} of TFRecord. */
    public static int maskedCrc32c(byte[] b, int off, int len) {
        CRC32C c = new CRC32C();
        c.update(b, off, len);
        int crc = (int) c.getValue();
        return ((crc >>> 15) | (crc << 17)) + 0xa282ead8;
    }

    private void record(byte[] data) throws IOException {
        byte[] len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(data.length).array();
        ByteBuffer b = ByteBuffer.allocate(8 + 4 + data.length + 4).order(ByteOrder.LITTLE_ENDIAN);
        b.put(len).putInt(maskedCrc32c(len, 0, 8)).put(data).putInt(maskedCrc32c(data, 0, data.length));
        out.write(b.array());
        out.flush();
    }

    private static void header(ByteArrayOutputStream ev, double wallTime, long step) {
        tag(ev, 1, 1);
        ev.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putDouble(wallTime).array());
        if (step != 0) {
            tag(ev, 2, 0);
            varint(ev, step);
        }
    }

    private static void bytesField(ByteArrayOutputStream o, int field, byte[] b) {
        tag(o, field, 2);
        varint(o, b.length);
        o.writeBytes(b);
    }

    private static void tag(ByteArrayOutputStream o, int field, int wireType) {
        varint(o, ((long) field << 3) | wireType);
    }

    /** Protobuf base-128 varint; negative values take 10 bytes, as int64 does. */
    static void varint(ByteArrayOutputStream o, long v) {
        while ((v & ~0x7FL) != 0) {
            o.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        o.write((int) v);
    }
}
