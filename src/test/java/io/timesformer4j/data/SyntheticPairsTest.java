package io.timesformer4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.timesformer4j.video.DecodedClip;
import io.timesformer4j.video.FrameSampler;
import io.timesformer4j.video.VideoSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The time-reversal-pairs dataset: twins, scene split, variety, determinism, refusals. */
class SyntheticPairsTest {
    @TempDir
    Path dir;

    /** Tiny clips: 64x48 / 96x64, 0.8-1.2 s at 8-10 fps (7-12 frames). */
    static SyntheticPairs.Options tiny() {
        return SyntheticPairs.Options.defaults().withClipsPerClass(2).withValFraction(0.5)
                .withSizes(List.of(new SyntheticPairs.Size(64, 48), new SyntheticPairs.Size(96, 64)))
                .withFps(List.of(8.0, 10.0)).withSeconds(0.8, 1.2).withSeed(5);
    }

    static DecodedClip decodeAll(Path p) throws IOException {
        try (VideoSource v = VideoSource.open(p)) {
            return v.read(FrameSampler.all(), 0);
        }
    }

    static byte[] frame(DecodedClip c, int t) {
        return Arrays.copyOfRange(c.rgb(), c.offset(t), c.offset(t) + c.frameBytes());
    }

    static double meanAbsDiff(byte[] a, byte[] b) {
        long s = 0;
        for (int i = 0; i < a.length; i++) s += Math.abs((a[i] & 0xff) - (b[i] & 0xff));
        return (double) s / a.length;
    }

    @Test
    void twinsDecodeToTheExactReversalWithIntraCodecs() throws IOException {
        // FFV1 is lossless and MJPEG intra-only: frame i of a clip and frame n-1-i of its twin are the same
        // source frame through the same deterministic encoder, so they decode bit-identically.
        SyntheticPairs.Result r = SyntheticPairs.generate(dir, tiny().withFormats(
                List.of(SyntheticPairs.Format.FFV1_MKV, SyntheticPairs.Format.MJPEG_AVI)), null);
        assertEquals(16, r.clips().size());
        Set<String> codecs = new HashSet<>();
        for (SyntheticPairs.Clip c : r.clips()) {
            assertNotNull(c.twin(), c.file());
            assertEquals(SyntheticPairs.partner(c.label()), r.clips().stream().filter(o -> o.file().equals(c.twin())).findFirst()
                    .orElseThrow().label());
            DecodedClip a = decodeAll(dir.resolve(c.file())), b = decodeAll(dir.resolve(c.twin()));
            int n = a.frames();
            assertEquals(c.frames(), n, c.file());
            assertEquals(n, b.frames(), c.twin());
            for (int i = 0; i < n; i++) {
                assertArrayEquals(frame(a, i), frame(b, n - 1 - i), c.file() + " frame " + i + " vs " + c.twin() + " frame " + (n - 1 - i));
            }
            // the clip really changes over time, so the reversal is not trivially true
            assertTrue(meanAbsDiff(frame(a, 0), frame(a, n - 1)) > 0.5, c.file() + " does not change over time");
            codecs.add(c.codec());
        }
        assertEquals(Set.of("ffv1", "mjpeg"), codecs);
    }

    @Test
    void lossyTwinsMatchReversedNotForward() throws IOException {
        // H.264 and VP9 are inter-coded, so twins are equal only up to coding noise: each decoded frame is
        // much closer to its reversed counterpart than to the twin's frame at the same index.
        SyntheticPairs.Result r = SyntheticPairs.generate(dir, tiny().withClasses(List.of("left", "right", "grow", "shrink"))
                .withClipsPerClass(1).withValFraction(0).withNoise(0)
                .withFormats(List.of(SyntheticPairs.Format.H264_MP4, SyntheticPairs.Format.VP9_WEBM)), null);
        for (SyntheticPairs.Clip c : r.clips()) {
            DecodedClip a = decodeAll(dir.resolve(c.file())), b = decodeAll(dir.resolve(c.twin()));
            int n = a.frames();
            double reversed = meanAbsDiff(frame(a, 0), frame(b, n - 1)), forward = meanAbsDiff(frame(a, 0), frame(b, 0));
            assertTrue(reversed < 3 && forward > 2 * reversed, c.file() + ": reversed " + reversed + ", forward " + forward);
        }
    }

