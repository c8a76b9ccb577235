package io.timesformer4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

/** Tube masks: the exact ratio, a partition of the positions, seeding per (seed, epoch, clip). */
class TubeMaskTest {
    @Test
    void masksExactlyFloorOfRatioTimesPositions() {
        int[][] cases = {{16, 75, 12}, {16, 90, 14}, {64, 75, 48}, {64, 90, 57}, {196, 90, 176}, {196, 75, 147}, {49, 0, 0}};
        for (int[] c : cases) {
            int n = c[0];
            double ratio = c[1] / 100.0;
            assertEquals(c[2], TubeMask.maskedCount(n, ratio), n + " at " + ratio);
            long[] seeds = new long[20];
            for (int i = 0; i < seeds.length; i++) seeds[i] = TubeMask.seed(42, 3, "clip" + i);
            TubeMask m = TubeMask.sample(n, ratio, seeds);
            for (int i = 0; i < seeds.length; i++) {
                assertEquals(c[2], m.masked()[i].length);
                assertEquals(n - c[2], m.visible()[i].length);
                Set<Integer> all = new HashSet<>();
                for (int v : m.visible()[i]) all.add(v);
                for (int v : m.masked()[i]) assertTrue(all.add(v), "visible and masked overlap at " + v);
                assertEquals(n, all.size(), "every position is visible or masked");
                for (int k = 1; k < m.visible()[i].length; k++) assertTrue(m.visible()[i][k - 1] < m.visible()[i][k]);
                for (int k = 1; k < m.masked()[i].length; k++) assertTrue(m.masked()[i][k - 1] < m.masked()[i][k]);
            }
        }
        // at least one position stays visible; ratios outside [0, 1) are refused
        assertEquals(3, TubeMask.maskedCount(4, 0.99));
        assertThrows(IllegalArgumentException.class, () -> TubeMask.maskedCount(16, 1.0));
        assertThrows(IllegalArgumentException.class, () -> TubeMask.maskedCount(16, -0.1));
    }

    @Test
    void seededPerRunEpochAndClip() {
        long a = TubeMask.seed(42, 0, "a.mp4");
        assertEquals(a, TubeMask.seed(42, 0, "a.mp4"));
        assertNotEquals(a, TubeMask.seed(42, 1, "a.mp4"));
        assertNotEquals(a, TubeMask.seed(43, 0, "a.mp4"));
        assertNotEquals(a, TubeMask.seed(42, 0, "b.mp4"));
        TubeMask m1 = TubeMask.sample(64, 0.9, TubeMask.seeds(42, 0, List.of("a.mp4", "b.mp4")));
        TubeMask m2 = TubeMask.sample(64, 0.9, TubeMask.seeds(42, 0, List.of("b.mp4", "a.mp4")));
        assertArrayEquals(m1.visible()[0], m2.visible()[1], "a clip's mask does not depend on its place in the batch");
        assertFalse(java.util.Arrays.equals(m1.visible()[0], m1.visible()[1]));
        // every position is masked about equally often over many clips (a uniform shuffle)
        int[] count = new int[16];
        int clips = 4000;
        long[] seeds = new long[clips];
        for (int i = 0; i < clips; i++) seeds[i] = TubeMask.seed(7, 0, Integer.toString(i));
        TubeMask many = TubeMask.sample(16, 0.75, seeds);
        for (int[] row : many.masked()) for (int n : row) count[n]++;
        for (int c : count) assertEquals(clips * 0.75, c, clips * 0.05);
    }

    @Test
    void indexTensorsHoldThePositions() {
        TubeMask m = TubeMask.sample(16, 0.75, new long[] {1, 2, 3});
        Tensor v = m.visibleIndex(), k = m.maskedIndex();
        assertArrayEquals(new long[] {3, 4}, v.sizes().vec().get());
        assertArrayEquals(new long[] {3, 12}, k.sizes().vec().get());
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 4; j++) assertEquals(m.visible()[i][j], v.select(0, i).select(0, j).item_long());
            boolean[] masked = m.isMasked(i);
            for (int j = 0; j < 12; j++) assertTrue(masked[(int) k.select(0, i).select(0, j).item_long()]);
        }
    }
}
