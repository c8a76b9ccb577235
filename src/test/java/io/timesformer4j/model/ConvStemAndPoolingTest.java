package io.timesformer4j.model;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.bytedeco.pytorch.global.torch.conv3d;
import static org.bytedeco.pytorch.global.torch.gelu;
import static org.bytedeco.pytorch.global.torch.group_norm;
import static org.bytedeco.pytorch.global.torch.layer_norm;
import static org.bytedeco.pytorch.global.torch.manual_seed;
import static org.bytedeco.pytorch.global.torch.randn;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The small-data recipe's model options: a conv stem before the patch projection and mean pooling, each checked
 * against the same computation written out with libtorch's functional ops.
 */
class ConvStemAndPoolingTest {
    private static final List<String> LABELS = TimesformerConfig.defaultLabels(3);

    /** tiny, 8 frames x 32 px, patch 8, 2-frame tubelets, a stem 6 -> 8 -> 8 wide. */
    private static TimesformerConfig stemmed(AttentionType type) {
        return TimesformerConfig.of(32, 8, 8, 64, 2, 4, 256, type, LABELS).withTubeletSize(2)
                .withConvStem(List.of(6, 8, 8)).withPooling(Pooling.MEAN);
    }

    private static long[] shape(Tensor t) {
        long[] s = new long[(int) t.dim()];
        for (int i = 0; i < s.length; i++) s[i] = t.size(i);
        return s;
    }

    private static double maxDiff(Tensor a, Tensor b) {
        return a.sub(b).abs().max().item_double();
    }

    @Test
    void stemParametersHaveStableNamesAndTheConfigCountsThem() {
        for (AttentionType type : AttentionType.values()) {
            TimesformerConfig c = stemmed(type);
            manual_seed(0);
            TimeSformer m = new TimeSformer(c);
            Map<String, Tensor> sd = m.stateDict();
            String stem = "timesformer.embeddings.patch_embeddings.stem.";
            assertArrayEquals(new long[] {6, 3, 3, 3, 3}, shape(sd.get(stem + "0.conv.weight")));
            assertArrayEquals(new long[] {8, 6, 3, 3, 3}, shape(sd.get(stem + "1.conv.weight")));
            assertArrayEquals(new long[] {8}, shape(sd.get(stem + "2.norm.weight")));
            // stride 4 after two halving layers: the projection is (D, 8, k=2, 8/4, 8/4)
            assertArrayEquals(new long[] {64, 8, 2, 2, 2}, shape(sd.get("timesformer.embeddings.patch_embeddings.projection.weight")));
            assertEquals(c.parameterCount(), m.parameterCount(), type.toString());
            try (NoGradGuard g = new NoGradGuard()) {
                m.eval();
                assertArrayEquals(new long[] {2, 3}, shape(m.forward(randn(2, 8, 3, 32, 32))), type.toString());
            }
        }
    }

    /** The stem is Conv3d 3x3x3 (stride 1,2,2 for the first two layers, 1 after; padding 1) -> GroupNorm(1) -> GELU. */
    @Test
    void stemComputesConvGroupNormGeluThenTheProjection() {
        TimesformerConfig c = stemmed(AttentionType.DIVIDED_SPACE_TIME);
        manual_seed(1);
        TimeSformer m = new TimeSformer(c);
        Map<String, Tensor> sd = m.stateDict();
        Tensor x = randn(2, 8, 3, 32, 32);
        try (NoGradGuard g = new NoGradGuard()) {
            m.eval();
            // zero position and time embeddings, so the embeddings are the projected tokens themselves
            sd.get("timesformer.embeddings.position_embeddings").zero_();
            sd.get("timesformer.embeddings.time_embeddings").zero_();
            Tensor s = x.transpose(1, 2);                                                   // (B, C, T, H, W)
            for (int i = 0; i < 3; i++) {
                String p = "timesformer.embeddings.patch_embeddings.stem." + i + ".";
                long st = i < 2 ? 2 : 1;
                s = conv3d(s, sd.get(p + "conv.weight"), new TensorOptional(sd.get(p + "conv.bias")),
                        new long[] {1, st, st}, new long[] {1, 1, 1}, new long[] {1, 1, 1}, 1);
                s = gelu(group_norm(s, 1, new TensorOptional(sd.get(p + "norm.weight")),
                        new TensorOptional(sd.get(p + "norm.bias")), 1e-5, false));
            }
            assertArrayEquals(new long[] {2, 8, 8, 8, 8}, shape(s));                         // (B, W, T, H/4, W/4)
            Tensor tokens = conv3d(s, sd.get("timesformer.embeddings.patch_embeddings.projection.weight"),
                    new TensorOptional(sd.get("timesformer.embeddings.patch_embeddings.projection.bias")),
                    new long[] {2, 2, 2}, new long[] {0, 0, 0}, new long[] {1, 1, 1}, 1);       // (B, D, T'=4, 4, 4)
            // the model's sequence: position-major, time fastest: (B, N*T', D)
            Tensor expect = tokens.flatten(3, -1).permute(0, 3, 2, 1).reshape(2, 16 * 4, 64);
            Tensor got = m.forwardWithOutputs(x, false).embeddings().narrow(1, 1, 16 * 4);
            double d = maxDiff(expect, got);
            assertTrue(d < 1e-5, "stem + projection as written out, max diff " + d);
        }
    }

