package io.timesformer4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.timesformer4j.data.SyntheticMotion;
import io.timesformer4j.run.TfEvents;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/** TensorBoard, early stopping, kept checkpoints, versioned manifests and old run folders, from the CLI. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RunFolderCommandsTest {
    @TempDir
    static Path dir;
    static Path data, run;
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void generate() throws IOException {
        data = dir.resolve("clips");
        SyntheticMotion.generate(data, new SyntheticMotion.Spec(List.of("left", "right"), 4, 8, 32, 32, 15, "mp4", 5));
        run = dir.resolve("run");
    }

    private static String[] train(Path out, String... more) {
        List<String> a = new java.util.ArrayList<>(List.of("train", "--data", data.toString(), "--out", out.toString(),
                "--preset", "tiny", "--frames", "8", "--batch-size", "4", "--val-split", "0.25", "--threads", "1", "--no-progress"));
        a.addAll(List.of(more));
        return a.toArray(new String[0]);
    }

    /** lr 1e-12 cannot move val_acc: patience 1 stops after epoch 2 of 5; TensorBoard has every scalar of both epochs. */
    @Test
    @Order(1)
    void tensorboardEarlyStoppingAndKeptCheckpoints() throws IOException {
        CliRun r = CliRun.run(train(run, "--epochs", "5", "--lr", "1e-12", "--tensorboard", "--early-stop-patience", "1",
                "--keep-last", "1"));
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().contains("[2] loss"), r.out());
        assertFalse(r.out().contains("[3] loss"), r.out());
        assertTrue(r.out().contains("stopped after epoch 2: early stopping: val_acc did not improve"), r.out());
        assertEquals(2, Files.readAllLines(run.resolve("metrics.jsonl")).size());

        // --keep-last 1 alone keeps every epoch's checkpoint, then only the newest
        try (Stream<Path> s = Files.list(run.resolve("checkpoints"))) {
            assertEquals(List.of("epoch-0002"), s.map(p -> p.getFileName().toString()).sorted().toList());
        }

        Path events;
        try (Stream<Path> s = Files.list(run.resolve("tensorboard"))) {
            events = s.filter(p -> p.getFileName().toString().startsWith("events.out.tfevents.")).findFirst().orElseThrow();
        }
        List<TfEvents.Event> ev = TfEvents.read(events);
        assertEquals("brain.Event:2", ev.get(0).fileVersion());
        Set<String> tags = ev.stream().flatMap(e -> e.scalars().stream()).map(TfEvents.Scalar::tag).collect(Collectors.toSet());
        assertTrue(tags.containsAll(Set.of("train/loss", "train/lr", "epoch/train_loss", "epoch/train_acc", "epoch/val_loss",
                "epoch/val_acc", "epoch/lr", "epoch/clips_per_s")), tags.toString());
        // 6 training clips in batches of 4: 2 steps per epoch; the epoch scalars sit at the epoch's last step
        List<Long> valAccSteps = ev.stream().filter(e -> e.scalars().stream().anyMatch(s -> s.tag().equals("epoch/val_acc")))
                .map(TfEvents.Event::step).toList();
        assertEquals(List.of(2L, 4L), valAccSteps);
        JsonNode m2 = JSON.readTree(Files.readAllLines(run.resolve("metrics.jsonl")).get(1));
        float tbAcc = ev.stream().filter(e -> e.step() == 4).flatMap(e -> e.scalars().stream())
                .filter(s -> s.tag().equals("epoch/val_acc")).findFirst().orElseThrow().value();
        assertEquals((float) m2.get("val_acc").asDouble(), tbAcc);

        // versioned manifests: the settings once in run.json, provenance in both
        JsonNode manifest = JSON.readTree(run.resolve("run.json").toFile());
        assertEquals(2, manifest.get("format_version").asInt());
        assertFalse(manifest.get("project_version").asText().isBlank());
        assertEquals(42, manifest.get("seed").asLong());
        assertEquals(6, manifest.get("data").get("train_clips").asInt());
        assertEquals(List.of("left", "right"), List.of(manifest.get("data").get("classes").get(0).asText(),
                manifest.get("data").get("classes").get(1).asText()));
        assertEquals(5, manifest.get("options").get("train").get("epochs").asInt());
        JsonNode state = JSON.readTree(run.resolve("checkpoint/state.json").toFile());
        assertEquals(2, state.get("format_version").asInt());
        assertFalse(state.has("config"), state.toString());
    }

    /** {@code --resume RUN/checkpoints/epoch-NNNN} continues the run from that kept checkpoint. */
    @Test
    @Order(2)
    void resumeFromAKeptCheckpoint() throws IOException {
        CliRun r = CliRun.run("train", "--resume", run.resolve("checkpoints/epoch-0002").toString(), "--epochs", "3",
                "--no-progress", "--threads", "1");
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().contains("resumed " + run + " after epoch 2"), r.out());
        assertTrue(r.out().contains("[3] loss"), r.out());
        assertEquals(3, Files.readAllLines(run.resolve("metrics.jsonl")).size());
    }

    /** A run folder written before versioning (bare options in run.json, config copy in state.json) still resumes. */
    @Test
    @Order(3)
    void oldLayoutRunFoldersResumeAndNewerOnesAreRefused() throws IOException {
        Path old = dir.resolve("old");
        copyTree(run, old);
        JsonNode manifest = JSON.readTree(old.resolve("run.json").toFile());
        Files.writeString(old.resolve("run.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(manifest.get("options")));
        ObjectNode state = (ObjectNode) JSON.readTree(old.resolve("checkpoint/state.json").toFile());
        state.remove(List.of("format_version", "project_version", "git_commit"));
        state.set("config", manifest.get("options").get("train"));
        Files.writeString(old.resolve("checkpoint/state.json"), JSON.writeValueAsString(state));

        CliRun r = CliRun.run("train", "--resume", old.toString(), "--epochs", "4", "--no-progress", "--threads", "1");
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().contains("resumed " + old + " after epoch 3"), r.out());
        assertTrue(r.out().contains("[4] loss"), r.out());
        assertEquals(2, JSON.readTree(old.resolve("run.json").toFile()).get("format_version").asInt());  // rewritten as v2

        Path future = dir.resolve("future");
        copyTree(run, future);
        ObjectNode m = (ObjectNode) JSON.readTree(future.resolve("run.json").toFile());
        m.put("format_version", 99);
        Files.writeString(future.resolve("run.json"), JSON.writeValueAsString(m));
        CliRun f = CliRun.run("train", "--resume", future.toString(), "--no-progress");
        assertEquals(2, f.code(), f.all());
        assertTrue(f.err().contains("format_version 99") && f.err().contains("newer"), f.err());
        assertEquals(1, f.err().lines().count(), f.err());
    }

    /** {@code --init} takes weights only: from another run's best model or a kept checkpoint, into a fresh run. */
    @Test
    @Order(4)
    void initIsWeightsOnlyFineTuningIntoANewRun() throws IOException {
        for (Path from : List.of(run.resolve("best"), run.resolve("checkpoints/epoch-0002"))) {
            Path out = dir.resolve("fine-" + from.getFileName());
            CliRun r = CliRun.run(train(out, "--epochs", "1", "--init", from.toString()));
            assertEquals(0, r.code(), r.all());
            assertTrue(r.out().contains("initialised from " + from), r.out());
            assertFalse(r.out().contains("resumed"), r.out());
            assertTrue(r.out().contains("[1] loss"), r.out());
            assertEquals(1, JSON.readTree(out.resolve("checkpoint/state.json").toFile()).get("epoch").asInt());
            String init = JSON.readTree(out.resolve("run.json").toFile()).get("options").get("init").asText();   // a file: URI
            assertEquals(from.toAbsolutePath(), Path.of(java.net.URI.create(init)));
        }
        // --init with --resume is refused: a resume continues the run's own weights and optimizer
        CliRun both = CliRun.run("train", "--resume", run.toString(), "--init", run.resolve("best").toString());
        assertEquals(2, both.code(), both.all());
        assertTrue(both.err().contains("--init"), both.err());
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path q = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(q);
                else Files.copy(p, q);
            }
        }
    }
}
