package io.timesformer4j.model;

import java.util.Locale;

/** The three attention schemes of the TimeSformer paper, with their Hugging Face config strings. */
public enum AttentionType {
    /** Temporal attention, then spatial attention, in every block (the paper's default, "TimeSformer"). */
    DIVIDED_SPACE_TIME("divided_space_time"),
    /** One attention over all {@code 1 + N*T} tokens. */
    JOINT_SPACE_TIME("joint_space_time"),
    /** Per-frame ViT; the sequence is averaged over frames before the final LayerNorm (official model). */
    SPACE_ONLY("space_only");

    private final String hfName;

    AttentionType(String hfName) {
        this.hfName = hfName;
    }

    /** The string used in Hugging Face {@code config.json} and the official code. */
    public String hfName() {
        return hfName;
    }

    /** Parses the Hugging Face / official string (case-insensitive). */
    public static AttentionType fromHfName(String s) {
        for (AttentionType t : values()) {
            if (t.hfName.equalsIgnoreCase(s) || t.name().equalsIgnoreCase(s)) return t;
        }
        throw new IllegalArgumentException("unknown attention_type '" + s + "' (expected divided_space_time, "
                + "joint_space_time or space_only)");
    }

    @Override
    public String toString() {
        return hfName.toLowerCase(Locale.ROOT);
    }
}
