package io.timesformer4j.model;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.bytedeco.pytorch.global.torch.manual_seed;
import static org.bytedeco.pytorch.global.torch.randn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@link TimeSformer#storeMatmulWeightsInBf16()}: bf16 autocast casts the Linear and convolution weights at
 * every forward; storing them in bf16 once gives the same logits to the bit, and only those parameters change
 * type (the norms and the embeddings of the fp32 residual stream stay fp32).
 */
class StoredBf16WeightsTest {
    private static Tensor bf16Forward(TimeSformer m, Tensor x) {
        try (Autocast.Scope s = Autocast.bf16()) {
            return m.forward(x);
        }
    }

    /** Logits under autocast with fp32 weights, then with the weights stored in bf16: bit-identical. */
    private static void sameLogits(TimeSformer m, Tensor x) {
        m.eval();
        try (NoGradGuard ng = new NoGradGuard()) {
            Tensor cast = bf16Forward(m, x).to(ScalarType.Float);
            long before = parameterBytes(m);
            m.storeMatmulWeightsInBf16();
            Tensor stored = bf16Forward(m, x).to(ScalarType.Float);
            assertEquals(0.0, stored.sub(cast).abs().max().item_double(), 0.0, "the logits changed");
            long after = parameterBytes(m);
            assertTrue(after < 0.6 * before, "parameters " + before + " -> " + after + " bytes");
        }
        for (Map.Entry<String, Tensor> e : m.stateDict().entrySet()) {
            String n = e.getKey();
            boolean matmul = n.contains("dense.") || n.contains("qkv.") || n.contains("classifier.")
                    || n.contains("projection.") || n.contains(".conv.");
            assertEquals(matmul ? ScalarType.BFloat16 : ScalarType.Float, e.getValue().scalar_type().intern(), n);
        }
    }

    private static long parameterBytes(TimeSformer m) {
        long bytes = 0;
        for (Tensor t : m.stateDict().values()) bytes += t.numel() * t.element_size();
        return bytes;
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny_divided_space_time", "tiny_joint_space_time", "tiny_space_only"})
    void fixtureLogitsDoNotChangeByABit(String name) throws Exception {
        Path dir = Fixtures.dir(name);
        try (PointerScope scope = new PointerScope()) {
            ModelDir.LoadedModel lm = ModelDir.load(dir);
            sameLogits(lm.model(), SafeTensors.read(dir.resolve("input.safetensors")).get("pixel_values"));
        }
    }

    @Test
    void convStemAndTubeletsToo() {
        try (PointerScope scope = new PointerScope()) {
            manual_seed(5);
            TimesformerConfig c = TimesformerConfig.of(32, 8, 8, 64, 2, 4, 256, AttentionType.DIVIDED_SPACE_TIME,
                    TimesformerConfig.defaultLabels(3)).withTubeletSize(2).withConvStem(List.of(6, 8, 8));
            sameLogits(new TimeSformer(c), randn(2, 8, 3, 32, 32));
        }
    }

    /**
     * {@link TimeSformer#prepareBf16Inference()} packs every Linear layer (where this CPU has oneDNN's bf16 inner
     * product) and keeps the logits within 2 % of the largest, the bound docs/model.md states for bf16 against fp32
     * ({@code PrecisionTest} checks the packed model against fp32 too; on the AMX Xeon it is closer to fp32 than
     * autocast): the GEMMs agree, only the fused GELU rounds once instead of twice, and that moves some bf16
     * roundings downstream by a step (1 % here at most). Then the model refuses a state dict.
     */
    @ParameterizedTest
    @ValueSource(strings = {"tiny_divided_space_time", "tiny_joint_space_time", "tiny_space_only"})
    void packedInferenceKeepsTheLogits(String name) throws Exception {
        assumeTrue(Dense.packingAvailable(), "no oneDNN bf16 inner product on this CPU");
        Path dir = Fixtures.dir(name);
        try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
            TimeSformer m = ModelDir.load(dir).model();
            m.eval();
            Tensor x = SafeTensors.read(dir.resolve("input.safetensors")).get("pixel_values");
            m.storeMatmulWeightsInBf16();
            Tensor stored = bf16Forward(m, x).to(ScalarType.Float);
            int linears = m.linears().size();
            assertEquals(0, m.packedLinears());
            assertEquals(linears, m.prepareBf16Inference());
            assertEquals(linears, m.packedLinears());
            Tensor packed = bf16Forward(m, x).to(ScalarType.Float);
            double d = packed.sub(stored).abs().max().item_double(), scale = stored.abs().max().item_double();
            System.out.printf(Locale.ROOT, "%s: packed vs stored bf16 logits max |diff| %.4g of max |logit| %.4g%n",
                    name, d, scale);
            assertTrue(d <= 0.02 * scale, name + ": " + d);
            IllegalStateException e = assertThrows(IllegalStateException.class, m::stateDict);
            assertTrue(e.getMessage().contains("packed for bf16 inference"), e.getMessage());
        }
    }
}
