package io.timesformer4j.data;

import java.util.Locale;
import java.util.Random;

/**
 * The order in which a clip's sampled frames reach the model: as sampled ({@link Kind#NATURAL}, the default),
 * reversed in time, or shuffled. Applied to the frame indices of each temporal view in the sampling path
 * ({@link FrameSampling#indices}), so it permutes exactly the frames the model would see; nothing else
 * (which frames, crops, normalisation) changes. Used by {@code evaluate --time-reversed / --shuffle-frames}
 * to show whether a model uses time.
 *
 * @param kind the permutation
 * @param seed {@link Kind#SHUFFLED} only: the shuffle of each clip is seeded by (this, the clip's sample seed)
 */
public record FrameOrder(Kind kind, long seed) {
    public enum Kind { NATURAL, REVERSED, SHUFFLED }

    public static final FrameOrder NATURAL = new FrameOrder(Kind.NATURAL, 0);
    public static final FrameOrder REVERSED = new FrameOrder(Kind.REVERSED, 0);

    public FrameOrder {
        if (kind == null) kind = Kind.NATURAL;
    }

    public static FrameOrder shuffled(long seed) {
        return new FrameOrder(Kind.SHUFFLED, seed);
    }

    public boolean isNatural() {
        return kind == Kind.NATURAL;
    }

    /** {@code time-reversed}, {@code shuffled (seed 7)}, {@code natural}. */
    public String describe() {
        return switch (kind) {
            case NATURAL -> "natural";
            case REVERSED -> "time-reversed";
            case SHUFFLED -> "shuffled (seed " + seed + ")";
        };
    }

    /** The file-name stem for reports: {@code time_reversed}, {@code shuffled}, {@code natural}. */
    public String slug() {
        return kind == Kind.REVERSED ? "time_reversed" : kind.name().toLowerCase(Locale.ROOT);
    }

    /**
     * Permutes {@code indices} (views of {@code framesPerView} frames, view-major) within each view, in place,
     * and returns them. A shuffle is never the identity when a view has 2+ frames (a permutation is redrawn
     * until it moves a frame), so every shuffled clip differs in order from the natural one.
     */
    public int[] apply(int[] indices, int framesPerView, long sampleSeed) {
        if (kind == Kind.NATURAL || framesPerView < 2) return indices;
        if (indices.length % framesPerView != 0) {
            throw new IllegalArgumentException(indices.length + " indices are not whole views of " + framesPerView);
        }
        Random rnd = kind == Kind.SHUFFLED ? new Random(ClipLoader.mix(seed, sampleSeed, 0x5A)) : null;
        int[] view = new int[framesPerView];
        for (int v = 0; v < indices.length / framesPerView; v++) {
            int off = v * framesPerView;
            System.arraycopy(indices, off, view, 0, framesPerView);
            int[] perm = kind == Kind.REVERSED ? reversal(framesPerView) : derangedShuffle(framesPerView, rnd);
            for (int t = 0; t < framesPerView; t++) indices[off + t] = view[perm[t]];
        }
        return indices;
    }

    private static int[] reversal(int n) {
        int[] p = new int[n];
        for (int t = 0; t < n; t++) p[t] = n - 1 - t;
        return p;
    }

    /** A uniformly drawn permutation other than the identity (Fisher-Yates, redrawn while it is the identity). */
    private static int[] derangedShuffle(int n, Random rnd) {
        int[] p = new int[n];
        while (true) {
            for (int t = 0; t < n; t++) p[t] = t;
            for (int t = n - 1; t > 0; t--) {
                int j = rnd.nextInt(t + 1);
                int x = p[t];
                p[t] = p[j];
                p[j] = x;
            }
            for (int t = 0; t < n; t++) if (p[t] != t) return p;
        }
    }
}
