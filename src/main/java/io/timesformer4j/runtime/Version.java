package io.timesformer4j.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The project version (from the Maven build, {@code version.properties}) and the git commit when the launcher
 * knows it ({@code bin/timesformer} passes {@code -Dtimesformer4j.git.commit=$(git rev-parse HEAD)}).
 */
public final class Version {
    private static final String VERSION = load();

    private Version() {}

    /** e.g. {@code 0.1.0-SNAPSHOT}; {@code unknown} when the classes were not built by Maven. */
    public static String project() {
        return VERSION;
    }

    /** The commit the running code was built from, or null when unknown. */
    public static String gitCommit() {
        String c = System.getProperty("timesformer4j.git.commit");
        return c == null || c.isBlank() ? null : c.trim();
    }

    private static String load() {
        try (InputStream in = Version.class.getResourceAsStream("/io/timesformer4j/version.properties")) {
            if (in == null) return "unknown";
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version", "unknown");
            return v.startsWith("${") ? "unknown" : v;
        } catch (IOException e) {
            return "unknown";
        }
    }
}
