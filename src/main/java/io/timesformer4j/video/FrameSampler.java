package io.timesformer4j.video;

import java.util.stream.IntStream;

/**
 * Chooses which frames of a video to keep, given its frame count. Indices are in {@code [0, frameCount)},
 * may be unsorted and may repeat (several temporal views concatenated, or a short video looped);
 * {@link DecodedClip} keeps them in the returned order.
 *
 * <p>{@link VideoSource#read} first asks with the container's count and asks again with the real count
 * when the video turns out to be shorter, so a sampler must be a pure function of {@code frameCount}.
 */
@FunctionalInterface
public interface FrameSampler {
    int[] indices(int frameCount);

    /** Every frame, in order. */
    static FrameSampler all() {
        return n -> IntStream.range(0, n).toArray();
    }

    /** Fixed indices, clamped to the last frame when the video is shorter. */
    static FrameSampler of(int... indices) {
        return n -> IntStream.of(indices).map(i -> Math.max(0, Math.min(i, n - 1))).toArray();
    }

    /** {@code count} frames at the centres of {@code count} equal segments (TSN-style test sampling). */
    static FrameSampler uniform(int count) {
        return n -> IntStream.range(0, count).map(i -> (int) Math.min(n - 1, Math.floor((i + 0.5) * n / count))).toArray();
    }
}
