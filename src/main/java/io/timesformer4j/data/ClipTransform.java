package io.timesformer4j.data;

import java.util.Random;

/**
 * Turns decoded frames (packed RGB bytes, already resized by the decoder to the spec's short side) into the
 * normalised float clip the model eats. Pure Java on heap arrays, so loader threads never touch libtorch.
 *
 * <ul>
 *   <li>TRAIN: one random-resized crop (area {@code minScale..maxScale} of the frame, aspect
 *       {@code minAspect..1/minAspect}, 10 tries then the centre square), the same for every frame of the clip,
 *       bilinear-resized to {@code cropSize}; a horizontal flip with probability 1/2 only if {@code hflip}.</li>
 *   <li>VAL: the centre {@code cropSize} square (the centre square of the short side, resized, when the frame is
 *       smaller than the crop).</li>
 *   <li>TEST: as VAL for 1 spatial view; for 3, the start / centre / end squares along the long side
 *       (left/centre/right for landscape, top/centre/bottom for portrait).</li>
 * </ul>
 * Output per video: {@code (V, T, C, S, S)} float32 with {@code V = temporalViews * spatialViews}
 * (temporal-major), values {@code (x / 255 - mean[c]) / std[c]}.
 */
public final class ClipTransform {
    /** A source rectangle and whether to mirror it. */
    record Crop(int x, int y, int w, int h, boolean flip) {}

    private final ClipSpec spec;
    private final Mode mode;

    public ClipTransform(ClipSpec spec, Mode mode) {
        this.spec = spec;
        this.mode = mode;
    }

    /** Floats per video in the output: {@code V*T*3*S*S}. */
    public int outputLength() {
        return spec.views(mode) * spec.numFrames() * 3 * spec.cropSize() * spec.cropSize();
    }

    /**
     * @param rgb    {@code (frames, height, width, 3)} uint8, frames = {@code temporalViews(mode) * numFrames}
     * @param rnd    randomness for TRAIN crops and flips (unused otherwise, may be null)
     * @return {@code (V, T, C, S, S)} normalised floats
     */
    public float[] apply(byte[] rgb, int frames, int height, int width, Random rnd) {
        int t = spec.numFrames(), tv = spec.temporalViews(mode), sv = spec.spatialViews(mode), s = spec.cropSize();
        if (frames != tv * t) throw new IllegalArgumentException("expected " + tv * t + " frames, got " + frames);
        if (rgb.length != (long) frames * height * width * 3) {
            throw new IllegalArgumentException("rgb has " + rgb.length + " bytes, expected " + (long) frames * height * width * 3);
        }
        float[] out = new float[outputLength()];
        int frameFloats = 3 * s * s;
        Crop trainCrop = mode == Mode.TRAIN ? randomResizedCrop(height, width, rnd) : null;
        for (int v = 0; v < tv; v++) {
            for (int k = 0; k < sv; k++) {
                Crop crop = trainCrop != null ? trainCrop : fixedCrop(height, width, sv == 1 ? 1 : k);
                for (int f = 0; f < t; f++) {
                    int src = (v * t + f) * height * width * 3;
                    int dst = ((v * sv + k) * t + f) * frameFloats;
                    resizeNormalise(rgb, src, width, crop, out, dst);
                }
            }
        }
        return out;
    }

    /** TRAIN crop: random area and aspect, same for the whole clip. */
    Crop randomResizedCrop(int h, int w, Random rnd) {
        double area = (double) h * w, logLo = Math.log(spec.minAspect()), logHi = -logLo;
        for (int attempt = 0; attempt < 10; attempt++) {
            double target = area * (spec.minScale() + (spec.maxScale() - spec.minScale()) * rnd.nextDouble());
            double aspect = Math.exp(logLo + (logHi - logLo) * rnd.nextDouble());
            int cw = (int) Math.round(Math.sqrt(target * aspect)), ch = (int) Math.round(Math.sqrt(target / aspect));
            if (cw >= 1 && ch >= 1 && cw <= w && ch <= h) {
                int x = rnd.nextInt(w - cw + 1), y = rnd.nextInt(h - ch + 1);
                return new Crop(x, y, cw, ch, spec.hflip() && rnd.nextBoolean());
            }
        }
        int side = Math.min(h, w);
        return new Crop((w - side) / 2, (h - side) / 2, side, side, spec.hflip() && rnd.nextBoolean());
    }

