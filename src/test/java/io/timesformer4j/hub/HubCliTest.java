package io.timesformer4j.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.timesformer4j.data.SyntheticMotion;
import io.timesformer4j.model.ModelDir;
import io.timesformer4j.model.Preprocessing;
import io.timesformer4j.model.Presets;
import io.timesformer4j.model.TimeSformer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code timesformer predict --model org/name} in a child JVM whose environment points HF_ENDPOINT at a fake Hub
 * on 127.0.0.1 and HF_HUB_CACHE at a temp folder; then {@code export --model org/name@main} with HF_HUB_OFFLINE=1
 * from the cache.
 */
class HubCliTest {
    record Run(int code, String out) {}

    static Run cli(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-cp", System.getProperty("java.class.path")));
        String cache = System.getProperty("org.bytedeco.javacpp.cachedir");
        if (cache != null) cmd.add("-Dorg.bytedeco.javacpp.cachedir=" + cache);
        cmd.add("io.timesformer4j.cli.Main");
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("HF_") || k.startsWith("HUGGING"));
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), out);
        return new Run(p.exitValue(), out);
    }

    @Test
    void predictWithAHubIdThenOffline(@TempDir Path tmp) throws Exception {
        Path modelDir = tmp.resolve("m");
        ModelDir.save(new TimeSformer(Presets.get("tiny", List.of("left", "right"))), Preprocessing.defaults(32), modelDir);
        Path video = SyntheticMotion.generate(tmp.resolve("v"),
                new SyntheticMotion.Spec(List.of("left"), 1, 8, 32, 32, 10, "mp4", 1)).get(0);
        Path cache = tmp.resolve("hf-cache");
        try (FakeHub hub = new FakeHub()) {
            String commit = hub.publish("org/tiny", "main", modelDir);
            Map<String, String> env = Map.of("HF_ENDPOINT", hub.endpoint(), "HF_HUB_CACHE", cache.toString());
            Run r = cli(env, "predict", "--model", "org/tiny", "--threads", "1", "--top-k", "1", video.toString());
            assertEquals(0, r.code(), r.out());
            assertTrue(r.out().contains("downloaded org/tiny/model.safetensors"), r.out());
            assertTrue(r.out().contains(video.toString()), r.out());
            assertTrue(Files.isSymbolicLink(cache.resolve("models--org--tiny/snapshots").resolve(commit).resolve("model.safetensors")));

        }
        // the fake Hub is gone: offline mode reads the cache (here through --model of export, the path --init takes too)
        Path pt = tmp.resolve("tiny.pt");
        Run off = cli(Map.of("HF_ENDPOINT", "http://127.0.0.1:1", "HF_HUB_CACHE", cache.toString(), "HF_HUB_OFFLINE", "1"),
                "export", "--model", "org/tiny@main", "--torchscript", pt.toString());
        assertEquals(0, off.code(), off.out());
        assertTrue(!off.out().contains("downloaded"), off.out());
        assertTrue(Files.size(pt) > 0);
    }
}
