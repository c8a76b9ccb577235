package io.timesformer4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchLoadCommandTest {
    @TempDir Path dir;

    @Test
    void tinyGeneratedRunPrintsJsonFigures() throws Exception {
        CliRun r = CliRun.run("benchmark", "loading", "--clips", "6", "--gen-size", "64x48", "--gen-seconds", "0.4",
                "--frames", "4", "--size", "32", "--batch", "2", "--workers", "1,2", "--epochs", "1", "--json");
        assertEquals(0, r.code(), r.out());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals(6, j.get("videos").asInt());
        assertTrue(j.get("decode_1_thread_frames_per_s").asDouble() > 0);
        assertEquals(2, j.get("loader").size());
        for (JsonNode row : j.get("loader")) {
            assertEquals(6, row.get("clips").asInt());
            assertTrue(row.get("clips_per_s").asDouble() > 0);
        }
    }

    @Test
    void missingDataFolderIsOneErrorLine() {
        CliRun r = CliRun.run("benchmark", "loading", "--data", dir.resolve("nope").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("error: ") && r.err().contains("nope") && r.err().contains("no such file"), r.err());
    }
}
