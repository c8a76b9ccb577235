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
}
