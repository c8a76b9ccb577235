package io.timesformer4j.video;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class VideoSourceTest {
    @TempDir Path dir;

    /** Every container the project meets decodes to the frames written, in order, via the sampler's indices. */
    @ParameterizedTest
    @ValueSource(strings = {"mp4", "avi", "webm", "mkv", "mov"})
    void decodesEveryContainerWithRepeatedUnsortedIndices(String ext) throws Exception {
        Path p = TestVideos.write(dir.resolve("clip." + ext), 12, 64, 48, 10);
        try (VideoSource v = VideoSource.open(p)) {
            VideoInfo info = v.info();
            assertEquals(64, info.width());
            assertEquals(48, info.height());
            assertEquals(10.0, info.fps(), 0.01);
            assertEquals(12, info.frameCountHint());
            assertEquals(0, info.rotationDegrees());
            DecodedClip c = v.read(n -> new int[] {7, 2, 2, 11, 0}, 0);
            assertEquals(5, c.frames());
            assertEquals(48, c.height());
            assertEquals(64, c.width());
            assertEquals(12, c.frameCount());
            assertArrayEquals(new int[] {7, 2, 2, 11, 0}, c.indices());
            for (int t = 0; t < c.frames(); t++) {
                assertEquals(c.indices()[t], TestVideos.frameIndexOf(c, t), "output frame " + t);
            }
            assertTrue(TestVideos.px(c, 0, 2, 2, 0) > 200 && TestVideos.px(c, 0, 2, 2, 1) < 60, "red marker top-left");
        }
    }

    /** No frame count and no duration in the container: the frames are counted first, then sampled. */
    @Test
    void countsFramesWhenTheContainerCannotTell() throws Exception {
        Path p = TestVideos.writeElementaryStream(dir.resolve("raw.m4v"), 12, 48, 32);
        try (VideoSource v = VideoSource.open(p)) {
            assertEquals(0, v.info().frameCountHint());
            DecodedClip c = v.read(FrameSampler.uniform(3), 0);
            assertEquals(12, c.frameCount());
            assertArrayEquals(new int[] {2, 6, 10}, c.indices());
            for (int t = 0; t < 3; t++) assertEquals(c.indices()[t], TestVideos.frameIndexOf(c, t));
        }
    }

    /** A short video gives repeated indices, not an error: the sampler decides. Reading twice works. */
    @Test
    void shortVideoRepeatsFramesAndCanBeReadAgain() throws Exception {
        Path p = TestVideos.write(dir.resolve("two.mp4"), 2, 32, 32, 10);
        try (VideoSource v = VideoSource.open(p)) {
            DecodedClip c = v.read(FrameSampler.uniform(4), 16);
            assertArrayEquals(new int[] {0, 0, 1, 1}, c.indices());
            assertEquals(16, c.width());
            DecodedClip again = v.read(FrameSampler.of(1, 0), 0);
            assertEquals(1, TestVideos.frameIndexOf(again, 0));
            assertEquals(0, TestVideos.frameIndexOf(again, 1));
        }
    }

    /** One source per thread: four threads decoding the same file concurrently get identical clips. */
    @Test
    void oneSourcePerThreadIsSafe() throws Exception {
        Path p = TestVideos.write(dir.resolve("shared.webm"), 20, 64, 48, 10);
        var pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            var futures = new java.util.ArrayList<java.util.concurrent.Future<byte[]>>();
            for (int i = 0; i < 8; i++) {
                futures.add(pool.submit(() -> {
                    try (VideoSource v = VideoSource.open(p)) {
                        return v.read(FrameSampler.uniform(5), 24).rgb();
                    }
                }));
            }
            byte[] first = futures.get(0).get();
            for (var f : futures) assertArrayEquals(first, f.get());
        } finally {
            pool.shutdownNow();
        }
    }
}
