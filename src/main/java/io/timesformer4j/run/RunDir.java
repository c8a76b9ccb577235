package io.timesformer4j.run;

import io.timesformer4j.model.WeightsException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A training run folder and the only place that spells its file names:
 *
 * <pre>
 * RUN/run.json          the run's settings ({@link TrainOptions}), so --resume continues with them
 * RUN/metrics.jsonl     one line per finished epoch ({@link MetricsLog})
 * RUN/checkpoint/       the resumable state ({@link Checkpoint}); checkpoint.tmp/ and checkpoint.prev/ while swapping
 * RUN/best/             the best model so far, a Hugging Face model dir; best.tmp/ and best.prev/ while swapping
 * RUN/skipped.txt       the videos that could not be used, "path: reason" per line
 * RUN/loss.png, RUN/accuracy.png   the curves
 * RUN/checkpoints/epoch-NNNN/   checkpoints kept by --save-every / --keep-last (resumable with --resume)
 * RUN/tensorboard/      TensorBoard event files (--tensorboard)
 * RUN/.lock             held by the training process ({@link RunLock})
 * </pre>
 *
 * <p>A pretraining run ({@code timesformer pretrain}) has {@code pretrain.json} ({@link PretrainOptions}) instead of
 * {@code run.json}, the same metrics, checkpoint, skipped and lock files, {@code encoder/} (the pretrained encoder,
 * a Hugging Face-style backbone dir that {@code --init} takes) and {@code reconstructions/epoch_NNN.png}.
 */
public record RunDir(Path root) {
    public static final String RUN_JSON = "run.json", METRICS = "metrics.jsonl", SKIPPED = "skipped.txt",
            BEST = "best", CHECKPOINT = "checkpoint", LOSS_PNG = "loss.png", ACCURACY_PNG = "accuracy.png",
            LOCK = ".lock", CHECKPOINTS = "checkpoints", TENSORBOARD = "tensorboard", PRETRAIN_JSON = "pretrain.json",
            ENCODER = "encoder", RECONSTRUCTIONS = "reconstructions";

    public RunDir {
        if (root == null) throw new IllegalArgumentException("run folder is null");
    }

    public static RunDir of(Path root) {
        return new RunDir(root);
    }

    public Path runJson() { return root.resolve(RUN_JSON); }
    public Path metrics() { return root.resolve(METRICS); }
    public Path skipped() { return root.resolve(SKIPPED); }
    public Path best() { return root.resolve(BEST); }
    public Path bestTmp() { return root.resolve(BEST + ".tmp"); }
    public Path bestPrev() { return root.resolve(BEST + ".prev"); }
    public Path checkpoint() { return root.resolve(CHECKPOINT); }
    public Path checkpointTmp() { return root.resolve(CHECKPOINT + ".tmp"); }
    public Path checkpointPrev() { return root.resolve(CHECKPOINT + ".prev"); }
    public Path lossPng() { return root.resolve(LOSS_PNG); }
    public Path accuracyPng() { return root.resolve(ACCURACY_PNG); }
    public Path lock() { return root.resolve(LOCK); }
    /** Folder of the checkpoints kept by {@code --save-every}/{@code --keep-last}. */
    public Path checkpoints() { return root.resolve(CHECKPOINTS); }
    /** {@code checkpoints/epoch-NNNN}: the checkpoint kept after epoch {@code epoch} (1-based). */
    public Path keptCheckpoint(int epoch) { return checkpoints().resolve(String.format(java.util.Locale.ROOT, "epoch-%04d", epoch)); }
    public Path tensorboard() { return root.resolve(TENSORBOARD); }
    public Path pretrainJson() { return root.resolve(PRETRAIN_JSON); }
    public Path encoder() { return root.resolve(ENCODER); }
    public Path encoderTmp() { return root.resolve(ENCODER + ".tmp"); }
    public Path encoderPrev() { return root.resolve(ENCODER + ".prev"); }
    public Path reconstruction(int epoch) {
        return root.resolve(RECONSTRUCTIONS).resolve(String.format(java.util.Locale.ROOT, "epoch_%03d.png", epoch));
    }

