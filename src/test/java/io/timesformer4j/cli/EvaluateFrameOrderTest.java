package io.timesformer4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.timesformer4j.data.SyntheticPairs;
import io.timesformer4j.model.ModelDir;
import io.timesformer4j.model.Preprocessing;
import io.timesformer4j.model.Presets;
import io.timesformer4j.model.TimeSformer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code evaluate --time-reversed / --shuffle-frames} on generated twin clips with untrained tiny models: the official
 * init (time embeddings and temporal_fc zero) is blind to frame order, so nothing changes; with random time
 * embeddings the same model sees the order, and the probabilities move.
 */
class EvaluateFrameOrderTest {
    @TempDir
    static Path dir;
    static Path data, blind, timed;

    @BeforeAll
    static void setUp() throws IOException {
        data = dir.resolve("pairs");
        SyntheticPairs.generate(data, SyntheticPairs.Options.defaults().withClasses(List.of("left", "right", "up", "down"))
                .withClipsPerClass(2).withValFraction(0).withSizes(List.of(new SyntheticPairs.Size(64, 48))).withFps(List.of(10.0))
                .withSeconds(1, 1.2).withFormats(List.of(SyntheticPairs.Format.MJPEG_AVI)).withSeed(2), null);
        List<String> labels = List.of("down", "left", "right", "up");
        torch.manual_seed(3);
        TimeSformer m = new TimeSformer(Presets.get("tiny", labels).withFrames(8));
        try (NoGradGuard g = new NoGradGuard()) {     // a head with large weights, so the logits are far apart
            Tensor head = m.stateDict().get("classifier.weight");
            head.copy_(torch.randn(head.sizes().vec().get()).mul(new org.bytedeco.pytorch.Scalar(0.2)));
        }
        blind = dir.resolve("blind");
        ModelDir.save(m, Preprocessing.defaults(32), blind);
        try (NoGradGuard g = new NoGradGuard()) {
            // random time embeddings and temporal_fc (official init: zero), so the frame order reaches the output
            for (var e : m.stateDict().entrySet()) {
                if (e.getKey().endsWith("time_embeddings") || e.getKey().endsWith("temporal_dense.weight")) {
                    e.getValue().copy_(torch.randn(e.getValue().sizes().vec().get()));
                }
            }
        }
        timed = dir.resolve("timed");
        ModelDir.save(m, Preprocessing.defaults(32), timed);
    }

    @Test
    void officialInitIsBlindToFrameOrder() throws IOException {
        Path out = dir.resolve("eval-blind");
        CliRun r = CliRun.run("evaluate", "--model", blind.toString(), "--data", data.resolve("train").toString(), "--time-reversed",
                "--shuffle-frames", "--shuffle-seed", "5", "--out", out.toString(), "--threads", "1", "--no-progress");
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().contains("time-reversed frames: 0 of 8 predictions changed (0.0 %)"), r.out());
        assertTrue(r.out().contains("shuffled (seed 5) frames: 0 of 8 predictions changed (0.0 %)"), r.out());
        // the pairs come from the synth manifest one folder up
        assertTrue(r.out().contains("pairs left:right,up:down"), r.out());
        for (String f : List.of("time_reversed.json", "shuffled.json")) {
            JsonNode j = new ObjectMapper().readTree(out.resolve(f).toFile());
            assertEquals(8, j.get("samples").asInt(), f);
            assertEquals(0, j.get("changed").asInt(), f);
            for (JsonNode c : j.get("clips")) assertTrue(c.get("prob_change").asDouble() < 5e-7, f + ": " + c);   // float rounding only
            assertEquals(8, j.get("partner_clips").asInt(), f);
            assertEquals(4, j.get("per_class").size(), f);
        }
    }

    @Test
    void timeEmbeddingsMakeTheOrderMatter() throws IOException {
        Path out = dir.resolve("eval-timed");
        CliRun r = CliRun.run("evaluate", "--model", timed.toString(), "--data", data.resolve("train").toString(), "--time-reversed",
                "--pairs", "left:right", "--out", out.toString(), "--threads", "1", "--no-progress");
        assertEquals(0, r.code(), r.all());
        JsonNode j = new ObjectMapper().readTree(out.resolve("time_reversed.json").toFile());
        // an untrained model hardly depends on the clip, but on the order every clip moves well above rounding
        for (JsonNode c : j.get("clips")) assertTrue(c.get("prob_change").asDouble() > 5e-6, c.toString());
        assertEquals(4, j.get("partner_clips").asInt());
        assertTrue(r.out().contains("pairs left:right"), r.out());
    }

    @Test
    void unknownPairClassIsOneLine() {
        CliRun r = CliRun.run("evaluate", "--model", blind.toString(), "--data", data.resolve("train").toString(), "--time-reversed",
                "--pairs", "left:sideways", "--threads", "1", "--no-progress");
        assertEquals(2, r.code(), r.all());
        assertEquals("error: --pairs: class 'sideways' is not one of the model's labels [down, left, right, up]", r.err().strip());
    }
}
