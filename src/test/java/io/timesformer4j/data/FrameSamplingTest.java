package io.timesformer4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FrameSamplingTest {
    @Test
    void tsnCentreOfEachSegment() {
        assertArrayEquals(new int[] {18, 56, 93, 131, 168, 206, 243, 281}, FrameSampling.tsn(300, 8, null));
        assertArrayEquals(new int[] {0, 1, 2, 3}, FrameSampling.tsn(4, 4, null));
    }

    @Test
    void tsnTrainingJitterStaysInItsSegmentAndVaries() {
        Set<String> seen = new HashSet<>();
        for (int s = 0; s < 50; s++) {
            int[] idx = FrameSampling.tsn(300, 8, new Random(s));
            for (int i = 0; i < 8; i++) {
                assertTrue(idx[i] >= Math.floor(i * 37.5) && idx[i] < Math.floor((i + 1) * 37.5), Arrays.toString(idx));
            }
            seen.add(Arrays.toString(idx));
        }
        assertTrue(seen.size() > 40, "jitter should differ between seeds");
        assertArrayEquals(FrameSampling.tsn(300, 8, new Random(3)), FrameSampling.tsn(300, 8, new Random(3)));
    }

    @Test
    void shortVideosRepeatFrames() {
        int[] idx = FrameSampling.tsn(3, 8, null);
        assertEquals(8, idx.length);
        assertArrayEquals(new int[] {0, 0, 0, 1, 1, 2, 2, 2}, idx);
        assertArrayEquals(new int[] {0, 0, 0, 0}, FrameSampling.tsn(1, 4, new Random(1)));
        assertThrows(IllegalArgumentException.class, () -> FrameSampling.tsn(0, 8, null));
    }

    @Test
    void denseCentredAndRandomWindows() {
        // 8 frames at stride 4 span 29 frames; centred start in 100 frames = (100-29)/2 = 35
        assertArrayEquals(new int[] {35, 39, 43, 47, 51, 55, 59, 63}, FrameSampling.dense(100, 8, 4, null));
        for (int s = 0; s < 20; s++) {
            int[] idx = FrameSampling.dense(100, 8, 4, new Random(s));
            for (int i = 1; i < 8; i++) assertEquals(4, idx[i] - idx[i - 1]);
            assertTrue(idx[0] >= 0 && idx[7] <= 99);
        }
        // too short: stride shrinks to (10-1)/7 = 1, then the window is centred
        assertArrayEquals(new int[] {1, 2, 3, 4, 5, 6, 7, 8}, FrameSampling.dense(10, 8, 4, null));
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 4, 4, 4}, FrameSampling.dense(5, 8, 4, null));
    }

    @Test
    void testViewsAreEvenlySpacedAndConcatenated() {
        ClipSpec spec = ClipSpec.forModel(4, 32, null, null).withViews(3, 1);
        int[] idx = FrameSampling.indices(spec, Mode.TEST, 120, 0);
        assertEquals(12, idx.length);
        // TSN: segment 30 frames; view offsets 1/6, 3/6, 5/6 of a segment
        assertArrayEquals(new int[] {5, 35, 65, 95, 15, 45, 75, 105, 25, 55, 85, 115}, idx);
        int[] dense = FrameSampling.indices(spec.withDense(2), Mode.TEST, 120, 0);   // window 7, starts 0, round(56.5)=57, 113
        assertArrayEquals(new int[] {0, 2, 4, 6, 57, 59, 61, 63, 113, 115, 117, 119}, dense);
        assertEquals(4, FrameSampling.indices(spec, Mode.VAL, 120, 0).length, "VAL uses one temporal view");
        assertArrayEquals(FrameSampling.tsn(120, 4, null), FrameSampling.indices(spec, Mode.VAL, 120, 0));
    }

    @Test
    void trainIndicesDependOnlyOnTheSeed() {
        ClipSpec spec = ClipSpec.forModel(8, 32, null, null);
        assertArrayEquals(FrameSampling.indices(spec, Mode.TRAIN, 300, 42), FrameSampling.indices(spec, Mode.TRAIN, 300, 42));
        assertFalse(Arrays.equals(FrameSampling.indices(spec, Mode.TRAIN, 300, 42), FrameSampling.indices(spec, Mode.TRAIN, 300, 43)));
    }
}
