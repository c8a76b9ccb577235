package io.timesformer4j.video;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Broken inputs are reported with the file and the reason, damaged-but-decodable ones give their real frames. */
class BadInputTest {
    @TempDir Path dir;

    private VideoException failure(Path p) {
        VideoException e = assertThrows(VideoException.class, () -> {
            try (VideoSource v = VideoSource.open(p)) {
                v.read(FrameSampler.uniform(4), 0);
            }
        });
        assertTrue(e.getMessage().startsWith(p.toString()), "message names the file: " + e.getMessage());
        assertEquals(p, e.path());
        return e;
    }

    @Test
    void missingFile() {
        assertTrue(failure(dir.resolve("nope.mp4")).reason().contains("no such file"));
    }

    @Test
    void zeroByteFile() throws Exception {
        Path p = Files.createFile(dir.resolve("empty.mp4"));
        assertTrue(failure(p).reason().contains("empty file"));
    }

    @Test
    void textRenamedToMp4() throws Exception {
        Path p = Files.writeString(dir.resolve("notes.mp4"), "this is not a video\n".repeat(50));
        assertTrue(failure(p).reason().contains("not a readable video"), failure(p).reason());
    }

    @Test
    void folderWithoutFrames() throws Exception {
        Path d = Files.createDirectories(dir.resolve("frames"));
        Files.writeString(d.resolve("readme.txt"), "no frames here");
        assertTrue(failure(d).reason().contains("no frame images"));
    }

    /** The moov atom sits at the end of a non-faststart mp4: cutting the file loses it, and the index with it. */
    @Test
    void truncatedMp4LosesItsIndex() throws Exception {
        Path p = TestVideos.write(dir.resolve("cut.mp4"), 30, 64, 48, 10);
        truncate(p, 0.5);
        assertTrue(failure(p).reason().contains("not a readable video"));
    }

    /**
     * A truncated mkv still claims its full duration in the header, so duration*fps promises more frames than
     * the file holds: the real count comes back and the sampler is asked again with it.
     */
    @ParameterizedTest
    @ValueSource(strings = {"mkv", "webm"})
    void truncatedFileGivesRealFrameCount(String ext) throws Exception {
        Path p = TestVideos.write(dir.resolve("cut." + ext), 40, 64, 48, 10);
        truncate(p, 0.5);
        try (VideoSource v = VideoSource.open(p)) {
            int claimed = v.info().frameCountHint();
            DecodedClip c = v.read(FrameSampler.uniform(4), 0);
            assertTrue(c.frameCount() < claimed && c.frameCount() > 5,
                    "claimed " + claimed + ", decoded " + c.frameCount());
            assertEquals(4, c.frames());
            assertTrue(Arrays.stream(c.indices()).allMatch(i -> i < c.frameCount()));
            int[] expected = FrameSampler.uniform(4).indices(c.frameCount());
            assertEquals(Arrays.toString(expected), Arrays.toString(c.indices()));
            for (int t = 0; t < 4; t++) assertEquals(c.indices()[t] % 14, TestVideos.frameIndexOf(c, t) % 14);
            assertEquals("the container lists " + claimed + " frames but only " + c.frameCount()
                    + " decode (truncated or damaged file)", c.warning());
        }
    }

    /** An intact file read to its end, or only partly, has no warning. */
    @ParameterizedTest
    @ValueSource(strings = {"mp4", "mkv", "webm", "avi"})
    void intactFilesHaveNoWarning(String ext) throws Exception {
        Path p = TestVideos.write(dir.resolve("ok." + ext), 40, 64, 48, 10);
        try (VideoSource v = VideoSource.open(p)) {
            assertEquals(null, v.read(FrameSampler.all(), 0).warning());
            assertEquals(null, v.read(n -> new int[] {1, 3}, 0).warning());
        }
    }

