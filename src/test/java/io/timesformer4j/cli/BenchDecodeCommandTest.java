package io.timesformer4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.timesformer4j.video.VideoWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Smoke test: the benchmark runs and prints parseable JSON (figures themselves are not asserted). */
class BenchDecodeCommandTest {
    @TempDir Path dir;

    @Test
    void printsJsonRows() throws Exception {
        Path video = dir.resolve("b.avi");
        try (VideoWriter vw = new VideoWriter(video, 32, 24, 10)) {
            for (int t = 0; t < 10; t++) vw.write(new byte[32 * 24 * 3]);
        }
        CliRun run = CliRun.run("benchmark", "decode", video.toString(), "--json", "--min-seconds", "0", "--threads", "1");
        assertEquals(0, run.code());
        JsonNode rows = new ObjectMapper().readTree(run.out());
        assertTrue(rows.size() >= 3, run.out());
        java.util.Set<String> modes = new java.util.HashSet<>();
        for (JsonNode r : rows) {
            assertEquals(10, r.get("frames").asInt());
            assertTrue(r.get("framesPerSecond").asDouble() > 0);
            modes.add(r.get("mode").asText());
        }
        // both RGB conversion orders, timed on the same frames
        assertTrue(modes.contains("convert224") && modes.contains("convert224_direct"), modes.toString());
    }
}
