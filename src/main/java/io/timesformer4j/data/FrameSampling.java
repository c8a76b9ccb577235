package io.timesformer4j.data;

import java.util.Random;

/**
 * Frame-index math for clip sampling. Every method returns indices in {@code [0, n)} for a video of
 * {@code n} frames; indices may repeat when the video is shorter than the clip (frames are repeated,
 * as PyTorch video tools do). All temporal views of a video are concatenated into one array so the
 * decoder reads the video once, in one sequential pass.
 */
public final class FrameSampling {
    private FrameSampling() {}

    /**
     * TSN: split {@code [0, n)} into {@code t} equal segments and take one frame from each: a random one when
     * {@code rnd != null} (training jitter), else each segment's centre ({@code n=300, t=8 →
     * [18, 56, 93, 131, 168, 206, 243, 281]}).
     */
    public static int[] tsn(int n, int t, Random rnd) {
        check(n, t);
        if (rnd == null) return tsnView(n, t, 0, 1);
        double seg = (double) n / t;
        int[] out = new int[t];
        for (int i = 0; i < t; i++) {
            int start = (int) Math.floor(i * seg), end = (int) Math.floor((i + 1) * seg);
            out[i] = Math.min(n - 1, start + rnd.nextInt(Math.max(1, end - start)));
        }
        return out;
    }

    /** TSN test view {@code view} of {@code views}: the frame at offset {@code (view + 0.5) / views} of each segment. */
    public static int[] tsnView(int n, int t, int view, int views) {
        check(n, t);
        double seg = (double) n / t, off = (view + 0.5) / views;
        int[] out = new int[t];
        for (int i = 0; i < t; i++) out[i] = Math.min(n - 1, (int) Math.floor((i + off) * seg));
        return out;
    }

    /**
     * Dense: {@code t} frames {@code stride} apart, from a random start ({@code rnd != null}) or the centred one.
     * When the window {@code (t-1)*stride+1} is longer than the video, the stride shrinks to fit (down to 1),
     * then the last frame repeats.
     */
    public static int[] dense(int n, int t, int stride, Random rnd) {
        check(n, t);
        int s = effectiveStride(n, t, stride);
        int maxStart = Math.max(0, n - ((t - 1) * s + 1));
        return window(n, t, s, rnd == null ? maxStart / 2 : rnd.nextInt(maxStart + 1));
    }

    /** Dense test view {@code view} of {@code views}: windows evenly spaced from the first to the last possible start. */
    public static int[] denseView(int n, int t, int stride, int view, int views) {
        check(n, t);
        int s = effectiveStride(n, t, stride);
        int maxStart = Math.max(0, n - ((t - 1) * s + 1));
        int start = views == 1 ? maxStart / 2 : (int) Math.round((double) view * maxStart / (views - 1));
        return window(n, t, s, start);
    }

    /**
     * The indices for one video: {@code spec.temporalViews(mode) * spec.numFrames()} of them, view-major, each view
     * permuted by {@link ClipSpec#frameOrder()} (natural = time order). TRAIN draws from {@code new Random(seed)},
     * so the same seed always gives the same clip; a shuffled order is seeded by the same seed.
     */
    public static int[] indices(ClipSpec spec, Mode mode, int n, long seed) {
        return spec.frameOrder().apply(sampled(spec, mode, n, seed), spec.numFrames(), seed);
    }

    /** {@link #indices} before {@link ClipSpec#frameOrder()} is applied: each view in time order. */
    private static int[] sampled(ClipSpec spec, Mode mode, int n, long seed) {
        int t = spec.numFrames();
        if (mode == Mode.TRAIN) {
            Random rnd = new Random(seed);
            return spec.sampling() == ClipSpec.Sampling.TSN ? tsn(n, t, rnd) : dense(n, t, spec.frameStride(), rnd);
        }
        int views = spec.temporalViews(mode);
        int[] out = new int[views * t];
        for (int v = 0; v < views; v++) {
            int[] one = spec.sampling() == ClipSpec.Sampling.TSN ? tsnView(n, t, v, views) : denseView(n, t, spec.frameStride(), v, views);
            System.arraycopy(one, 0, out, v * t, t);
        }
        return out;
    }

    private static int effectiveStride(int n, int t, int stride) {
        if (stride < 1) throw new IllegalArgumentException("stride must be >= 1: " + stride);
        if (t == 1 || (long) (t - 1) * stride + 1 <= n) return stride;
        return Math.max(1, (n - 1) / (t - 1));
    }

    private static int[] window(int n, int t, int stride, int start) {
        int[] out = new int[t];
        for (int i = 0; i < t; i++) out[i] = Math.min(n - 1, start + i * stride);
        return out;
    }

    private static void check(int n, int t) {
        if (n < 1) throw new IllegalArgumentException("video has no frames");
        if (t < 1) throw new IllegalArgumentException("clip needs at least 1 frame: " + t);
    }
}
