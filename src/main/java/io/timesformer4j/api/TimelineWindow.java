package io.timesformer4j.api;

import java.util.List;

/**
 * The top-k classes of one time window of a long video.
 *
 * @param startSeconds window start, in seconds from the beginning of the video
 * @param endSeconds   window end (exclusive), in seconds
 * @param top          the k most probable classes of the clip sampled in the window, most probable first
 * @param warning      why the video looks damaged (a truncated file: windows past the last frame that decodes
 *                     repeat that frame), one line without the path; null when nothing was noticed
 */
public record TimelineWindow(double startSeconds, double endSeconds, List<Label> top, String warning) {
    /** Copies the list. */
    public TimelineWindow {
        top = List.copyOf(top);
    }

    /** A window without a warning. */
    public TimelineWindow(double startSeconds, double endSeconds, List<Label> top) {
        this(startSeconds, endSeconds, top, null);
    }
}
