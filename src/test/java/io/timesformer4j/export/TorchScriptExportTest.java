package io.timesformer4j.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.timesformer4j.model.ModelDir;
import io.timesformer4j.model.Presets;
import io.timesformer4j.model.SafeTensors;
import io.timesformer4j.model.TimeSformer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeSet;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.IValue;
import org.bytedeco.pytorch.IValueVector;
import org.bytedeco.pytorch.JitModule;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TorchScript written from Java, loaded back with torch::jit::load, against the fixtures and the eager model. */
class TorchScriptExportTest {
    static Path fixtures() {
        return io.timesformer4j.model.Fixtures.root();
    }

    static double maxDiff(Tensor a, Tensor b) {
        return a.sub(b).abs().max().item_double();
    }

    static Tensor run(JitModule m, String method, Tensor x) {
        IValue out = method.equals("forward") ? m.forward(new IValueVector(new IValue(x)))
                : m.get_method(method).apply(new IValueVector(new IValue(x)));
        return new Tensor(out.toTensor());           // a handle of its own, not a reference into out
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny_divided_space_time", "tiny_joint_space_time", "tiny_space_only"})
    void matchesTheFixturesAndTheEagerModel(String name, @TempDir Path tmp) throws IOException {
        Path dir = fixtures().resolve(name);
        ModelDir.LoadedModel lm = ModelDir.load(dir);
        Path pt = tmp.resolve("model.pt");
        TorchScriptExport.save(lm.model(), pt);
        try (PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            Tensor x = SafeTensors.read(dir.resolve("input.safetensors")).get("pixel_values");
            Map<String, Tensor> expected = SafeTensors.read(dir.resolve("expected.safetensors"));
            JitModule m = torch.load(pt.toString());
            m.eval();
            Tensor logits = run(m, "forward", x), feat = run(m, "features", x);
            assertTrue(maxDiff(logits, expected.get("logits")) < 1e-4, name + " logits vs fixture " + maxDiff(logits, expected.get("logits")));
            assertTrue(maxDiff(feat, expected.get("cls_feature")) < 1e-4, name + " cls_feature vs fixture");
            assertTrue(maxDiff(logits, lm.model().forward(x)) < 1e-5, name + " logits vs eager " + maxDiff(logits, lm.model().forward(x)));
            assertTrue(maxDiff(feat, lm.model().features(x)) < 1e-5, name + " features vs eager");
            // the parameters carry the Hugging Face names and the trained values
            TreeSet<String> names = new TreeSet<>();
            var np = m.named_parameters(true);
            var it = np.begin();
            for (long i = 0; i < np.size(); i++, it = it.increment()) {
                var item = it.access();
                String n = item.name().getString();
                names.add(n);
                assertTrue(item.value().equal(lm.model().stateDict().get(n)), n);
            }
            assertEquals(new TreeSet<>(lm.model().stateDict().keySet()), names);
        }
    }

    @Test
    void wrongInputShapeIsAClearError(@TempDir Path tmp) throws IOException {
        torch.manual_seed(1);
        TimeSformer model = new TimeSformer(Presets.get("tiny", null));
        Path pt = tmp.resolve("tiny.pt");
        TorchScriptExport.save(model, pt);
        JitModule m = torch.load(pt.toString());
        try (PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            Tensor x = torch.randn(2, 4, 3, 32, 32);
            assertTrue(maxDiff(run(m, "forward", x), model.forward(x)) < 1e-5);
            RuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class,
                    () -> run(m, "forward", torch.randn(1, 3, 3, 32, 32)));
            assertTrue(e.getMessage().contains("pixel_values must be (B, 4, 3, 32, 32)"), e.getMessage());
        }
    }

