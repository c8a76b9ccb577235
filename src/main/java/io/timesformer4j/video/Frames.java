package io.timesformer4j.video;

import java.nio.ByteBuffer;

/** Small pixel helpers shared by the sources: output size, strided copy, rotation of packed RGB. */
final class Frames {
    private Frames() {}

    /**
     * Size {@code {w, h}} that makes the short side {@code shortSide} and keeps the aspect ratio
     * (0 = unchanged).
     */
    static int[] scaledSize(int w, int h, int shortSide) {
        if (shortSide <= 0 || Math.min(w, h) == shortSide) return new int[] {w, h};
        if (w <= h) return new int[] {shortSide, Math.max(1, (int) Math.round((double) h * shortSide / w))};
        return new int[] {Math.max(1, (int) Math.round((double) w * shortSide / h)), shortSide};
    }

    /** Copies a {@code (h, w, 3)} image whose rows are {@code stride} bytes apart into a packed array. */
    static byte[] copyPacked(ByteBuffer src, int stride, int w, int h) {
        byte[] out = new byte[w * h * 3];
        int row = w * 3;
        for (int y = 0; y < h; y++) src.get(y * stride, out, y * row, row);
        return out;
    }

    /**
     * Rotates a packed {@code (h, w, 3)} image clockwise by {@code degrees} (0/90/180/270). The result is
     * {@code (w, h, 3)} for 90 and 270.
     */
    static byte[] rotate(byte[] rgb, int w, int h, int degrees) {
        if (degrees == 0) return rgb;
        byte[] out = new byte[rgb.length];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int o = switch (degrees) {
                    case 90 -> (x * h + (h - 1 - y)) * 3;           // out (w rows, h cols)
                    case 180 -> ((h - 1 - y) * w + (w - 1 - x)) * 3;
                    case 270 -> ((w - 1 - x) * h + y) * 3;
                    default -> throw new IllegalArgumentException("rotation " + degrees);
                };
                int i = (y * w + x) * 3;
                out[o] = rgb[i];
                out[o + 1] = rgb[i + 1];
                out[o + 2] = rgb[i + 2];
            }
        }
        return out;
    }

    /** Clockwise degrees (0/90/180/270) from a display matrix angle (counter-clockwise, as FFmpeg gives it). */
    static int clockwiseFromDisplayAngle(double ccwDegrees) {
        if (Double.isNaN(ccwDegrees)) return 0;
        long q = Math.round(-ccwDegrees / 90.0);
        return (int) (((q % 4) + 4) % 4) * 90;
    }
}