    /**
     * A faststart mp4 (index first) cut in half keeps its index, which still lists every frame: the
     * container claims 60 frames, the stream has about half; the real count comes back.
     */
    @Test
    void truncatedFaststartMp4() throws Exception {
        Path p = dir.resolve("fast.mp4");
        int w = 64, h = 48;
        try (org.bytedeco.javacv.FFmpegFrameRecorder r = new org.bytedeco.javacv.FFmpegFrameRecorder(p.toFile(), w, h, 0);
             org.bytedeco.javacv.Frame f = new org.bytedeco.javacv.Frame(w, h, org.bytedeco.javacv.Frame.DEPTH_UBYTE, 3)) {
            r.setVideoCodec(org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_MPEG4);
            r.setPixelFormat(org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P);
            r.setFrameRate(10);
            r.setVideoQuality(2);
            r.setOption("movflags", "+faststart");
            r.start();
            for (int t = 0; t < 60; t++) {
                byte[] rgb = TestVideos.frame(t, w, h);
                java.nio.ByteBuffer b = (java.nio.ByteBuffer) f.image[0];
                for (int y = 0; y < h; y++) b.put(y * f.imageStride, rgb, y * w * 3, w * 3);
                r.record(f, org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_RGB24);
            }
        }
        byte[] head = java.util.Arrays.copyOf(Files.readAllBytes(p), 64);
        String s = new String(head, java.nio.charset.StandardCharsets.ISO_8859_1);
        assertTrue(s.contains("moov"), "faststart: the moov index is at the front");
        truncate(p, 0.5);
        try (VideoSource v = VideoSource.open(p)) {
            assertEquals(60, v.info().frameCountHint(), "the index still claims every frame");
            DecodedClip c = v.read(FrameSampler.uniform(6), 0);
            assertTrue(c.frameCount() > 5 && c.frameCount() < 60, "decoded " + c.frameCount());
            assertEquals(Arrays.toString(FrameSampler.uniform(6).indices(c.frameCount())), Arrays.toString(c.indices()));
            for (int t = 0; t < 6; t++) assertEquals(c.indices()[t] % 14, TestVideos.frameIndexOf(c, t) % 14);
            String warn = c.warning();
            assertTrue(warn != null && warn.startsWith("truncated file: the container lists 60 frames up to byte ")
                    && warn.contains("but the file has " + Files.size(p) + " bytes; " + c.frameCount() + " frames decode"), warn);
        }
        try (VideoSource v = VideoSource.open(p)) {                 // known from the index, before decoding to the cut
            String warn = v.read(n -> new int[] {0, 1}, 0).warning();
            assertTrue(warn != null && warn.startsWith("truncated file: the container lists 60 frames") && !warn.contains("decode"), warn);
        }
    }

    /** Random bytes written over the middle of an H.264 stream: no crash, the frames that decode come back. */
    @Test
    void overwrittenBytesDecodeWhatTheyCan() throws Exception {
        Path p = TestVideos.write(dir.resolve("noise.mp4"), 30, 64, 48, 10);
        long size = Files.size(p);
        byte[] noise = new byte[(int) (size / 10)];
        new Random(1).nextBytes(noise);
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.seek(size / 3);
            f.write(noise);
        }
        try (VideoSource v = VideoSource.open(p)) {
            DecodedClip c = v.read(FrameSampler.all(), 0);
            assertTrue(c.frameCount() > 0 && c.frameCount() <= 30, "decoded " + c.frameCount());
            assertEquals(c.frameCount(), c.frames());
        } catch (VideoException e) {
            assertTrue(e.getMessage().startsWith(p.toString()));   // a clear report is acceptable too
        }
    }

    /** Container intact, every frame's data zeroed: opens, but nothing decodes. */
    @Test
    void noDecodableFrames() throws Exception {
        Path p = TestVideos.write(dir.resolve("zeros.mp4"), 10, 64, 48, 10);
        byte[] b = Files.readAllBytes(p);
        int moov = new String(b, java.nio.charset.StandardCharsets.ISO_8859_1).indexOf("moov");
        int mdat = new String(b, java.nio.charset.StandardCharsets.ISO_8859_1).indexOf("mdat");
        assertTrue(mdat > 0 && moov > mdat, "non-faststart layout expected");
        Arrays.fill(b, mdat + 4, moov - 4, (byte) 0);
        Files.write(p, b);
        assertTrue(failure(p).reason().contains("no decodable video frames"), failure(p).reason());
    }

    /** An audio-only file is a readable container without a video stream. */
    @Test
    void audioOnly() throws Exception {
        Path p = dir.resolve("tone.wav");
        try (org.bytedeco.javacv.FFmpegFrameRecorder r = new org.bytedeco.javacv.FFmpegFrameRecorder(p.toFile(), 1)) {
            r.setSampleRate(8000);
            r.start();
            short[] pcm = new short[8000];
            for (int i = 0; i < pcm.length; i++) pcm[i] = (short) (8000 * Math.sin(i * 0.1));
            r.recordSamples(java.nio.ShortBuffer.wrap(pcm));
        }
        assertTrue(failure(p).reason().contains("no video stream"), failure(p).reason());
    }

    private static void truncate(Path p, double keep) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.setLength((long) (f.length() * keep));
        }
    }
}
