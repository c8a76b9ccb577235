package io.timesformer4j.cli;

import io.timesformer4j.run.RunDir;
import io.timesformer4j.app.VideoTrainer;
import io.timesformer4j.eval.Precision;
import io.timesformer4j.run.TrainOptions;
import io.timesformer4j.runtime.Natives;
import io.timesformer4j.run.ModelOptions;
import io.timesformer4j.train.OptimizerSpec;
import io.timesformer4j.train.ScheduleSpec;
import io.timesformer4j.train.TrainConfig;
import io.timesformer4j.run.CheckpointPolicy;
import io.timesformer4j.train.EarlyStopping;
import java.nio.file.Path;
import io.timesformer4j.dist.DistEnv;
import io.timesformer4j.dist.Launcher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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
    @Option(names = "--data", paramLabel = "<dir>", description = "Dataset: class folders, label_xxx.mp4 files, or a CSV/list file.")
    Path data;
    @Option(names = {"--out", "--output-dir"}, paramLabel = "<run-dir>", description = "Run folder to create (default: runs/<time>).")
    Path out;
    @Option(names = "--resume", paramLabel = "<run-dir>", description = "Continue a run from its last finished epoch with its saved settings, or from a kept checkpoint RUN/checkpoints/epoch-NNNN (only --epochs, --no-progress, --tensorboard, --early-stop-*, --save-every, --keep-last, --workers, --threads may be given).")
    Path resume;
    @Option(names = "--recipe", paramLabel = "<name>", description = "Starting set of hyper-parameters: seed (default), paper "
            + "(SGD lr 0.005, momentum 0.9, wd 1e-4, 15 epochs, lr/10 after epochs 11 and 14) or small-data (from scratch on "
            + "a few hundred clips: tubelet 2, scratch init, AdamW 1e-3 wd 0.05, 1 warm-up epoch + cosine, clip-grad 1, "
            + "batch 8, 40 epochs, crops 80-100%%, no flips). Explicit options override it.")
    String recipe = "seed";
    @Option(names = "--preset", paramLabel = "<preset>", description = "Model preset: tiny, seed, base, hr, l (default: ${DEFAULT-VALUE}).")
    String preset = "seed";
    @Option(names = {"--frames", "--num-frames"}, paramLabel = "<frames>", description = "Frames per clip (default: the preset's).")
    int frames;
    @Option(names = "--image-size", paramLabel = "<image-size>", description = "Crop size in pixels (default: the preset's).")
    int imageSize;
    @picocli.CommandLine.Mixin
    ModelShapeOptions shape = new ModelShapeOptions();
    @Option(names = "--min-crop-scale", paramLabel = "<min-crop-scale>", description = "Smallest train crop area as a fraction of the frame (default 0.3; small-data: 0.4).")
    Double minCropScale;
    @Option(names = "--epochs", paramLabel = "<epochs>", description = "Epochs (seed: 10, paper: 15, small-data: 60).")
    Integer epochs;
    @Option(names = "--batch-size", paramLabel = "<batch-size>", description = "Clips per step (default: 2, small-data: 8).")
    Integer batchSize;
    @Option(names = "--lr", paramLabel = "<lr>", description = "Base learning rate (seed: 1e-4, paper: 0.005, small-data: 1e-3).")
    Double lr;
    @Option(names = "--optimizer", paramLabel = "<optimizer>", description = "Optimizer: adam, adamw or sgd (seed: adam, paper: sgd).")
    String optimizer;
    @Option(names = "--weight-decay", paramLabel = "<weight-decay>", description = "Weight decay (adam: 0, adamw: 0.05, sgd: 1e-4). AdamW never decays biases, norms, embeddings.")
    Double weightDecay;
    @Option(names = "--momentum", paramLabel = "<momentum>", description = "SGD momentum (default: 0.9).")
    Double momentum;
    @Option(names = "--nesterov", description = "SGD with Nesterov momentum.")
    boolean nesterov;
    @Option(names = "--schedule", paramLabel = "<schedule>", description = "LR schedule: constant, step or cosine (seed: constant, paper: step).")
    String schedule;
    @Option(names = "--milestones", paramLabel = "<milestones>", split = ",", description = "Step schedule: epochs after which lr *= gamma (paper: 11,14).")
    List<Integer> milestones;
    @Option(names = "--gamma", paramLabel = "<gamma>", description = "Step schedule decay factor (default: ${DEFAULT-VALUE}).")
    double gamma = 0.1;
    @Option(names = "--warmup-epochs", paramLabel = "<warmup-epochs>", description = "Linear warm-up epochs (fractions allowed; default: 0).")
    double warmupEpochs;
    @Option(names = "--label-smoothing", paramLabel = "<label-smoothing>", description = "Cross-entropy label smoothing (default: 0).")
    double labelSmoothing;
    @Option(names = {"--clip-grad", "--max-grad-norm"}, paramLabel = "<clip-grad>", description = "Clip the global gradient norm to this (default: 0 = off).")
    double clipGrad;
    @Option(names = {"--accumulate", "--gradient-accumulation-steps"}, paramLabel = "<accumulate>", description = "Accumulate gradients over this many batches per step (default: ${DEFAULT-VALUE}).")
    int accumulate = 1;
    @Option(names = "--precision", paramLabel = "<precision>", description = "Forward precision: fp32, bf16 (CPU autocast; about 2x faster with AVX512-BF16/AMX) or auto (bf16 where the CPU runs it natively) (default: ${DEFAULT-VALUE}).")
    String precision = "fp32";
    @Option(names = "--init", paramLabel = "<path>", description = "Weights-only start (fine-tuning, a new run): Hugging Face model dir such as another run's RUN/best, a run's checkpoint folder, official .pyth, ImageNet ViT, or Hub id org/name[@revision]; a new head when the class count differs. Not --resume: optimizer, schedule and epochs start fresh.")
    Path init;
    @Option(names = "--val-split", paramLabel = "<val-split>", description = "Fraction held out for validation, random by --seed; 0 = none (default: ${DEFAULT-VALUE}).")
    double valSplit = 0.2;
    @Option(names = "--val-data", paramLabel = "<dir>", description = "Separate validation dataset (instead of --val-split).")
    Path valData;
    @Option(names = "--layout", paramLabel = "<layout>", description = "Dataset layout: auto, class_folders, flat_prefix, csv, kinetics_csv, ucf101_list (default: ${DEFAULT-VALUE}).")
    String layout = "auto";
    @Option(names = "--max-clips", paramLabel = "<max-clips>", description = "Use at most this many training clips; 0 = all (default: ${DEFAULT-VALUE}).")
    int maxClips;
    @Option(names = "--seed", paramLabel = "<seed>", description = "Seed for the split, shuffling, augmentation, init and dropout (default: ${DEFAULT-VALUE}).")
    long seed = 42;
    @Option(names = "--no-progress", description = "No progress bar or progress lines (the per-epoch lines stay).")
    boolean noProgress;
    @Option(names = "--tensorboard", description = "Write TensorBoard event files to RUN/tensorboard/ (loss, accuracy, lr, clips/s).")
    boolean tensorboard;
    @Option(names = "--early-stop-patience", paramLabel = "<n>", description = "Stop when val_acc (train loss without validation) has not improved for N epochs (default: off).")
    Integer earlyStopPatience;
    @Option(names = "--early-stop-min-delta", paramLabel = "<delta>", description = "Smallest change that counts as an improvement for early stopping (default: 0).")
    double earlyStopMinDelta;
    @Option(names = "--save-every", paramLabel = "<n>", description = "Also keep the checkpoint of every N-th epoch in RUN/checkpoints/epoch-NNNN/ (default: 0 = only the latest).")
    int saveEvery;
    @Option(names = "--nproc-per-node", paramLabel = "<n>", description = "Data-parallel training in N local worker processes "
            + "(as torchrun --nproc-per-node N; see docs/distributed.md). Under torchrun, SLURM or a PyTorchJob leave it out: "
            + "RANK/WORLD_SIZE/MASTER_ADDR/MASTER_PORT (or SLURM_PROCID/SLURM_NTASKS) make this process one rank (default: ${DEFAULT-VALUE}).")
    int nprocPerNode = 1;
    @Option(names = "--dist-timeout", paramLabel = "<seconds>", description = "Data-parallel: how long a rank waits for the "
            + "others (rendezvous, each collective) before it stops with an error (default: ${DEFAULT-VALUE}).")
    int distTimeout = 600;
    @Option(names = "--keep-last", paramLabel = "<k>", description = "Keep only the newest K of those checkpoints (default: 0 = all; alone it means --save-every 1).")
    int keepLast;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;
    /** What a resume may set: the rest comes from run.json. */
    private static final List<String> RESUME_OPTIONS = List.of("--resume", "--epochs", "--no-progress", "--tensorboard",
            "--early-stop-patience", "--early-stop-min-delta", "--save-every", "--keep-last", "--workers", "--threads", "--nproc-per-node", "--dist-timeout");

    @picocli.CommandLine.Mixin
    ComputeOptions compute = new ComputeOptions();

    @Override
    public Integer call() throws Exception {
        Natives.ensureLoaded();
        if (distTimeout < 1) throw new IllegalArgumentException("--dist-timeout must be >= 1 second, got " + distTimeout);
        if (nprocPerNode < 1) throw new IllegalArgumentException("--nproc-per-node must be >= 1, got " + nprocPerNode);
        Optional<DistEnv> dist = DistEnv.from(System.getenv());
        if (nprocPerNode > 1) {
            if (dist.isPresent()) throw new IllegalArgumentException("--nproc-per-node " + nprocPerNode + " inside a launched job ("
                    + dist.get().launcher() + " set RANK/WORLD_SIZE): let the launcher start the processes, or leave out --nproc-per-node");
            if (resume == null) {                                          // the run folder check before any worker starts
                if (data == null) throw new IllegalArgumentException("--data is required (or --resume RUN)");
                if (out == null) throw new IllegalArgumentException("--out RUN is required with --nproc-per-node (all workers write one run)");
                RunDir.of(out).refuseExistingRun();
            }
            List<String> args = withoutOption(spec.commandLine().getParseResult().originalArgs(), "--nproc-per-node");
            if (!args.contains("train")) args.add(0, "train");             // originalArgs holds the whole command line
            return Launcher.run(Main.class.getName(), args, nprocPerNode, Duration.ofSeconds(distTimeout), spec.commandLine().getOut(),
                    spec.commandLine().getErr());
        }
        DistEnv env = dist.orElse(null);
        Duration timeout = Duration.ofSeconds(distTimeout);
        if (resume != null) {
            List<String> refused = spec.commandLine().getParseResult().matchedOptions().stream()
                    .filter(o -> java.util.Arrays.stream(o.names()).noneMatch(RESUME_OPTIONS::contains))
                    .map(o -> o.names()[0]).distinct().toList();
            if (!refused.isEmpty()) {
                throw new IllegalArgumentException("--resume continues " + resume + " with its saved settings (run.json); "
                        + "only " + String.join(", ", RESUME_OPTIONS.subList(1, RESUME_OPTIONS.size())) + " may be given, not "
                        + String.join(", ", refused));
            }
            // --resume RUN continues from RUN/checkpoint/; --resume RUN/checkpoints/epoch-0004 from that kept checkpoint
            Optional<Path> owner = RunDir.runOfKeptCheckpoint(resume);
            Path runDir = owner.orElse(resume), from = owner.isPresent() ? resume : null;
            TrainOptions saved = TrainOptions.load(runDir);
            if (epochs != null) saved = saved.withEpochs(epochs);     // VideoTrainer refuses fewer than the finished epochs
            if (spec.commandLine().getParseResult().hasMatchedOption("--workers")
                    || spec.commandLine().getParseResult().hasMatchedOption("--threads"))
                saved = saved.withCompute(compute.workers, compute.threads);
            VideoTrainer.run(saved, runDir, true, session(from), spec.commandLine().getOut(), env, timeout);
            return 0;
        }
        if (data == null) throw new IllegalArgumentException("--data is required (or --resume RUN)");
        if (env != null && out == null) throw new IllegalArgumentException("--out RUN is required in a data-parallel job "
                + "(every rank must name the same run folder)");
        if (env != null && env.restart() > 0 && io.timesformer4j.run.Checkpoint.latest(out).isPresent()) {
            // torchrun --max-restarts re-runs this same command after a failure: continue the run it started
            if (env.rank() == 0) spec.commandLine().getOut().printf("torchrun restart %d: continuing %s from its last finished epoch%n",
                    env.restart(), out);
            TrainOptions saved = TrainOptions.load(out);
            VideoTrainer.run(epochs != null ? saved.withEpochs(epochs) : saved, out, true, session(null),
                    spec.commandLine().getOut(), env, timeout);
            return 0;
        }
        init = ModelArgs.resolve(init, spec);
        Path run = out != null ? out : Path.of("runs", java.time.LocalDateTime.now().withNano(0).toString().replace(':', '-'));
        boolean small = recipe().equals("small-data");
        TrainOptions o = new TrainOptions(data, valData, layout, preset, frames, imageSize, valData != null ? 0 : valSplit,
                batchSize != null ? batchSize : small ? 8 : 2, compute.workers, compute.threads, init, maxClips, config(),
                modelOptions(), minCropScale != null ? minCropScale : small ? 0.4 : 0);
        VideoTrainer.run(o, run, false, session(null), spec.commandLine().getOut(), env, timeout);
        return 0;
    }

    /** {@code args} without {@code --name V} / {@code --name=V}. */
    static List<String> withoutOption(List<String> args, String name) {
        List<String> kept = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals(name)) i++;
            else if (!a.startsWith(name + "=")) kept.add(a);
        }
        return kept;
    }

    private VideoTrainer.Session session(Path resumeFrom) {
        return new VideoTrainer.Session(!noProgress, tensorboard,
                earlyStopPatience == null ? null : new EarlyStopping(earlyStopPatience, earlyStopMinDelta),
                new CheckpointPolicy(saveEvery, keepLast), resumeFrom);
    }

    private String recipe() {
        String r = recipe.toLowerCase(Locale.ROOT).replace('_', '-');
        if (!List.of("seed", "paper", "small-data").contains(r))
            throw new IllegalArgumentException("unknown recipe '" + recipe + "' (seed, paper, small-data)");
        return r;
    }

    /** Model changes: explicit options over the recipe's ({@link ModelOptions#smallData()}). */
    ModelOptions modelOptions() {
        return shape.toModelOptions(recipe().equals("small-data") ? ModelOptions.smallData() : ModelOptions.preset());
    }

    /** Explicit options over the recipe's values over the seed script's. */
    TrainConfig config() {
        String r = recipe();
        boolean paper = r.equals("paper"), small = r.equals("small-data");
        if (small) {
            OptimizerSpec.Kind kind = optimizer != null ? OptimizerSpec.Kind.parse(optimizer) : OptimizerSpec.Kind.ADAMW;
            OptimizerSpec opt = new OptimizerSpec(kind, lr != null ? lr : 1e-3, weightDecay != null ? weightDecay
                    : kind == OptimizerSpec.Kind.ADAM ? 0 : kind == OptimizerSpec.Kind.SGD ? 1e-4 : 0.05,
                    momentum != null ? momentum : kind == OptimizerSpec.Kind.SGD ? 0.9 : 0, nesterov);
            ScheduleSpec sched = new ScheduleSpec(schedule != null ? ScheduleSpec.Kind.parse(schedule) : ScheduleSpec.Kind.COSINE,
                    warmupEpochs > 0 ? warmupEpochs : 1, milestones != null ? milestones : List.of(), gamma, 0);
            return new TrainConfig(epochs != null ? epochs : 60, opt, sched, labelSmoothing, clipGrad > 0 ? clipGrad : 1.0,
                    accumulate, Precision.parse(precision), seed);
        }
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
