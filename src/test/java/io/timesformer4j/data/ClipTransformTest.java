package io.timesformer4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class ClipTransformTest {
    private static final float[] UNIT_MEAN = {0, 0, 0}, UNIT_STD = {1 / 255f, 1 / 255f, 1 / 255f};   // output = byte value

    /** Frame f, pixel (y, x): R = x, G = y, B = 10*f. */
    private static byte[] ramp(int frames, int h, int w) {
        byte[] rgb = new byte[frames * h * w * 3];
        for (int f = 0; f < frames; f++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int o = ((f * h + y) * w + x) * 3;
                    rgb[o] = (byte) x;
                    rgb[o + 1] = (byte) y;
                    rgb[o + 2] = (byte) (10 * f);
                }
            }
        }
        return rgb;
    }

    private static float at(float[] out, int t, int c, int y, int x, int frames, int s, int view) {
        return out[(((view * frames + t) * 3 + c) * s + y) * s + x];
    }

    @Test
    void centreCropLayoutIsTCHWAndExact() {
        ClipSpec spec = ClipSpec.forModel(2, 4, UNIT_MEAN, UNIT_STD);
        float[] out = new ClipTransform(spec, Mode.VAL).apply(ramp(2, 6, 10), 2, 6, 10, null);
        assertEquals(2 * 3 * 4 * 4, out.length);
        // centre 4x4 of a 10x6 frame starts at x=3, y=1
        assertEquals(3, at(out, 0, 0, 0, 0, 2, 4, 0), 1e-4);
        assertEquals(6, at(out, 0, 0, 2, 3, 2, 4, 0), 1e-4);
        assertEquals(1, at(out, 1, 1, 0, 0, 2, 4, 0), 1e-4);
        assertEquals(4, at(out, 1, 1, 3, 2, 2, 4, 0), 1e-4);
        assertEquals(0, at(out, 0, 2, 1, 1, 2, 4, 0), 1e-4);
        assertEquals(10, at(out, 1, 2, 1, 1, 2, 4, 0), 1e-4);
    }

    @Test
    void normalisesWithMeanAndStd() {
        ClipSpec spec = ClipSpec.forModel(1, 2, null, null);    // 0.45 / 0.225
        byte[] rgb = new byte[2 * 2 * 3];
        java.util.Arrays.fill(rgb, (byte) 255);
        float[] out = new ClipTransform(spec, Mode.VAL).apply(rgb, 1, 2, 2, null);
        for (float v : out) assertEquals((1 - 0.45f) / 0.225f, v, 1e-5);
    }

    @Test
    void bilinearDownscaleAveragesAndKeepsConstants() {
        // 8x8 frame → crop 4 with a smaller crop size forces resize of the centre square? Use a small frame: 2x2 → 4x4 upscale.
        ClipSpec spec = ClipSpec.forModel(1, 4, UNIT_MEAN, UNIT_STD);
        byte[] rgb = new byte[2 * 2 * 3];
        int[] red = {0, 100, 100, 200};                 // (0,0)=0 (0,1)=100 (1,0)=100 (1,1)=200
        for (int i = 0; i < 4; i++) {
            rgb[i * 3] = (byte) red[i];
            rgb[i * 3 + 1] = (byte) 77;
        }
        float[] out = new ClipTransform(spec, Mode.VAL).apply(rgb, 1, 2, 2, null);
        // half-pixel centres: output x=0 → source -0.25 clamped to 0; x=1 → 0.25; x=2 → 0.75; x=3 → 1.25 → clamped
        assertEquals(0, at(out, 0, 0, 0, 0, 1, 4, 0), 1e-3);
        assertEquals(25, at(out, 0, 0, 0, 1, 1, 4, 0), 1e-3);
        assertEquals(75, at(out, 0, 0, 0, 2, 1, 4, 0), 1e-3);
        assertEquals(100, at(out, 0, 0, 0, 3, 1, 4, 0), 1e-3);
        assertEquals(200, at(out, 0, 0, 3, 3, 1, 4, 0), 1e-3);
        assertEquals(100, at(out, 0, 0, 1, 2, 1, 4, 0), 1e-3);   // 0.25 rows, 0.75 cols: bilinear of the 4 corners
        for (int y = 0; y < 4; y++) for (int x = 0; x < 4; x++) assertEquals(77, at(out, 0, 1, y, x, 1, 4, 0), 1e-3);
    }

    @Test
    void threeCropsAlongTheLongSide() {
        ClipSpec spec = ClipSpec.forModel(1, 4, UNIT_MEAN, UNIT_STD).withViews(1, 3);
        float[] out = new ClipTransform(spec, Mode.TEST).apply(ramp(1, 4, 12), 1, 4, 12, null);
        assertEquals(3 * 3 * 16, out.length);
        assertEquals(0, at(out, 0, 0, 0, 0, 1, 4, 0), 1e-4);    // left
        assertEquals(4, at(out, 0, 0, 0, 0, 1, 4, 1), 1e-4);    // centre
        assertEquals(8, at(out, 0, 0, 0, 0, 1, 4, 2), 1e-4);    // right
        // portrait: along y
        float[] p = new ClipTransform(spec, Mode.TEST).apply(ramp(1, 12, 4), 1, 12, 4, null);
        assertEquals(0, at(p, 0, 1, 0, 0, 1, 4, 0), 1e-4);
        assertEquals(4, at(p, 0, 1, 0, 0, 1, 4, 1), 1e-4);
        assertEquals(8, at(p, 0, 1, 0, 0, 1, 4, 2), 1e-4);
    }

    @Test
    void trainCropIsTheSameForAllFramesAndSeeded() {
        ClipSpec spec = ClipSpec.forModel(3, 8, UNIT_MEAN, UNIT_STD);
        ClipTransform tr = new ClipTransform(spec, Mode.TRAIN);
        byte[] rgb = ramp(3, 40, 60);
        float[] a = tr.apply(rgb, 3, 40, 60, new Random(5));
        assertArrayEquals(a, tr.apply(rgb, 3, 40, 60, new Random(5)));
        assertNotEquals(java.util.Arrays.toString(a), java.util.Arrays.toString(tr.apply(rgb, 3, 40, 60, new Random(6))));
        for (int t = 1; t < 3; t++) {                            // R and G planes equal across frames: same crop
            for (int i = 0; i < 2 * 64; i++) assertEquals(a[i], a[t * 3 * 64 + i], 1e-4);
        }
        for (int s = 0; s < 100; s++) {
            ClipTransform.Crop c = tr.randomResizedCrop(40, 60, new Random(s));
            double area = (double) c.w() * c.h() / (40 * 60);
            assertTrue(c.x() >= 0 && c.y() >= 0 && c.x() + c.w() <= 60 && c.y() + c.h() <= 40, c.toString());
            assertTrue(area > 0.25 && area < 1.05, "area " + area);
            assertTrue(!c.flip(), "flip is off by default");
        }
    }

    @Test
    void hflipMirrorsWhenEnabled() {
        ClipSpec spec = ClipSpec.forModel(1, 8, UNIT_MEAN, UNIT_STD).withHflip(true).withScale(1.0, 1.0);
        ClipTransform tr = new ClipTransform(spec, Mode.TRAIN);
        int flipped = 0;
        for (int s = 0; s < 20; s++) {
            ClipTransform.Crop c = tr.randomResizedCrop(8, 8, new Random(s));
            float[] out = tr.apply(ramp(1, 8, 8), 1, 8, 8, new Random(s));
            if (c.flip()) {
                flipped++;
                assertEquals(7, out[0], 1e-4);                  // R = x mirrored
            } else {
                assertEquals(0, out[0], 1e-4);
            }
        }
        assertTrue(flipped > 3 && flipped < 17, "about half flipped: " + flipped);
    }
}
