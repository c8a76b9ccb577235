package io.timesformer4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.timesformer4j.fuzz.Damage;
import io.timesformer4j.fuzz.Pickles;
import io.timesformer4j.model.Fixtures;
import io.timesformer4j.video.DecodedClip;
import io.timesformer4j.video.FrameSampler;
import io.timesformer4j.video.VideoException;
import io.timesformer4j.video.VideoSource;
import io.timesformer4j.video.VideoWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A seeded fuzz run over damaged inputs (about 350 cases, CI-sized): weights (safetensors truncated, flipped,
 * header length edited, trailing bytes; torch zips truncated and flipped; hostile pickles), hostile
 * config.json values, and damaged or odd videos. Each goes through the command line ({@code forward},
 * {@code extract}) or the video API, and each outcome must be either success or a refusal of one line that
 * names the file, with exit code 2 and no stack trace; a file that is certainly damaged must be refused.
 * The table in docs/robustness.md lists the classes and what each gets.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class FuzzTest {
    private static final long SEED = 20261201L;
    private static final Path FIXTURE = Fixtures.dir("tiny_divided_space_time");
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir static Path dir;
    private static final Map<String, int[]> outcomes = new TreeMap<>();   // class -> {accepted, refused}
    private static long hsErrBefore;

    @BeforeAll
    static void countCrashLogs() throws IOException {
        hsErrBefore = crashLogs();
    }

    @AfterAll
    static void noJvmCrashLogAndSummary() throws IOException {
        assertEquals(hsErrBefore, crashLogs(), "an hs_err_pid*.log appeared");
        outcomes.forEach((k, v) -> System.out.printf("fuzz %-34s accepted %3d refused %3d%n", k, v[0], v[1]));
    }

    private static long crashLogs() throws IOException {
        try (Stream<Path> s = Files.list(Path.of(""))) {
            return s.filter(p -> p.getFileName().toString().startsWith("hs_err_pid")).count();
        }
    }

    /** Runs {@code forward} on a model; returns true when refused (and checks how). */
    private static boolean forward(String kind, Path model, String mustName, boolean mustRefuse) {
        Path out = dir.resolve("out.safetensors");
        CliRun r = CliRun.run("forward", "--model", model.toString(), "--input", FIXTURE.resolve("input.safetensors").toString(),
                "--output", out.toString(), "--threads", "1");
        return judge(kind, r, mustName, mustRefuse);
    }

    private static boolean judge(String kind, CliRun r, String mustName, boolean mustRefuse) {
        boolean refused = r.code() != 0;
        outcomes.computeIfAbsent(kind, k -> new int[2])[refused ? 1 : 0]++;
        if (mustRefuse && !refused) fail(kind + ": accepted a damaged input\n" + r.all());
        if (!refused) assertTrue(r.err().isBlank() || !r.err().contains("\tat "), kind + ": " + r.all());
        if (refused) {
            assertEquals(2, r.code(), kind + ": " + r.all());
            List<String> lines = r.err().lines().filter(l -> !l.isBlank()).toList();
            assertEquals(1, lines.size(), kind + ": one line expected\n" + r.all());
            String line = lines.get(0);
            assertTrue(line.startsWith("error: "), kind + ": " + line);
            assertTrue(line.contains(mustName), kind + ": the error does not name " + mustName + ": " + line);
            assertFalse(line.contains("Exception") || line.contains("\tat ") || line.contains("c10::"), kind + ": " + line);
        }
        return refused;
    }

    private static Path modelDir(String name, byte[] weights, String weightsFile, String config) throws IOException {
        Path m = Files.createDirectories(dir.resolve(name));
        try (Stream<Path> s = Files.list(m)) {
            for (Path p : s.toList()) Files.delete(p);
        }
        Files.writeString(m.resolve("config.json"), config);
        Files.write(m.resolve(weightsFile), weights);
        return m;
    }

    @Test
    void damagedSafetensors() throws IOException {
        Damage d = new Damage(SEED);
        byte[] st = Files.readAllBytes(FIXTURE.resolve("model.safetensors"));
        String cfg = Files.readString(FIXTURE.resolve("config.json"));
        long headerEnd = 8 + java.nio.ByteBuffer.wrap(st).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong(0);
        for (int i = 0; i < 30; i++) forward("safetensors truncated", modelDir("st", d.truncate(st), "model.safetensors", cfg), "model.safetensors", true);
        for (int i = 0; i < 20; i++) forward("safetensors header length edited", modelDir("st", Damage.headerLength(st, d.headerDelta()), "model.safetensors", cfg), "model.safetensors", true);
        for (int i = 0; i < 15; i++) forward("safetensors trailing bytes", modelDir("st", d.trailing(st), "model.safetensors", cfg), "model.safetensors", true);
        for (int i = 0; i < 40; i++) forward("safetensors header bytes flipped", modelDir("st", d.flip(st, 8, (int) headerEnd, 1 + d.nextInt(3)), "model.safetensors", cfg), "model.safetensors", false);
        for (int i = 0; i < 30; i++) forward("safetensors data bytes flipped", modelDir("st", d.flip(st, (int) headerEnd, st.length, 1 + d.nextInt(8)), "model.safetensors", cfg), "model.safetensors", false);
        // header edits: a dtype, an offset made a float, a duplicate key, NaN data
        String header = new String(st, 8, (int) headerEnd - 8, java.nio.charset.StandardCharsets.UTF_8);
        String[] edits = {header.replaceFirst("\"F32\"", "\"I32\""), header.replaceFirst("\"F32\"", "\"BOOL\""),
                header.replaceFirst("\"data_offsets\":\\[(\\d+),", "\"data_offsets\":[$1.0,"),
                header.replaceFirst("\"shape\":\\[(\\d+)", "\"shape\":[$1.0"),
                header.replaceFirst("\\{\"__metadata__\"", "{\"classifier.bias\":{\"dtype\":\"F32\",\"shape\":[5],\"data_offsets\":[0,20]},\"__metadata__\"")};
        for (String e : edits) {
            byte[] h = e.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8 + h.length + st.length - (int) headerEnd).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            b.putLong(h.length).put(h).put(st, (int) headerEnd, st.length - (int) headerEnd);
            forward("safetensors header edited (dtype/float/duplicate)", modelDir("st", b.array(), "model.safetensors", cfg), "model.safetensors", true);
        }
        byte[] nan = st.clone();
        for (int i = (int) headerEnd; i + 4 <= nan.length; i += 4) {
            nan[i] = 0; nan[i + 1] = 0; nan[i + 2] = (byte) 0xc0; nan[i + 3] = 0x7f;
        }
        forward("safetensors all NaN", modelDir("st", nan, "model.safetensors", cfg), "model.safetensors", true);
    }

    @Test
    void damagedTorchCheckpoints() throws IOException {
        Damage d = new Damage(SEED + 1);
        byte[] pyth = Files.readAllBytes(FIXTURE.resolve("official.pyth"));
        String cfg = Files.readString(FIXTURE.resolve("config.json"));
        for (int i = 0; i < 25; i++) forward("torch zip truncated", modelDir("pt", d.truncate(pyth), "pytorch_model.bin", cfg), "pytorch_model.bin", true);
        for (int i = 0; i < 40; i++) forward("torch zip bytes flipped", modelDir("pt", d.flip(pyth, 0, pyth.length, 1 + d.nextInt(4)), "pytorch_model.bin", cfg), "pytorch_model.bin", false);
        // hostile pickles
        Path m = modelDir("pk", new byte[0], "x", cfg);
        Files.delete(m.resolve("x"));
        Pickles deep = new Pickles();
        for (int i = 0; i < 50_000; i++) deep.op('(');
        for (int i = 0; i < 50_000; i++) deep.op('t');
        byte[] four = io.timesformer4j.fuzz.RawSafetensors.floats(1, 2, 3, 4);
        List<Pickles> hostile = List.of(
                new Pickles().op(']').op('q').op(0).op('h').op(0).op('a'),
                new Pickles().op('}').op(']').integer(1).op('s'),
                deep,
                new Pickles().global("os", "system").str("touch pwned").op(0x85).op('R'),
                new Pickles().op('}').str("w").tensor("FloatStorage", "0", 4, 0, new long[] {1L << 62, 4}, new long[] {4, 1}).op('s'),
                new Pickles().op('}').str("w").tensor("FloatStorage", "0", 4, 0, new long[] {1L << 20, 1L << 20}, new long[] {0, 0}).op('s'),
                new Pickles().op('}').op('(').str("a").tensor("FloatStorage", "0", 4, 0, new long[] {4}, new long[] {1})
                        .str("b").tensor("FloatStorage", "0", 1000, 0, new long[] {1000}, new long[] {1}).op('u'));
        for (Pickles p : hostile) {
            Pickles.zip(m.resolve("pytorch_model.bin"), p.bytes(), Map.of("0", four));
            forward("hostile pickle", m, "pytorch_model.bin", true);
        }
        Pickles.zipBomb(m.resolve("pytorch_model.bin"), (64L << 20) + 1);
        forward("zip entry inflating past the limit", m, "pytorch_model.bin", true);
        assertFalse(Files.exists(Path.of("pwned")));
    }

    @Test
    void hostileConfigs() throws IOException {
        Damage d = new Damage(SEED + 2);
        ObjectNode base = (ObjectNode) JSON.readTree(FIXTURE.resolve("config.json").toFile());
        byte[] st = Files.readAllBytes(FIXTURE.resolve("model.safetensors"));
        List<String> fields = List.of("image_size", "patch_size", "num_channels", "num_frames", "hidden_size", "num_hidden_layers",
                "num_attention_heads", "intermediate_size", "hidden_act", "hidden_dropout_prob", "attention_probs_dropout_prob",
                "initializer_range", "layer_norm_eps", "qkv_bias", "attention_type", "drop_path_rate", "id2label");
        for (int i = 0; i < 80; i++) {
            String field = d.pick(fields), value = d.hostileValue();
            ObjectNode c = base.deepCopy();
            c.set(field, JSON.readTree(value));
            Path m = modelDir("cfg", st, "model.safetensors", JSON.writeValueAsString(c));
            CliRun r = CliRun.run("forward", "--model", m.toString(), "--input", FIXTURE.resolve("input.safetensors").toString(),
                    "--output", dir.resolve("out.safetensors").toString(), "--threads", "1");
            judge("config.json hostile value", r, "config.json", true);
            assertTrue(r.err().contains(field), field + "=" + value + ": " + r.err());
        }
        for (int i = 0; i < 10; i++) {
            String text = JSON.writeValueAsString(base);
            forward("config.json truncated", modelDir("cfg", st, "model.safetensors", text.substring(0, d.nextInt(text.length()))), "config.json", true);
        }
    }

    @Test
    void damagedAndOddVideos() throws IOException {
        Damage d = new Damage(SEED + 3);
        List<Path> clips = new ArrayList<>();
        for (String ext : new String[] {"mp4", "avi", "mkv"}) {
            Path p = dir.resolve("clip." + ext);
            try (VideoWriter w = new VideoWriter(p, 48, 32, 25, VideoWriter.Codec.forFile(p), 10)) {
                for (int t = 0; t < 60; t++) {
                    byte[] rgb = new byte[48 * 32 * 3];
                    java.util.Arrays.fill(rgb, (byte) (t * 4));
                    w.write(rgb);
                }
            }
            clips.add(p);
        }
        FrameSampler sparse = n -> new int[] {0, Math.max(0, n / 3), Math.max(0, n - 1)};
        for (int i = 0; i < 60; i++) {
            Path src = d.pick(clips);
            byte[] b = Files.readAllBytes(src);
            boolean cut = d.nextInt(2) == 0;
            byte[] bad = cut ? d.truncate(b) : d.flip(b, 0, b.length, 1 + d.nextInt(16));
            Path p = Files.write(dir.resolve("bad" + i + "." + src.getFileName().toString().split("\\.")[1]), bad);
            String kind = cut ? "video truncated" : "video bytes flipped";
            try (VideoSource v = VideoSource.open(p)) {
                DecodedClip c = v.read(sparse, 0);
                assertEquals(3, c.frames());
                outcomes.computeIfAbsent(kind, k -> new int[2])[0]++;
            } catch (VideoException e) {
                outcomes.computeIfAbsent(kind, k -> new int[2])[1]++;
                assertTrue(e.getMessage().startsWith(p.toString()) && !e.getMessage().contains("\n"), e.getMessage());
            }
            if (i % 6 == 0) {
                CliRun r = CliRun.run("extract", p.toString(), "--out", dir.resolve("frames" + i).toString());
                judge("extract on a damaged video", r, p.getFileName().toString(), false);
            }
        }
    }

    /** B-frame and open-GOP files read with keyframe seeks at random sparse indices: bounded, and equal to decoding through. */
    @Test
    void oddVideosReadWithSeeks() throws Exception {
        Damage d = new Damage(SEED + 4);
        List<Path> odd = new ArrayList<>();
        for (String[] c : new String[][] {{"mpeg4", "mp4", "+cgop"}, {"mpeg2video", "mp4", ""}, {"mpeg2video", "mkv", ""}}) {
            Path p = dir.resolve("odd-" + c[0] + "." + c[1]);
            try (org.bytedeco.javacv.FFmpegFrameRecorder r = new org.bytedeco.javacv.FFmpegFrameRecorder(p.toFile(), 64, 48, 0);
                 org.bytedeco.javacv.Frame f = new org.bytedeco.javacv.Frame(64, 48, org.bytedeco.javacv.Frame.DEPTH_UBYTE, 3)) {
                r.setVideoCodecName(c[0]);
                r.setPixelFormat(org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P);
                r.setFrameRate(25);
                r.setGopSize(25);
                r.setVideoOption("bf", "2");
                r.setVideoOption("sc_threshold", "1000000000");
                if (!c[2].isEmpty()) r.setVideoOption("flags", c[2]);
                r.setVideoQuality(2);
                r.start();
                for (int t = 0; t < 120; t++) {
                    java.nio.ByteBuffer b = (java.nio.ByteBuffer) f.image[0];
                    for (int y = 0; y < 48; y++) for (int x = 0; x < 64 * 3; x++) b.put(y * f.imageStride + x, (byte) (t * 2));
                    r.record(f, org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_RGB24);
                }
            }
            odd.add(p);
        }
        for (int i = 0; i < 24; i++) {
            Path p = d.pick(odd);
            int[] idx = new int[2 + d.nextInt(4)];
            for (int k = 0; k < idx.length; k++) idx[k] = d.nextInt(120);
            FrameSampler s = n -> idx.clone();
            DecodedClip through, seeking;
            try (VideoSource v = VideoSource.open(p, VideoSource.Options.defaults().withKeyframeSeeks(false))) {
                through = v.read(s, 0);
            }
            try (VideoSource v = VideoSource.open(p)) {
                seeking = v.read(s, 0);
            }
            assertTrue(java.util.Arrays.equals(through.rgb(), seeking.rgb()), p + " " + java.util.Arrays.toString(idx));
            outcomes.computeIfAbsent("B-frame / open-GOP video, sparse seeks", k -> new int[2])[0]++;
        }
    }
}
