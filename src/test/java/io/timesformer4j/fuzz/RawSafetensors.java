package io.timesformer4j.fuzz;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes a safetensors file byte by byte: any header text, any declared header length, any data. */
public final class RawSafetensors {
    private RawSafetensors() {}

    /** {@code declaredLength < 0}: the true header length. */
    public static Path write(Path file, String header, byte[] data, long declaredLength) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(declaredLength < 0 ? h.length : declaredLength).put(h).put(data);
        return Files.write(file, b.array());
    }

    /** Little-endian float32 bytes of {@code v}. */
    public static byte[] floats(float... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) b.putFloat(x);
        return b.array();
    }
}
