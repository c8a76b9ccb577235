package io.timesformer4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.timesformer4j.video.VideoWriter;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole pipeline on real encoded videos: scan → decode (FFmpeg) → sample → crop → normalise → batch tensors. */
class ClipLoaderVideoTest {
    @TempDir static Path dir;
    static Path root;
    static VideoDataset dataset;
    static final ClipSpec SPEC = ClipSpec.forModel(6, 48, null, null);   // frames 64x48 decode to 64x48; crop 48x48

    @BeforeAll
    static void writeDataset() throws Exception {
        root = dir.resolve("motion");
        SyntheticMotion.Spec spec = new SyntheticMotion.Spec(List.of("down", "up"), 3, 12, 64, 48, 12, "mp4", 11);
        SyntheticMotion.generate(root, spec);
        SyntheticMotion.writeClip(root.resolve("up/mjpeg_0001.avi"), "up", spec, new Random(3));
        SyntheticMotion.writeClip(root.resolve("down/vp9_0001.webm"), "down", spec, new Random(4));
        // a frame folder whose bright square moves up
        Path frames = Files.createDirectories(root.resolve("up/frames_0001"));
        for (int t = 0; t < 10; t++) {
            BufferedImage img = new BufferedImage(64, 48, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < 48; y++) for (int x = 0; x < 64; x++) {
                boolean on = Math.abs(x - 32) < 6 && Math.abs(y - (38 - 3 * t)) < 6;
                img.setRGB(x, y, on ? 0xF0F0F0 : 0x202020);
            }
            ImageIO.write(img, "png", frames.resolve(String.format("frame%04d.png", t + 1)).toFile());
        }
        // a one-frame video: too few frames, used with the frame repeated
        try (VideoWriter vw = new VideoWriter(root.resolve("down/short_0001.mp4"), 64, 48, 12)) {
            vw.write(new byte[64 * 48 * 3]);
        }
        // bad inputs
        Files.write(root.resolve("down/zero_0001.mp4"), new byte[0]);
        Files.writeString(root.resolve("up/text_0001.mp4"), "this is not a video\n");
        byte[] good = Files.readAllBytes(root.resolve("up/up_0000.mp4"));
        Files.write(root.resolve("up/truncated_0001.mp4"), java.util.Arrays.copyOf(good, good.length / 3));
        dataset = VideoDataset.scan(root);
    }

    @Test
    void scanFindsVideosFrameFoldersAndZeroByteFile() {
        assertEquals(List.of("down", "up"), dataset.labels().names());
        assertEquals(12, dataset.samples().size(), dataset.samples().toString());
        assertEquals(List.of(new BadInput(root.resolve("down/zero_0001.mp4"), "zero-byte file")), dataset.problems());
    }

    @Test
    void aBadImageInAFrameFolderIsNamedInTheReason(@TempDir Path tmp) throws Exception {
        Path good = root.resolve("up/frames_0001");
        Path zero = Files.createDirectories(tmp.resolve("zero_frames"));
        Path junk = Files.createDirectories(tmp.resolve("junk_frames"));
        for (int t = 1; t <= 4; t++) {
            Path f = good.resolve(String.format("frame%04d.png", t));
            Files.copy(f, zero.resolve(f.getFileName()));
            Files.copy(f, junk.resolve(f.getFileName()));
        }
        Files.write(zero.resolve("frame0005.png"), new byte[0]);
        Files.writeString(junk.resolve("frame0005.png"), "not an image\n");
        List<Sample> samples = List.of(new Sample(zero, 0), new Sample(junk, 1));
        List<BadInput> skipped;
        try (ClipLoader loader = new ClipLoader(samples, SPEC.withViews(1, 1), Mode.TEST, 2, 1, 5, 0)) {
            for (Batch b : loader) assertEquals(0, b.batch());
            skipped = loader.skipped();
        }
        assertEquals(2, skipped.size(), skipped.toString());
        for (BadInput b : skipped) {
            assertTrue(b.path().equals(zero) || b.path().equals(junk), b.toString());
            assertTrue(b.reason().startsWith("frame0005.png: "), "the bad image is named: " + b);
        }
    }

