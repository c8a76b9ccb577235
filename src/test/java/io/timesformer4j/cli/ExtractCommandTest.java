package io.timesformer4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.timesformer4j.video.VideoWriter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ExtractCommandTest {
    @TempDir Path dir;

    @Test
    void extractsFramesFromTheCommandLine() throws Exception {
        Path video = dir.resolve("clip.webm");
        try (VideoWriter vw = new VideoWriter(video, 32, 24, 10)) {
            for (int t = 0; t < 5; t++) vw.write(new byte[32 * 24 * 3]);
        }
        Path out = dir.resolve("out");
        int rc = Main.commandLine().execute("extract", video.toString(), "--fps", "20", "--out", out.toString(),
                "--format", "jpg", "--short-side", "12");
        assertEquals(0, rc);
        try (Stream<Path> s = Files.list(out)) {
            assertEquals(10, s.count());
        }
        assertTrue(Files.exists(out.resolve("frame0010.jpg")));
    }

    @Test
    void badInputExitsWithTwoAndNamesTheFile() throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.mp4"), "hello");
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setErr(new PrintWriter(err));
        int rc = cl.execute("extract", bad.toString(), "--out", dir.resolve("o").toString());
        assertEquals(2, rc);
        assertTrue(err.toString().startsWith("error: " + bad), err.toString());
    }

    /** A faststart mp4 cut short still lists all its frames: extract says so on stderr; an intact file gets no warning. */
    @Test
    void truncatedFaststartMp4GetsAWarning() throws Exception {
        Path p = DamagedDataWarningsTest.writeFaststartMp4(dir.resolve("fast.mp4"), 40);
        CliRun ok = CliRun.run("extract", p.toString(), "--out", dir.resolve("ok").toString(), "--fps", "25");
        assertEquals(0, ok.code(), ok.all());
        assertTrue(ok.err().isBlank(), ok.all());
        byte[] all = Files.readAllBytes(p);
        Path cut = Files.write(dir.resolve("cut.mp4"), java.util.Arrays.copyOf(all, all.length * 6 / 10));
        CliRun r = CliRun.run("extract", cut.toString(), "--out", dir.resolve("cut").toString(), "--fps", "25");
        assertEquals(0, r.code(), r.all());
        assertTrue(r.err().startsWith("warning: " + cut) && r.err().contains("lists 40 frames") && r.err().contains("truncated"), r.all());
    }
}
