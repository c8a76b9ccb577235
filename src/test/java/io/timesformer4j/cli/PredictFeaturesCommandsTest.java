package io.timesformer4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.timesformer4j.api.VideoClassifier;
import io.timesformer4j.data.SyntheticMotion;
import io.timesformer4j.model.ModelDir;
import io.timesformer4j.model.Preprocessing;
import io.timesformer4j.model.Presets;
import io.timesformer4j.model.SafeTensors;
import io.timesformer4j.model.TimeSformer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** predict (top-k JSON as float32, timelines), features and evaluate's predictions.jsonl on real encoded clips. */
class PredictFeaturesCommandsTest {
    static final ObjectMapper JSON = new ObjectMapper();
    @TempDir static Path dir;
    static Path model, data, left, right;

    @BeforeAll
    static void setUp() throws IOException {
        torch.manual_seed(3);
        TimeSformer m = new TimeSformer(Presets.get("tiny", List.of("left", "right")));
        try (PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            for (Tensor p : m.stateDict().values()) p.add_(torch.randn_like(p).mul(new org.bytedeco.pytorch.Scalar(0.3)));
        }
        model = dir.resolve("model");
        ModelDir.save(m, Preprocessing.defaults(32), model);
        data = dir.resolve("data");
        List<Path> clips = SyntheticMotion.generate(data, new SyntheticMotion.Spec(List.of("left", "right"), 1, 40, 32, 32, 10, "mp4", 5));
        left = clips.stream().filter(p -> p.toString().contains("left")).findFirst().orElseThrow();
        right = clips.stream().filter(p -> p.toString().contains("right")).findFirst().orElseThrow();
    }

    /**
     * Several videos decode in parallel ({@code --workers 3}) while one at a time runs through the model: the
     * output is the one of a single worker, in argument order, with each unreadable file's error in its place.
     */
    @Test
    void predictWithSeveralWorkersKeepsArgumentOrderAndPerVideoErrors() throws IOException {
        Path broken = dir.resolve("broken.mp4"), missing = dir.resolve("missing.mp4");
        Files.write(broken, new byte[] {0, 0, 0, 24, 'f', 't', 'y', 'p', 'j', 'u', 'n', 'k'});
        String[] videos = {left.toString(), broken.toString(), right.toString(), missing.toString(), right.toString(), left.toString()};
        List<String> one = new ArrayList<>(List.of("predict", "--model", model.toString(), "--json", "--top-k", "2",
                "--threads", "1", "--workers", "1"));
        List<String> three = new ArrayList<>(one);
        three.set(three.indexOf("--workers") + 1, "3");
        one.addAll(List.of(videos));
        three.addAll(List.of(videos));
        CliRun serial = CliRun.run(one.toArray(new String[0])), parallel = CliRun.run(three.toArray(new String[0]));
        assertEquals(0, parallel.code(), parallel.all());
        assertEquals(serial.out(), parallel.out());
        JsonNode arr = JSON.readTree(parallel.out());
        assertEquals(videos.length, arr.size());
        for (int i = 0; i < videos.length; i++) {
            assertEquals(videos[i], arr.get(i).get("path").asText());
            assertEquals(i == 1 || i == 3, !arr.get(i).get("error").isNull(), arr.get(i).toString());
        }
        assertEquals(arr.get(2).get("top").toString(), arr.get(4).get("top").toString());
        int b = parallel.err().indexOf("error: " + broken), m = parallel.err().indexOf("error: " + missing);
        assertTrue(b >= 0 && m > b, "one error line per unreadable file, in argument order:\n" + parallel.err());
    }

