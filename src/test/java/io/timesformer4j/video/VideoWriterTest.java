package io.timesformer4j.video;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class VideoWriterTest {
    @TempDir Path dir;

    /** Every container/codec pair the project writes decodes back with the frame count written. */
    @ParameterizedTest
    @ValueSource(strings = {"mp4", "avi", "webm", "mkv", "mov"})
    void writesDecodableVideo(String ext) throws Exception {
        Path p = dir.resolve("clip." + ext);
        int w = 48, h = 32, n = 12;
        try (VideoWriter vw = new VideoWriter(p, w, h, 10)) {
            for (int t = 0; t < n; t++) {
                byte[] rgb = new byte[w * h * 3];
                for (int i = 0; i < rgb.length; i += 3) rgb[i] = (byte) (t * 20);   // red ramps over time
                vw.write(rgb);
            }
        }
        assertTrue(Files.size(p) > 0);
        int count = 0;
        try (FFmpegFrameGrabber g = new FFmpegFrameGrabber(p.toFile())) {
            g.start();
            assertEquals(w, g.getImageWidth());
            assertEquals(h, g.getImageHeight());
            Frame f;
            while ((f = g.grabImage()) != null) count++;
        }
        assertEquals(n, count);
    }
}
