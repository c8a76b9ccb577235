package io.timesformer4j.video;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The fast resize order of {@link FfmpegDecoder#rgb(int, int)} (scale in YUV, then convert at the output size)
 * against the one-call scaled conversion it replaced, on textured frames of every codec the writer has.
 * Stated tolerance (docs/video.md): the two orders differ by at most 2.5 levels (of 255) on average, and the
 * fast one's mean absolute error against the true frame (the source RGB, resized bilinearly in Java) is at
 * most 1.5 levels above the direct one's. Measured: 1.0-2.1 levels apart; error against the source 2.5-6.7
 * (fast) vs 1.7-6.1 (direct), most of it the codecs' own loss. Single pixels at hard colour edges differ more:
 * the fast order upsamples 4:2:0 chroma by repetition, the direct one interpolates it vertically.
 */
class RgbConversionTest {
    static final double MEAN_TOLERANCE = 2.5;

    /** Colour bars, a diagonal luma ramp and a block that moves with {@code t}: edges in every channel. */
    static byte[] textured(int t, int w, int h) {
        byte[] rgb = new byte[w * h * 3];
        int[][] bars = {{235, 235, 235}, {235, 235, 16}, {16, 235, 235}, {16, 235, 16}, {235, 16, 235}, {235, 16, 16}, {16, 16, 235}};
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int o = (y * w + x) * 3;
                int[] c = bars[x * bars.length / w];
                boolean block = Math.abs(x - (t * 5) % w) < w / 8 && Math.abs(y - h / 2) < h / 6;
                for (int k = 0; k < 3; k++) {
                    int v = y < h / 2 ? c[k] : (x + y + 7 * k) * 255 / (w + h + 14);
                    rgb[o + k] = (byte) (block ? 255 - v : v);
                }
            }
        }
        return rgb;
    }

    @ParameterizedTest
    @CsvSource({"H264,mp4,320,240,299,224", "MJPEG,avi,320,240,299,224", "VP9,webm,320,240,299,224",
            "MPEG4,mkv,320,240,299,224", "FFV1,mkv,320,240,299,224", "H264,mp4,640,480,298,224",
            "H264,mp4,64,48,299,224", "MJPEG,avi,96,64,56,37"})
    void yuvFirstMatchesTheDirectConversion(VideoWriter.Codec codec, String ext, int w, int h, int outW, int outH,
                                            @TempDir Path tmp) throws Exception {
        Path video = tmp.resolve("v." + ext);
        try (VideoWriter vw = new VideoWriter(video, w, h, 10, codec, 5)) {
            for (int t = 0; t < 6; t++) vw.write(textured(t, w, h));
        }
        int frames = 0;
        double sumDiff = 0, errFast = 0, errDirect = 0;
        try (FfmpegDecoder d = new FfmpegDecoder(video, 1)) {
            while (d.next()) {
                byte[] fast = d.rgb(outW, outH), direct = d.rgb(outW, outH, true);
                byte[] truth = resize(textured(frames, w, h), w, h, outW, outH);
                assertEquals(direct.length, fast.length);
                sumDiff += meanAbs(fast, direct);
                errFast += meanAbs(fast, truth);
                errDirect += meanAbs(direct, truth);
                // native size: one path only, bit-identical
                assertArrayEquals(d.rgb(w, h, true), d.rgb(w, h));
                frames++;
            }
        }
        assertEquals(6, frames);
        double mean = sumDiff / frames;
        errFast /= frames;
        errDirect /= frames;
        System.out.printf(Locale.ROOT, "%s %dx%d -> %dx%d: mean |fast - direct| %.3f; mean error vs source: fast %.3f, direct %.3f%n",
                codec, w, h, outW, outH, mean, errFast, errDirect);
        assertTrue(mean <= MEAN_TOLERANCE, codec + ": mean difference " + mean);
        assertTrue(errFast <= errDirect + 1.5, codec + ": fast " + errFast + " vs direct " + errDirect);
    }

    static double meanAbs(byte[] a, byte[] b) {
        long s = 0;
        for (int i = 0; i < a.length; i++) s += Math.abs((a[i] & 255) - (b[i] & 255));
        return (double) s / a.length;
    }

    /** Bilinear resize of packed RGB24 with centre-aligned samples (the ground truth). */
    static byte[] resize(byte[] src, int w, int h, int ow, int oh) {
        byte[] out = new byte[ow * oh * 3];
        for (int y = 0; y < oh; y++) {
            double sy = Math.min(Math.max((y + 0.5) * h / oh - 0.5, 0), h - 1);
            int y0 = (int) sy, y1 = Math.min(y0 + 1, h - 1);
            double fy = sy - y0;
            for (int x = 0; x < ow; x++) {
                double sx = Math.min(Math.max((x + 0.5) * w / ow - 0.5, 0), w - 1);
                int x0 = (int) sx, x1 = Math.min(x0 + 1, w - 1);
                double fx = sx - x0;
                for (int k = 0; k < 3; k++) {
                    double v = (1 - fy) * ((1 - fx) * (src[(y0 * w + x0) * 3 + k] & 255) + fx * (src[(y0 * w + x1) * 3 + k] & 255))
                            + fy * ((1 - fx) * (src[(y1 * w + x0) * 3 + k] & 255) + fx * (src[(y1 * w + x1) * 3 + k] & 255));
                    out[(y * ow + x) * 3 + k] = (byte) Math.round(v);
                }
            }
        }
        return out;
    }
}