    /** A fresh pretraining run must not overwrite a run folder of either kind. */
    public void refuseExistingPretrainRun() throws IOException {
        if (Files.exists(runJson()))
            throw new IOException(root + " holds a training run (" + RUN_JSON + "); pick another --out for pretraining");
        for (String f : List.of(METRICS, CHECKPOINT, CHECKPOINT + ".prev", ENCODER)) {
            if (Files.exists(root.resolve(f)))
                throw new IOException(root + " already holds a pretraining run (" + f + "); continue it with --resume "
                        + root + ", or pick another --out");
        }
    }

    /** {@code RUN/encoder} when {@code dir} is a pretraining run folder with an encoder. */
    public static Optional<Path> encoderOf(Path dir) {
        if (dir == null || !Files.isRegularFile(dir.resolve(PRETRAIN_JSON))) return Optional.empty();
        Path enc = dir.resolve(ENCODER);
        return Files.isRegularFile(enc.resolve("model.safetensors")) ? Optional.of(enc) : Optional.empty();
    }


    /**
     * A fresh run must not overwrite one that already finished epochs (its metrics, checkpoint and best model
     * would be replaced without a word); a folder holding only {@code run.json} of a run that failed before
     * its first epoch may be reused.
     */
    public void refuseExistingRun() throws IOException {
        for (String f : List.of(METRICS, CHECKPOINT, CHECKPOINT + ".prev", BEST)) {
            if (Files.exists(root.resolve(f)))
                throw new IOException(root + " already holds a training run (" + f + "); continue it with --resume "
                        + root + ", or pick another --out");
        }
    }

    /** The run folder owning {@code dir} when {@code dir} is one of its kept checkpoints ({@code RUN/checkpoints/X}). */
    public static Optional<Path> runOfKeptCheckpoint(Path dir) {
        Path parent = dir.toAbsolutePath().normalize().getParent();
        if (parent == null || parent.getFileName() == null || !parent.getFileName().toString().equals(CHECKPOINTS))
            return Optional.empty();
        Path run = parent.getParent();
        return run != null && Files.isRegularFile(run.resolve(RUN_JSON)) ? Optional.of(run) : Optional.empty();
    }

    /** Whether {@code dir} is a run folder with a best model. */
    public static boolean isRunWithModel(Path dir) {
        return dir != null && Files.isRegularFile(dir.resolve(RUN_JSON)) && Files.isRegularFile(dir.resolve(BEST).resolve("config.json"));
    }

    /**
     * {@code RUN/best} when {@code dir} is a training run folder ({@code run.json}, {@code best/}) or, with
     * {@code orInside}, a folder inside one (its {@code checkpoint/}) that has no config.json: the usual slip
     * of passing the run instead of its model.
     */
    public static Optional<Path> bestModelOf(Path dir, boolean orInside) {
        if (!Files.isDirectory(dir) || Files.isRegularFile(dir.resolve("config.json"))) return Optional.empty();
        Path abs = dir.toAbsolutePath().normalize();
        if (isRunWithModel(abs)) return Optional.of(abs.resolve(BEST));
        if (orInside && isRunWithModel(abs.getParent())) return Optional.of(abs.getParent().resolve(BEST));
        return Optional.empty();
    }

    /** {@code path} unchanged, or a {@link WeightsException} naming the run's best model when it is a run folder. */
    public static Path modelPath(Path path) throws WeightsException {
        Optional<Path> best = bestModelOf(path, true);
        if (best.isPresent()) throw new WeightsException(path + ": a training run folder, not a model dir; its best model is "
                + best.get());
        return path;
    }

    /** Like {@link #modelPath}, for weights to start from ({@code --init}): a run's {@code checkpoint/} is fine. */
    public static Path weightsPath(Path path) throws WeightsException {
        Optional<Path> encoder = encoderOf(path);
        if (encoder.isPresent()) return encoder.get();                      // a pretraining run: its encoder
        if (bestModelOf(path, false).isPresent()) throw new WeightsException(path + ": a training run folder, not a model dir; "
                + "its best model is " + path.resolve(BEST));
        return path;
    }
}
