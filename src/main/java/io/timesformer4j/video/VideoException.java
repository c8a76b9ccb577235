package io.timesformer4j.video;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A video (or frame folder) that cannot be opened or decoded. The message always names the file and
 * the reason, e.g. {@code "clip.mp4: empty file (0 bytes)"}, so callers can report it as one line.
 */
public class VideoException extends IOException {
    private final Path path;
    private final String reason;

    public VideoException(Path path, String reason) {
        this(path, reason, null);
    }

    public VideoException(Path path, String reason, Throwable cause) {
        super(path + ": " + reason, cause);
        this.path = path;
        this.reason = reason;
    }

    /** The file or folder that failed. */
    public Path path() {
        return path;
    }

    /** Why it failed, without the path. */
    public String reason() {
        return reason;
    }
}
