package io.timesformer4j.video;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Folders of extracted frames behave like videos. */
class FrameFolderTest {
    @TempDir Path dir;

    static void writeImage(Path p, int t, int w, int h, String format) throws Exception {
        byte[] rgb = TestVideos.frame(t, w, h);
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int o = (y * w + x) * 3;
                img.setRGB(x, y, (rgb[o] & 0xff) << 16 | (rgb[o + 1] & 0xff) << 8 | (rgb[o + 2] & 0xff));
            }
        }
        assertTrue(ImageIO.write(img, format, p.toFile()));
    }

    /** Numbers sort numerically (frame9 before frame10), whatever the prefix and padding. */
    @ParameterizedTest
    @CsvSource({"frame%04d.png, png", "img_%05d.jpg, jpg", "%d.png, png"})
    void readsNumberedFrames(String pattern, String format) throws Exception {
        Path d = Files.createDirectories(dir.resolve("f"));
        for (int t = 0; t < 12; t++) writeImage(d.resolve(String.format(pattern, t + 1)), t, 64, 48, format);
        Files.writeString(d.resolve("notes.txt"), "ignored");
        try (VideoSource v = VideoSource.open(d, 15)) {
            VideoInfo info = v.info();
            assertEquals(64, info.width());
            assertEquals(48, info.height());
            assertEquals(15.0, info.fps());
            assertEquals(12, info.frameCountHint());
            DecodedClip c = v.read(n -> new int[] {11, 9, 10, 0, 0}, 24);
            assertEquals(24, c.height());
            assertEquals(32, c.width());
            assertEquals(12, c.frameCount());
            assertArrayEquals(new int[] {11, 9, 10, 0, 0}, c.indices());
            for (int t = 0; t < 5; t++) assertEquals(c.indices()[t], TestVideos.frameIndexOf(c, t), "frame " + t);
        }
    }

    @Test
    void brokenImageIsNamed() throws Exception {
        Path d = Files.createDirectories(dir.resolve("f"));
        for (int t = 0; t < 3; t++) writeImage(d.resolve(String.format("frame%04d.png", t + 1)), t, 32, 32, "png");
        Path bad = Files.writeString(d.resolve("frame0004.png"), "not a png");
        try (VideoSource v = VideoSource.open(d)) {
            assertEquals(30.0, v.info().fps());
            VideoException e = assertThrows(VideoException.class, () -> v.read(FrameSampler.all(), 0));
            assertEquals(bad, e.path());
        }
    }

    @Test
    void aFolderOfVideosIsNotMistakenForAnEmptyFrameFolder() throws Exception {
        Path videos = Files.createDirectories(dir.resolve("clips"));
        Files.writeString(videos.resolve("a.mp4"), "not decoded");
        Files.writeString(videos.resolve("b.MKV"), "not decoded");
        VideoException e = assertThrows(VideoException.class, () -> VideoSource.open(videos));
        assertTrue(e.getMessage().contains("2 video files") && e.getMessage().contains("pass the video files"), e.getMessage());
    }

    /**
     * A missing frame (frame0004 absent) is a warning naming the gap, on the clip and from the folder check; the
     * frames present are read in number order. An evenly spaced folder (every 5th frame) gets no warning.
     */
    @Test
    void aMissingFrameIsAWarning() throws Exception {
        Path d = Files.createDirectories(dir.resolve("gap"));
        for (int t : new int[] {1, 2, 3, 5, 6, 7}) writeImage(d.resolve(String.format("frame%04d.png", t)), t, 32, 32, "png");
        String expected = "frame number 4 is missing (frame0003.png is followed by frame0005.png)";
        try (VideoSource v = VideoSource.open(d)) {
            DecodedClip c = v.read(FrameSampler.all(), 0);
            assertEquals(6, c.frames());
            assertTrue(c.warning() != null && c.warning().startsWith(expected), c.warning());
            assertEquals(5, TestVideos.frameIndexOf(c, 3), "the 4th image read is frame0005.png");
        }
        assertTrue(VideoSource.checkFrameFolder(d).startsWith(expected));
        Path every5 = Files.createDirectories(dir.resolve("every5"));
        for (int t = 0; t < 4; t++) writeImage(every5.resolve(String.format("img_%05d.jpg", 1 + 5 * t)), t, 32, 32, "jpg");
        try (VideoSource v = VideoSource.open(every5)) {
            DecodedClip c = v.read(FrameSampler.all(), 0);
            assertEquals(4, c.frames());
            assertEquals(null, c.warning());
        }
        assertEquals(null, VideoSource.checkFrameFolder(every5));
    }

    /** A PNG cut in half (valid header, damaged data) is an error naming it, not a silently grey frame. */
    @Test
    void aTruncatedPngIsNamed() throws Exception {
        Path d = Files.createDirectories(dir.resolve("cut"));
        for (int t = 0; t < 4; t++) writeImage(d.resolve(String.format("frame%04d.png", t + 1)), t, 64, 48, "png");
        Path bad = d.resolve("frame0003.png");
        byte[] b = Files.readAllBytes(bad);
        Files.write(bad, java.util.Arrays.copyOf(b, b.length / 2));
        try (VideoSource v = VideoSource.open(d)) {
            VideoException e = assertThrows(VideoException.class, () -> v.read(FrameSampler.all(), 0));
            assertEquals(bad, e.path());
        }
    }
}
