package io.timesformer4j.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.IntFunction;

/** {@link ClipDecoder} over {@code io.timesformer4j.video.VideoSource} (one open/read/close per clip). */
final class VideoSourceDecoder implements ClipDecoder {
    static final VideoSourceDecoder INSTANCE = new VideoSourceDecoder();

    private VideoSourceDecoder() {}

    @Override
    public Frames decode(Path path, IntFunction<int[]> sampler, int shortSide) throws IOException {
        throw new IOException(path + ": video decoding not available yet (branch video not merged)");
    }
}
