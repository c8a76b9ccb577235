package io.timesformer4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.timesformer4j.data.SyntheticPairs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code timesformer synth} end to end, and its one-line refusals. */
class SynthCommandTest {
    @TempDir
    Path dir;

    @Test
    void writesSplitClassFoldersAndManifest() throws IOException {
        Path out = dir.resolve("pairs");
        CliRun r = CliRun.run("synth", "--out", out.toString(), "--classes", "left,right", "--clips-per-class", "3",
                "--val-fraction", "0.34", "--sizes", "64x48,96x64", "--fps", "10", "--seconds", "0.5-0.8", "--codecs", "h264,mjpeg", "--seed", "3");
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().contains("wrote 4 train + 2 val clips (2 classes)"), r.out());
        List<SyntheticPairs.Clip> clips = SyntheticPairs.readManifest(out.resolve("manifest.csv"));
        assertEquals(6, clips.size());
        for (SyntheticPairs.Clip c : clips) assertTrue(Files.isRegularFile(out.resolve(c.file())), c.file());
        assertTrue(Files.isDirectory(out.resolve("train/left")) && Files.isDirectory(out.resolve("val/right")));

        CliRun again = CliRun.run("synth", "--out", out.toString(), "--classes", "left,right", "--clips-per-class", "3");
        assertEquals(2, again.code(), again.all());
        assertEquals("error: " + out.resolve("train") + ": exists; choose an empty --out folder (or --overwrite)", again.err().strip());

        CliRun over = CliRun.run("synth", "--out", out.toString(), "--classes", "up", "--clips-per-class", "1", "--sizes", "64x48",
                "--fps", "10", "--seconds", "0.5", "--overwrite", "--quiet");
        assertEquals(0, over.code(), over.all());
        assertFalse(Files.exists(out.resolve("train/left")));
        assertEquals(1, SyntheticPairs.readManifest(out.resolve("manifest.csv")).size());
    }

    @Test
    void badOptionsGiveOneLineAndExit2() {
        String o = dir.resolve("x").toString();
        String[][] cases = {
                {"--classes", "left,sideways", "--classes: unknown class 'sideways'"},
                {"--clips-per-class", "0", "--clips-per-class must be >= 1, got 0"},
                {"--sizes", "64x47", "size 64x47: both sides must be even"},
                {"--max-size", "100x100", "--max-size 100x100: no size left"},
                {"--codecs", "theora", "--codecs: unknown codec 'theora'"},
                {"--seconds", "2-x", "--seconds '2-x': expected MIN-MAX"},
                {"--val-fraction", "1.5", "--val-fraction must be in [0, 1), got 1.5"},
        };
        for (String[] c : cases) {
            CliRun r = CliRun.run("synth", "--out", o, c[0], c[1]);
            assertEquals(2, r.code(), r.all());
            assertTrue(r.err().startsWith("error: " + c[2]), r.all());
            assertEquals(1, r.err().strip().lines().count(), r.all());
            assertFalse(Files.exists(dir.resolve("x")), "wrote output despite " + c[0] + " " + c[1]);
        }
    }
}
