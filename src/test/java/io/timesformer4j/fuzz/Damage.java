package io.timesformer4j.fuzz;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * A seeded generator of damaged inputs: truncations, flipped bytes, edited safetensors header lengths and
 * hostile JSON values. The same seed gives the same cases on every machine.
 */
public final class Damage {
    private final Random r;

    public Damage(long seed) {
        r = new Random(seed);
    }

    public int nextInt(int bound) {
        return r.nextInt(bound);
    }

    public <T> T pick(List<T> l) {
        return l.get(r.nextInt(l.size()));
    }

    /** The first {@code 0..length-1} bytes. */
    public byte[] truncate(byte[] b) {
        return Arrays.copyOf(b, r.nextInt(b.length));
    }

    /** {@code count} bytes in {@code [from, to)} replaced by random different values. */
    public byte[] flip(byte[] b, int from, int to, int count) {
        byte[] c = b.clone();
        for (int i = 0; i < count; i++) {
            int at = from + r.nextInt(Math.max(1, to - from));
            c[at] = (byte) (c[at] ^ (1 + r.nextInt(255)));
        }
        return c;
    }

    /** The bytes with {@code 1..64} random bytes appended. */
    public byte[] trailing(byte[] b) {
        byte[] extra = new byte[1 + r.nextInt(64)];
        r.nextBytes(extra);
        byte[] c = Arrays.copyOf(b, b.length + extra.length);
        System.arraycopy(extra, 0, c, b.length, extra.length);
        return c;
    }

    /** A safetensors file with its 8-byte header length changed by {@code delta}. */
    public static byte[] headerLength(byte[] st, long delta) {
        byte[] c = st.clone();
        ByteBuffer b = ByteBuffer.wrap(c).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(0, b.getLong(0) + delta);
        return c;
    }

    /** A header length edit: +-1, +-8, or a large value. */
    public long headerDelta() {
        return pick(List.of(-1L, 1L, -8L, 8L, -2L, 1L << 20, 1L << 40, Long.MIN_VALUE / 2));
    }

    /** JSON values that no TimeSformer config field accepts (types, signs, magnitudes, wrap-around). */
    public static final List<String> HOSTILE_VALUES = List.of("-1", "1e12", "1000000000", "10000000000", "8.5", "\"8\"",
            "[]", "[8]", "-2147483649", "4294967304", "1e308", "-0.5", "\"NaN\"");

    public String hostileValue() {
        return pick(HOSTILE_VALUES);
    }
}
