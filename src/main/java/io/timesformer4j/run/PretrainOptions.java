package io.timesformer4j.run;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.timesformer4j.train.TrainConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Everything {@code timesformer pretrain} needs besides the run folder; saved as {@code RUN/pretrain.json} so that
 * {@code --resume RUN} continues with the same settings.
 *
 * @param data          unlabelled videos: a folder (searched at any depth) or a list file
 * @param preset        encoder preset ({@code tiny}, {@code seed}, {@code base}, ...)
 * @param frames        frames per clip; 0 = the preset's
 * @param imageSize     crop size; 0 = the preset's
 * @param model         changes to the preset's shape and init: attention, patch and tubelet size, input transform,
 *                      init scheme (as {@code train}'s); tubelets of k frames make the masked tokens (k, p, p) cubes
 * @param maskRatio     fraction of the spatial positions masked in every frame (tube masking), in [0, 1)
 * @param decoderWidth  decoder width; 0 = half the encoder's
 * @param decoderDepth  decoder blocks; 0 = 4
 * @param batchSize     clips per step
 * @param workers       decode threads
 * @param threads       libtorch intra-op threads; 0 = the cores left after the workers
 * @param maxClips      use at most this many clips (0 = all)
 * @param previewClips  clips shown in the reconstruction PNG each epoch (0 = none)
 * @param train         optimisation settings (AdamW, schedule, epochs, clipping, precision, seed)
 */
public record PretrainOptions(
        @JsonProperty("data") Path data,
        @JsonProperty("preset") String preset,
        @JsonProperty("frames") int frames,
        @JsonProperty("image_size") int imageSize,
        @JsonProperty("model") ModelOptions model,
        @JsonProperty("mask_ratio") double maskRatio,
        @JsonProperty("decoder_width") int decoderWidth,
        @JsonProperty("decoder_depth") int decoderDepth,
        @JsonProperty("batch_size") int batchSize,
        @JsonProperty("workers") int workers,
        @JsonProperty("threads") int threads,
        @JsonProperty("max_clips") int maxClips,
        @JsonProperty("preview_clips") int previewClips,
        @JsonProperty("train") TrainConfig train) {

    public PretrainOptions {
        if (model == null) model = ModelOptions.preset();
        if (!(maskRatio >= 0 && maskRatio < 1)) throw new IllegalArgumentException("--mask-ratio must be in [0, 1), got " + maskRatio);
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be >= 1");
        if (workers < 1) throw new IllegalArgumentException("workers must be >= 1");
        if (decoderWidth < 0 || decoderDepth < 0) throw new IllegalArgumentException("decoder width/depth must be >= 0");
        if (previewClips < 0) throw new IllegalArgumentException("preview clips must be >= 0");
        if (train.accumulate() != 1) throw new IllegalArgumentException("pretraining does not accumulate gradients");
    }

    /** A copy with a different epoch count (the only setting a resume may change). */
    public PretrainOptions withEpochs(int epochs) {
        TrainConfig t = train;
        return new PretrainOptions(data, preset, frames, imageSize, model, maskRatio, decoderWidth, decoderDepth,
                batchSize, workers, threads, maxClips, previewClips, new TrainConfig(epochs, t.optimizer(), t.schedule(),
                t.labelSmoothing(), t.clipGrad(), t.accumulate(), t.precision(), t.seed()));
    }

    /** Writes {@code RUN/pretrain.json}. */
    public void save(Path runDir) throws IOException {
        Files.createDirectories(runDir);
        Files.write(RunDir.of(runDir).pretrainJson(), Json.pretty().writeValueAsBytes(this));
    }

    /** Reads {@code RUN/pretrain.json}. */
    public static PretrainOptions load(Path runDir) throws IOException {
        Path f = RunDir.of(runDir).pretrainJson();
        if (!Files.isRegularFile(f)) throw new IOException(runDir + ": not a pretraining run (no " + RunDir.PRETRAIN_JSON + ")");
        try {
            return Json.MAPPER.readValue(f.toFile(), PretrainOptions.class);
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IOException(f + ": damaged settings file (" + e.getOriginalMessage() + ")");
        }
    }
}
