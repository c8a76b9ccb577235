package io.timesformer4j.cli;

import io.timesformer4j.run.RunDir;
import io.timesformer4j.app.VideoTrainer;
import io.timesformer4j.eval.Precision;
import io.timesformer4j.run.TrainOptions;
import io.timesformer4j.runtime.Natives;
import io.timesformer4j.train.OptimizerSpec;
import io.timesformer4j.train.ScheduleSpec;
import io.timesformer4j.train.TrainConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code timesformer train}: train (or resume training) a TimeSformer on a video dataset. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a TimeSformer on a video dataset. Defaults follow the seed script: preset 'seed' "
                + "(16 frames), cross-entropy, Adam lr 1e-4, 10 epochs, batch 2, 20%% random validation split by --seed.",
                "Each epoch prints '[epoch] loss: x, val_acc: y' and writes RUN/metrics.jsonl, RUN/checkpoint/ "
                + "(atomic), RUN/best/ (Hugging Face model dir), RUN/loss.png, RUN/accuracy.png, RUN/skipped.txt."})
public final class TrainCommand implements Callable<Integer> {
    @Option(names = "--data", paramLabel = "DIR", description = "Dataset: class folders, label_xxx.mp4 files, or a CSV/list file.")
    Path data;
    @Option(names = "--out", paramLabel = "RUN", description = "Run folder to create (default: runs/<time>).")
    Path out;
    @Option(names = "--resume", paramLabel = "RUN", description = "Continue RUN from its last finished epoch with its saved settings (only --epochs may change).")
    Path resume;
    @Option(names = "--recipe", paramLabel = "NAME", description = "Starting set of hyper-parameters: seed (default) or paper "
            + "(SGD lr 0.005, momentum 0.9, wd 1e-4, 15 epochs, lr/10 after epochs 11 and 14). Explicit options override it.")
    String recipe = "seed";
    @Option(names = "--preset", description = "Model preset: tiny, seed, base, hr, l (default: seed; with --init of a model dir "
            + "or pretraining run: that model's shape).")
    String preset;
    @Option(names = "--frames", description = "Frames per clip (default: the preset's).")
    int frames;
    @Option(names = "--image-size", description = "Crop size in pixels (default: the preset's).")
    int imageSize;
    @Option(names = "--epochs", description = "Epochs (seed: 10, paper: 15).")
    Integer epochs;
    @Option(names = "--batch-size", description = "Clips per step (default: 2).")
    int batchSize = 2;
    @Option(names = "--lr", description = "Base learning rate (seed: 1e-4, paper: 0.005).")
    Double lr;
    @Option(names = "--optimizer", description = "adam, adamw or sgd (seed: adam, paper: sgd).")
    String optimizer;
    @Option(names = "--weight-decay", description = "Weight decay (adam: 0, adamw: 0.05, sgd: 1e-4). AdamW never decays biases, norms, embeddings.")
    Double weightDecay;
    @Option(names = "--momentum", description = "SGD momentum (default: 0.9).")
    Double momentum;
    @Option(names = "--nesterov", description = "SGD with Nesterov momentum.")
    boolean nesterov;
    @Option(names = "--schedule", description = "constant, step or cosine (seed: constant, paper: step).")
    String schedule;
    @Option(names = "--milestones", split = ",", description = "Step schedule: epochs after which lr *= gamma (paper: 11,14).")
    List<Integer> milestones;
    @Option(names = "--gamma", description = "Step schedule decay factor (default: 0.1).")
    double gamma = 0.1;
    @Option(names = "--warmup-epochs", description = "Linear warm-up epochs (fractions allowed; default: 0).")
    double warmupEpochs;
    @Option(names = "--label-smoothing", description = "Cross-entropy label smoothing (default: 0).")
    double labelSmoothing;
    @Option(names = "--clip-grad", description = "Clip the global gradient norm to this (default: 0 = off).")
    double clipGrad;
    @Option(names = "--accumulate", description = "Accumulate gradients over this many batches per step (default: 1).")
    int accumulate = 1;
    @Option(names = "--precision", description = "fp32 (default) or bf16 (CPU autocast; faster with AVX512-BF16/AMX).")
    String precision = "fp32";
    @Option(names = "--init", paramLabel = "PATH", description = "Start from weights: Hugging Face model dir, official .pyth, or ImageNet ViT; a new head is made for the dataset's classes.")
    Path init;
    @Option(names = "--val-split", description = "Fraction held out for validation, random by --seed (default: 0.2; 0 = none).")
    double valSplit = 0.2;
    @Option(names = "--val-data", paramLabel = "DIR", description = "Separate validation dataset (instead of --val-split).")
    Path valData;
    @Option(names = "--layout", description = "Dataset layout: auto (default), class_folders, flat_prefix, csv, kinetics_csv, ucf101_list.")
    String layout = "auto";
    @Option(names = "--max-clips", description = "Use at most this many training clips (0 = all).")
    int maxClips;
    @Option(names = "--seed", description = "Seed for the split, shuffling, augmentation, init and dropout (default: 42).")
    long seed = 42;
    @Option(names = "--no-progress", description = "No progress bar or progress lines (the per-epoch lines stay).")
    boolean noProgress;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;
    private static final List<String> RESUME_OPTIONS = List.of("--resume", "--epochs", "--no-progress");

