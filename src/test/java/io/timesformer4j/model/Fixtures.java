package io.timesformer4j.model;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates {@code shared/fixtures/timesformer} by walking up from the working directory. */
final class Fixtures {
    private Fixtures() {}

    static Path root() {
        Path dir = Path.of("").toAbsolutePath();
        for (Path p = dir; p != null; p = p.getParent()) {
            for (Path c : new Path[] {p.resolve("shared/fixtures/timesformer"), p.resolve("../shared/fixtures/timesformer")}) {
                if (Files.isDirectory(c)) return c.normalize();
            }
        }
        throw new IllegalStateException("shared/fixtures/timesformer not found above " + dir);
    }

    static Path dir(String name) {
        return root().resolve(name);
    }
}
