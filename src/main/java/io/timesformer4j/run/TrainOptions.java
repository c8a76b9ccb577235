package io.timesformer4j.run;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.timesformer4j.runtime.AtomicFiles;
import io.timesformer4j.train.TrainConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Everything {@code timesformer train} needs besides the run folder; saved in {@code RUN/run.json} ({@link RunManifest}) so that
 * {@code --resume RUN} continues with the same settings.
 *
 * @param data      dataset (folder or list file)
 * @param valData   separate validation dataset, or null to split {@code data}
 * @param layout    dataset layout name ({@code auto}, {@code class_folders}, ...)
 * @param preset    model preset ({@code seed}, {@code tiny}, {@code base}, ...)
 * @param frames    frames per clip; 0 = the preset's
 * @param imageSize crop size; 0 = the preset's
 * @param valSplit  fraction of {@code data} held out for validation when {@code valData} is null (0 = none)
 * @param batchSize clips per micro-batch
 * @param workers   decode threads
 * @param threads   libtorch intra-op threads; 0 = libtorch's default
 * @param init      weights to start from (HF dir, official .pyth, ImageNet ViT), or null for random init
 * @param maxClips  use at most this many training clips (0 = all), for quick experiments
 * @param train     optimisation settings
 * @param model     changes to the preset model (attention, patch, tubelet, input transform, init scheme); null
 *                  (as in run.json files written before it existed) = the preset unchanged
 * @param minScale  smallest train-crop area as a fraction of the frame (0 = the default 0.3)
 */
public record TrainOptions(
        @JsonProperty("data") Path data,
        @JsonProperty("val_data") Path valData,
        @JsonProperty("layout") String layout,
        @JsonProperty("preset") String preset,
        @JsonProperty("frames") int frames,
        @JsonProperty("image_size") int imageSize,
        @JsonProperty("val_split") double valSplit,
        @JsonProperty("batch_size") int batchSize,
        @JsonProperty("workers") int workers,
        @JsonProperty("threads") int threads,
        @JsonProperty("init") Path init,
        @JsonProperty("max_clips") int maxClips,
        @JsonProperty("train") TrainConfig train,
        @JsonProperty("model") ModelOptions model,
        @JsonProperty("min_scale") double minScale) {

    /** The preset model unchanged, default train crops. */
    public TrainOptions(Path data, Path valData, String layout, String preset, int frames, int imageSize, double valSplit,
                        int batchSize, int workers, int threads, Path init, int maxClips, TrainConfig train) {
        this(data, valData, layout, preset, frames, imageSize, valSplit, batchSize, workers, threads, init, maxClips, train,
                ModelOptions.preset(), 0);
    }

    @com.fasterxml.jackson.annotation.JsonCreator
    public TrainOptions {
        if (model == null) model = ModelOptions.preset();
        if (minScale < 0 || minScale > 1) throw new IllegalArgumentException("min crop scale must be in (0, 1]");
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be >= 1");
        if (workers < 1) throw new IllegalArgumentException("workers must be >= 1");
        if (valSplit < 0 || valSplit >= 1) throw new IllegalArgumentException("val split must be in [0, 1)");
    }

    /** A copy with a different epoch count (the only setting a resume may change). */
    public TrainOptions withEpochs(int epochs) {
        TrainConfig t = train;
        return new TrainOptions(data, valData, layout, preset, frames, imageSize, valSplit, batchSize, workers, threads,
                init, maxClips, new TrainConfig(epochs, t.optimizer(), t.schedule(), t.labelSmoothing(), t.clipGrad(),
                t.accumulate(), t.precision(), t.seed()), model, minScale);
    }

    /** A copy with other decode workers and libtorch threads (they do not change the results' meaning). */
    public TrainOptions withCompute(int workers, int threads) {
        return new TrainOptions(data, valData, layout, preset, frames, imageSize, valSplit, batchSize, workers, threads,
                init, maxClips, train);
    }

    /** Reads the options of {@code RUN/run.json} (any format this code reads). */
    public static TrainOptions load(Path runDir) throws IOException {
        return RunManifest.read(runDir).options();
    }
}
