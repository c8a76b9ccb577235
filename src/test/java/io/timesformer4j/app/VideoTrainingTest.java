package io.timesformer4j.app;

import io.timesformer4j.eval.ClassificationReport;
import io.timesformer4j.eval.Classifier;
import io.timesformer4j.eval.LabeledBatch;
import io.timesformer4j.eval.Precision;
import io.timesformer4j.run.MetricsLog;
import io.timesformer4j.run.TrainOptions;
import io.timesformer4j.train.BatchSource;
import io.timesformer4j.train.ClipBatches;
import io.timesformer4j.train.EpochMetrics;
import io.timesformer4j.train.OptimizerSpec;
import io.timesformer4j.train.ScheduleSpec;
import io.timesformer4j.train.TrainConfig;
import io.timesformer4j.train.Trainer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.timesformer4j.data.Batch;
import io.timesformer4j.data.ClipLoader;
import io.timesformer4j.data.ClipSpec;
import io.timesformer4j.data.Mode;
import io.timesformer4j.data.SyntheticMotion;
import io.timesformer4j.data.VideoDataset;
import io.timesformer4j.model.ModelDir;
import io.timesformer4j.model.Preprocessing;
import io.timesformer4j.model.Presets;
import io.timesformer4j.model.TimeSformer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import io.timesformer4j.train.ConsoleLog;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/** The trainer, evaluation and prediction on real (generated, FFmpeg-encoded) motion clips and the tiny TimeSformer. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class VideoTrainingTest {
    @TempDir
    static Path dir;
    static Path data, modelDir;
    static int threads;

    @BeforeAll
    static void generate() throws IOException {
        threads = torch.get_num_threads();
        torch.set_num_threads(1);
        data = dir.resolve("clips");
        SyntheticMotion.generate(data, new SyntheticMotion.Spec(List.of("left", "right"), 4, 8, 32, 32, 15, "mp4", 3));
    }

    @AfterAll
    static void restore() {
        torch.set_num_threads(threads);
    }

    /**
     * 8 clips that differ only in the direction of motion, decoded once without augmentation: the tiny
     * model must classify all of them within 100 full-batch Adam steps (5 epochs of 20 steps).
     */
    @Test
    @Order(1)
    void tinyTimesformerOverfitsEightClips() throws IOException {
        torch.manual_seed(5);
        VideoDataset ds = VideoDataset.scan(data);
        TimeSformer model = new TimeSformer(Presets.get("tiny", ds.labels().names()).withFrames(8));
        List<LabeledBatch> once = new ArrayList<>();
        try (ClipLoader loader = new ClipLoader(ds.samples(), ClipSpec.forModel(8, 32, null, null), Mode.VAL, 8, 2, 1, 0)) {
            for (Batch b : loader) once.add(ClipBatches.wrap(b));
        }
        assertEquals(1, once.size());
        assertEquals(8, once.get(0).size());
        TrainConfig cfg = new TrainConfig(5, new OptimizerSpec(OptimizerSpec.Kind.ADAM, 1e-3, 0, 0, false),
                ScheduleSpec.constant(), 0, 0, 1, Precision.FP32, 1);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Trainer.Result r = new Trainer(Classifier.of(model, model::forward), cfg)
                .listeners(new ConsoleLog(new PrintWriter(log, true, StandardCharsets.UTF_8)))
                .fit(BatchSource.of(Collections.nCopies(20, once.get(0))), BatchSource.of(once));
        String out = log.toString(StandardCharsets.UTF_8);
        assertEquals(1.0, r.bestValAcc(), out);
        assertTrue(r.history().get(r.history().size() - 1).trainLoss() < 0.2, out);
        modelDir = dir.resolve("model");
        ModelDir.save(model, Preprocessing.defaults(32), modelDir);
    }

    /**
     * The whole pipeline (shuffled, augmented video batches, AdamW + cosine warm-up): 2 epochs in one go equal
     * 1 epoch + resume, bit for bit (1 libtorch thread, 2 decode workers).
     */
    @Test
    @Order(4)
    void resumedVideoRunEqualsUninterruptedRun() throws IOException {
        TrainConfig cfg = new TrainConfig(2, new OptimizerSpec(OptimizerSpec.Kind.ADAMW, 1e-3, 0.05, 0, false),
                new ScheduleSpec(ScheduleSpec.Kind.COSINE, 0.5, List.of(), 0.1, 0), 0.1, 1.0, 1, Precision.FP32, 4);
        TrainOptions o = new TrainOptions(data, null, "auto", "tiny", 8, 0, 0.25, 2, 2, 1, null, 0, cfg);
        PrintWriter quiet = new PrintWriter(PrintWriter.nullWriter());
        Path a = dir.resolve("full"), b = dir.resolve("split");
        VideoTrainer.run(o, a, false, false, quiet);
        VideoTrainer.run(o.withEpochs(1), b, false, false, quiet);
        VideoTrainer.run(TrainOptions.load(b).withEpochs(2), b, true, false, quiet);
        List<EpochMetrics> ma = MetricsLog.read(a.resolve("metrics.jsonl")), mb = MetricsLog.read(b.resolve("metrics.jsonl"));
        assertEquals(2, mb.size());
        for (int i = 0; i < 2; i++) {
            assertEquals(ma.get(i).trainLoss(), mb.get(i).trainLoss(), 0.0);
            assertEquals(ma.get(i).valLoss(), mb.get(i).valLoss(), 0.0);
            assertEquals(ma.get(i).lr(), mb.get(i).lr(), 0.0);
        }
        assertTrue(java.util.Arrays.equals(Files.readAllBytes(a.resolve("checkpoint/model.safetensors")),
                Files.readAllBytes(b.resolve("checkpoint/model.safetensors"))));
    }

    /** A file that is not a video is skipped and listed in skipped.txt; training (here in bf16) goes on. */
    @Test
    @Order(3)
    void badVideosAreSkippedAndListed() throws IOException {
        Path withBad = dir.resolve("with-bad");
        for (String c : List.of("left", "right")) {
            Files.createDirectories(withBad.resolve(c));
            for (int i = 0; i < 2; i++) {
                String f = c + "_000" + i + ".mp4";
                Files.copy(data.resolve(c).resolve(f), withBad.resolve(c).resolve(f));
            }
        }
        Files.write(withBad.resolve("left").resolve("left_broken.mp4"), new byte[] {0, 0, 0, 24, 'f', 't', 'y', 'p', 1, 2, 3});
        // bf16 autocast here as well: the TimeSformer forward must run under CPU autocast
        TrainConfig cfg = new TrainConfig(1, OptimizerSpec.seedDefault(), ScheduleSpec.constant(), 0, 0, 1, Precision.BF16, 1);
        Path run = dir.resolve("bad-run");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Trainer.Result r = VideoTrainer.run(new TrainOptions(withBad, null, "auto", "tiny", 8, 0, 0, 2, 2, 1, null, 0, cfg),
                run, false, false, new PrintWriter(log, true, StandardCharsets.UTF_8));
        assertEquals(1, r.history().size());
        String skipped = Files.readString(run.resolve("skipped.txt"));
        assertTrue(skipped.contains("left_broken.mp4: "), skipped + log);
        assertFalse(skipped.contains("left_0000.mp4"), skipped);
        assertTrue(r.history().get(0).skipped() >= 1 || log.toString(StandardCharsets.UTF_8).contains("1 problems"),
                log.toString(StandardCharsets.UTF_8));
    }

    @Test
    @Order(2)
    void evaluateWritesReportsAndPredictNamesBadFiles() throws IOException {
        Path out = dir.resolve("eval");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        ClassificationReport r = VideoEvaluation.run(new VideoEvaluation.Options(modelDir, data, "auto", 2, 3, 4, 2, 1, Precision.FP32, out),
                false, new PrintWriter(log, true, StandardCharsets.UTF_8));
        assertEquals(8, r.samples());
        assertTrue(r.top1() >= 0.75, log.toString(StandardCharsets.UTF_8));   // 2x3 views differ from the training view
        assertEquals(1.0, r.top5());
        for (String f : List.of("report.json", "confusion.json", "confusion.png", "predictions.jsonl")) {
            assertTrue(Files.size(out.resolve(f)) > 0, f);
        }
        assertEquals(8, Files.readAllLines(out.resolve("predictions.jsonl")).size());
        assertTrue(Files.readString(out.resolve("report.json")).contains("\"mean_class_accuracy\""));

        Path bad = Files.writeString(dir.resolve("not-a-video.mp4"), "hello");
        Path good = data.resolve("left").resolve("left_0000.mp4");
        List<VideoPrediction.Result> p = VideoPrediction.run(modelDir, List.of(good, bad), 2, 1, 1, 2, 1, Precision.FP32);
        assertEquals(2, p.size());
        assertTrue(p.get(0).ok());
        assertEquals("left", p.get(0).top().get(0).label());
        assertEquals(2, p.get(0).top().size());
        assertTrue(p.get(0).top().get(0).probability() >= p.get(0).top().get(1).probability());
        assertFalse(p.get(1).ok());
        assertEquals(bad.toString(), p.get(1).path());
        assertFalse(p.get(1).error().isBlank());
    }
}