    /**
     * The input transforms in the script ({@code input_transform} of config.json) compute the documented
     * clip transform before the official forward: scripted(x) = eager(transform(x)).
     */
    @Test
    void inputTransformsInTheScript() {
        torch.manual_seed(4);
        TimeSformer model = new TimeSformer(Presets.get("tiny", null));
        try (PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            for (Tensor p : model.stateDict().values()) p.add_(torch.randn_like(p).mul(new org.bytedeco.pytorch.Scalar(0.3)));
            model.eval();
            Tensor x = torch.randn(2, 4, 3, 32, 32);
            Tensor residual = x.sub(x.mean(new long[] {1}, true, new org.bytedeco.pytorch.ScalarTypeOptional()));
            Tensor diff = torch.cat(new org.bytedeco.pytorch.TensorVector(x.narrow(1, 1, 3).sub(x.narrow(1, 0, 3)),
                    torch.zeros_like(x.narrow(1, 0, 1))), 1);
            assertTrue(maxDiff(run(TorchScriptExport.build(model, 1, "none"), "forward", x), model.forward(x)) < 1e-5);
            assertTrue(maxDiff(run(TorchScriptExport.build(model, 1, "temporal_residual"), "forward", x), model.forward(residual)) < 1e-5);
            assertTrue(maxDiff(run(TorchScriptExport.build(model, 1, "frame_difference"), "forward", x), model.forward(diff)) < 1e-5);
            assertTrue(maxDiff(model.forward(residual), model.forward(x)) > 1e-3, "the transforms change the answer");
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> TorchScriptExport.build(model, 1, "optical_flow"));
        }
    }

    /** The learn options in a saved model: tubelet_size 2 (conv3d) with each input transform, scripted = eager. */
    @ParameterizedTest
    @ValueSource(strings = {"none", "temporal_residual", "frame_difference"})
    void tubeletsAndInputTransformsExport(String transform, @TempDir Path tmp) throws IOException {
        torch.manual_seed(5);
        TimeSformer model = new TimeSformer(Presets.get("tiny", null).withTubeletSize(2)
                .withInputTransform(io.timesformer4j.model.InputTransform.parse(transform)));
        try (PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            for (Tensor p : model.stateDict().values()) p.add_(torch.randn_like(p).mul(new org.bytedeco.pytorch.Scalar(0.3)));
        }
        assertScriptedEqualsEager(model, tmp, transform);
    }

    /** Saves {@code model} as TorchScript, loads it back and compares logits and features on a random clip. */
    private static void assertScriptedEqualsEager(TimeSformer model, Path tmp, String what) throws IOException {
        model.eval();
        Path pt = tmp.resolve("m.pt");
        TorchScriptExport.save(model, pt);
        JitModule m = torch.load(pt.toString());
        try (PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            Tensor x = torch.randn(2, 4, 3, 32, 32);
            assertTrue(maxDiff(run(m, "forward", x), model.forward(x)) < 1e-5, what);
            assertTrue(maxDiff(run(m, "features", x), model.features(x)) < 1e-5, what);
        }
    }

    /** The small-data recipe's model (conv stem, mean pooling, tubelets, temporal residual), each attention: scripted = eager. */
    @ParameterizedTest
    @ValueSource(strings = {"divided_space_time", "joint_space_time", "space_only"})
    void convStemAndMeanPoolingExport(String attention, @TempDir Path tmp) throws IOException {
        torch.manual_seed(6);
        TimeSformer model = new TimeSformer(Presets.get("tiny", null).withTubeletSize(2)
                .withAttention(io.timesformer4j.model.AttentionType.fromHfName(attention))
                .withInputTransform(io.timesformer4j.model.InputTransform.TEMPORAL_RESIDUAL)
                .withConvStem(java.util.List.of(6, 8, 8)).withPooling(io.timesformer4j.model.Pooling.MEAN));
        assertScriptedEqualsEager(model, tmp, attention);
    }

    /** The export's self-check refuses a script that does not compute the model (here: another model's weights). */
    @Test
    void selfCheckRefusesAScriptThatDiffersFromTheModel(@TempDir Path tmp) {
        torch.manual_seed(2);
        TimeSformer a = new TimeSformer(Presets.get("tiny", null)), b = new TimeSformer(Presets.get("tiny", null));
        try (PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            for (Tensor p : b.stateDict().values()) p.add_(torch.randn_like(p).mul(new org.bytedeco.pytorch.Scalar(0.5)));
        }
        JitModule scriptOfA = TorchScriptExport.build(a);
        Path out = tmp.resolve("x.pt");
        IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
                () -> TorchScriptExport.selfCheck(b, scriptOfA, out));
        assertTrue(e.getMessage().startsWith(out + ": the scripted module does not reproduce the model"), e.getMessage());
        assertTrue(!Files.exists(out));
    }

    /** The CLI writes the archive; if python3 with torch is installed, torch.jit.load reproduces the fixture logits. */
    @ParameterizedTest
    @ValueSource(strings = {"tiny_divided_space_time"})
    void exportCommandAndPythonTorchJitLoad(String name, @TempDir Path tmp) throws Exception {
        Path dir = fixtures().resolve(name);
        Path pt = tmp.resolve("out/" + name + ".pt");
        int code = io.timesformer4j.cli.Main.commandLine().execute("export", "--model", dir.toString(), "--torchscript", pt.toString());
        assertEquals(0, code);
        assertTrue(Files.size(pt) > 0);
        org.junit.jupiter.api.Assumptions.assumeTrue(pythonHasTorch(), "python3 with torch not installed");
        Process p = new ProcessBuilder("python3", "scripts/check_torchscript.py", pt.toString(),
                dir.resolve("input.safetensors").toString(), dir.resolve("expected.safetensors").toString(), "1e-4")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS), out);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("logits max diff"), out);
    }

    static boolean pythonHasTorch() {
        try {
            Process p = new ProcessBuilder("python3", "-c", "import torch, numpy").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }
}
