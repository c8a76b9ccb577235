package io.timesformer4j.model;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The process's resident set from Linux's {@code /proc/self/status}, for tests of native memory. */
final class ResidentSet {
    private ResidentSet() {}

    /** Skips the test where there is no {@code /proc/self/status} or {@code clear_refs} (not Linux). */
    static void assumeReadable() {
        Assumptions.assumeTrue(Files.isReadable(Path.of("/proc/self/status")) && Files.isWritable(Path.of("/proc/self/clear_refs")),
                "needs Linux /proc/self/status and clear_refs");
    }

    /** Resets the peak ({@code VmHWM}) to the current resident set ({@code man 5 proc}, clear_refs value 5). */
    static void resetPeak() throws IOException {
        Files.writeString(Path.of("/proc/self/clear_refs"), "5");
    }

    /** The current resident set, MiB. */
    static long mib() throws IOException {
        return kib("VmRSS") / 1024;
    }

    /** The peak resident set since the last {@link #resetPeak()}, MiB. */
    static long peakMib() throws IOException {
        return kib("VmHWM") / 1024;
    }

    private static long kib(String field) throws IOException {
        for (String l : Files.readAllLines(Path.of("/proc/self/status")))
            if (l.startsWith(field + ":")) return Long.parseLong(l.replaceAll("[^0-9]", ""));
        throw new IllegalStateException(field + " not in /proc/self/status");
    }
}
