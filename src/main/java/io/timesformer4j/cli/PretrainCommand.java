package io.timesformer4j.cli;

import io.timesformer4j.app.Pretrainer;
import io.timesformer4j.run.ModelOptions;
import io.timesformer4j.run.PretrainOptions;
import io.timesformer4j.run.RunDir;
import io.timesformer4j.runtime.Natives;
import io.timesformer4j.run.Checkpoint;
import io.timesformer4j.train.OptimizerSpec;
import io.timesformer4j.eval.Precision;
import io.timesformer4j.train.ScheduleSpec;
import io.timesformer4j.train.TrainConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code timesformer pretrain}: self-supervised masked video modelling (VideoMAE) on unlabelled videos. */
@Command(name = "pretrain", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Pretrain a TimeSformer encoder on unlabelled videos by masked video modelling (VideoMAE, "
                + "Tong et al. 2022): tube masking, the encoder sees only the visible tubes, a light decoder "
                + "reconstructs the masked patches (MSE on per-patch normalised pixels). AdamW (betas 0.9, 0.95).",
                "Each epoch prints '[epoch] loss: x' and writes RUN/metrics.jsonl, RUN/checkpoint/ (atomic), "
                + "RUN/encoder/ (Hugging Face-style backbone: config.json + model.safetensors), RUN/loss.png and "
                + "RUN/reconstructions/epoch_NNN.png. Fine-tune with: timesformer train --init RUN --data DIR."})
public final class PretrainCommand implements Callable<Integer> {
    @Option(names = "--data", paramLabel = "<dir>", description = "Unlabelled videos: a folder (searched at any depth; labels and names are ignored) or a list file.")
    Path data;
    @Option(names = "--out", paramLabel = "<run-dir>", description = "Run folder to create (default: runs/pretrain-<time>).")
    Path out;
    @Option(names = "--resume", paramLabel = "<run-dir>", description = "Continue RUN from its last finished epoch with its saved settings (only --epochs may change).")
    Path resume;
    @Option(names = "--preset", description = "Encoder preset: tiny, seed, base, hr, l (default: ${DEFAULT-VALUE}).", defaultValue = "seed")
    String preset = "seed";
    @Option(names = "--frames", description = "Frames per clip (default: the preset's).")
    int frames;
    @Option(names = "--image-size", paramLabel = "<image-size>", description = "Crop size in pixels (default: the preset's).")
    int imageSize;
    @picocli.CommandLine.Mixin
    ModelShapeOptions shape = new ModelShapeOptions();
    @Option(names = "--mask-ratio", paramLabel = "<mask-ratio>", description = "Fraction of patch positions masked in every frame (tube masking; default: ${DEFAULT-VALUE} "
            + "as VideoMAE; VideoMAE used 0.75 for the small UCF101/HMDB51).", defaultValue = "0.9")
    double maskRatio = 0.9;
    @Option(names = "--decoder-width", paramLabel = "<decoder-width>", description = "Decoder width (default: half the encoder's).")
    int decoderWidth;
    @Option(names = "--decoder-depth", paramLabel = "<decoder-depth>", description = "Decoder blocks (default: 4, as VideoMAE).")
    int decoderDepth;
    @Option(names = "--epochs", description = "Epochs (default: ${DEFAULT-VALUE}).", defaultValue = "20")
    int epochs = 20;
    @Option(names = "--batch-size", paramLabel = "<batch-size>", description = "Clips per step (default: ${DEFAULT-VALUE}).", defaultValue = "8")
    int batchSize = 8;
    @Option(names = "--lr", description = "Peak learning rate (default: ${DEFAULT-VALUE}; VideoMAE: 1.5e-4 x batch/256 over 800+ epochs).", defaultValue = "1e-3")
    double lr = 1e-3;
    @Option(names = "--weight-decay", paramLabel = "<weight-decay>", description = "AdamW weight decay on weights (default: ${DEFAULT-VALUE}).", defaultValue = "0.05")
    double weightDecay = 0.05;
    @Option(names = "--warmup-epochs", paramLabel = "<warmup-epochs>", description = "Linear warm-up epochs before the cosine decay (default: ${DEFAULT-VALUE}).", defaultValue = "2")
    double warmupEpochs = 2;
    @Option(names = "--clip-grad", paramLabel = "<clip-grad>", description = "Clip the global gradient norm to this (default: 0 = off).")
    double clipGrad;
    @Option(names = "--precision", paramLabel = "<precision>", description = "Forward precision: fp32 (default) or bf16 (CPU autocast).", defaultValue = "fp32")
    String precision = "fp32";
    @Option(names = "--max-clips", paramLabel = "<max-clips>", description = "Use at most this many clips (0 = all).")
    int maxClips;
    @Option(names = "--preview-clips", paramLabel = "<preview-clips>", description = "Clips in the reconstruction PNG after each epoch (default: ${DEFAULT-VALUE}; 0 = none).", defaultValue = "3")
    int previewClips = 3;
    @Option(names = "--seed", description = "Seed for init, shuffling, augmentation and masks (default: ${DEFAULT-VALUE}).", defaultValue = "42")
    long seed = 42;
    @Option(names = "--no-progress", description = "No progress bar or progress lines (the per-epoch lines stay).")
    boolean noProgress;

