package io.timesformer4j.data;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One labelled video: a file ({@code .mp4}, {@code .avi}, ...) or a folder of extracted frames.
 *
 * @param path  the video file or frame folder
 * @param label index into the dataset's {@link LabelMap}
 */
public record Sample(Path path, int label) {
    public Sample {
        Objects.requireNonNull(path, "path");
        if (label < 0) throw new IllegalArgumentException("negative label " + label + " for " + path);
    }
}
