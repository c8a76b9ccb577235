package io.timesformer4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.timesformer4j.video.VideoWriter;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
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
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int rc;
        try {
            System.setOut(new PrintStream(buf, true));
            rc = Main.commandLine().execute("benchmark", "decode", video.toString(), "--json", "--min-seconds", "0", "--threads", "1");
        } finally {
            System.setOut(old);
        }
        assertEquals(0, rc);
        JsonNode rows = new ObjectMapper().readTree(buf.toString());
        assertTrue(rows.size() >= 3, buf.toString());
        for (JsonNode r : rows) {
            assertEquals(10, r.get("frames").asInt());
            assertTrue(r.get("framesPerSecond").asDouble() > 0);
        }
    }
}