    @Test
    void motionGoesTheWayTheClassSays() {
        SyntheticPairs.Options o = tiny().withNoise(0);
        for (int pair = 0; pair < 4; pair++) {
            SyntheticPairs.Scene s = SyntheticPairs.Scene.create(o, pair, 3, "train");
            String fwd = SyntheticPairs.PAIRS.get(pair).get(0), rev = SyntheticPairs.PAIRS.get(pair).get(1);
            double[] m0 = objectMoments(s, s.frame(fwd, 0)), m1 = objectMoments(s, s.frame(fwd, s.frames - 1));
            double[] r0 = objectMoments(s, s.frame(rev, 0)), r1 = objectMoments(s, s.frame(rev, s.frames - 1));
            switch (fwd) {
                case "left" -> assertTrue(m1[1] < m0[1] - 3 && r1[1] > r0[1] + 3, "left/right x: " + m0[1] + " -> " + m1[1]);
                case "up" -> assertTrue(m1[2] < m0[2] - 3 && r1[2] > r0[2] + 3, "up/down y: " + m0[2] + " -> " + m1[2]);
                case "grow" -> assertTrue(m1[0] > 1.5 * m0[0] && r1[0] < r0[0] / 1.5, "grow/shrink area: " + m0[0] + " -> " + m1[0]);
                default -> {   // cw: the object stays put and turns clockwise (y down: the angle grows)
                    assertEquals(List.of(s.ax, s.ay), List.of(s.bx, s.by));
                    assertTrue(s.angleB - s.angleA >= Math.PI / 2 - 1e-9, "turn " + (s.angleB - s.angleA));
                    assertFalse(Arrays.equals(s.frame(fwd, 0), s.frame(fwd, s.frames - 1)));
                }
            }
            for (int t = 0; t < s.frames; t++) assertArrayEquals(s.frame(fwd, t), s.frame(rev, s.frames - 1 - t));
        }
    }

    /** {area, centre x, centre y} of the pixels where a clean frame differs from the scene's background. */
    private static double[] objectMoments(SyntheticPairs.Scene s, byte[] rgb) {
        double n = 0, sx = 0, sy = 0;
        for (int y = 0; y < s.height; y++) {
            for (int x = 0; x < s.width; x++) {
                int o = (y * s.width + x) * 3;
                if (rgb[o] != s.background[o] || rgb[o + 1] != s.background[o + 1] || rgb[o + 2] != s.background[o + 2]) {
                    n++;
                    sx += x;
                    sy += y;
                }
            }
        }
        assertTrue(n > 0, "no object pixel");
        return new double[] {n, sx / n, sy / n};
    }

    @Test
    void splitIsByScene() throws IOException {
        SyntheticPairs.Options o = tiny().withClipsPerClass(5).withValFraction(0.4).withFormats(List.of(SyntheticPairs.Format.MJPEG_AVI));
        SyntheticPairs.Result r = SyntheticPairs.generate(dir, o, null);
        List<SyntheticPairs.Clip> clips = SyntheticPairs.readManifest(r.manifest());
        assertEquals(r.clips(), clips);
        assertEquals(8 * 5, clips.size());
        Map<String, SyntheticPairs.Clip> byFile = clips.stream().collect(Collectors.toMap(SyntheticPairs.Clip::file, c -> c));
        for (SyntheticPairs.Clip c : clips) {
            SyntheticPairs.Clip twin = byFile.get(c.twin());
            assertEquals(c.scene(), twin.scene());
            assertEquals(c.split(), twin.split());
            assertEquals(List.of(c.codec(), c.container(), c.width(), c.height(), c.fps(), c.frames()),
                    List.of(twin.codec(), twin.container(), twin.width(), twin.height(), twin.fps(), twin.frames()));
            assertTrue(c.file().startsWith(c.split() + "/" + c.label() + "/"), c.file());
            assertTrue(Files.isRegularFile(dir.resolve(c.file())), c.file());
        }
        Set<String> train = clips.stream().filter(c -> c.split().equals("train")).map(SyntheticPairs.Clip::scene).collect(Collectors.toSet());
        Set<String> val = clips.stream().filter(c -> c.split().equals("val")).map(SyntheticPairs.Clip::scene).collect(Collectors.toSet());
        assertEquals(4 * 3, train.size());
        assertEquals(4 * 2, val.size());
        assertTrue(train.stream().noneMatch(val::contains), "a scene in both splits");
        assertEquals(Map.of("left", "right", "right", "left", "up", "down", "down", "up", "cw", "ccw", "ccw", "cw", "grow", "shrink",
                "shrink", "grow"), SyntheticPairs.pairsOf(clips));

        // the class folders are what train --data / --val-data read
        VideoDataset t = VideoDataset.scan(dir.resolve("train"), DatasetOptions.defaults());
        VideoDataset v = VideoDataset.scan(dir.resolve("val"), DatasetOptions.defaults());
        assertEquals(8 * 3, t.samples().size());
        assertEquals(8 * 2, v.samples().size());
        assertEquals(Set.copyOf(SyntheticPairs.ALL_CLASSES), Set.copyOf(t.labels().names()));
        assertTrue(t.problems().isEmpty() && v.problems().isEmpty());
    }