    @Test
    void predictJsonPrintsFloat32AndEvaluateWritesTheSameRecords() throws IOException {
        CliRun p = CliRun.run("predict", "--model", model.toString(), "--json", "--top-k", "2", "--threads", "1",
                left.toString(), right.toString());
        assertEquals(0, p.code(), p.all());
        Matcher num = Pattern.compile("\"probability\" : ([-0-9.eE]+)").matcher(p.out());
        int count = 0;
        while (num.find()) {
            String text = num.group(1);
            assertEquals(Float.toString(Float.parseFloat(text)), text, "printed as a float32, not a 17-digit double");
            count++;
        }
        assertEquals(4, count, p.out());
        JsonNode arr = JSON.readTree(p.out());
        try (VideoClassifier c = VideoClassifier.load(model, VideoClassifier.Options.defaults().withThreads(1).withTopK(2))) {
            assertEquals(c.classify(left).best().label(), arr.get(0).get("top").get(0).get("label").asText());
            assertEquals(c.classify(left).best().probability(), (float) arr.get(0).get("top").get(0).get("probability").asDouble());
        }

        Path ev = dir.resolve("eval");
        CliRun e = CliRun.run("evaluate", "--model", model.toString(), "--data", data.toString(), "--out", ev.toString(),
                "--threads", "1", "--no-progress");
        assertEquals(0, e.code(), e.all());
        List<String> lines = Files.readAllLines(ev.resolve("predictions.jsonl"));
        assertEquals(2, lines.size());
        for (String line : lines) {
            JsonNode n = JSON.readTree(line);
            List<String> fields = new ArrayList<>();
            n.fieldNames().forEachRemaining(fields::add);
            assertEquals(List.of("path", "top", "error", "label"), fields, line);
            JsonNode same = n.get("path").asText().equals(left.toString()) ? arr.get(0) : arr.get(1);
            assertEquals(same.get("path"), n.get("path"));
            List<String> predictFields = new ArrayList<>();
            same.fieldNames().forEachRemaining(predictFields::add);
            assertEquals(List.of("path", "top", "error"), predictFields);
            // predict --top-k 2 and evaluate's top 5 agree on the first two (2 classes: the whole list)
            // same labels in the same order; probabilities equal up to the BLAS's batch-dependent rounding
            // (MKL's GEMM rounds a batch of 2 and a batch of 1 differently in the last bits)
            assertEquals(same.get("top").size(), n.get("top").size(), line);
            for (int k = 0; k < n.get("top").size(); k++) {
                assertEquals(same.get("top").get(k).get("label"), n.get("top").get(k).get("label"), line);
                assertEquals(same.get("top").get(k).get("probability").asDouble(), n.get("top").get(k).get("probability").asDouble(),
                        1e-6, line);
            }
            assertTrue(line.matches(".*\"probability\":[0-9.eE-]{1,12}[,}].*"), line);
        }
    }

    @Test
    void timelineAsCsvAndJson() throws IOException {
        CliRun csv = CliRun.run("predict", "--model", model.toString(), "--window", "2s", "--stride", "1s", "--threads", "1",
                left.toString());
        assertEquals(0, csv.code(), csv.all());
        List<String> rows = csv.out().lines().toList();
        assertEquals("path,start,end,label,probability", rows.get(0));
        assertEquals(4, rows.size(), csv.out());                         // 4 s at 10 fps: [0,2) [1,3) [2,4)
        assertTrue(rows.get(1).startsWith(left + ",0.000,2.000,"), rows.get(1));
        assertTrue(rows.get(3).startsWith(left + ",2.000,4.000,"), rows.get(3));

        CliRun js = CliRun.run("predict", "--model", model.toString(), "--window", "2000ms", "--stride", "1", "--json",
                "--top-k", "2", "--threads", "1", left.toString(), dir.resolve("missing.mp4").toString());
        assertEquals(0, js.code(), js.all());
        JsonNode arr = JSON.readTree(js.out());
        assertEquals(3, arr.get(0).get("windows").size());
        assertEquals(2, arr.get(0).get("windows").get(1).get("top").size());
        assertEquals(1.0, arr.get(0).get("windows").get(1).get("start").asDouble(), 1e-9);
        assertEquals(rows.get(2).split(",")[3], arr.get(0).get("windows").get(1).get("top").get(0).get("label").asText());
        assertTrue(arr.get(1).get("error").asText().contains("no such file"), js.out());
        assertTrue(js.err().contains("error: " + dir.resolve("missing.mp4") + ": no such file"), js.err());

        CliRun bad = CliRun.run("predict", "--model", model.toString(), "--window", "fast", left.toString());
        assertEquals(2, bad.code(), bad.all());
        assertTrue(bad.err().contains("--window must be a positive duration"), bad.all());
    }

    @Test
    void featuresWritesOneRowPerVideoWithThePaths() throws IOException {
        Path out = dir.resolve("emb.safetensors");
        Path broken = Files.write(dir.resolve("broken.mp4"), new byte[64]);
        CliRun f = CliRun.run("features", "--model", model.toString(), "--out", out.toString(), "--threads", "1",
                left.toString(), broken.toString(), right.toString());
        assertEquals(0, f.code(), f.all());
        assertTrue(f.err().contains("error: " + broken), f.all());
        SafeTensors.Contents c = SafeTensors.readContents(out);
        Tensor t = c.tensors().get("features");
        assertEquals(2, t.size(0));
        assertEquals(64, t.size(1));
        JsonNode paths = JSON.readTree(c.metadata().get("paths"));
        assertEquals(List.of(left.toString(), right.toString()), List.of(paths.get(0).asText(), paths.get(1).asText()));
        try (VideoClassifier vc = VideoClassifier.load(model, VideoClassifier.Options.defaults().withThreads(1))) {
            float[] want = vc.features(right);
            float[] row = new float[64];
            t.select(0, 1).contiguous().data_ptr_float().get(row);
            assertTrue(java.util.Arrays.equals(want, row));
        }
        CliRun none = CliRun.run("features", "--model", model.toString(), "--out", dir.resolve("none.safetensors").toString(),
                broken.toString());
        assertEquals(1, none.code(), none.all());
    }
}
