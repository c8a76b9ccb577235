package io.timesformer4j.video;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code extract} on a real 10 fps clip: the fps filter's frame choice, ffmpeg's file names. */
class FrameExtractorTest {
    @TempDir Path dir;

    @ParameterizedTest
    @CsvSource({
            "5, png, '0,2,4,6,8'",
            "30, png, '0,0,0,1,1,1,2,2,2,3,3,3,4,4,4,5,5,5,6,6,6,7,7,7,8,8,8,9,9,9'",
            "10, jpg, '0,1,2,3,4,5,6,7,8,9'"})
    void extractsLikeTheFpsFilter(String fps, String format, String expected) throws Exception {
        Path video = TestVideos.write(dir.resolve("clip.mp4"), 10, 64, 48, 10);
        Path out = dir.resolve("frames");
        var r = FrameExtractor.extract(video, out, new FrameExtractor.Options(fps, format, 0, "frame%04d"));
        String[] want = expected.split(",");
        assertEquals(10, r.framesDecoded());
        assertEquals(want.length, r.framesWritten());
        try (Stream<Path> files = Files.list(out)) {
            assertEquals(want.length, files.count());
        }
        assertTrue(Files.exists(out.resolve("frame0001." + format)));
        assertTrue(Files.exists(out.resolve(String.format("frame%04d.%s", want.length, format))));
        try (VideoSource v = VideoSource.open(out)) {
            DecodedClip c = v.read(FrameSampler.all(), 0);
            assertEquals(64, c.width());
            for (int t = 0; t < want.length; t++) {
                assertEquals(Integer.parseInt(want[t].trim()), TestVideos.frameIndexOf(c, t), "image " + (t + 1));
            }
        }
    }

    /** An odd frame size is kept exactly (FFmpeg's recorder used to round 321x241 up to 322x242). */
    @org.junit.jupiter.api.Test
    void oddFrameSizeIsKept() throws Exception {
        int w = 321, h = 241;
        java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(w, h, java.awt.image.BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) img.setRGB(x, y, (x % 256) << 16 | (y % 256) << 8 | 77);
        Path src = dir.resolve("odd.png");
        javax.imageio.ImageIO.write(img, "png", src.toFile());          // a one-frame image2 "video" of 321x241
        for (String format : new String[] {"png", "jpg"}) {
            Path out = dir.resolve("odd-" + format);
            var r = FrameExtractor.extract(src, out, new FrameExtractor.Options("25", format, 0, "frame%04d"));
            assertEquals(w, r.width());
            assertEquals(h, r.height());
            java.awt.image.BufferedImage back = javax.imageio.ImageIO.read(out.resolve("frame0001." + format).toFile());
            assertEquals(w, back.getWidth());
            assertEquals(h, back.getHeight());
            if (format.equals("png")) assertEquals(img.getRGB(300, 200), back.getRGB(300, 200));
        }
    }
}
