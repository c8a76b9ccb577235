package io.timesformer4j.data;

import java.nio.file.Path;

/**
 * An input that was skipped, with the reason, or (with {@code warning}) one that is used anyway but is damaged.
 * Found either while scanning a dataset ({@link VideoDataset#problems()}: zero-byte file, file named in a list
 * but missing, unknown label, empty class folder, unreadable list line, a corrupt frame image; warnings: a frame
 * folder with a gap in its numbering) or while loading clips ({@link ClipLoader#skipped()}: not a video,
 * truncated beyond use, no decodable frame; {@link ClipLoader#warnings()}: a truncated video whose frames that
 * decode are used).
 *
 * @param path    the offending file (for a bad list line: the list file)
 * @param reason  human-readable reason, e.g. {@code "zero-byte file"}
 * @param warning true when the input is still used (its damage is reported, nothing is dropped)
 */
public record BadInput(Path path, String reason, boolean warning) {
    /** A skipped input. */
    public BadInput(Path path, String reason) {
        this(path, reason, false);
    }

    /** A damaged input that is used anyway. */
    public static BadInput warning(Path path, String reason) {
        return new BadInput(path, reason, true);
    }

    /** {@code path: reason}, or {@code path: warning: reason} for a warning (the line of {@code skipped.txt}). */
    @Override
    public String toString() {
        return path + (warning ? ": warning: " : ": ") + reason;
    }
}
