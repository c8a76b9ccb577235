package io.timesformer4j.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.IntFunction;

/**
 * Decodes the frames a sampler picks from one video, in one pass. The default implementation reads with
 * {@code io.timesformer4j.video.VideoSource}; tests plug in fakes to exercise the loader without FFmpeg.
 * Implementations must be safe to call from several threads at once (one video per call).
 */
@FunctionalInterface
public interface ClipDecoder {
    /**
     * Frames in sampler order.
     *
     * @param count      frames in {@code rgb} (the length of the sampler's answer)
     * @param height     frame height after resizing
     * @param width      frame width after resizing
     * @param rgb        packed {@code (count, height, width, 3)} uint8
     * @param frameCount frames the video really has (decoded), which the sampler was finally asked with
     */
    record Frames(int count, int height, int width, byte[] rgb, int frameCount) {}

    /**
     * @param sampler   maps the video's frame count to the indices wanted (may repeat, any order)
     * @param shortSide resize so the short side is this many pixels (0 = native)
     * @throws IOException naming the file and the reason when it cannot be decoded
     */
    Frames decode(Path path, IntFunction<int[]> sampler, int shortSide) throws IOException;
}
