package io.timesformer4j.data;

import java.util.Arrays;

/**
 * What one clip looks like and how it is sampled and augmented.
 *
 * @param numFrames     frames per clip, T
 * @param cropSize      output height = width, e.g. 224
 * @param shortSide     the decoder resizes frames so their short side is this (0 = native size)
 * @param sampling      {@link Sampling#TSN} segments or {@link Sampling#DENSE} frames at a fixed stride
 * @param frameStride   DENSE only: distance between sampled frames (the "rate"), ≥ 1
 * @param temporalViews TEST only: clips per video, evenly spaced in time
 * @param spatialViews  TEST only: 1 (centre crop) or 3 (start/centre/end along the long side)
 * @param mean          per-channel RGB mean on the 0..1 scale
 * @param std           per-channel RGB std on the 0..1 scale
 * @param hflip         TRAIN only: random horizontal flip (off by default: it swaps left/right motion classes)
 * @param minScale      TRAIN random-resized crop: smallest crop area as a fraction of the frame
 * @param maxScale      TRAIN random-resized crop: largest crop area fraction (≤ 1)
 * @param minAspect     TRAIN random-resized crop: smallest width/height ratio (max is its inverse)
 * @param frameOrder    the order the sampled frames of each view reach the model ({@link FrameOrder#NATURAL} by
 *                      default; reversed or shuffled for the time-use diagnostic); null = natural
 */
