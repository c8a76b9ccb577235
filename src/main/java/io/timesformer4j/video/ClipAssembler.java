package io.timesformer4j.video;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Collects the frames a sampler asked for while a decoder walks through a video. Holds only wanted
 * frames (each distinct index once, however often it repeats), so memory is bounded by the clip, not
 * by the video.
 */
final class ClipAssembler {
    private final int[] indices;
    private final Map<Integer, byte[]> frames = new HashMap<>();
    private final int[] wantedSorted;

    ClipAssembler(Path path, int[] indices, int frameCount) {
        if (indices == null || indices.length == 0) {
            throw new IllegalArgumentException(path + ": the frame sampler returned no indices for " + frameCount + " frames");
        }
        for (int i : indices) {
            if (i < 0 || i >= frameCount) {
                throw new IllegalArgumentException(path + ": the frame sampler returned index " + i
                        + " outside [0, " + frameCount + ")");
            }
        }
        this.indices = indices.clone();
        this.wantedSorted = Arrays.stream(indices).distinct().sorted().toArray();
    }

    /** A new assembler for other indices that keeps the frames already decoded that it still needs. */
    ClipAssembler retarget(Path path, int[] newIndices, int frameCount) {
        ClipAssembler a = new ClipAssembler(path, newIndices, frameCount);
        for (int i : a.wantedSorted) {
            byte[] f = frames.get(i);
            if (f != null) a.frames.put(i, f);
        }
        return a;
    }

    boolean wants(int index) {
        return Arrays.binarySearch(wantedSorted, index) >= 0 && !frames.containsKey(index);
    }

    void put(int index, byte[] frame) {
        frames.put(index, frame);
    }

    boolean complete() {
        return frames.size() == wantedSorted.length;
    }

    /** Smallest wanted index not yet decoded, or -1. */
    int firstMissing() {
        for (int i : wantedSorted) if (!frames.containsKey(i)) return i;
        return -1;
    }

    /** Largest index wanted. */
    int lastWanted() {
        return wantedSorted[wantedSorted.length - 1];
    }

    int[] wantedSorted() {
        return wantedSorted.clone();
    }

    DecodedClip build(Path path, int height, int width, int frameCount) {
        int fb = height * width * 3;
        byte[] rgb = new byte[indices.length * fb];
        for (int t = 0; t < indices.length; t++) {
            byte[] f = frames.get(indices[t]);
            if (f == null) throw new IllegalStateException("frame " + indices[t] + " of " + path + " was not decoded");
            System.arraycopy(f, 0, rgb, t * fb, fb);
        }
        return new DecodedClip(path, indices.length, height, width, rgb, frameCount, indices.clone());
    }
}
