package io.timesformer4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class BenchLoadCommandTest {
    @TempDir Path dir;

    @Test
    void tinyGeneratedRunPrintsJsonFigures() throws Exception {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int rc;
        try {
            System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
            rc = Main.commandLine().execute("benchmark", "loading", "--clips", "6", "--gen-size", "64x48", "--gen-seconds", "0.4",
                    "--frames", "4", "--size", "32", "--batch", "2", "--workers", "1,2", "--epochs", "1", "--json");
        } finally {
            System.setOut(old);
        }
        assertEquals(0, rc, buf.toString(StandardCharsets.UTF_8));
        JsonNode j = new ObjectMapper().readTree(buf.toString(StandardCharsets.UTF_8));
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
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setErr(new PrintWriter(err));
        int rc = cl.execute("benchmark", "loading", "--data", dir.resolve("nope").toString());
        assertEquals(2, rc);
        assertTrue(err.toString().startsWith("error: ") && err.toString().contains("nope") && err.toString().contains("no such file"), err.toString());
    }
}
