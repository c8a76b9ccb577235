package io.timesformer4j.video;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Jumping to keyframes for sparse indices returns exactly the frames a full sequential decode returns. */
class KeyframeSeekTest {
    @TempDir Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"mp4", "avi", "mkv", "webm"})
    void seeksGiveTheSameFramesAsDecodingThrough(String ext) throws Exception {
        Path p = TestVideos.write(dir.resolve("long." + ext), 240, 48, 32, 30, VideoWriter.Codec.forFile(dir.resolve("x." + ext)), 24);
        FrameSampler sparse = n -> new int[] {200, 5, 100, 101, 239, 100};
        DecodedClip through, seeking;
        try (VideoSource v = VideoSource.open(p, VideoSource.Options.defaults().withKeyframeSeeks(false))) {
            through = v.read(sparse, 0);
            assertEquals(0, ((FileVideoSource) v).seeks());
        }
        try (VideoSource v = VideoSource.open(p)) {
            seeking = v.read(sparse, 0);
            assertTrue(((FileVideoSource) v).seeks() > 0, "no keyframe seek happened");
        }
        assertArrayEquals(through.indices(), seeking.indices());
        assertEquals(through.frameCount(), seeking.frameCount());
        assertArrayEquals(through.rgb(), seeking.rgb(), "frames differ after seeking");
        for (int t = 0; t < through.frames(); t++) {
            assertEquals(through.indices()[t] % 14, TestVideos.frameIndexOf(through, t), "frame " + through.indices()[t]);
        }
    }
}
