package io.timesformer4j.video;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Jumping to keyframes for sparse indices, and dropping the unwanted non-reference frames after a jump, returns
 * exactly the frames a full sequential decode returns.
 */
class KeyframeSeekTest {
    @TempDir Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"mp4", "avi", "mkv", "webm", "bframes.mp4"})
    void seeksGiveTheSameFramesAsDecodingThrough(String ext) throws Exception {
        Path p = ext.startsWith("bframes") ? writeWithBFrames(dir.resolve(ext), 240)
                : TestVideos.write(dir.resolve("long." + ext), 240, 48, 32, 30, VideoWriter.Codec.forFile(dir.resolve("x." + ext)), 24);
        FrameSampler sparse = n -> new int[] {200, 5, 100, 101, 239, 100, 49};
        DecodedClip through, seeking;
        try (VideoSource v = VideoSource.open(p, VideoSource.Options.defaults().withKeyframeSeeks(false))) {
            through = v.read(sparse, 0);
            assertEquals(0, ((FileVideoSource) v).seeks());
        }
        try (VideoSource v = VideoSource.open(p)) {
            seeking = v.read(sparse, 0);
            assertTrue(((FileVideoSource) v).seeks() > 0, "no keyframe seek happened");
            // MPEG-4 part 2 B-frames are never references: after the seeks the unwanted ones are dropped undecoded
            if (ext.startsWith("bframes")) assertTrue(((FileVideoSource) v).droppedFrames() > 0, "no B-frame was dropped");
        }
        assertArrayEquals(through.indices(), seeking.indices());
        assertEquals(through.frameCount(), seeking.frameCount());
        assertArrayEquals(through.rgb(), seeking.rgb(), "frames differ after seeking");
        for (int t = 0; t < through.frames(); t++) {
            assertEquals(through.indices()[t] % 14, TestVideos.frameIndexOf(through, t), "frame " + through.indices()[t]);
        }
    }

    /** MPEG-4 part 2 with 2 B-frames: decode order differs from display order, index timestamps are DTS. */
    private static Path writeWithBFrames(Path p, int frames) throws Exception {
        int w = 48, h = 32;
        try (FFmpegFrameRecorder r = new FFmpegFrameRecorder(p.toFile(), w, h, 0); Frame f = new Frame(w, h, Frame.DEPTH_UBYTE, 3)) {
            r.setVideoCodec(avcodec.AV_CODEC_ID_MPEG4);
            r.setPixelFormat(avutil.AV_PIX_FMT_YUV420P);
            r.setFrameRate(30);
            r.setGopSize(24);
            r.setVideoOption("bf", "2");
            // no scene-cut keyframes: the test pattern changes so much per frame that the encoder would make
            // every third frame an I-frame; a regular I B B P ... GOP of 24 is what the seeks and drops meet in practice
            r.setVideoOption("sc_threshold", "1000000000");
            r.setVideoQuality(2);
            r.start();
            for (int t = 0; t < frames; t++) {
                byte[] rgb = TestVideos.frame(t, w, h);
                ByteBuffer b = (ByteBuffer) f.image[0];
                for (int y = 0; y < h; y++) b.put(y * f.imageStride, rgb, y * w * 3, w * 3);
                r.record(f, avutil.AV_PIX_FMT_RGB24);
            }
        }
        return p;
    }
}
