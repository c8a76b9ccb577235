package io.timesformer4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The shards follow torch.utils.data.DistributedSampler's rules. */
class DistributedSamplerTest {
    @Test
    void shardsAreDisjointAndCompleteWhenTheWorldDividesTheDataset() {
        int n = 12, world = 3;
        Set<Integer> seen = new HashSet<>();
        for (int r = 0; r < world; r++) {
            int[] s = new DistributedSampler(r, world).indices(n, 42, 0, true, false);
            assertEquals(4, s.length);
            for (int i : s) assertFalse(!seen.add(i), "index " + i + " in two shards");
        }
        assertEquals(n, seen.size());
    }

    @Test
    void paddingRepeatsTheFirstIndicesOfTheOrderAsTorchDoes() {
        int n = 10, world = 4;                                  // ceil(10/4) = 3 each, total 12: 2 repeated
        int[] order = DistributedSampler.order(n, 7, 3, true);
        int[] padded = new int[12];
        for (int i = 0; i < 12; i++) padded[i] = order[i % n];
        for (int r = 0; r < world; r++) {
            int[] s = new DistributedSampler(r, world).indices(n, 7, 3, true, false);
            assertArrayEquals(new int[] {padded[r], padded[r + 4], padded[r + 8]}, s, "rank " + r);
        }
        int[] cover = DistributedSampler.coverage(n, world, 7, 3, true, false);
        assertEquals(12, Arrays.stream(cover).sum());
        assertEquals(1, cover[order[2]]);
        assertEquals(2, cover[order[0]]);
        assertEquals(2, cover[order[1]]);
    }

    @Test
    void dropLastCutsTheTail() {
        int[] cover = DistributedSampler.coverage(10, 4, 7, 3, true, true);    // floor(10/4) = 2 each
        assertEquals(8, Arrays.stream(cover).sum());
        assertEquals(2, new DistributedSampler(3, 4).indices(10, 7, 3, true, true).length);
        assertEquals(0, Arrays.stream(cover).filter(c -> c > 1).count());
    }

    @Test
    void theOrderDependsOnTheEpochAndIsTheSameOnEveryRank() {
        DistributedSampler r0 = new DistributedSampler(0, 2);
        assertFalse(Arrays.equals(r0.indices(20, 42, 0, true, false), r0.indices(20, 42, 1, true, false)));
        assertArrayEquals(r0.indices(20, 42, 5, true, false), r0.indices(20, 42, 5, true, false));
        assertArrayEquals(DistributedSampler.order(20, 42, 1, true), DistributedSampler.order(20, 42, 1, true));
        assertArrayEquals(new int[] {0, 2, 4}, r0.indices(6, 42, 0, false, false));   // no shuffle: list order
    }

    @Test
    void oneRankIsTheOneProcessLoaderOrder() {
        List<Sample> samples = new java.util.ArrayList<>();
        for (int i = 0; i < 9; i++) samples.add(new Sample(Path.of("v" + i + ".mp4"), i % 3));
        ClipSpec spec = ClipSpec.forModel(4, 32, new float[] {0.45f, 0.45f, 0.45f}, new float[] {0.225f, 0.225f, 0.225f});
        int[] loader = new ClipLoader(samples, spec, Mode.TRAIN, 2, 1, 42, 3).order();
        assertArrayEquals(loader, DistributedSampler.single().indices(9, 42, 3, true, false));
    }

    @Test
    void evaluationShardsHoldEverySampleOnce() {
        assertArrayEquals(new int[] {0, 3}, new DistributedSampler(0, 3).unpadded(5));
        assertArrayEquals(new int[] {1, 4}, new DistributedSampler(1, 3).unpadded(5));
        assertArrayEquals(new int[] {2}, new DistributedSampler(2, 3).unpadded(5));
        assertArrayEquals(new int[] {}, new DistributedSampler(2, 3).unpadded(2));
        assertThrows(IllegalArgumentException.class, () -> new DistributedSampler(2, 2));
    }
}
