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

    private static void truncate(Path p, double keep) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.setLength((long) (f.length() * keep));
        }
    }
}
