package io.timesformer4j.run;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.timesformer4j.model.AttentionType;
import io.timesformer4j.model.InputTransform;
import io.timesformer4j.model.OfficialInit;
import io.timesformer4j.model.Pooling;
import io.timesformer4j.model.TimeSformer;
import io.timesformer4j.model.TimesformerConfig;
import java.util.List;
import java.util.Locale;

/**
 * Changes to the preset's model shape and initialisation for a training run ({@code RUN/run.json} field
 * {@code model}); every field's "unset" value keeps the preset (official) choice.
 *
 * @param attention      {@code divided_space_time}, {@code joint_space_time}, {@code space_only}; null = preset's
 * @param patchSize      patch side in pixels; 0 = preset's
 * @param tubeletSize    frames per token (Conv3d patch embedding when > 1); 0 = 1
 * @param inputTransform {@code none}, {@code temporal_residual}, {@code frame_difference}; null = none
 * @param initScheme     {@code official} (time embeddings and temporal_fc zero) or {@code scratch} (both
 *                       trunc-normal, see {@link OfficialInit#applyScratch}); null = official
 * @param convStem       widths of a conv stem before the patch projection; null = none (empty: none, also over a
 *                       recipe's stem)
 * @param pooling        {@code cls} or {@code mean}; null = cls
 */
public record ModelOptions(
        @JsonProperty("attention") String attention,
        @JsonProperty("patch_size") int patchSize,
        @JsonProperty("tubelet_size") int tubeletSize,
        @JsonProperty("input_transform") String inputTransform,
        @JsonProperty("init_scheme") String initScheme,
        @JsonProperty("conv_stem") List<Integer> convStem,
        @JsonProperty("pooling") String pooling) {

    public ModelOptions {
        if (attention != null) AttentionType.fromHfName(attention.trim().toLowerCase(Locale.ROOT).replace('-', '_'));
        if (inputTransform != null) InputTransform.parse(inputTransform);
        if (initScheme != null && !isScratch(initScheme) && !initScheme.equalsIgnoreCase("official"))
            throw new IllegalArgumentException("unknown init scheme '" + initScheme + "' (official, scratch)");
        if (pooling != null) Pooling.parse(pooling);
        if (convStem != null) convStem = List.copyOf(convStem);
        if (patchSize < 0 || tubeletSize < 0) throw new IllegalArgumentException("patch and tubelet sizes must be >= 1");
    }

    /** The preset model unchanged. */
    public static ModelOptions preset() {
        return new ModelOptions(null, 0, 0, null, null, null, null);
    }

    /**
     * The small-data recipe's model (docs/training.md): 2-frame tubelets, the from-scratch init, frames minus the
     * clip's temporal mean, a 2-layer conv stem of width 32 and mean pooling.
     */
    public static ModelOptions smallData() {
        return new ModelOptions(null, 0, 2, "temporal_residual", "scratch", List.of(32, 32), "mean");
    }

    /** {@code cfg} with these changes applied. */
    public TimesformerConfig apply(TimesformerConfig cfg) {
        if (attention != null) cfg = cfg.withAttention(AttentionType.fromHfName(attention.trim().toLowerCase(Locale.ROOT).replace('-', '_')));
        if (patchSize > 0) cfg = cfg.withPatchSize(patchSize);
        if (tubeletSize > 0) cfg = cfg.withTubeletSize(tubeletSize);
        if (inputTransform != null) cfg = cfg.withInputTransform(InputTransform.parse(inputTransform));
        if (convStem != null) cfg = cfg.withConvStem(convStem);
        if (pooling != null) cfg = cfg.withPooling(Pooling.parse(pooling));
        return cfg;
    }

    /** Re-initialises what the scheme changes (nothing for {@code official}). */
    public void initialise(TimeSformer model) {
        if (initScheme != null && isScratch(initScheme)) OfficialInit.applyScratch(model);
    }

    private static boolean isScratch(String s) {
        return s.equalsIgnoreCase("scratch");
    }
}
