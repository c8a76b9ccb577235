package io.timesformer4j.cli;

import io.timesformer4j.run.ModelOptions;
import picocli.CommandLine.Option;

import java.util.List;

/**
 * The model-building options shared by {@code train} and {@code pretrain}: attention type, patch and tubelet size,
 * the in-model input transform and the init scheme. Unset values are {@code null} (0 for the patch size), so a
 * recipe can fill in its own.
 */
final class ModelShapeOptions {
    @Option(names = "--attention", paramLabel = "<attention>", description = "Attention: divided_space_time (default), joint_space_time or space_only.")
    String attention;
    @Option(names = "--patch-size", paramLabel = "<patch-size>", description = "Patch side in pixels (default: the preset's).")
    int patchSize;
    @Option(names = "--tubelet-size", paramLabel = "<tubelet-size>", description = "Frames per token: 1 = the official per-frame Conv2d (default; "
            + "train's small-data recipe: 2), k > 1 = a Conv3d over k consecutive frames (pretraining then masks (k, p, p) cubes).")
    Integer tubeletSize;
    @Option(names = "--input-transform", paramLabel = "<input-transform>", description = "Input transform: none (default), temporal_residual (frame minus "
            + "the clip's mean) or frame_difference (x[t+1] - x[t]); applied inside the model, saved in config.json.")
    String inputTransform;
    @Option(names = "--init-scheme", paramLabel = "<init-scheme>", description = "Initialisation: official (default: time embeddings and temporal_fc "
            + "zero) or scratch (both trunc-normal; the small-data recipe's choice).")
    String initScheme;
    @Option(names = "--conv-stem", paramLabel = "<widths>", split = ",", description = "Widths of a conv stem before the patch "
            + "projection, e.g. 32,32: Conv3d 3x3x3 + GroupNorm + GELU layers, the first two halving height and width "
            + "(default: none, the official linear patch embedding; small-data: 32,32; 0 = none).")
    List<Integer> convStem;
    @Option(names = "--pooling", paramLabel = "<pooling>", description = "What the classifier reads: cls (default, the official "
            + "CLS token) or mean (the mean patch token, VideoMAE's head; the small-data recipe's choice).")
    String pooling;

    /** The options given, with {@code recipe}'s values (null fields = the preset's) where unset. */
    ModelOptions toModelOptions(ModelOptions recipe) {
        List<Integer> stem = convStem == null ? recipe.convStem()
                : convStem.equals(List.of(0)) ? List.of() : convStem;
        return new ModelOptions(attention != null ? attention : recipe.attention(), patchSize > 0 ? patchSize : recipe.patchSize(),
                tubeletSize != null ? tubeletSize : recipe.tubeletSize(),
                inputTransform != null ? inputTransform : recipe.inputTransform(),
                initScheme != null ? initScheme : recipe.initScheme(), stem, pooling != null ? pooling : recipe.pooling());
    }
}
