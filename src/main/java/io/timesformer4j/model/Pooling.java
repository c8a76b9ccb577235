package io.timesformer4j.model;

import java.util.Locale;

/**
 * What the classifier reads ({@code config.json} field {@code pooling}): the official model's CLS token, or
 * the mean of every patch token (VideoMAE's fine-tuning head, {@code use_mean_pooling}: the mean of the last
 * block's patch tokens, then the final LayerNorm). Mean pooling lets every position vote, like a CNN's global
 * average pool, which on a few hundred clips learns far faster than a CLS token (docs/training.md).
 */
public enum Pooling {
    /** The final-LayerNorm CLS token (the official model). */
    CLS("cls"),
    /** The final LayerNorm of the mean over all patch tokens (all positions and frames). */
    MEAN("mean");

    private final String jsonName;

    Pooling(String jsonName) {
        this.jsonName = jsonName;
    }

    /** The {@code config.json} / command-line name. */
    public String jsonName() {
        return jsonName;
    }

    public static Pooling parse(String s) {
        String n = s.trim().toLowerCase(Locale.ROOT);
        for (Pooling p : values()) if (p.jsonName.equals(n)) return p;
        throw new IllegalArgumentException("unknown pooling '" + s + "' (cls, mean)");
    }
}
