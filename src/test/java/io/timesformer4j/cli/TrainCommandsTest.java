package io.timesformer4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.timesformer4j.data.SyntheticMotion;
import io.timesformer4j.train.OptimizerSpec;
import io.timesformer4j.train.ScheduleSpec;
import io.timesformer4j.train.TrainConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The train / evaluate / predict commands end to end on generated clips with the tiny preset. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TrainCommandsTest {
    @TempDir
    static Path dir;
    static Path data, run;

    @BeforeAll
    static void generate() throws IOException {
        data = dir.resolve("clips");
        SyntheticMotion.generate(data, new SyntheticMotion.Spec(List.of("left", "right"), 4, 8, 32, 32, 15, "mp4", 9));
        run = dir.resolve("run");
    }

    @Test
    @Order(1)
    void trainThenResumeForOneMoreEpoch() throws IOException {
        CliRun r = CliRun.run("train", "--data", data.toString(), "--out", run.toString(), "--preset", "tiny", "--frames", "8",
                "--epochs", "2", "--batch-size", "4", "--lr", "1e-3", "--val-split", "0.25", "--threads", "1", "--no-progress");
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("\\[2] loss: \\d+\\.\\d+, val_acc: \\d\\.\\d+")), r.out());
        assertTrue(r.out().contains("6 train / 2 val clips"), r.out());
        for (String f : List.of("run.json", "metrics.jsonl", "loss.png", "accuracy.png", "checkpoint/state.json",
                "checkpoint/model.safetensors", "checkpoint/optimizer.pt", "best/config.json", "best/model.safetensors")) {
            assertTrue(Files.isRegularFile(run.resolve(f)), f);
        }
        JsonNode config = new ObjectMapper().readTree(run.resolve("best/config.json").toFile());
        assertEquals("left", config.get("id2label").get("0").asText());

        CliRun again = CliRun.run("train", "--data", data.toString(), "--out", run.toString(), "--preset", "tiny");
        assertEquals(2, again.code());
        assertTrue(again.err().contains("--resume " + run), again.err());

        CliRun resumed = CliRun.run("train", "--resume", run.toString(), "--epochs", "3", "--no-progress");
        assertEquals(0, resumed.code(), resumed.out() + resumed.err());
        assertTrue(resumed.out().contains("resumed " + run + " after epoch 2"), resumed.out());
        assertFalse(resumed.out().contains("[2] loss"), resumed.out());
        assertTrue(resumed.out().contains("[3] loss"), resumed.out());
        List<String> metrics = Files.readAllLines(run.resolve("metrics.jsonl"));
        assertEquals(3, metrics.size());
        assertTrue(metrics.get(2).contains("\"epoch\":3") && metrics.get(2).contains("\"clips_per_s\""), metrics.get(2));
    }

    @Test
    @Order(2)
    void evaluateAndPredict() throws IOException {
        Path out = dir.resolve("eval");
        CliRun e = CliRun.run("evaluate", "--model", run.resolve("best").toString(), "--data", data.toString(), "--views", "1x3",
                "--out", out.toString(), "--threads", "1", "--no-progress");
        assertEquals(0, e.code(), e.out() + e.err());
        assertTrue(e.out().contains("mean class accuracy"), e.out());
        assertTrue(e.out().lines().anyMatch(l -> l.startsWith("left ")), e.out());
        JsonNode report = new ObjectMapper().readTree(out.resolve("report.json").toFile());
        assertEquals(8, report.get("samples").asInt());
        assertEquals("1x3", report.get("views").asText());
        assertTrue(Files.size(out.resolve("confusion.png")) > 0);

        Path video = data.resolve("right").resolve("right_0001.mp4");
        Path bad = Files.write(dir.resolve("broken.mp4"), new byte[100]);
        CliRun p = CliRun.run("predict", "--model", run.resolve("best").toString(), "--top-k", "2", "--json", "--threads", "1",
                video.toString(), bad.toString());
        assertEquals(0, p.code(), p.out() + p.err());
        JsonNode arr = new ObjectMapper().readTree(p.out());
        assertEquals(2, arr.size());
        assertEquals(2, arr.get(0).get("top").size());
        assertTrue(arr.get(1).get("error").asText().length() > 0);
        assertTrue(p.err().contains("error: " + bad), p.err());

        CliRun allBad = CliRun.run("predict", "--model", run.resolve("best").toString(), bad.toString());
        assertEquals(1, allBad.code(), allBad.out() + allBad.err());
    }

    /** {@code --init} from the Hugging Face fixture (5 classes, 4 frames): new 2-class head, 8 frames. */
    @Test
    void initFromAHuggingFaceModelDir() throws IOException {
        Path fixture = io.timesformer4j.model.Fixtures.dir("tiny_divided_space_time");
        Path out = dir.resolve("init-run");
        CliRun r = CliRun.run("train", "--data", data.toString(), "--out", out.toString(), "--preset", "tiny", "--frames", "8",
                "--epochs", "1", "--batch-size", "4", "--init", fixture.toString(), "--threads", "1", "--no-progress");
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("initialised from " + fixture), r.out());
        JsonNode config = new ObjectMapper().readTree(out.resolve("best/config.json").toFile());
        assertEquals(2, config.get("id2label").size());
        assertEquals(8, config.get("num_frames").asInt());
    }

    /**
     * {@code --init} with the default preset: the architecture comes from the checkpoint's config.json (as
     * from_pretrained), the report is one short line; weights without a config that do not fit the preset are refused.
     */
    @Test
    void initTakesTheArchitectureFromTheCheckpointOrRefuses() throws IOException {
        Path fixture = io.timesformer4j.model.Fixtures.dir("tiny_divided_space_time");
        Path out = dir.resolve("init-arch");
        CliRun r = CliRun.run("train", "--data", data.toString(), "--out", out.toString(), "--epochs", "1", "--batch-size", "4",
                "--init", fixture.toString(), "--threads", "1", "--no-progress");
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().contains("architecture from " + fixture.resolve("config.json")), r.out());
        String line = r.out().lines().filter(l -> l.startsWith("initialised from")).findFirst().orElseThrow();
        assertTrue(line.length() < 400 && !line.contains("LoadReport[") && line.contains("tensors loaded"), line);
        JsonNode config = new ObjectMapper().readTree(out.resolve("best/config.json").toFile());
        assertEquals(64, config.get("hidden_size").asInt());
        assertEquals(4, config.get("num_frames").asInt());

        Path alone = Files.createDirectories(dir.resolve("no-config"));
        Path pyth = Files.copy(fixture.resolve("official.pyth"), alone.resolve("tiny.pyth"));
        CliRun bad = CliRun.run("train", "--data", data.toString(), "--out", dir.resolve("init-bad").toString(), "--epochs", "1",
                "--init", pyth.toString(), "--threads", "1", "--no-progress");
        assertEquals(2, bad.code(), bad.all());
        assertEquals(1, bad.err().lines().count(), bad.err());
        assertTrue(bad.err().contains("tiny.pyth") && bad.err().contains("does not fit") && bad.err().contains("--preset"), bad.err());
        assertFalse(Files.exists(dir.resolve("init-bad/run.json")));
    }

    @Test
    void demoRunsEndToEndOnASmallSetting() throws IOException {
        Path out = dir.resolve("demo");
        CliRun r = CliRun.run("demo", "--out", out.toString(), "--epochs", "1", "--classes", "left,right", "--clips-per-class", "4",
                "--threads", "1", "--no-progress");
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("demo finished"), r.out());
        assertTrue(r.out().contains("(chance 0.500)"), r.out());
        for (String f : List.of("data/train/left/left_0000.mp4", "data/val/right/right_0009.mp4", "run/loss.png",
                "run/accuracy.png", "run/best/config.json", "eval/report.json", "eval/confusion.png")) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        }
    }

    @Test
    void badInputIsOneClearErrorLine() {
        CliRun r = CliRun.run("train", "--data", dir.resolve("missing").toString(), "--out", dir.resolve("x").toString(), "--preset", "tiny");
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("error: ") && r.err().contains("missing"), r.err());
        CliRun v = CliRun.run("evaluate", "--model", run.toString(), "--data", data.toString(), "--views", "2x2");
        assertEquals(2, v.code());
        assertTrue(v.err().contains("--views"), v.err());
    }

    @Test
    void paperRecipeAndExplicitOverrides() {
        TrainCommand c = new TrainCommand();
        new CommandLine(c).parseArgs("--data", "d", "--recipe", "paper");
        TrainConfig t = c.config();
        assertEquals(new OptimizerSpec(OptimizerSpec.Kind.SGD, 0.005, 1e-4, 0.9, false), t.optimizer());
        assertEquals(ScheduleSpec.Kind.STEP, t.schedule().kind());
        assertEquals(List.of(11, 14), t.schedule().milestones());
        assertEquals(15, t.epochs());

        TrainCommand d = new TrainCommand();
        new CommandLine(d).parseArgs("--data", "d", "--recipe", "paper", "--schedule", "cosine", "--warmup-epochs", "2",
                "--optimizer", "adamw", "--epochs", "4");
        TrainConfig u = d.config();
        assertEquals(OptimizerSpec.Kind.ADAMW, u.optimizer().kind());
        assertEquals(0.05, u.optimizer().weightDecay());
        assertEquals(0.005, u.optimizer().lr());
        assertEquals(ScheduleSpec.Kind.COSINE, u.schedule().kind());
        assertEquals(4, u.epochs());

        TrainCommand s = new TrainCommand();
        new CommandLine(s).parseArgs("--data", "d");
        assertEquals(TrainConfig.seedDefaults(42), s.config());
    }
}
