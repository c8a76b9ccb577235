package io.timesformer4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.timesformer4j.model.SafeTensors;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code info}, {@code forward} and {@code benchmark model} through the real command line. */
class ModelCommandsTest {
    private static Path fixture(String name) {
        return io.timesformer4j.model.Fixtures.dir(name);
    }

    @Test
    void infoPrintsTheOfficialParameterCount() throws Exception {
        CliRun r = CliRun.run("info", "--preset", "base", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals(121_566_352L, j.get("parameters").asLong());
        assertEquals("divided_space_time", j.get("config").get("attention_type").asText());
        assertEquals(400, j.get("num_labels").asInt());

        r = CliRun.run("info", "--model", fixture("tiny_joint_space_time").toString(), "--json");
        assertEquals(0, r.code(), r.err());
        assertEquals(114_181L, new ObjectMapper().readTree(r.out()).get("parameters").asLong());
    }

    @Test
    void forwardWritesTheReferenceLogits(@TempDir Path tmp) throws Exception {
        Path dir = fixture("tiny_divided_space_time");
        Path out = tmp.resolve("logits.safetensors");
        CliRun r = CliRun.run("forward", "--model", dir.toString(), "--input", dir.resolve("input.safetensors").toString(),
                "--output", out.toString(), "--threads", "1");
        assertEquals(0, r.code(), r.err());
        Tensor logits = SafeTensors.read(out).get("logits");
        Tensor expected = SafeTensors.read(dir.resolve("expected.safetensors")).get("logits");
        assertTrue(logits.sub(expected).abs().max().item_double() < 2.2e-5);
    }

    @Test
    void badInputsGiveOneLineErrors(@TempDir Path tmp) throws Exception {
        Path dir = fixture("tiny_divided_space_time");
        Path in = tmp.resolve("in.safetensors");
        SafeTensors.write(in, Map.of("pixel_values", org.bytedeco.pytorch.global.torch.zeros(2, 3, 32, 32)), Map.of());
        CliRun r = CliRun.run("forward", "--model", dir.toString(), "--input", in.toString(), "--output", tmp.resolve("o").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("error: ") && r.err().contains("(B, T, C, H, W)"), r.err());
        r = CliRun.run("info", "--model", tmp.resolve("missing").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("missing") && r.err().contains("no such file"), r.err());
        Files.writeString(tmp.resolve("junk.pyth"), "not a checkpoint");
        r = CliRun.run("info", "--model", tmp.resolve("junk.pyth").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("junk.pyth"), r.err());
    }

    @Test
    void benchmarkModelRunsOnTheTinyPreset() throws Exception {
        CliRun r = CliRun.run("benchmark", "model", "--preset", "tiny", "--batch", "1", "--iters", "1", "--warmup", "0",
                "--threads", "1", "--matmul-size", "64", "--json");
        assertEquals(0, r.code(), r.err());
        String last = r.out().strip().lines().reduce((a, b) -> b).orElse("");
        JsonNode j = new ObjectMapper().readTree(last);
        assertTrue(j.get("clips_per_s").asDouble() > 0);
        assertEquals(156_037L, j.get("parameters").asLong());
        // the peak resident set at three points: natives loaded, model built, after the steps (a high-water mark)
        long runtime = j.get("rss_runtime_mib").asLong(), model = j.get("rss_model_mib").asLong(),
                peak = j.get("peak_rss_mib").asLong();
        assertTrue(runtime > 0 && runtime <= model && model <= peak, last);
        assertTrue(r.out().contains("peak RSS: " + peak + " MiB (runtime loaded: " + runtime + " MiB, model built: " + model + " MiB)"), r.out());
    }
}
