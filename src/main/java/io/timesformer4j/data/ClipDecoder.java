package io.timesformer4j.data;

import io.timesformer4j.video.DecodedClip;
import io.timesformer4j.video.FrameSampler;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Decodes the frames a sampler picks from one video, in one pass. The default ({@link ClipLoader#defaultDecoder()})
 * opens a {@link io.timesformer4j.video.VideoSource} per call; tests plug in fakes to exercise the loader without
 * FFmpeg. Implementations must be safe to call from several threads at once (one video per call).
 */
@FunctionalInterface
public interface ClipDecoder {
    /**
     * @param sampler   maps the video's frame count to the indices wanted (may repeat, any order)
     * @param shortSide resize so the short side is this many pixels (0 = native)
     * @return frames in sampler order, packed {@code (frames, H, W, 3)} uint8
     * @throws IOException naming the file and the reason when it cannot be decoded
     */
    DecodedClip decode(Path path, FrameSampler sampler, int shortSide) throws IOException;
}
