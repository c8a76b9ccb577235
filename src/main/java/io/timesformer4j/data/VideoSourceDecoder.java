package io.timesformer4j.data;

import io.timesformer4j.video.DecodedClip;
import io.timesformer4j.video.FrameSampler;
import io.timesformer4j.video.VideoSource;
import java.io.IOException;
import java.nio.file.Path;

/** {@link ClipDecoder} over {@link VideoSource}: open, one sequential read, close — per clip, per thread. */
final class VideoSourceDecoder implements ClipDecoder {
    static final VideoSourceDecoder INSTANCE = new VideoSourceDecoder();

    private VideoSourceDecoder() {}

    @Override
    public DecodedClip decode(Path path, FrameSampler sampler, int shortSide) throws IOException {
        try (VideoSource v = VideoSource.open(path)) {
            return v.read(sampler, shortSide);
        }
    }
}
