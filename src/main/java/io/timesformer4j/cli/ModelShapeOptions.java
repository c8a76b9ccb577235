package io.timesformer4j.cli;

import io.timesformer4j.run.ModelOptions;
import picocli.CommandLine.Option;

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

    /** The options given, with {@code tubelet} and {@code init} (a recipe's values; 0 / null = the preset's) where unset. */
    ModelOptions toModelOptions(int tubelet, String init) {
        return new ModelOptions(attention, patchSize, tubeletSize != null ? tubeletSize : tubelet, inputTransform,
                initScheme != null ? initScheme : init);
    }
}
