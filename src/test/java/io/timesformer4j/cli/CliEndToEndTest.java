package io.timesformer4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.timesformer4j.data.SyntheticMotion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * A user's session from the command line on real encoded video: every dataset layout through train and
 * evaluate, every container through predict, bad videos in a training set, broken model dirs, wrong usage,
 * and a training process killed with SIGKILL then resumed. Tiny model, 8 frames of 32 px, 1-2 epochs.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CliEndToEndTest {
    @TempDir
    static Path dir;
    static Path data, run;
    static final ObjectMapper JSON = new ObjectMapper();
    static final String[] TINY = {"--preset", "tiny", "--frames", "8", "--image-size", "32", "--batch-size", "4",
            "--lr", "1e-3", "--threads", "1", "--workers", "1", "--no-progress"};

    static String[] train(Path data, Path out, String... more) {
        List<String> a = new ArrayList<>(List.of("train", "--data", data.toString(), "--out", out.toString()));
        a.addAll(Arrays.asList(TINY));
        a.addAll(Arrays.asList(more));
        return a.toArray(String[]::new);
    }

    /** A clear one-line error: exit 2 (or the given code), "error: " naming {@code mustName}, no stack trace. */
    static void assertCleanError(CliRun r, int code, String... mustContain) {
        assertEquals(code, r.code(), r.all());
        assertTrue(r.err().contains("error: "), r.all());
        for (String s : mustContain) assertTrue(r.err().contains(s), "stderr should name '" + s + "'\n" + r.all());
        assertFalse(r.err().contains("\tat ") || r.err().contains("Exception"), "stack trace / exception name:\n" + r.all());
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(t);
                else Files.copy(p, t);
            }
        }
    }

    static List<Path> videos(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(p -> p.toString().endsWith(".mp4")).sorted().toList();
        }
    }

    @BeforeAll
    static void generate() throws IOException {
        data = dir.resolve("clips");
        SyntheticMotion.generate(data, new SyntheticMotion.Spec(List.of("left", "right"), 4, 8, 32, 32, 15, "mp4", 3));
        run = dir.resolve("run");
    }

    @Test
    @Order(1)
    void classFoldersTrainEvaluatePredict() throws IOException {
        CliRun t = CliRun.run(train(data, run, "--epochs", "2"));
        assertEquals(0, t.code(), t.all());
        assertTrue(t.out().contains("(class_folders), 2 classes, 6 train / 2 val clips"), t.all());
        assertTrue(t.out().lines().anyMatch(l -> l.matches("\\[2] loss: \\d+\\.\\d+, val_acc: \\d\\.\\d+")), t.all());
        assertEquals(2, Files.readAllLines(run.resolve("metrics.jsonl")).size());

        Path ev = dir.resolve("eval");
        CliRun e = CliRun.run("evaluate", "--model", run.resolve("best").toString(), "--data", data.toString(), "--views", "1x3",
                "--out", ev.toString(), "--threads", "1", "--no-progress");
        assertEquals(0, e.code(), e.all());
        assertTrue(e.out().contains("top-1") && e.out().contains("top-5") && e.out().contains("mean class accuracy"), e.all());
        JsonNode report = JSON.readTree(ev.resolve("report.json").toFile());
        assertEquals(8, report.get("samples").asInt());
        JsonNode confusion = JSON.readTree(ev.resolve("confusion.json").toFile());
        assertEquals(2, confusion.get("matrix").size());
        assertTrue(Files.size(ev.resolve("confusion.png")) > 0);

        CliRun info = CliRun.run("info", "--model", run.resolve("best").toString());
        assertEquals(0, info.code(), info.all());

        Path ev16 = dir.resolve("eval-bf16");
        CliRun e16 = CliRun.run("evaluate", "--model", run.resolve("best").toString(), "--data", data.toString(),
                "--out", ev16.toString(), "--threads", "1", "--no-progress", "--precision", "bf16");
        assertEquals(0, e16.code(), e16.all());
        JsonNode r16 = JSON.readTree(ev16.resolve("report.json").toFile());
        assertEquals("bf16", r16.get("precision").asText());
        assertEquals("fp32", report.get("precision").asText());
        assertEquals(8, r16.get("samples").asInt());
        assertCleanError(CliRun.run("evaluate", "--model", run.resolve("best").toString(), "--data", data.toString(),
                "--precision", "fp8"), 2, "fp8");
    }

    @Test
    @Order(2)
    void everyContainerThroughPredict() throws IOException {
        List<String> args = new ArrayList<>(List.of("predict", "--model", run.resolve("best").toString(), "--json",
                "--top-k", "2", "--threads", "1"));
        List<String> exts = List.of("mp4", "avi", "mkv", "webm", "mov");
        for (String ext : exts) {
            Path root = dir.resolve("containers-" + ext);
            List<Path> written = SyntheticMotion.generate(root,
                    new SyntheticMotion.Spec(List.of("left"), 1, 8, 32, 32, 15, ext, 11));
            args.add(written.get(0).toString());
        }
        CliRun p = CliRun.run(args.toArray(String[]::new));
        assertEquals(0, p.code(), p.all());
        JsonNode arr = JSON.readTree(p.out());
        assertEquals(exts.size(), arr.size(), p.all());
        for (JsonNode n : arr) {
            assertTrue(n.get("error").isNull(), n.toString());
            assertEquals(2, n.get("top").size(), n.toString());
            double sum = n.get("top").get(0).get("probability").asDouble() + n.get("top").get(1).get("probability").asDouble();
            assertEquals(1.0, sum, 1e-4, n.toString());
        }

        // bf16 autocast: the same answers, probabilities within docs/model.md's bound of fp32
        args.addAll(1, List.of("--precision", "bf16"));
        CliRun p16 = CliRun.run(args.toArray(String[]::new));
        assertEquals(0, p16.code(), p16.all());
        JsonNode arr16 = JSON.readTree(p16.out());
        for (int i = 0; i < arr.size(); i++) {
            JsonNode a = arr.get(i).get("top").get(0), b = arr16.get(i).get("top").get(0);
            assertEquals(a.get("probability").asDouble(), b.get("probability").asDouble(), 0.02, arr16.get(i).toString());
        }
    }

    @Test
    @Order(3)
    void flatPrefixCsvAndFrameFolderLayouts() throws IOException {
        // flat: left_0000.mp4 ... in one folder
        Path flat = Files.createDirectories(dir.resolve("flat"));
        for (Path v : videos(data)) Files.copy(v, flat.resolve(v.getFileName()));
        // CSV in its own folder with paths relative to it
        Path lists = Files.createDirectories(dir.resolve("lists"));
        StringBuilder csv = new StringBuilder("path,label\n");
        for (Path v : videos(data)) csv.append("../clips/").append(data.relativize(v).toString().replace('\\', '/'))
                .append(',').append(v.getParent().getFileName()).append('\n');
        Path csvFile = Files.writeString(lists.resolve("train.csv"), csv);
        // frame folders made by `extract`: frames/<class>/<clip>/frame0001.png
        Path frames = dir.resolve("frames");
        for (Path v : videos(data)) {
            String clip = v.getFileName().toString().replace(".mp4", "");
            Path out = frames.resolve(v.getParent().getFileName().toString()).resolve(clip);
            CliRun x = CliRun.run("extract", "--out", out.toString(), "--fps", "15", v.toString());
            assertEquals(0, x.code(), x.all());
        }

        for (Object[] c : new Object[][] {{flat, "flat_prefix"}, {csvFile, "csv"}, {frames, "class_folders"}}) {
            Path d = (Path) c[0];
            Path r = dir.resolve("run-" + c[1] + "-" + d.getFileName());
            CliRun t = CliRun.run(train(d, r, "--epochs", "1"));
            assertEquals(0, t.code(), t.all());
            assertTrue(t.out().contains("(" + c[1] + "), 2 classes, 6 train / 2 val clips, 0 problems"), t.all());
            CliRun e = CliRun.run("evaluate", "--model", r.resolve("best").toString(), "--data", d.toString(), "--threads", "1",
                    "--no-progress");
            assertEquals(0, e.code(), e.all());
            assertTrue(e.out().contains("(8 clips)"), e.all());
        }
        // a frame folder is also a valid predict input
        Path oneFolder = frames.resolve("left").resolve("left_0000");
        CliRun p = CliRun.run("predict", "--model", run.resolve("best").toString(), "--threads", "1", oneFolder.toString());
        assertEquals(0, p.code(), p.all());
    }

    @Test
    @Order(4)
    void badVideosInATrainingSetAreSkippedAndListed() throws IOException {
        Path bad = dir.resolve("with-bad");
        copyTree(data, bad);
        Path zero = Files.write(bad.resolve("left").resolve("zero.mp4"), new byte[0]);
        Path text = Files.writeString(bad.resolve("right").resolve("notes.mp4"), "this is not a video\n");
        byte[] full = Files.readAllBytes(data.resolve("left").resolve("left_0001.mp4"));
        Path truncated = Files.write(bad.resolve("left").resolve("truncated.mp4"), Arrays.copyOf(full, full.length / 3));
        Path r = dir.resolve("run-bad");
        CliRun t = CliRun.run(train(bad, r, "--epochs", "1", "--val-split", "0"));
        assertEquals(0, t.code(), t.all());
        List<String> skipped = Files.readAllLines(r.resolve("skipped.txt"));
        for (Path p : List.of(zero, text, truncated)) {
            assertTrue(skipped.stream().anyMatch(l -> l.startsWith(p + ": ") && l.length() > p.toString().length() + 3),
                    p + " not in skipped.txt: " + skipped);
        }
        // the console says so too (the decode failures are only found while loading)
        assertTrue(t.out().contains("3 videos skipped") && t.out().contains("skipped.txt"), t.all());
    }

    @Test
    @Order(5)
    void brokenModelDirsGiveOneClearError() throws IOException {
        Path best = run.resolve("best");
        Path video = data.resolve("left").resolve("left_0000.mp4");
        List<Path> broken = new ArrayList<>();
        Path noConfig = dir.resolve("m-noconfig");
        copyTree(best, noConfig);
        Files.delete(noConfig.resolve("config.json"));
        broken.add(noConfig);
        Path truncated = dir.resolve("m-truncated");
        copyTree(best, truncated);
        byte[] w = Files.readAllBytes(best.resolve("model.safetensors"));
        Files.write(truncated.resolve("model.safetensors"), Arrays.copyOf(w, w.length / 2));
        broken.add(truncated);
        Path shapes = dir.resolve("m-shapes");
        copyTree(best, shapes);
        String cfg = Files.readString(best.resolve("config.json"));
        Files.writeString(shapes.resolve("config.json"), cfg.replaceFirst("\"hidden_size\"\\s*:\\s*64", "\"hidden_size\" : 128"));
        broken.add(shapes);
        Path bin = dir.resolve("m-bin");
        copyTree(best, bin);
        Files.move(bin.resolve("model.safetensors"), bin.resolve("pytorch_model.bin"));
        broken.add(bin);
        broken.add(Files.writeString(dir.resolve("random.bin"), "random bytes, not weights"));
        broken.add(Files.createDirectories(dir.resolve("m-empty")));
        broken.add(dir.resolve("m-missing"));
        // the training run folder (or its checkpoint/) instead of RUN/best: the error points at RUN/best
        for (Path m : List.of(run, run.resolve("checkpoint"))) {
            assertCleanError(CliRun.run("predict", "--model", m.toString(), video.toString()), 2, run.resolve("best").toString());
            assertCleanError(CliRun.run("info", "--model", m.toString()), 2, run.resolve("best").toString());
        }
        for (Path m : broken) {
            assertCleanError(CliRun.run("predict", "--model", m.toString(), video.toString()), 2, m.getFileName().toString());
            assertCleanError(CliRun.run("evaluate", "--model", m.toString(), "--data", data.toString()), 2, m.getFileName().toString());
            assertCleanError(CliRun.run("info", "--model", m.toString()), 2, m.getFileName().toString());
        }
    }

    @Test
    @Order(6)
    void wrongUsage() throws IOException {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        Path oneClass = dir.resolve("one-class");
        copyTree(data.resolve("left"), oneClass.resolve("left"));
        Path missing = dir.resolve("does-not-exist");
        Path x = dir.resolve("x");

        assertCleanError(CliRun.run("train", "--out", x.toString()), 2, "--data");
        assertCleanError(CliRun.run(train(empty, x)), 2, empty.toString());
        assertCleanError(CliRun.run(train(missing, x)), 2, missing.toString());
        assertCleanError(CliRun.run(train(oneClass, x)), 2, oneClass.toString(), "class");
        assertCleanError(CliRun.run("train", "--data", data.toString(), "--out", x.toString(), "--preset", "huge"), 2, "huge");
        assertCleanError(CliRun.run(train(data, x, "--init", missing.toString())), 2, missing.toString());
        assertCleanError(CliRun.run(train(data, x, "--init", run.toString())), 2, run.resolve("best").toString());
        assertCleanError(CliRun.run("train", "--resume", missing.toString()), 2, missing.toString());
        assertCleanError(CliRun.run("evaluate", "--model", run.resolve("best").toString(), "--data", data.toString(),
                "--views", "0x3"), 2, "--views");
        assertCleanError(CliRun.run("evaluate", "--model", run.resolve("best").toString(), "--data", missing.toString()), 2,
                missing.toString());
        assertCleanError(CliRun.run("predict", "--model", run.resolve("best").toString(), missing.resolve("a.mp4").toString()), 1,
                "a.mp4");
        assertCleanError(CliRun.run("predict", "--model", run.resolve("best").toString(), "--views", "0x3",
                data.resolve("left").resolve("left_0000.mp4").toString()), 2, "--views");

        // an --out that cannot be created: the path and the reason, not the bare path of a NoSuchFileException
        Path plainFile = Files.writeString(dir.resolve("plain-file"), "x");
        CliRun noDir = CliRun.run(train(data, plainFile.resolve("run")));
        assertCleanError(noDir, 2, plainFile.toString());
        assertTrue(noDir.err().strip().length() > ("error: " + plainFile.resolve("run")).length(), noDir.all());
        // evaluate --out that cannot be a folder fails before evaluating (not after an hour of decoding)
        CliRun evOut = CliRun.run("evaluate", "--model", run.resolve("best").toString(), "--data", data.toString(), "--out",
                plainFile.toString(), "--no-progress");
        assertCleanError(evOut, 2, plainFile.toString());
        assertFalse(evOut.out().contains("top-1"), evOut.all());
        Path missingParent = Path.of("/proc/no-such-dir/run");
        CliRun noParent = CliRun.run(train(data, missingParent));
        assertCleanError(noParent, 2, "/proc/no-such-dir", "no such file");

        // demo arguments that cannot work are refused before any data is generated
        Path demo = dir.resolve("demo-bad");
        assertCleanError(CliRun.run("demo", "--out", demo.toString(), "--classes", "left", "--epochs", "1"), 2, "--classes");
        assertCleanError(CliRun.run("demo", "--out", demo.toString(), "--clips-per-class", "0", "--epochs", "1"), 2, "--clips-per-class");
        assertFalse(Files.exists(demo.resolve("data")), "demo generated data before failing");

        // the failed commands above left nothing in x that would block the corrected command
        assertFalse(Files.exists(x.resolve("run.json")), "a failed start left " + x.resolve("run.json"));

        // --resume takes the run's saved settings: other training options are refused, not silently ignored
        CliRun resumeLr = CliRun.run("train", "--resume", run.toString(), "--lr", "0.5", "--data", empty.toString());
        assertCleanError(resumeLr, 2, "--lr", "--data");

        // --epochs below what the run already finished: refused, run.json untouched
        String runJson = Files.readString(run.resolve("run.json"));
        assertCleanError(CliRun.run("train", "--resume", run.toString(), "--epochs", "1"), 2, "--epochs 1", "2 epochs");
        assertEquals(runJson, Files.readString(run.resolve("run.json")));

        // a second `train --out` into a finished run must not wipe it
        List<String> before = Files.readAllLines(run.resolve("metrics.jsonl"));
        CliRun again = CliRun.run(train(data, run, "--epochs", "1"));
        assertCleanError(again, 2, run.toString(), "--resume");
        assertEquals(before, Files.readAllLines(run.resolve("metrics.jsonl")));
        assertTrue(Files.isRegularFile(run.resolve("checkpoint/state.json")));
    }

    @Test
    @Order(6)
    void damagedCheckpointsGiveOneClearErrorAndKeepTheRun() throws IOException {
        record Damage(String name, String file, byte[] content) {}
        byte[] model = Files.readAllBytes(run.resolve("checkpoint/model.safetensors"));
        for (Damage d : List.of(new Damage("state-cut", "state.json", "{\"epoch\" : 2, \"st".getBytes(StandardCharsets.UTF_8)),
                new Damage("state-type", "state.json", "{\"epoch\": \"two\"}".getBytes(StandardCharsets.UTF_8)),
                new Damage("state-gone", "state.json", null),
                new Damage("model-cut", "model.safetensors", Arrays.copyOf(model, model.length / 2)),
                new Damage("optimizer-gone", "optimizer.pt", null))) {
            Path copy = dir.resolve("damaged-" + d.name());
            copyTree(run, copy);
            Path f = copy.resolve("checkpoint").resolve(d.file());
            if (d.content() == null) Files.delete(f);
            else Files.write(f, d.content());
            List<String> metrics = Files.readAllLines(copy.resolve("metrics.jsonl"));
            CliRun r = CliRun.run("train", "--resume", copy.toString(), "--epochs", "3", "--no-progress");
            assertCleanError(r, 2, copy.resolve("checkpoint").toString(), d.file());
            assertEquals(metrics, Files.readAllLines(copy.resolve("metrics.jsonl")), d.name() + ": metrics changed");
        }
    }

    /**
     * A real process killed with SIGKILL after its first epoch, then resumed: the run completes with the
     * metrics of an uninterrupted run.
     */
    @Test
    @Order(7)
    void killedTrainingProcessResumesToTheSameResult() throws Exception {
        Path ref = dir.resolve("run-ref"), killed = dir.resolve("run-killed");
        CliRun full = CliRun.run(train(data, ref, "--epochs", "3"));
        assertEquals(0, full.code(), full.all());

        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xss4m", "-cp", System.getProperty("java.class.path")));
        String cache = System.getProperty("org.bytedeco.javacpp.cachedir");
        if (cache != null) cmd.add(1, "-Dorg.bytedeco.javacpp.cachedir=" + cache);
        cmd.add("io.timesformer4j.cli.Main");
        cmd.addAll(Arrays.asList(train(data, killed, "--epochs", "3")));
        Process proc = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("killed.log").toFile()).start();
        Path metrics = killed.resolve("metrics.jsonl");
        long deadline = System.nanoTime() + 120_000_000_000L;
        try {
            while (System.nanoTime() < deadline && proc.isAlive() && lines(metrics) < 1) Thread.sleep(20);
        } finally {
            proc.destroyForcibly();          // SIGKILL
            proc.waitFor();
        }
        String log = Files.readString(dir.resolve("killed.log"));
        assertTrue(lines(metrics) >= 1, "the child never finished an epoch:\n" + log);

        CliRun resumed = CliRun.run("train", "--resume", killed.toString(), "--no-progress");
        assertEquals(0, resumed.code(), resumed.all() + "\nchild:\n" + log);
        assertEquals(strip(Files.readAllLines(ref.resolve("metrics.jsonl"))), strip(Files.readAllLines(metrics)));
        assertTrue(Arrays.equals(Files.readAllBytes(ref.resolve("best/model.safetensors")),
                Files.readAllBytes(killed.resolve("best/model.safetensors"))));
    }

    /** A second process on the same run folder is refused while the first holds it (they interleaved metrics). */
    @Test
    @Order(8)
    void aRunFolderInUseByAnotherProcessIsRefused() throws Exception {
        Path busy = dir.resolve("run-busy");
        assertEquals(0, CliRun.run(train(data, busy, "--epochs", "1")).code());
        // hold the lock from another process: a child JVM that locks RUN/.lock and waits
        Path holder = Files.writeString(dir.resolve("Hold.java"), """
                import java.nio.channels.FileChannel;
                import java.nio.file.*;
                public class Hold {
                    public static void main(String[] a) throws Exception {
                        try (FileChannel c = FileChannel.open(Path.of(a[0]), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                             var l = c.lock()) {
                            System.out.println("locked");
                            System.out.flush();
                            Thread.sleep(60_000);
                        }
                    }
                }
                """);
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), holder.toString(),
                busy.resolve(".lock").toString()).redirectErrorStream(true).start();
        try {
            var in = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream()));
            assertEquals("locked", in.readLine());
            CliRun r = CliRun.run("train", "--resume", busy.toString(), "--epochs", "2", "--no-progress");
            assertCleanError(r, 2, busy.toString(), "another");
            assertEquals(1, Files.readAllLines(busy.resolve("metrics.jsonl")).size());
        } finally {
            p.destroyForcibly();
            p.waitFor();
        }
        CliRun r = CliRun.run("train", "--resume", busy.toString(), "--epochs", "2", "--no-progress");
        assertEquals(0, r.code(), r.all());
    }

    private static int lines(Path f) {
        try {
            return Files.exists(f) ? Files.readAllLines(f).size() : 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** metrics lines without the timing fields. */
    private static List<String> strip(List<String> lines) throws IOException {
        List<String> out = new ArrayList<>();
        for (String l : lines) {
            var n = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(l);
            n.remove("seconds");
            n.remove("clips_per_s");
            n.remove("loader_wait_s");   // wall-clock figures differ between any two runs
            n.remove("train_s");
            out.add(n.toString());
        }
        return out;
    }
}
