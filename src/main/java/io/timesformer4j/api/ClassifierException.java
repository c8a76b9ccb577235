package io.timesformer4j.api;

import java.nio.file.Path;

/**
 * A model or video could not be used: the message is one line naming the file (or Hub id) and the reason,
 * e.g. {@code clip.mp4: not a video (invalid data found when processing input)}.
 */
public final class ClassifierException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient Path path;

    /** For a file. */
    public ClassifierException(Path path, String reason, Throwable cause) {
        super(message(path, reason), cause);
        this.path = path;
    }

    /** Without a file (e.g. a Hub id that did not resolve). */
    public ClassifierException(String message, Throwable cause) {
        super(message, cause);
        this.path = null;
    }

    /** The file the failure is about, or null. */
    public Path path() {
        return path;
    }

    private static String message(Path path, String reason) {
        String p = path == null ? "" : path.toString();
        if (reason == null) return p;
        // causes that already start with the path are not prefixed twice
        return reason.startsWith(p + ":") || reason.startsWith(p + " ") || p.isEmpty() ? reason : p + ": " + reason;
    }
}