    @Test
    void codecsContainersSizesAndRatesVary() throws IOException {
        List<SyntheticPairs.Size> sizes = List.of(new SyntheticPairs.Size(64, 48), new SyntheticPairs.Size(96, 64), new SyntheticPairs.Size(80, 80));
        SyntheticPairs.Options o = tiny().withClasses(List.of("up", "down")).withClipsPerClass(5).withValFraction(0.2).withSizes(sizes)
                .withFps(List.of(8.0, 10.0, 12.0)).withSeconds(0.5, 0.8);
        SyntheticPairs.Result r = SyntheticPairs.generate(dir, o, null);
        Set<String> formats = new HashSet<>(), seenSizes = new HashSet<>();
        Set<Double> rates = new HashSet<>();
        for (SyntheticPairs.Clip c : r.clips()) {
            try (VideoSource v = VideoSource.open(dir.resolve(c.file()))) {
                // what the file really holds, not only what the manifest says
                assertEquals(c.width(), v.info().width(), c.file());
                assertEquals(c.height(), v.info().height(), c.file());
                assertEquals(c.fps(), v.info().fps(), 0.05, c.file());
                assertTrue(v.info().codec().toLowerCase().contains(c.codec().substring(0, 3)), c.file() + ": " + v.info().codec());
            }
            formats.add(c.codec() + "." + c.container());
            seenSizes.add(c.width() + "x" + c.height());
            rates.add(c.fps());
        }
        assertEquals(Set.of("h264.mp4", "mpeg4.mkv", "mpeg4.avi", "mjpeg.avi", "vp9.webm"), formats);
        assertEquals(Set.of("64x48", "96x64", "80x80"), seenSizes);
        assertTrue(rates.size() >= 2, "rates " + rates);
        assertEquals(Set.of("h264", "mpeg4", "mjpeg", "vp9"),
                SyntheticPairs.Format.parse(List.of("h264", "mpeg4", "mjpeg", "vp9")).stream().map(f -> f.codec).collect(Collectors.toSet()));
    }

    @Test
    void deterministicPerSeed() throws IOException {
        SyntheticPairs.Options o = tiny().withClasses(List.of("cw", "ccw")).withFormats(List.of(SyntheticPairs.Format.FFV1_MKV));
        SyntheticPairs.Result a = SyntheticPairs.generate(dir.resolve("a"), o, null);
        SyntheticPairs.Result b = SyntheticPairs.generate(dir.resolve("b"), o.withWorkers(2), null);
        SyntheticPairs.Result c = SyntheticPairs.generate(dir.resolve("c"), o.withSeed(6), null);
        assertEquals(a.clips(), b.clips());
        for (SyntheticPairs.Clip clip : a.clips()) {
            assertArrayEquals(decodeAll(dir.resolve("a").resolve(clip.file())).rgb(), decodeAll(dir.resolve("b").resolve(clip.file())).rgb());
        }
        SyntheticPairs.Clip first = a.clips().get(0);
        assertFalse(Arrays.equals(decodeAll(dir.resolve("a").resolve(first.file())).rgb(),
                decodeAll(dir.resolve("c").resolve(c.clips().get(0).file())).rgb()), "another seed gave the same clip");
        // a class subset and a clip count leave the scenes they share unchanged
        SyntheticPairs.Scene s1 = SyntheticPairs.Scene.create(o, 2, 1, "val");
        SyntheticPairs.Scene s2 = SyntheticPairs.Scene.create(o.withClasses(SyntheticPairs.ALL_CLASSES).withClipsPerClass(9), 2, 1, "train");
        assertArrayEquals(s1.source(3), s2.source(3));
    }

    @Test
    void refusesBadOptionsWithOneLine() throws IOException {
        SyntheticPairs.Options o = tiny();
        assertMessage("--classes: unknown class 'sideways'", () -> o.withClasses(List.of("left", "sideways")));
        assertMessage("--classes: a class is listed twice", () -> o.withClasses(List.of("left", "left")));
        assertMessage("--clips-per-class must be >= 1, got 0", () -> o.withClipsPerClass(0));
        assertMessage("--val-fraction must be in [0, 1), got 1.0", () -> o.withValFraction(1));
        assertMessage("size 63x48: both sides must be even", () -> SyntheticPairs.Size.parse("63x48"));
        assertMessage("size '64by48': expected WIDTHxHEIGHT", () -> SyntheticPairs.Size.parse("64by48"));
        assertMessage("size 16x16: each side must be 32..3840", () -> SyntheticPairs.Size.parse("16x16"));
        assertMessage("--sizes: no frame size left", () -> o.withMaxSize(new SyntheticPairs.Size(32, 32)));
        assertMessage("--codecs: unknown codec 'theora'", () -> SyntheticPairs.Format.parse(List.of("h264", "theora")));
        assertMessage("--fps: frame rate must be 1..240, got 0.0", () -> o.withFps(List.of(0.0)));
        assertMessage("--seconds: need 0 < min <= max <= 60, got 3.0-2.0", () -> o.withSeconds(3, 2));
        assertMessage("--noise must be in [0, 4], got -1.0", () -> o.withNoise(-1));
        Files.createDirectories(dir.resolve("train"));
        IOException e = assertThrows(IOException.class, () -> SyntheticPairs.generate(dir, o, null));
        assertEquals(dir.resolve("train") + ": exists; choose an empty --out folder (or --overwrite)", e.getMessage());
    }

    private static void assertMessage(String start, org.junit.jupiter.api.function.Executable ex) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, ex);
        assertTrue(e.getMessage().startsWith(start), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }
}
