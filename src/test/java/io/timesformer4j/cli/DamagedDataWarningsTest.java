package io.timesformer4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.timesformer4j.data.SyntheticMotion;
import io.timesformer4j.model.ModelDir;
import io.timesformer4j.model.Preprocessing;
import io.timesformer4j.model.Presets;
import io.timesformer4j.model.TimeSformer;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damaged inputs that are still used get a warning naming the file, in every command: a faststart mp4 cut at 60 %
 * (its index, at the front, lists 40 frames; 20-odd decode) and a frame folder missing frame0004.png. A frame
 * folder with a cut PNG is a problem naming the image and is left out. Before, all three went through without a
 * word ("0 problems").
 */
class DamagedDataWarningsTest {
    static final ObjectMapper JSON = new ObjectMapper();
    @TempDir static Path dir;
    static Path model, data, cut, intact, gap, corrupt, badImage;

    @BeforeAll
    static void setUp() throws Exception {
        torch.manual_seed(5);
        model = dir.resolve("model");
        ModelDir.save(new TimeSformer(Presets.get("tiny", List.of("left", "right"))), Preprocessing.defaults(32), model);
        data = dir.resolve("data");
        SyntheticMotion.generate(data, new SyntheticMotion.Spec(List.of("left", "right"), 2, 16, 32, 32, 10, "mp4", 5));
        Path full = writeFaststartMp4(dir.resolve("full.mp4"), 40);
        byte[] all = Files.readAllBytes(full);
        cut = Files.write(data.resolve("left/cut_0001.mp4"), Arrays.copyOf(all, all.length * 6 / 10));
        intact = Files.copy(full, data.resolve("right/intact_0001.mp4"));
        gap = Files.createDirectories(data.resolve("left/gap_0001"));
        for (int t : new int[] {1, 2, 3, 5, 6, 7, 8, 9}) png(gap.resolve(String.format("frame%04d.png", t)), t);
        corrupt = Files.createDirectories(data.resolve("right/corrupt_0001"));
        for (int t = 1; t <= 8; t++) png(corrupt.resolve(String.format("frame%04d.png", t)), t);
        badImage = corrupt.resolve("frame0005.png");
        byte[] b = Files.readAllBytes(badImage);
        Files.write(badImage, Arrays.copyOf(b, b.length / 2));
    }

    @Test
    void predictWarnsOnStderrAndStillPredicts() {
        CliRun r = CliRun.run("predict", "--model", model.toString(), "--threads", "1", cut.toString(), intact.toString(), gap.toString());
        assertEquals(0, r.code(), r.all());
        List<String> err = r.err().lines().toList();
        assertEquals(2, err.size(), r.all());
        assertTrue(err.get(0).startsWith("warning: " + cut + ": truncated file: the container lists 40 frames up to byte "), r.all());
        assertTrue(err.get(0).contains("but the file has " + size(cut) + " bytes"), r.all());
        assertTrue(err.get(1).startsWith("warning: " + gap + ": frame number 4 is missing (frame0003.png is followed by frame0005.png)"), r.all());
        for (Path p : List.of(cut, intact, gap)) assertTrue(r.out().contains(p.toString()), "predicted: " + p + "\n" + r.all());
    }

    @Test
    void predictTimelineWarnsOnce() {
        CliRun r = CliRun.run("predict", "--model", model.toString(), "--threads", "1", "--window", "0.4s", cut.toString());
        assertEquals(0, r.code(), r.all());
        List<String> err = r.err().lines().toList();
        assertEquals(1, err.size(), r.all());
        assertTrue(err.get(0).startsWith("warning: " + cut + ": truncated file: the container lists 40 frames"), r.all());
        assertTrue(r.out().lines().count() > 2, r.all());
    }

    @Test
    void evaluateWarnsAndReportsThem() throws IOException {
        Path ev = dir.resolve("eval");
        CliRun r = CliRun.run("evaluate", "--model", model.toString(), "--data", data.toString(), "--out", ev.toString(),
                "--threads", "1", "--no-progress");
        assertEquals(0, r.code(), r.all());
        assertTrue(r.err().lines().anyMatch(l -> l.startsWith("warning: " + cut + ": truncated file")), r.all());
        assertTrue(r.err().lines().anyMatch(l -> l.startsWith("warning: " + gap + ": frame number 4 is missing")), r.all());
        assertFalse(r.err().contains(intact.toString()), r.all());
        assertTrue(r.out().contains("1 videos skipped:") && r.out().contains(badImage + ": truncated PNG image"), r.all());
        JsonNode report = JSON.readTree(ev.resolve("report.json").toFile());
        assertEquals(2, report.get("warnings").size(), report.toString());
        assertEquals(1, report.get("skipped").size(), report.toString());
        assertEquals(7, report.get("samples").asInt(), "2 + 2 generated clips, the cut mp4, the intact one, the gap folder, "
                + "not the corrupt folder: " + report);
    }

    @Test
    void trainingListsWarningsInSkippedTxtAndTrainsOnThem() throws IOException {
        Path run = dir.resolve("run");
        List<String> a = new ArrayList<>(Arrays.asList(CliEndToEndTest.train(data, run, "--epochs", "1", "--val-split", "0")));
        CliRun r = CliRun.run(a.toArray(String[]::new));
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().contains("1 problems, 1 warnings (see "), r.all());
        List<String> skipped = Files.readAllLines(run.resolve("skipped.txt"));
        assertEquals(3, skipped.size(), skipped.toString());
        assertTrue(skipped.stream().anyMatch(l -> l.startsWith(badImage + ": truncated PNG image") && l.endsWith("corrupt_0001 left out")), skipped.toString());
        assertTrue(skipped.stream().anyMatch(l -> l.startsWith(gap + ": warning: frame number 4 is missing")), skipped.toString());
        assertTrue(skipped.stream().anyMatch(l -> l.startsWith(cut + ": warning: truncated file: the container lists 40 frames")), skipped.toString());
        assertTrue(r.out().contains("1 videos skipped") && r.out().contains("2 videos used with a warning"), r.all());
        JsonNode m = JSON.readTree(Files.readAllLines(run.resolve("metrics.jsonl")).get(0));
        assertEquals(0, m.get("skipped").asInt(), "the warned inputs were trained on: " + m);
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void png(Path p, int t) throws IOException {
        BufferedImage img = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
        java.util.Random rnd = new java.util.Random(t);
        for (int y = 0; y < 32; y++) for (int x = 0; x < 32; x++) img.setRGB(x, y, rnd.nextInt(1 << 24));
        ImageIO.write(img, "png", p.toFile());
    }

    /** H.264 with the index (moov) at the front, as phones and web uploads write: a cut file keeps its index. */
    static Path writeFaststartMp4(Path p, int frames) throws Exception {
        int w = 64, h = 48;
        try (FFmpegFrameRecorder r = new FFmpegFrameRecorder(p.toFile(), w, h, 0); Frame f = new Frame(w, h, Frame.DEPTH_UBYTE, 3)) {
            r.setVideoCodecName("libopenh264");
            r.setPixelFormat(org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P);
            r.setFrameRate(25);
            r.setVideoBitrate(400_000);
            r.setOption("movflags", "faststart");
            r.start();
            java.util.Random rnd = new java.util.Random(1);
            for (int t = 0; t < frames; t++) {
                java.nio.ByteBuffer b = (java.nio.ByteBuffer) f.image[0];
                for (int y = 0; y < h; y++) for (int x = 0; x < w * 3; x++) b.put(y * f.imageStride + x, (byte) rnd.nextInt(256));
                r.record(f, org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_RGB24);
            }
        }
        return p;
    }
}