    @picocli.CommandLine.Mixin
    ComputeOptions compute = new ComputeOptions();

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;
    private static final List<String> RESUME_OPTIONS = List.of("--resume", "--epochs", "--no-progress");

    @Override
    public Integer call() throws Exception {
        Natives.ensureLoaded();
        if (resume != null) {
            List<String> refused = spec.commandLine().getParseResult().matchedOptions().stream()
                    .map(o -> o.longestName()).filter(n -> !RESUME_OPTIONS.contains(n)).distinct().toList();
            if (!refused.isEmpty()) {
                throw new IllegalArgumentException("--resume continues " + resume + " with its saved settings ("
                        + RunDir.PRETRAIN_JSON + "); only --epochs may be given, not " + String.join(", ", refused));
            }
            PretrainOptions saved = PretrainOptions.load(resume);
            if (spec.commandLine().getParseResult().hasMatchedOption("--epochs")) {
                int done = Checkpoint.peek(resume).map(Checkpoint.State::epoch).orElse(0);
                if (epochs < done) throw new IllegalArgumentException("--epochs " + epochs + " is below the " + done
                        + " epochs " + resume + " already finished");
                saved = saved.withEpochs(epochs);
            }
            Pretrainer.run(saved, resume, true, !noProgress, spec.commandLine().getOut());
            return 0;
        }
        if (data == null) throw new IllegalArgumentException("--data is required (or --resume RUN)");
        Path run = out != null ? out
                : Path.of("runs", "pretrain-" + java.time.LocalDateTime.now().withNano(0).toString().replace(':', '-'));
        if (Files.exists(run.resolve(RunDir.PRETRAIN_JSON)) && Files.exists(run.resolve("metrics.jsonl"))) {
            throw new IllegalArgumentException(run + " already holds a pretraining run: continue it with --resume " + run
                    + " or choose another --out");
        }
        Pretrainer.run(options(), run, false, !noProgress, spec.commandLine().getOut());
        return 0;
    }

    /** The options of a fresh run. */
    PretrainOptions options() {
        OptimizerSpec opt = new OptimizerSpec(OptimizerSpec.Kind.ADAMW, lr, weightDecay, 0, false);
        ScheduleSpec sched = new ScheduleSpec(ScheduleSpec.Kind.COSINE, warmupEpochs, List.of(), 0.1, 0);
        TrainConfig tc = new TrainConfig(epochs, opt, sched, 0, clipGrad, 1, Precision.parse(precision), seed);
        return new PretrainOptions(data, preset, frames, imageSize,
                shape.toModelOptions(ModelOptions.preset()), maskRatio, decoderWidth, decoderDepth,
                batchSize, compute.workers, compute.threads, maxClips, previewClips, tc);
    }
}