    /** Square of side {@code min(cropSize, h, w)}; position 0 = start, 1 = centre, 2 = end of the long side. */
    Crop fixedCrop(int h, int w, int position) {
        int side = Math.min(spec.cropSize(), Math.min(h, w));
        int x = (w - side) / 2, y = (h - side) / 2;
        if (position != 1) {
            if (w >= h) x = position == 0 ? 0 : w - side;
            else y = position == 0 ? 0 : h - side;
        }
        return new Crop(x, y, side, side, false);
    }

    /**
     * Bilinear resize (half-pixel centres, like {@code align_corners=False}) of {@code crop} from one packed RGB
     * frame at {@code src} into {@code (C, S, S)} at {@code dst}, normalised.
     */
    private void resizeNormalise(byte[] rgb, int src, int width, Crop crop, float[] out, int dst) {
        int s = spec.cropSize(), plane = s * s;
        float[] mean = spec.mean(), std = spec.std();
        float a0 = 1f / (255f * std[0]), a1 = 1f / (255f * std[1]), a2 = 1f / (255f * std[2]);
        float b0 = -mean[0] / std[0], b1 = -mean[1] / std[1], b2 = -mean[2] / std[2];
        int rowBytes = width * 3;
        if (crop.w() == s && crop.h() == s) {                              // no resampling needed
            for (int oy = 0; oy < s; oy++) {
                int row = src + (crop.y() + oy) * rowBytes + crop.x() * 3;
                for (int ox = 0; ox < s; ox++) {
                    int p = row + ox * 3, o = dst + oy * s + (crop.flip() ? s - 1 - ox : ox);
                    out[o] = (rgb[p] & 0xff) * a0 + b0;
                    out[o + plane] = (rgb[p + 1] & 0xff) * a1 + b1;
                    out[o + 2 * plane] = (rgb[p + 2] & 0xff) * a2 + b2;
                }
            }
            return;
        }
        int[] x0 = new int[s], x1 = new int[s];
        float[] fx = new float[s];
        axis(crop.w(), s, x0, x1, fx);
        int[] y0 = new int[s], y1 = new int[s];
        float[] fy = new float[s];
        axis(crop.h(), s, y0, y1, fy);
        // separable: blend the two source rows first (per channel), then the two columns
        float[] row = new float[crop.w() * 3];
        for (int oy = 0; oy < s; oy++) {
            int r0 = src + (crop.y() + y0[oy]) * rowBytes + crop.x() * 3;
            int r1 = src + (crop.y() + y1[oy]) * rowBytes + crop.x() * 3;
            float wy = fy[oy], wy0 = 1 - wy;
            for (int i = 0; i < row.length; i++) row[i] = wy0 * (rgb[r0 + i] & 0xff) + wy * (rgb[r1 + i] & 0xff);
            int o = dst + oy * s;
            for (int ox = 0; ox < s; ox++) {
                int c0 = x0[ox] * 3, c1 = x1[ox] * 3;
                float wx = fx[ox], wx0 = 1 - wx;
                int q = o + (crop.flip() ? s - 1 - ox : ox);
                out[q] = (wx0 * row[c0] + wx * row[c1]) * a0 + b0;
                out[q + plane] = (wx0 * row[c0 + 1] + wx * row[c1 + 1]) * a1 + b1;
                out[q + 2 * plane] = (wx0 * row[c0 + 2] + wx * row[c1 + 2]) * a2 + b2;
            }
        }
    }

    /** Source taps and weights for resizing {@code in} samples to {@code out}. */
    private static void axis(int in, int out, int[] i0, int[] i1, float[] frac) {
        double scale = (double) in / out;
        for (int o = 0; o < out; o++) {
            double x = Math.max(0, (o + 0.5) * scale - 0.5);
            int lo = Math.min((int) x, in - 1);
            i0[o] = lo;
            i1[o] = Math.min(lo + 1, in - 1);
            frac[o] = (float) (x - lo);
        }
    }
}