    /** Mean pooling: the classifier reads LayerNorm(mean of the last block's patch tokens), not the CLS token. */
    @Test
    void meanPoolingReadsTheFinalNormOfTheMeanPatchToken() {
        for (AttentionType type : AttentionType.values()) {
            TimesformerConfig c = stemmed(type);
            manual_seed(2);
            TimeSformer m = new TimeSformer(c);
            Map<String, Tensor> sd = m.stateDict();
            Tensor x = randn(2, 8, 3, 32, 32);
            try (NoGradGuard g = new NoGradGuard()) {
                m.eval();
                TimeSformer.Outputs o = m.forwardWithOutputs(x, false);
                Tensor seq = o.sequenceOutput();
                Tensor mean = type == AttentionType.SPACE_ONLY
                        ? seq.reshape(2, 4, 17, 64).narrow(2, 1, 16).mean(new long[] {1, 2}, false, new org.bytedeco.pytorch.ScalarTypeOptional())
                        : seq.narrow(1, 1, 16 * 4).mean(new long[] {1}, false, new org.bytedeco.pytorch.ScalarTypeOptional());
                Tensor feat = layer_norm(mean, new long[] {64}, new TensorOptional(sd.get("timesformer.layernorm.weight")),
                        new TensorOptional(sd.get("timesformer.layernorm.bias")), 1e-6, false);
                double d = maxDiff(feat, o.clsFeature());
                assertTrue(d < 1e-5, type + ": pooled feature, max diff " + d);
                Tensor cls = o.lastHiddenState().select(1, 0);
                assertTrue(maxDiff(cls, o.clsFeature()) > 1e-3, type + ": not the CLS token");
            }
        }
    }

    @Test
    void configJsonRoundTripsAndModelDirReloadsTheSameLogits(@TempDir Path dir) throws Exception {
        TimesformerConfig c = stemmed(AttentionType.DIVIDED_SPACE_TIME).withInputTransform(InputTransform.TEMPORAL_RESIDUAL);
        ObjectNode json = c.toJson();
        assertEquals("[6,8,8]", json.get("conv_stem").toString());
        assertEquals("mean", json.get("pooling").asText());
        assertEquals(c, TimesformerConfig.fromJson(json));
        ObjectNode official = TimesformerConfig.of(32, 8, 8, 64, 2, 4, 256, AttentionType.DIVIDED_SPACE_TIME, LABELS).toJson();
        assertTrue(!official.has("conv_stem") && !official.has("pooling"), "the official model writes neither key");
        manual_seed(3);
        TimeSformer m = new TimeSformer(c);
        ModelDir.save(m, Preprocessing.defaults(32), dir);
        TimeSformer back = ModelDir.load(dir).model();
        Tensor x = randn(1, 8, 3, 32, 32);
        try (NoGradGuard g = new NoGradGuard()) {
            m.eval();
            back.eval();
            assertTrue(maxDiff(m.forward(x), back.forward(x)) < 1e-6);
        }
    }

    @Test
    void badStemsAreRefusedNamingTheField() {
        TimesformerConfig base = TimesformerConfig.of(36, 6, 8, 64, 2, 4, 256, AttentionType.DIVIDED_SPACE_TIME, LABELS);
        var e = assertThrows(IllegalArgumentException.class, () -> base.withConvStem(List.of(8, 8)));
        assertTrue(e.getMessage().contains("patch_size 6") && e.getMessage().contains("stride 4"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> base.withConvStem(List.of(0)));
        ObjectNode json = base.toJson();
        json.put("conv_stem", "wide");
        e = assertThrows(IllegalArgumentException.class, () -> TimesformerConfig.fromJson(json));
        assertTrue(e.getMessage().contains("conv_stem"), e.getMessage());
        json.putArray("conv_stem").add(1.5);
        e = assertThrows(IllegalArgumentException.class, () -> TimesformerConfig.fromJson(json));
        assertTrue(e.getMessage().contains("conv_stem"), e.getMessage());
        json.remove("conv_stem");
        json.put("pooling", "max");
        e = assertThrows(IllegalArgumentException.class, () -> TimesformerConfig.fromJson(json));
        assertTrue(e.getMessage().contains("pooling"), e.getMessage());
    }
}
