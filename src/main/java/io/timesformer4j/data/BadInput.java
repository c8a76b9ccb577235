package io.timesformer4j.data;

import java.nio.file.Path;

/**
 * An input that was skipped, with the reason. Found either while scanning a dataset
 * ({@link VideoDataset#problems()}: zero-byte file, file named in a list but missing, unknown label,
 * empty class folder, unreadable list line) or while loading clips ({@link ClipLoader#skipped()}:
 * not a video, truncated beyond use, no decodable frame).
 *
 * @param path   the offending file (for a bad list line: the list file)
 * @param reason human-readable reason, e.g. {@code "zero-byte file"}
 */
public record BadInput(Path path, String reason) {
    @Override
    public String toString() {
        return path + ": " + reason;
    }
}