public record ClipSpec(int numFrames, int cropSize, int shortSide, Sampling sampling, int frameStride,
                       int temporalViews, int spatialViews, float[] mean, float[] std, boolean hflip,
                       double minScale, double maxScale, double minAspect, FrameOrder frameOrder) {

    /** How frame indices are chosen (see {@link FrameSampling}). */
    public enum Sampling { TSN, DENSE }

    /** ImageNet-style defaults used by the Hugging Face TimeSformer preprocessors (0.45 / 0.225). */
    public static final float[] DEFAULT_MEAN = {0.45f, 0.45f, 0.45f};
    public static final float[] DEFAULT_STD = {0.225f, 0.225f, 0.225f};

    public ClipSpec {
        if (numFrames < 1) throw new IllegalArgumentException("numFrames must be >= 1: " + numFrames);
        if (cropSize < 1) throw new IllegalArgumentException("cropSize must be >= 1: " + cropSize);
        if (shortSide < 0) throw new IllegalArgumentException("shortSide must be >= 0: " + shortSide);
        if (sampling == null) sampling = Sampling.TSN;
        if (frameStride < 1) throw new IllegalArgumentException("frameStride must be >= 1: " + frameStride);
        if (temporalViews < 1) throw new IllegalArgumentException("temporalViews must be >= 1: " + temporalViews);
        if (spatialViews != 1 && spatialViews != 3) throw new IllegalArgumentException("spatialViews must be 1 or 3: " + spatialViews);
        mean = (mean == null ? DEFAULT_MEAN : mean).clone();
        std = (std == null ? DEFAULT_STD : std).clone();
        if (mean.length != 3 || std.length != 3) throw new IllegalArgumentException("mean and std need 3 values (RGB)");
        for (float s : std) if (!(s > 0)) throw new IllegalArgumentException("std must be > 0: " + Arrays.toString(std));
        if (!(minScale > 0 && minScale <= maxScale && maxScale <= 1)) {
            throw new IllegalArgumentException("need 0 < minScale <= maxScale <= 1, got " + minScale + ", " + maxScale);
        }
        if (!(minAspect > 0 && minAspect <= 1)) throw new IllegalArgumentException("minAspect must be in (0, 1]: " + minAspect);
        if (frameOrder == null) frameOrder = FrameOrder.NATURAL;
    }

    /**
     * The spec a model with this preprocessing wants: TSN sampling of {@code numFrames}, frames decoded at short
     * side {@code imageSize} (as the Hugging Face video processors resize before the centre crop), crops of
     * {@code imageSize}; 1×1 test views; train crops cover 30-100 % of the frame, aspect 3/4-4/3; no flip.
     * {@code mean}/{@code std} may be null for the 0.45/0.225 default.
     */
    public static ClipSpec forModel(int numFrames, int imageSize, float[] mean, float[] std) {
        return new ClipSpec(numFrames, imageSize, imageSize, Sampling.TSN, 1, 1, 1, mean, std, false, 0.3, 1.0, 3.0 / 4.0, FrameOrder.NATURAL);
    }

    public ClipSpec withShortSide(int s) {
        return new ClipSpec(numFrames, cropSize, s, sampling, frameStride, temporalViews, spatialViews, mean, std, hflip, minScale, maxScale, minAspect, frameOrder);
    }

    /** Dense sampling at {@code stride} frames. */
    public ClipSpec withDense(int stride) {
        return new ClipSpec(numFrames, cropSize, shortSide, Sampling.DENSE, stride, temporalViews, spatialViews, mean, std, hflip, minScale, maxScale, minAspect, frameOrder);
    }

    public ClipSpec withTsn() {
        return new ClipSpec(numFrames, cropSize, shortSide, Sampling.TSN, frameStride, temporalViews, spatialViews, mean, std, hflip, minScale, maxScale, minAspect, frameOrder);
    }

    /** Multi-view testing: {@code temporal} clips × {@code spatial} (1 or 3) crops per video in {@link Mode#TEST}. */
    public ClipSpec withViews(int temporal, int spatial) {
        return new ClipSpec(numFrames, cropSize, shortSide, sampling, frameStride, temporal, spatial, mean, std, hflip, minScale, maxScale, minAspect, frameOrder);
    }

    public ClipSpec withHflip(boolean on) {
        return new ClipSpec(numFrames, cropSize, shortSide, sampling, frameStride, temporalViews, spatialViews, mean, std, on, minScale, maxScale, minAspect, frameOrder);
    }

    /** The order the sampled frames reach the model (see {@link FrameOrder}). */
    public ClipSpec withFrameOrder(FrameOrder order) {
        return new ClipSpec(numFrames, cropSize, shortSide, sampling, frameStride, temporalViews, spatialViews, mean, std, hflip, minScale, maxScale, minAspect, order);
    }

    public ClipSpec withScale(double min, double max) {
        return new ClipSpec(numFrames, cropSize, shortSide, sampling, frameStride, temporalViews, spatialViews, mean, std, hflip, min, max, minAspect, frameOrder);
    }

    /** Temporal clips per video in {@code mode}. */
    public int temporalViews(Mode mode) {
        return mode == Mode.TEST ? temporalViews : 1;
    }

    /** Spatial crops per clip in {@code mode}. */
    public int spatialViews(Mode mode) {
        return mode == Mode.TEST ? spatialViews : 1;
    }

    /** Views per video in {@code mode}: the V of {@code (B*V, T, C, H, W)}. */
    public int views(Mode mode) {
        return temporalViews(mode) * spatialViews(mode);
    }

    @Override
    public float[] mean() {
        return mean.clone();
    }

    @Override
    public float[] std() {
        return std.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClipSpec c && c.numFrames == numFrames && c.cropSize == cropSize && c.shortSide == shortSide
                && c.sampling == sampling && c.frameStride == frameStride && c.temporalViews == temporalViews
                && c.spatialViews == spatialViews && Arrays.equals(c.mean, mean) && Arrays.equals(c.std, std)
                && c.hflip == hflip && c.minScale == minScale && c.maxScale == maxScale && c.minAspect == minAspect
                && c.frameOrder.equals(frameOrder);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(numFrames, cropSize, shortSide, sampling, frameStride, temporalViews, spatialViews,
                Arrays.hashCode(mean), Arrays.hashCode(std), hflip, minScale, maxScale, minAspect, frameOrder);
    }

    @Override
    public String toString() {
        return "ClipSpec[T=" + numFrames + ", crop=" + cropSize + ", shortSide=" + shortSide + ", " + sampling
                + (sampling == Sampling.DENSE ? " stride " + frameStride : "") + ", views " + temporalViews + "x" + spatialViews
                + ", mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + ", hflip=" + hflip
                + ", scale=[" + minScale + ", " + maxScale + "], minAspect=" + minAspect
                + (frameOrder.isNatural() ? "" : ", order=" + frameOrder.describe()) + "]";
    }
}
