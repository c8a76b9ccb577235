package io.timesformer4j.eval;

import java.util.List;

/**
 * Class probabilities for a set of samples (averaged over test views) and their true labels.
 *
 * @param probs  {@code [n][numClasses]} probabilities
 * @param labels true class per sample ({@code -1} when unknown, e.g. for predict)
 * @param ids    sample names (paths) in the same order; may be empty
 */
public record Predictions(float[][] probs, int[] labels, List<String> ids) {
    public Predictions {
        if (probs.length != labels.length) throw new IllegalArgumentException(probs.length + " rows but " + labels.length + " labels");
        ids = List.copyOf(ids);
    }

    /** Number of samples. */
    public int size() {
        return labels.length;
    }

    /** Class indices of row {@code i} sorted by decreasing probability, the first {@code k}. */
    public int[] topK(int i, int k) {
        float[] p = probs[i];
        Integer[] idx = new Integer[p.length];
        for (int c = 0; c < p.length; c++) idx[c] = c;
        // ties resolve to the lower class index, as torch.topk/argmax do in practice
        java.util.Arrays.sort(idx, (a, b) -> p[a] != p[b] ? Float.compare(p[b], p[a]) : Integer.compare(a, b));
        int[] out = new int[Math.min(k, p.length)];
        for (int j = 0; j < out.length; j++) out[j] = idx[j];
        return out;
    }
}
