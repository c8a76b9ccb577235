package io.timesformer4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.timesformer4j.model.ModelDir;
import io.timesformer4j.model.SafeTensors;
import io.timesformer4j.model.StateDicts;
import io.timesformer4j.model.TimeSformer;
import io.timesformer4j.model.TimesformerConfig;
import io.timesformer4j.model.WeightsInit;
import io.timesformer4j.app.Pretrainer;
import io.timesformer4j.run.MetricsLog;
import io.timesformer4j.run.PretrainMetrics;
import io.timesformer4j.run.PretrainOptions;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import javax.imageio.ImageIO;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/** {@code pretrain} end to end on generated, FFmpeg-encoded clips, resume, and {@code train --init} from its encoder. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PretrainCommandTest {
    static final int EPOCHS = 15;
    static final String LR = "2e-3";
    @TempDir
    static Path dir;
    static Path data, run;

    @BeforeAll
    static void generate() throws IOException {
        data = dir.resolve("clips");
        writeRampClips(data);
        run = dir.resolve("pre");
    }

    /**
     * 8 clips {@code left|right/clipN.mp4} (class folders by the square's motion; pretraining ignores them), 8 frames
     * of 32x32: a grey ramp from left to right under a square that moves left or right. Every background patch's
     * per-patch normalised target is the same ramp: a learnable signal the loss must fall on within the fixed steps.
     * (The demo's clips have per-pixel noise on flat colours, which normalises to unpredictable unit-variance noise.)
     */
    static void writeRampClips(Path root) throws IOException {
        java.util.Random r = new java.util.Random(4);
        for (int i = 0; i < 8; i++) {
            int w = 32, h = 32;
            boolean right = i % 2 == 0;
            Path f = Files.createDirectories(root.resolve(right ? "right" : "left")).resolve("clip" + i + ".mp4");
            int[] fg = {150 + r.nextInt(100), 150 + r.nextInt(100), 150 + r.nextInt(100)};
            double x0 = 4 + r.nextInt(8), y0 = 4 + r.nextInt(16), dx = (right ? 1 : -1) * (1.5 + r.nextDouble());
            if (!right) x0 += 14;
            try (io.timesformer4j.video.VideoWriter vw = new io.timesformer4j.video.VideoWriter(f, w, h, 15)) {
                byte[] rgb = new byte[w * h * 3];
                for (int t = 0; t < 8; t++) {
                    double cx = x0 + dx * t;
                    for (int y = 0; y < h; y++) {
                        for (int x = 0; x < w; x++) {
                            boolean on = Math.abs(x + 0.5 - cx) <= 4 && Math.abs(y + 0.5 - y0) <= 4;
                            for (int c = 0; c < 3; c++) rgb[(y * w + x) * 3 + c] = (byte) (on ? fg[c] : (int) (20 + 215 * x / 31.0));
                        }
                    }
                    vw.write(rgb);
                }
            }
        }
    }

    /** The test's pretrain command line; {@code extra} pairs replace the defaults of the same option. */
    static String[] pretrain(Path out, String... extra) {
        java.util.LinkedHashMap<String, String> o = new java.util.LinkedHashMap<>();
        String[] defaults = {"--data", data.toString(), "--out", out.toString(), "--preset", "tiny", "--frames", "8",
                "--image-size", "32", "--mask-ratio", "0.75", "--decoder-depth", "1", "--epochs", Integer.toString(EPOCHS),
                "--batch-size", "2", "--lr", LR, "--warmup-epochs", "1", "--threads", "1", "--workers", "1",
                "--preview-clips", "2"};
        for (int i = 0; i < defaults.length; i += 2) o.put(defaults[i], defaults[i + 1]);
        for (int i = 0; i < extra.length; i += 2) o.put(extra[i], extra[i + 1]);
        List<String> a = new java.util.ArrayList<>(List.of("pretrain", "--no-progress"));
        o.forEach((k, v) -> { a.add(k); a.add(v); });
        return a.toArray(new String[0]);
    }

    /** 15 epochs of 4 steps: the masked-patch loss falls to under half; the run folder holds everything it promises. */
    @Test
    @Order(1)
    void pretrainingLossFallsAndTheRunFolderIsComplete() throws IOException {
        CliRun r = CliRun.run(pretrain(run));
        assertEquals(0, r.code(), r.all());
        List<PretrainMetrics> m = MetricsLog.readLines(run.resolve("metrics.jsonl"), PretrainMetrics.class);
        assertEquals(EPOCHS, m.size(), r.all());
        for (int e = 1; e <= EPOCHS; e++) assertTrue(r.out().contains("[" + e + "] loss: "), r.out());
        double first = m.get(0).loss(), last = m.get(EPOCHS - 1).loss();
        assertTrue(last < 0.5 * first, "loss " + first + " -> " + last + "\n" + r.out());
        assertTrue(first > 0.5 && first < 2, "an untrained decoder predicts ~0 of a unit-variance target: " + first);
        assertTrue(Files.isRegularFile(run.resolve("loss.png")));
        BufferedImage png = ImageIO.read(run.resolve("reconstructions/epoch_015.png").toFile());
        assertTrue(png.getWidth() >= 4 * 96 && png.getHeight() >= 2 * 3 * 96, png.getWidth() + "x" + png.getHeight());
        assertTrue(Files.isRegularFile(run.resolve("checkpoint/model.safetensors")));
        // the encoder: a Hugging Face-style backbone dir with every timesformer.* tensor and nothing else
        JsonNode cfg = new ObjectMapper().readTree(run.resolve("encoder/config.json").toFile());
        assertEquals("TimesformerModel", cfg.get("architectures").get(0).asText());
        assertEquals(8, cfg.get("num_frames").asInt());
        assertEquals(32, cfg.get("image_size").asInt());
        Map<String, Tensor> enc = SafeTensors.read(run.resolve("encoder/model.safetensors"));
        TreeSet<String> want = new TreeSet<>();
        for (String k : new TimeSformer(ModelDir.readConfig(run.resolve("encoder"))).stateDict().keySet())
            if (k.startsWith("timesformer.")) want.add(k);
        assertEquals(want, new TreeSet<>(enc.keySet()));
        assertTrue(r.out().contains("timesformer train --init " + run), r.out());
    }

    /** Killed after epoch 3's training (before its checkpoint), resumed: the same losses and weights as run 1. */
    @Test
    @Order(2)
    void resumeEqualsAnUninterruptedRun() throws IOException {
        Path other = dir.resolve("killed");
        CliRun fresh = CliRun.run(pretrain(other, "--epochs", "1"));            // writes pretrain.json, 1 epoch
        assertEquals(0, fresh.code(), fresh.all());
        PretrainOptions o = PretrainOptions.load(other).withEpochs(EPOCHS);
        java.io.StringWriter log = new java.io.StringWriter();
        java.io.PrintWriter dying = new java.io.PrintWriter(log, true) {
            @Override public void println(String s) {
                if (s.startsWith("[3]")) throw new IllegalStateException("killed");
                super.println(s);
            }
        };
        // epoch 1 was run with a 1-epoch schedule: start the 6-epoch run over, as the uninterrupted one did
        for (String f : List.of("metrics.jsonl", "checkpoint", "encoder")) io.timesformer4j.runtime.AtomicFiles.deleteTree(other.resolve(f));
        assertThrows(IllegalStateException.class, () -> Pretrainer.run(o, other, false, false, dying));
        assertEquals(2, MetricsLog.readLines(other.resolve("metrics.jsonl"), PretrainMetrics.class).size());
        CliRun resumed = CliRun.run("pretrain", "--resume", other.toString(), "--epochs", Integer.toString(EPOCHS), "--no-progress");
        assertEquals(0, resumed.code(), resumed.all());
        assertTrue(resumed.out().contains("resumed " + other + " after epoch 2"), resumed.out());
        List<PretrainMetrics> a = MetricsLog.readLines(run.resolve("metrics.jsonl"), PretrainMetrics.class);
        List<PretrainMetrics> b = MetricsLog.readLines(other.resolve("metrics.jsonl"), PretrainMetrics.class);
        assertEquals(EPOCHS, b.size());
        for (int i = 0; i < EPOCHS; i++) assertEquals(a.get(i).loss(), b.get(i).loss(), "epoch " + (i + 1));
        Map<String, Tensor> wa = SafeTensors.read(run.resolve("encoder/model.safetensors"));
        Map<String, Tensor> wb = SafeTensors.read(other.resolve("encoder/model.safetensors"));
        for (var e : wa.entrySet()) assertTrue(e.getValue().equal(wb.get(e.getKey())), e.getKey());
    }

    /** {@code train --init RUN}: the encoder's shape, every encoder tensor loaded, a new 2-class head. */
    @Test
    @Order(3)
    void trainInitLoadsEveryEncoderKeyWithANewHead() throws IOException {
        TimesformerConfig cfg = ModelDir.readConfig(run.resolve("encoder")).withLabels(List.of("left", "right"));
        TimeSformer model = new TimeSformer(cfg);
        StateDicts.LoadReport rep = WeightsInit.initFrom(model, io.timesformer4j.run.RunDir.weightsPath(run));
        TreeSet<String> encoderKeys = new TreeSet<>();
        for (String k : model.stateDict().keySet()) if (k.startsWith("timesformer.")) encoderKeys.add(k);
        assertEquals(encoderKeys, new TreeSet<>(rep.loaded()), "every encoder key loaded");
        assertEquals(List.of("classifier.weight", "classifier.bias"), rep.missing(), "only the head is new");
        assertTrue(rep.unexpected().isEmpty(), rep.summary());
        assertTrue(rep.mismatched().isEmpty(), rep.summary());
        Map<String, Tensor> enc = SafeTensors.read(run.resolve("encoder/model.safetensors"));
        for (String k : encoderKeys) assertTrue(model.stateDict().get(k).equal(enc.get(k)), k);

        Path ft = dir.resolve("finetune");
        CliRun r = CliRun.run("train", "--data", data.toString(), "--out", ft.toString(), "--init", run.toString(),
                "--epochs", "1", "--batch-size", "4", "--threads", "1", "--workers", "1", "--no-progress");
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().contains("initialised from " + run + ": " + encoderKeys.size()
                + " tensors loaded, 2 missing [classifier.weight, classifier.bias], 0 unexpected, 0 shape mismatches"), r.out());
        JsonNode best = new ObjectMapper().readTree(ft.resolve("best/config.json").toFile());
        assertEquals(List.of("left", "right"), List.of(best.get("id2label").get("0").asText(), best.get("id2label").get("1").asText()));
        assertEquals(8, best.get("num_frames").asInt());
        assertEquals(32, best.get("image_size").asInt());
        assertEquals(64, best.get("hidden_size").asInt());
    }

    /** Joint and space-only attention and 2-frame tubelets pretrain too (the masked path works for each). */
    @Test
    @Order(4)
    void otherAttentionTypes() throws IOException {
        for (String a : List.of("joint_space_time", "space_only")) {
            Path out = dir.resolve("pre-" + a);
            CliRun r = CliRun.run(pretrain(out, "--attention", a, "--epochs", "1", "--max-clips", "4", "--preview-clips", "1"));
            assertEquals(0, r.code(), r.all());
            assertTrue(r.out().contains("(" + a + ")"), r.out());
            assertEquals(a, new ObjectMapper().readTree(out.resolve("encoder/config.json").toFile()).get("attention_type").asText());
            assertTrue(Files.isRegularFile(out.resolve("reconstructions/epoch_001.png")));
        }
        // 2-frame tubelets (the masked tokens are (2, p, p) cubes) with an input transform inside the encoder
        Path out = dir.resolve("pre-tubelet");
        CliRun r = CliRun.run(pretrain(out, "--tubelet-size", "2", "--input-transform", "temporal_residual", "--epochs", "1",
                "--max-clips", "4", "--preview-clips", "1"));
        assertEquals(0, r.code(), r.all());
        JsonNode cfg = new ObjectMapper().readTree(out.resolve("encoder/config.json").toFile());
        assertEquals(2, cfg.get("tubelet_size").asInt(), cfg.toString());
        assertEquals("temporal_residual", cfg.get("input_transform").asText(), cfg.toString());
        assertTrue(Files.isRegularFile(out.resolve("reconstructions/epoch_001.png")));
    }

    @Test
    @Order(5)
    void badInputIsOneClearLine() {
        Path missing = dir.resolve("nope");
        CliRun r = CliRun.run("pretrain", "--data", missing.toString(), "--out", dir.resolve("x").toString());
        assertEquals(2, r.code(), r.all());
        assertTrue(r.err().contains(missing + ": no such file or folder"), r.all());
        assertFalse(r.err().contains("Exception"), r.all());
        r = CliRun.run(pretrain(dir.resolve("y"), "--mask-ratio", "1.0"));
        assertEquals(2, r.code(), r.all());
        assertTrue(r.err().contains("--mask-ratio must be in [0, 1)"), r.all());
        r = CliRun.run(pretrain(run));
        assertEquals(2, r.code(), r.all());
        assertTrue(r.err().contains("already holds a pretraining run"), r.all());
        r = CliRun.run("pretrain", "--resume", run.toString(), "--lr", "1");
        assertEquals(2, r.code(), r.all());
        assertTrue(r.err().contains("only --epochs may be given"), r.all());
    }
}