    @picocli.CommandLine.Mixin
    ComputeOptions compute = new ComputeOptions();

    @Override
    public Integer call() throws Exception {
        Natives.ensureLoaded();
        if (resume != null) {
            List<String> refused = spec.commandLine().getParseResult().matchedOptions().stream()
                    .map(o -> o.longestName()).filter(n -> !RESUME_OPTIONS.contains(n)).distinct().toList();
            if (!refused.isEmpty()) {
                throw new IllegalArgumentException("--resume continues " + resume + " with its saved settings (run.json); "
                        + "only --epochs may be given, not " + String.join(", ", refused));
            }
            TrainOptions saved = TrainOptions.load(resume);
            if (epochs != null) {
                int done = io.timesformer4j.run.Checkpoint.peek(resume).map(s -> s.epoch()).orElse(0);
                if (epochs < done) throw new IllegalArgumentException("--epochs " + epochs + " is below the " + done
                        + " epochs " + resume + " already finished");
                saved = saved.withEpochs(epochs);
            }
            VideoTrainer.run(saved, resume, true, !noProgress, System.out);
            return 0;
        }
        if (data == null) throw new IllegalArgumentException("--data is required (or --resume RUN)");
        Path run = out != null ? out : Path.of("runs", java.time.LocalDateTime.now().withNano(0).toString().replace(':', '-'));
        RunDir.of(run).refuseExistingRun();
        String p = preset != null ? preset : init != null && RunDir.initHasConfig(init) ? null : "seed";
        TrainOptions o = new TrainOptions(data, valData, layout, p, frames, imageSize, valData != null ? 0 : valSplit,
                batchSize, compute.workers, compute.threads, init, maxClips, config());
        VideoTrainer.run(o, run, false, !noProgress, System.out);
        return 0;
    }

    /** Explicit options over the recipe's values over the seed script's. */
    TrainConfig config() {
        boolean paper = switch (recipe.toLowerCase(Locale.ROOT)) {
            case "seed" -> false;
            case "paper" -> true;
            default -> throw new IllegalArgumentException("unknown recipe '" + recipe + "' (seed, paper)");
        };
        OptimizerSpec base = paper ? OptimizerSpec.paper() : OptimizerSpec.seedDefault();
        OptimizerSpec.Kind kind = optimizer != null ? OptimizerSpec.Kind.parse(optimizer) : base.kind();
        double wd = weightDecay != null ? weightDecay : switch (kind) {
            case ADAM -> 0;
            case ADAMW -> 0.05;
            case SGD -> 1e-4;
        };
        OptimizerSpec opt = new OptimizerSpec(kind, lr != null ? lr : base.lr(), wd, momentum != null ? momentum : kind == OptimizerSpec.Kind.SGD ? 0.9 : 0, nesterov);
        ScheduleSpec baseSchedule = paper ? ScheduleSpec.paper() : ScheduleSpec.constant();
        ScheduleSpec sched = new ScheduleSpec(schedule != null ? ScheduleSpec.Kind.parse(schedule) : baseSchedule.kind(),
                warmupEpochs, milestones != null ? milestones : baseSchedule.milestones(), gamma, 0);
        int e = epochs != null ? epochs : paper ? 15 : 10;
        return new TrainConfig(e, opt, sched, labelSmoothing, clipGrad, accumulate, Precision.parse(precision), seed);
    }
}
