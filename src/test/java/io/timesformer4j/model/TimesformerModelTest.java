package io.timesformer4j.model;

import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.bytedeco.pytorch.global.torch.manual_seed;
import static org.bytedeco.pytorch.global.torch.randn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Presets, parameter counts, official initialisation, train/eval behaviour, input-size handling. */
class TimesformerModelTest {

    @Test
    void presetParameterCountsMatchTheOfficialModel() {
        // official VisionTransformer, divided space-time, 8x224, 400 classes
        assertEquals(121_566_352L, Presets.get("base", null).parameterCount());
        assertEquals(400, Presets.get("base", null).numLabels());
        // TimeSformer-HR / -L differ only in pos/time embedding sizes
        long d = 768;
        assertEquals(121_566_352L + (784 - 196) * d + 8 * d, Presets.get("hr", null).parameterCount());
        assertEquals(121_566_352L + 88 * d, Presets.get("l", null).parameterCount());
        assertThrows(IllegalArgumentException.class, () -> Presets.get("huge", null));
    }

    @Test
    void formulaEqualsAnInstantiatedModelForEveryAttentionType() {
        for (AttentionType t : AttentionType.values()) {
            TimesformerConfig c = TimesformerConfig.of(32, 8, 4, 64, 2, 4, 256, t, TimesformerConfig.defaultLabels(5));
            assertEquals(c.parameterCount(), new TimeSformer(c).parameterCount(), t.toString());
        }
        TimesformerConfig seed = Presets.get("seed", List.of("a", "b"));
        assertEquals(seed.parameterCount(), new TimeSformer(seed).parameterCount());
    }

    @Test
    void officialInitialisation() {
        manual_seed(0);
        TimeSformer m = new TimeSformer(TimesformerConfig.of(32, 8, 4, 64, 3, 4, 256,
                AttentionType.DIVIDED_SPACE_TIME, TimesformerConfig.defaultLabels(5)));
        Map<String, Tensor> sd = m.stateDict();
        String l = "timesformer.encoder.layer.";
        // official loop zeroes every block's temporal_fc (the ModuleList itself consumes i == 0)
        for (int i = 0; i < 3; i++) {
            assertEquals(0.0, sd.get(l + i + ".temporal_dense.weight").abs().sum().item_double());
            assertEquals(0.0, sd.get(l + i + ".temporal_dense.bias").abs().sum().item_double());
        }
        assertEquals(0.0, sd.get("timesformer.embeddings.time_embeddings").abs().sum().item_double());
        assertEquals(64.0, sd.get(l + "1.layernorm_before.weight").sum().item_double());
        assertEquals(0.0, sd.get(l + "1.attention.attention.qkv.bias").abs().sum().item_double());
        assertEquals(0.02, sd.get(l + "0.temporal_attention.attention.qkv.weight").std().item_double(), 0.002);
        double std = sd.get(l + "1.intermediate.dense.weight").std().item_double();
        assertEquals(0.02, std, 0.002);
        assertEquals(0.02, sd.get("timesformer.embeddings.position_embeddings").std().item_double(), 0.003);
    }

    @Test
    void dropoutAndDropPathOnlyInTraining() {
        manual_seed(1);
        TimesformerConfig c = Presets.get("tiny", null).withRegularization(0.2, 0.1, 0.3);
        TimeSformer m = new TimeSformer(c);
        Tensor x = randn(2, 4, 3, 32, 32);
        try (NoGradGuard g = new NoGradGuard()) {
            m.eval();
            assertTrue(m.forward(x).equal(m.forward(x)), "eval is deterministic");
            m.train(true);
            assertFalse(m.forward(x).equal(m.forward(x)), "training applies dropout / drop path");
        }
    }

    @Test
    void modelSurvivesGarbageCollection() {
        // container modules are called back from native code (train/eval/to): they must stay reachable, and
        // after a GC the calls must still reach every submodule and parameter
        manual_seed(9);
        TimeSformer m = new TimeSformer(Presets.get("tiny", null));
        m.eval();
        Tensor x = randn(1, 4, 3, 32, 32);
        Tensor before;
        try (NoGradGuard g = new NoGradGuard()) {
            before = m.forward(x);
        }
        for (int i = 0; i < 3; i++) {
            System.gc();
            byte[][] garbage = new byte[64][];
            for (int k = 0; k < garbage.length; k++) garbage[k] = new byte[1 << 20];
        }
        m.train(true);
        var modules = m.modules(true);
        for (long i = 0; i < modules.size(); i++) assertTrue(modules.get(i).is_training(), "train() missed module " + i);
        m.eval();
        for (long i = 0; i < modules.size(); i++) assertFalse(modules.get(i).is_training(), "eval() missed module " + i);
        try (NoGradGuard g = new NoGradGuard()) {
            assertTrue(m.forward(x).equal(before), "the same weights give the same logits after a GC");
        }
        m.to(org.bytedeco.pytorch.global.torch.ScalarType.Double, false);
        var ps = m.parameters();
        for (long i = 0; i < ps.size(); i++) {
            assertEquals(org.bytedeco.pytorch.global.torch.ScalarType.Double, ps.get(i).scalar_type().intern(), "parameter " + i);
        }
        try (NoGradGuard g = new NoGradGuard()) {
            Tensor y = m.forward(x.to(org.bytedeco.pytorch.global.torch.ScalarType.Double));
            assertEquals("(1, 5)", TimeSformer.shape(y));
            assertTrue(y.to(org.bytedeco.pytorch.global.torch.ScalarType.Float).sub(before).abs().max().item_double() < 1e-4, "float64 logits match");
        }
    }

    @Test
    void otherFrameCountsAndSizesUseResizedEmbeddings() {
        manual_seed(2);
        TimeSformer m = new TimeSformer(Presets.get("tiny", null));
        m.eval();
        try (NoGradGuard g = new NoGradGuard()) {
            Tensor logits = m.forward(randn(1, 6, 3, 48, 40));          // 6 frames, 6x5 patches
            assertEquals("(1, 5)", TimeSformer.shape(logits));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> m.forward(randn(1, 4, 3, 30, 32)));
            assertTrue(e.getMessage().contains("(1, 4, 3, 30, 32)"), e.getMessage());
        }
    }

    @Test
    void flopsCountIsPlausible() {
        // paper (Table 2): 0.59 TFLOPs for 3 views, i.e. ~0.196e12 multiply-adds per 8x224 view = ~3.9e11 FLOPs
        double f = Presets.get("base", null).forwardFlopsPerClip();
        assertTrue(f > 3.7e11 && f < 4.1e11, "flops " + f);
    }
}
