package io.timesformer4j.model;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.bytedeco.pytorch.Tensor;

/**
 * VideoMAE tube masking (Tong et al. 2022): per clip, one random set of masked spatial patch positions, shared by
 * every frame (a masked position is a tube through time). Exactly {@link #maskedCount} of the N positions are
 * masked ({@code floor(ratio * N)}, as VideoMAE's generator, but at least one position stays visible), chosen by
 * a seeded shuffle. Positions are {@code row * gridWidth + column}.
 *
 * @param numPatches N, patch positions per frame
 * @param visible    per clip, the visible positions in ascending order ({@code Nv = N - maskedCount})
 * @param masked     per clip, the masked positions in ascending order
 */
public record TubeMask(int numPatches, int[][] visible, int[][] masked) {
    public TubeMask {
        if (visible.length != masked.length) throw new IllegalArgumentException("visible/masked rows differ");
        for (int i = 0; i < visible.length; i++) {
            if (visible[i].length + masked[i].length != numPatches || visible[i].length != visible[0].length)
                throw new IllegalArgumentException("row " + i + " does not split " + numPatches + " positions like row 0");
        }
    }

    /** Masked positions per frame for a ratio: {@code floor(ratio * N)}, capped at {@code N - 1}. */
    public static int maskedCount(int numPatches, double ratio) {
        if (!(ratio >= 0 && ratio < 1)) throw new IllegalArgumentException("mask ratio must be in [0, 1), got " + ratio);
        return Math.min(numPatches - 1, (int) Math.floor(ratio * numPatches + 1e-9));
    }

    /** One mask per seed (one seed per clip, see {@link #seed}). */
    public static TubeMask sample(int numPatches, double ratio, long[] seeds) {
        int m = maskedCount(numPatches, ratio);
        int[][] vis = new int[seeds.length][], msk = new int[seeds.length][];
        for (int i = 0; i < seeds.length; i++) {
            int[] perm = new int[numPatches];
            for (int k = 0; k < numPatches; k++) perm[k] = k;
            SplittableRandom r = new SplittableRandom(seeds[i]);
            for (int k = numPatches - 1; k > 0; k--) {                  // Fisher-Yates
                int j = r.nextInt(k + 1);
                int tmp = perm[k];
                perm[k] = perm[j];
                perm[j] = tmp;
            }
            msk[i] = Arrays.copyOfRange(perm, 0, m);
            vis[i] = Arrays.copyOfRange(perm, m, numPatches);
            Arrays.sort(msk[i]);
            Arrays.sort(vis[i]);
        }
        return new TubeMask(numPatches, vis, msk);
    }

    /** Every position visible (ratio 0) for {@code batch} clips. */
    public static TubeMask none(int numPatches, int batch) {
        return sample(numPatches, 0, new long[batch]);
    }

    /**
     * The seed of one clip's mask in one epoch: a hash of the run seed, the epoch and the clip's id (its path),
     * so the mask depends neither on batch order nor on whether the run was resumed.
     */
    public static long seed(long runSeed, int epoch, String clipId) {
        long h = 0xcbf29ce484222325L;                                      // FNV-1a over the id's UTF-8 bytes
        for (byte c : clipId.getBytes(StandardCharsets.UTF_8)) h = (h ^ (c & 0xff)) * 0x100000001b3L;
        return mix(mix(mix(runSeed) ^ epoch) ^ h);
    }

    /** Seeds for a batch of clip ids. */
    public static long[] seeds(long runSeed, int epoch, List<String> clipIds) {
        long[] s = new long[clipIds.size()];
        for (int i = 0; i < s.length; i++) s[i] = seed(runSeed, epoch, clipIds.get(i));
        return s;
    }

    private static long mix(long z) {                                       // SplitMix64 finaliser
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    public int batch() {
        return visible.length;
    }

    public int visibleCount() {
        return visible.length == 0 ? numPatches : visible[0].length;
    }

    public int maskedCount() {
        return numPatches - visibleCount();
    }

    /** {@code (B, Nv)} int64 visible positions (create inside a {@code PointerScope}). */
    public Tensor visibleIndex() {
        return index(visible);
    }

    /** {@code (B, Nm)} int64 masked positions (create inside a {@code PointerScope}). */
    public Tensor maskedIndex() {
        return index(masked);
    }

    /** True where clip {@code i} has position {@code n} masked. */
    public boolean[] isMasked(int i) {
        boolean[] out = new boolean[numPatches];
        for (int n : masked[i]) out[n] = true;
        return out;
    }

    private static Tensor index(int[][] rows) {
        int b = rows.length, k = b == 0 ? 0 : rows[0].length;
        long[] flat = new long[b * k];
        for (int i = 0; i < b; i++) for (int j = 0; j < k; j++) flat[i * k + j] = rows[i][j];
        return Tensor.create(flat, b, k);
    }
}