    @Test
    void trainingBatchesFromRealVideosSkipBrokenFiles() {
        List<Batch> batches = new ArrayList<>();
        List<BadInput> skipped;
        try (ClipLoader loader = new ClipLoader(dataset.samples(), SPEC, Mode.TRAIN, 4, 2, 5, 0)) {
            for (Batch b : loader) batches.add(b);
            skipped = loader.skipped();
        }
        Set<Path> skippedPaths = skipped.stream().map(BadInput::path).collect(Collectors.toSet());
        assertTrue(skippedPaths.contains(root.resolve("up/text_0001.mp4")), skipped.toString());
        for (BadInput b : skipped) assertTrue(!b.reason().isBlank() && b.path().getFileName().toString().matches("(text|truncated)_0001.mp4"), b.toString());
        int loaded = batches.stream().mapToInt(Batch::batch).sum();
        assertEquals(dataset.samples().size(), loaded + skipped.size());
        assertTrue(batches.stream().anyMatch(b -> b.samples().contains(new Sample(root.resolve("down/short_0001.mp4"), 0))),
                "a one-frame video is used (frame repeated)");
        Batch b = batches.get(0);
        try (PointerScope scope = new PointerScope()) {
            Tensor px = b.pixelValues();
            assertArrayEquals(new long[] {b.batch(), 6, 3, 48, 48}, px.sizes().vec().get());
            double min = px.min().item_double(), max = px.max().item_double();
            assertTrue(min >= -0.45 / 0.225 - 1e-4 && max <= 0.55 / 0.225 + 1e-4 && max > 1.0, min + " " + max);
            assertEquals(b.batch(), b.labelTensor().size(0));
        }
    }

    @Test
    void sameSeedSameBatchesWithOneOrThreeWorkersOnRealVideos() {
        List<Sample> s = dataset.samples().subList(0, 6);
        List<float[]> a = new ArrayList<>(), c = new ArrayList<>();
        try (ClipLoader l = new ClipLoader(s, SPEC, Mode.TRAIN, 3, 1, 9, 2)) {
            for (Batch b : l) a.add(b.pixels());
        }
        try (ClipLoader l = new ClipLoader(s, SPEC, Mode.TRAIN, 3, 3, 9, 2)) {
            for (Batch b : l) c.add(b.pixels());
        }
        assertEquals(a.size(), c.size());
        for (int i = 0; i < a.size(); i++) assertArrayEquals(a.get(i), c.get(i));
    }

    /** Time order and orientation survive the pipeline: the bright square's centroid rises in "up", falls in "down". */
    @Test
    void motionDirectionSurvivesDecodeCropAndLayout() {
        Map<String, Integer> checked = new HashMap<>();
        List<Sample> s = dataset.samples().stream().filter(x -> !x.path().getFileName().toString().matches("(text|truncated|short)_.*")).toList();
        try (ClipLoader l = new ClipLoader(s, SPEC, Mode.VAL, 4, 2, 0, 0)) {
            for (Batch b : l) {
                int per = 6 * 3 * 48 * 48;
                for (int i = 0; i < b.batch(); i++) {
                    double y0 = centroidY(b.pixels(), i * per, 0), y1 = centroidY(b.pixels(), i * per, 5);
                    String label = dataset.labels().name(b.labels()[i]);
                    assertTrue(label.equals("up") ? y1 < y0 - 3 : y1 > y0 + 3, b.samples().get(i) + ": y " + y0 + " → " + y1);
                    checked.merge(label, 1, Integer::sum);
                }
            }
        }
        assertEquals(Map.of("down", 4, "up", 5), checked);
    }

    @Test
    void testModeGivesTemporalTimesSpatialViews() {
        ClipSpec spec = SPEC.withViews(2, 3);
        try (ClipLoader l = new ClipLoader(dataset.samples().subList(0, 3), spec, Mode.TEST, 2, 2, 0, 0)) {
            Batch b = l.iterator().next();
            assertEquals(6, b.views());
            try (PointerScope scope = new PointerScope()) {
                assertArrayEquals(new long[] {b.batch() * 6L, 6, 3, 48, 48}, b.pixelValues().sizes().vec().get());
            }
        }
    }

    /** Mean row of bright pixels (green channel above 0.5 after normalisation) in frame t of a (T, C, H, W) clip. */
    private static double centroidY(float[] px, int base, int t) {
        double sum = 0;
        int n = 0;
        int plane = 48 * 48, g = base + (t * 3 + 1) * plane;
        for (int y = 0; y < 48; y++) for (int x = 0; x < 48; x++) {
            if (px[g + y * 48 + x] * 0.225 + 0.45 > 0.5) {
                sum += y;
                n++;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }
}
