package io.timesformer4j.api;

import java.nio.file.Path;
import java.util.List;

/**
 * The top-k classes of one video.
 *
 * @param video the file or frame folder
 * @param top   the k most probable classes, most probable first
 */
public record Prediction(Path video, List<Label> top) {
    /** Copies the list. */
    public Prediction {
        top = List.copyOf(top);
    }

    /** The most probable class. */
    public Label best() {
        return top.get(0);
    }
}
