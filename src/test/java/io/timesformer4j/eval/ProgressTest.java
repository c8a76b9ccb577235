package io.timesformer4j.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProgressTest {
    /** Without a terminal, progress is plain lines (readable in CI logs) with count, percentage, rate and ETA. */
    @Test
    void plainLinesShowCountRateAndEta() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (Progress p = Progress.lines("train 1/3", 10, new PrintWriter(bytes, true, StandardCharsets.UTF_8), 0)) {
            p.step(4);
            p.step(6);
        }
        List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(3, lines.size(), lines.toString());                 // two steps + the final line on close
        assertTrue(lines.get(0).matches("train 1/3 4/10 clips  40% \\d+\\.\\d\\d clips/s ETA \\d+:\\d\\d:\\d\\d"), lines.get(0));
        assertTrue(lines.get(2).startsWith("train 1/3 10/10 clips 100% "), lines.get(2));
        assertTrue(lines.get(2).endsWith("ETA 0:00:00"), lines.get(2));
    }
}
