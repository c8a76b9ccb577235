package io.timesformer4j.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Which samples rank {@code rank} of {@code world} sees in one epoch, with the rules of PyTorch's
 * {@code torch.utils.data.DistributedSampler}:
 * <ul>
 *   <li>one order for all ranks: the seeded permutation of {@code (seed, epoch)} when shuffling (the same one
 *       {@link ClipLoader} uses in one process), the list order otherwise;</li>
 *   <li>{@code dropLast == false}: {@code numSamples = ceil(n / world)}, the order padded to
 *       {@code numSamples * world} by repeating its first indices; {@code dropLast == true}:
 *       {@code numSamples = floor(n / world)} and the tail is cut;</li>
 *   <li>rank {@code r} takes positions {@code r, r + world, r + 2 world, ...}.</li>
 * </ul>
 * With {@code world == 1} the result is exactly the one-process order. {@link #unpadded} is the shard for
 * evaluation: no padding, so the shards of all ranks together hold every sample exactly once.
 *
 * @param rank  0-based rank
 * @param world number of ranks (&gt;= 1)
 */
public record DistributedSampler(int rank, int world) {
    public DistributedSampler {
        if (world < 1) throw new IllegalArgumentException("world size must be >= 1, got " + world);
        if (rank < 0 || rank >= world) throw new IllegalArgumentException("rank " + rank + " is outside 0.." + (world - 1));
    }

    /** One process: every sample, in the one-process order. */
    public static DistributedSampler single() {
        return new DistributedSampler(0, 1);
    }

    /** Samples per rank and epoch. */
    public static int numSamples(int n, int world, boolean dropLast) {
        return dropLast ? n / world : (n + world - 1) / world;
    }

    /** The epoch's order over {@code n} samples for all ranks (before padding). */
    public static int[] order(int n, long seed, int epoch, boolean shuffle) {
        List<Integer> idx = new ArrayList<>(n);
        for (int i = 0; i < n; i++) idx.add(i);
        if (shuffle) Collections.shuffle(idx, new Random(ClipLoader.mix(seed, epoch, -1)));
        return idx.stream().mapToInt(Integer::intValue).toArray();
    }

    /** This rank's sample indices (into the full list) for the epoch; indices may repeat when padded. */
    public int[] indices(int n, long seed, int epoch, boolean shuffle, boolean dropLast) {
        int[] order = order(n, seed, epoch, shuffle);
        int per = numSamples(n, world, dropLast);
        int total = per * world;
        int[] padded = new int[total];
        for (int i = 0; i < total; i++) padded[i] = order[i % Math.max(1, n)];   // repeats from the start, as torch
        int[] mine = new int[per];
        for (int k = 0; k < per; k++) mine[k] = padded[rank + k * world];
        return mine;
    }

    /** The evaluation shard: positions {@code rank, rank + world, ...} of the list order, no padding. */
    public int[] unpadded(int n) {
        int[] mine = new int[Math.max(0, (n - rank + world - 1) / world)];
        for (int k = 0; k < mine.length; k++) mine[k] = rank + k * world;
        return mine;
    }

    /** How many times each of {@code n} samples occurs across all ranks' {@link #indices} (a check helper). */
    public static int[] coverage(int n, int world, long seed, int epoch, boolean shuffle, boolean dropLast) {
        int[] count = new int[n];
        for (int r = 0; r < world; r++) for (int i : new DistributedSampler(r, world).indices(n, seed, epoch, shuffle, dropLast)) count[i]++;
        return count;
    }
}
