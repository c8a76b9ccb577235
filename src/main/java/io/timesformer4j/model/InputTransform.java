package io.timesformer4j.model;

import java.util.Locale;

/**
 * A transform of the normalised clip applied first in {@link TimeSformer#forward}, so that training,
 * evaluation, prediction, export and the Java API all see the same input (saved in {@code config.json} as
 * {@code input_transform}). Motion-emphasising inputs in the spirit of TSN's RGB difference (Wang et al.
 * 2016): a static background cancels, what moves remains.
 */
public enum InputTransform {
    /** The clip as it is (the official model). */
    NONE("none"),
    /** {@code x[t] - mean_t x}: each frame minus the clip's temporal mean. */
    TEMPORAL_RESIDUAL("temporal_residual"),
    /** {@code x[t+1] - x[t]} for {@code t < T-1}; the last frame's difference is 0 (keeps T frames). */
    FRAME_DIFFERENCE("frame_difference");

    private final String jsonName;

    InputTransform(String jsonName) {
        this.jsonName = jsonName;
    }

    /** The {@code config.json} / command-line name. */
    public String jsonName() {
        return jsonName;
    }

    public static InputTransform parse(String s) {
        String n = s.trim().toLowerCase(Locale.ROOT).replace('-', '_');
        for (InputTransform t : values()) if (t.jsonName.equals(n)) return t;
        throw new IllegalArgumentException("unknown input transform '" + s + "' (none, temporal_residual, frame_difference)");
    }
}
