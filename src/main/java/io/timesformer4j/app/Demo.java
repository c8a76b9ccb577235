package io.timesformer4j.app;

import io.timesformer4j.run.RunDir;
import io.timesformer4j.runtime.AtomicFiles;
import io.timesformer4j.eval.ClassificationReport;
import io.timesformer4j.eval.Precision;
import io.timesformer4j.run.ModelOptions;
import io.timesformer4j.run.TrainOptions;
import io.timesformer4j.train.OptimizerSpec;
import io.timesformer4j.train.ScheduleSpec;
import io.timesformer4j.train.TrainConfig;
import io.timesformer4j.train.Trainer;
import io.timesformer4j.data.SyntheticMotion;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The end-to-end demo: writes a synthetic motion dataset with FFmpeg (classes that differ only in the
 * direction of motion, so a single frame cannot tell them apart), trains the {@code tiny} TimeSformer on it with
 * the small-data recipe's model (2-frame tubelets, from-scratch init, conv stem, mean pooling),
 * evaluates the best model on a separately generated validation set and draws the plots.
 */
public final class Demo {
    /**
     * @param out           folder for {@code data/}, {@code run/} and {@code eval/}
     * @param classes       motion classes ({@link SyntheticMotion#ALL_CLASSES} or a subset)
     * @param trainPerClass training clips per class
     * @param valPerClass   validation clips per class (generated with another seed)
     * @param frames        frames per clip (video and model)
     * @param videoSize     width = height of the generated videos
     * @param imageSize     model input size (the decoder resizes to it)
     */
    public record Options(Path out, List<String> classes, int trainPerClass, int valPerClass, int frames, int videoSize,
                          int imageSize, int epochs, int batchSize, double lr, int workers, int threads, long seed) {
        public Options {
            // checked before minutes of data generation, not after
            if (classes.size() < 2) throw new IllegalArgumentException("--classes needs at least 2 classes, got " + classes);
            if (trainPerClass < 1) throw new IllegalArgumentException("--clips-per-class must be >= 1, got " + trainPerClass);
        }

        /** Defaults tuned to learn in a few minutes on 2 cores. */
        public static Options defaults(Path out) {
            return new Options(out, SyntheticMotion.ALL_CLASSES, 40, 10, 8, 48, 32, 20, 8, 1e-3, 2, 0, 7);
        }
    }

    /** What the demo achieved. */
    public record Result(double bestValAcc, double chance, ClassificationReport report, double trainSeconds) {}

    private Demo() {}

    public static Result run(Options o, boolean progress, PrintWriter out) throws IOException {
        Path data = o.out().resolve("data"), run = o.out().resolve("run"), eval = o.out().resolve("eval");
        long t0 = System.nanoTime();
        generate(data.resolve("train"), o, o.trainPerClass(), o.seed(), out);
        generate(data.resolve("val"), o, o.valPerClass(), o.seed() + 1_000, out);
        out.printf(Locale.ROOT, "generated %d train + %d val clips in %.1f s under %s%n", o.classes().size() * o.trainPerClass(),
                o.classes().size() * o.valPerClass(), (System.nanoTime() - t0) / 1e9, data);
        AtomicFiles.deleteTree(run);
        TrainConfig cfg = new TrainConfig(o.epochs(), new OptimizerSpec(OptimizerSpec.Kind.ADAMW, o.lr(), 0.05, 0, false),
                new ScheduleSpec(ScheduleSpec.Kind.COSINE, 1, List.of(), 0.1, 0), 0, 1.0, 1, Precision.FP32, o.seed());
        // the small-data recipe's model: tubelets of 2 frames, the from-scratch init, a conv stem and mean pooling (the
        // official per-frame embedding with zero time embeddings / temporal_fc never learns the direction here, see
        // docs/training.md); train crops 40-100 % of the frame
        TrainOptions to = new TrainOptions(data.resolve("train"), data.resolve("val"), "class_folders", "tiny", o.frames(),
                o.imageSize(), 0, o.batchSize(), o.workers(), o.threads(), null, 0, cfg, ModelOptions.smallData(), 0.4);
        long t1 = System.nanoTime();
        Trainer.Result tr = VideoTrainer.run(to, run, false, progress, out);
        double trainSeconds = (System.nanoTime() - t1) / 1e9;
        ClassificationReport r = VideoEvaluation.run(new VideoEvaluation.Options(RunDir.of(run).best(), data.resolve("val"),
                "class_folders", 1, 1, o.batchSize(), o.workers(), o.threads(), Precision.FP32, eval), false, out);
        double chance = 1.0 / o.classes().size();
        out.printf(Locale.ROOT, "%ndemo finished: training took %.0f s; best val_acc %.3f (chance %.3f)%n", trainSeconds,
                tr.bestValAcc(), chance);
        out.println("  data:        " + data);
        out.println("  run:         " + run + "  (metrics.jsonl, checkpoint/, best/)");
        out.println("  plots:       " + RunDir.of(run).lossPng() + ", " + RunDir.of(run).accuracyPng());
        out.println("  evaluation:  " + eval + "  (report.json, confusion.png)");
        out.println("  try:         timesformer predict --model " + RunDir.of(run).best() + " "
                + data.resolve("val").resolve(o.classes().get(0)).resolve(o.classes().get(0) + "_0000.mp4"));
        return new Result(tr.bestValAcc(), chance, r, trainSeconds);
    }

    private static void generate(Path dir, Options o, int perClass, long seed, PrintWriter out) throws IOException {
        if (Files.exists(dir)) AtomicFiles.deleteTree(dir);
        SyntheticMotion.generate(dir, new SyntheticMotion.Spec(o.classes(), perClass, o.frames(), o.videoSize(),
                o.videoSize(), 15, "mp4", seed));
    }
}
