package io.timesformer4j.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.bytedeco.pytorch.Adam;
import org.bytedeco.pytorch.AdamOptions;
import org.bytedeco.pytorch.AdamW;
import org.bytedeco.pytorch.AdamWOptions;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.bytedeco.pytorch.global.torch.cross_entropy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Parity with the reference fixtures: every tensor of {@code expected.safetensors} (intermediate
 * activations, logits, loss, gradients, one Adam and one AdamW step) within the fixture's atol, in
 * float32 and float64.
 */
class TimesformerParityTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest
    @ValueSource(strings = {"tiny_divided_space_time", "tiny_joint_space_time", "tiny_space_only"})
    void matchesReferenceFloat32(String name) throws Exception {
        check(name, false);
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny_divided_space_time", "tiny_space_only"})
    void matchesReferenceFloat64(String name) throws Exception {
        check(name, true);
    }

    private void check(String name, boolean f64) throws Exception {
        Path dir = Fixtures.dir(name);
        JsonNode fixture = JSON.readTree(dir.resolve("fixture.json").toFile());
        Map<String, Tensor> input = SafeTensors.read(dir.resolve("input.safetensors"));
        Map<String, Tensor> expected = SafeTensors.read(dir.resolve("expected.safetensors"));
        ModelDir.LoadedModel loaded = ModelDir.load(dir);
        assertEquals(fixture.path("num_parameters").asLong(), loaded.model().parameterCount());
        assertEquals(fixture.path("num_parameters").asLong(), loaded.config().parameterCount());

        List<String> failures = new ArrayList<>();
        int checked = 0;
        try (PointerScope scope = new PointerScope()) {
            TimeSformer model = loaded.model();
            Tensor pixels = input.get("pixel_values");
            if (f64) {
                model.to(ScalarType.Double, false);
                pixels = pixels.to(ScalarType.Double);
            }
            model.eval();
            TimeSformer.Outputs out = model.forwardWithOutputs(pixels, true);
            Tensor loss = cross_entropy(out.logits(), input.get("labels"));
            loss.backward();
            Map<String, Tensor> params = model.stateDict();
            Map<String, Tensor> actual = new java.util.HashMap<>();
            actual.put("embeddings", out.embeddings());
            for (int i = 0; i < out.hiddenStates().size(); i++) actual.put("hidden_states." + i, out.hiddenStates().get(i));
            actual.put("sequence_output", out.sequenceOutput());
            if (out.pooledPrenorm() != null) actual.put("pooled_prenorm", out.pooledPrenorm());
            actual.put("last_hidden_state", out.lastHiddenState());
            actual.put("cls_feature", out.clsFeature());
            actual.put("logits", out.logits());
            actual.put("loss", loss.reshape(1));
            for (var e : params.entrySet()) actual.put("grad." + e.getKey(), e.getValue().grad());

            // one optimizer step each, from the fixture weights with these gradients
            for (String opt : new String[] {"adam", "adamw"}) {
                TimeSformer copy = new TimeSformer(loaded.config());
                if (f64) copy.to(ScalarType.Double, false);
                model.copyTo(copy);
                Map<String, Tensor> cp = copy.stateDict();
                try (NoGradGuard g = new NoGradGuard()) {
                    for (var e : cp.entrySet()) e.getValue().mutable_grad().put(params.get(e.getKey()).grad().clone());
                }
                TensorVector all = new TensorVector(cp.values().toArray(new Tensor[0]));
                if (opt.equals("adam")) new Adam(all, new AdamOptions(1e-3)).step();
                else {
                    AdamWOptions o = new AdamWOptions(1e-3);
                    o.weight_decay().put(0.05);
                    new AdamW(all, o).step();
                }
                for (var e : cp.entrySet()) actual.put(opt + "." + e.getKey(), e.getValue().detach().clone());
            }

            for (var e : expected.entrySet()) {
                String key = e.getKey();
                Tensor a = actual.get(key);
                assertNotNull(a, name + ": no value computed for expected tensor '" + key + "'");
                Tensor exp = e.getValue();
                assertEquals(TimeSformer.shape(exp), TimeSformer.shape(a), name + " " + key + " shape");
                double atol = fixture.path("tensors").path(key).path("atol").asDouble(1e-5);
                if (f64) atol = Math.min(atol, 2e-6);
                double diff = a.detach().to(ScalarType.Double).sub(exp.to(ScalarType.Double)).abs().max().item_double();
                checked++;
                if (!(diff <= atol)) failures.add(String.format("%s %s: max |diff| %.3g > atol %.3g", name, key, diff, atol));
            }
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
        assertTrue(checked >= 20, "only " + checked + " tensors checked");
        assertFalse(expected.isEmpty());
    }
}
