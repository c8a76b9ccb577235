package io.timesformer4j.video;

import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_GRAY8;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P10LE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Rotation metadata, grayscale and 10-bit sources, resizing. */
class VideoFormatsTest {
    @TempDir Path dir;

    private static Path write(Path p, int frames, int w, int h, VideoWriter.Options o) throws Exception {
        try (VideoWriter vw = new VideoWriter(p, w, h, 10, o)) {
            for (int t = 0; t < frames; t++) vw.write(TestVideos.frame(t, w, h));
        }
        return p;
    }

    /**
     * A stream stored sideways with a display matrix comes out upright: the red marker, written in the
     * stored top-left corner, lands where a player would show it.
     */
    @ParameterizedTest
    @CsvSource({"0, left, top", "90, right, top", "180, right, bottom", "270, left, bottom"})
    void honoursRotationMetadata(int degrees, String side, String edge) throws Exception {
        int w = 64, h = 48;
        Path p = write(dir.resolve("rot" + degrees + ".mp4"), 3, w, h,
                VideoWriter.Options.of(VideoWriter.Codec.H264).withRotation(degrees));
        try (VideoSource v = VideoSource.open(p)) {
            assertEquals(degrees, v.info().rotationDegrees(), "rotation read back from the display matrix");
            boolean swap = degrees % 180 != 0;
            assertEquals(swap ? h : w, v.info().width());
            assertEquals(swap ? w : h, v.info().height());
            DecodedClip c = v.read(FrameSampler.of(1), 0);
            assertEquals(swap ? h : w, c.width());
            assertEquals(swap ? w : h, c.height());
            int x = side.equals("left") ? 2 : c.width() - 3, y = edge.equals("top") ? 2 : c.height() - 3;
            assertTrue(TestVideos.px(c, 0, x, y, 0) > 200 && TestVideos.px(c, 0, x, y, 1) < 60,
                    "marker at (" + x + "," + y + ") after " + degrees + "°");
            int ox = c.width() - 1 - x, oy = c.height() - 1 - y;
            assertTrue(TestVideos.px(c, 0, ox, oy, 0) < 100, "no marker in the opposite corner");
            assertEquals(1, TestVideos.frameIndexOf(c, 0));
        }
    }

    /** Grayscale and 10-bit sources decode to the right RGB grey. */
    @ParameterizedTest
    @CsvSource({"gray.mkv, FFV1, gray", "p10.mkv, FFV1, yuv420p10le"})
    void decodesGrayAnd10Bit(String name, VideoWriter.Codec codec, String pixFmt) throws Exception {
        int fmt = pixFmt.equals("gray") ? AV_PIX_FMT_GRAY8 : AV_PIX_FMT_YUV420P10LE;
        Path p = write(dir.resolve(name), 4, 64, 48, VideoWriter.Options.of(codec).withPixelFormat(fmt));
        try (VideoSource v = VideoSource.open(p)) {
            DecodedClip c = v.read(FrameSampler.all(), 0);
            assertEquals(4, c.frameCount());
            for (int t = 0; t < 4; t++) {
                for (int ch = 0; ch < 3; ch++) {
                    assertEquals(TestVideos.level(t), TestVideos.meanCentre(c, t, ch), 3.0, "frame " + t + " channel " + ch);
                }
            }
        }
    }

    /** The short side becomes exactly the requested size; the aspect ratio is kept. */
    @Test
    void resizesShortSide() throws Exception {
        Path p = TestVideos.write(dir.resolve("wide.avi"), 4, 96, 48, 10);
        try (VideoSource v = VideoSource.open(p)) {
            DecodedClip c = v.read(FrameSampler.uniform(2), 32);
            assertEquals(32, c.height());
            assertEquals(64, c.width());
            assertEquals(2 * 32 * 64 * 3, c.rgb().length);
            assertEquals(TestVideos.level(1), TestVideos.meanCentre(c, 0, 1), 4.0);
            assertEquals(TestVideos.level(3), TestVideos.meanCentre(c, 1, 1), 4.0);
        }
    }
}
