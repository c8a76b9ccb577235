package io.timesformer4j.api;

import java.nio.file.Path;
import java.util.List;

/**
 * The top-k classes of one video.
 *
 * @param video   the file or frame folder
 * @param top     the k most probable classes, most probable first
 * @param warning why the video looks damaged although it was read (a truncated file: the frames that decode were
 *                used), one line without the path; null when nothing was noticed
 */
public record Prediction(Path video, List<Label> top, String warning) {
    /** Copies the list. */
    public Prediction {
        top = List.copyOf(top);
    }

    /** A prediction without a warning. */
    public Prediction(Path video, List<Label> top) {
        this(video, top, null);
    }

    /** The most probable class. */
    public Label best() {
        return top.get(0);
    }
}
