package io.timesformer4j.model;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.bytedeco.pytorch.global.torch.flip;
import static org.bytedeco.pytorch.global.torch.manual_seed;
import static org.bytedeco.pytorch.global.torch.randn;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Tubelet patch embedding, input transforms, the from-scratch init, and why the official init is order-blind. */
class TubeletAndInputTest {
    private static final List<String> LABELS = TimesformerConfig.defaultLabels(3);

    private static TimesformerConfig tiny(AttentionType type, int frames) {
        return TimesformerConfig.of(32, 8, frames, 64, 2, 4, 256, type, LABELS);
    }

    private static long[] shape(Tensor t) {
        long[] s = new long[(int) t.dim()];
        for (int i = 0; i < s.length; i++) s[i] = t.size(i);
        return s;
    }

    @Test
    void tubeletModelShapesAndParameterNames() {
        for (AttentionType type : AttentionType.values()) {
            TimesformerConfig c1 = tiny(type, 8), c2 = c1.withTubeletSize(2);
            manual_seed(0);
            TimeSformer m1 = new TimeSformer(c1), m2 = new TimeSformer(c2);
            Map<String, Tensor> sd1 = m1.stateDict(), sd2 = m2.stateDict();
            assertEquals(sd1.keySet(), sd2.keySet(), "same Hugging Face names with tubelets (" + type + ")");
            assertArrayEquals(new long[] {64, 3, 2, 8, 8}, shape(sd2.get("timesformer.embeddings.patch_embeddings.projection.weight")));
            assertArrayEquals(new long[] {64, 3, 8, 8}, shape(sd1.get("timesformer.embeddings.patch_embeddings.projection.weight")));
            if (type != AttentionType.SPACE_ONLY)
                assertArrayEquals(new long[] {1, 4, 64}, shape(sd2.get("timesformer.embeddings.time_embeddings")));
            assertEquals(c2.parameterCount(), m2.parameterCount(), type.toString());
            try (NoGradGuard g = new NoGradGuard()) {
                m2.eval();
                TimeSformer.Outputs o = m2.forwardWithOutputs(randn(2, 8, 3, 32, 32), false);
                assertArrayEquals(new long[] {2, 3}, shape(o.logits()));
                // divided/joint: 1 + N*T' tokens with N = 16 patches, T' = 4; space-only: (B*T', 1+N, D)
                long[] expect = type == AttentionType.SPACE_ONLY ? new long[] {8, 17, 64} : new long[] {2, 1 + 16 * 4, 64};
                assertArrayEquals(expect, shape(o.embeddings()));
                assertThrows(IllegalArgumentException.class, () -> m2.forward(randn(1, 7, 3, 32, 32)), "7 frames, tubelet 2");
            }
        }
        assertThrows(IllegalArgumentException.class, () -> tiny(AttentionType.DIVIDED_SPACE_TIME, 8).withTubeletSize(3));
    }

    /**
     * The diagnosis of docs/training.md in one test: at the official init (time embeddings and temporal_fc zero)
     * the divided model gives exactly the same logits for a clip and its time reversal; a tubelet embedding
     * or the from-scratch init does not.
     */
    @Test
    void officialInitIsBlindToFrameOrderTubeletsAndScratchInitAreNot() {
        Tensor x = randn(2, 8, 3, 32, 32);
        Tensor reversed = flip(x, 1);
        manual_seed(3);
        TimeSformer official = new TimeSformer(tiny(AttentionType.DIVIDED_SPACE_TIME, 8));
        TimeSformer tubelets = new TimeSformer(tiny(AttentionType.DIVIDED_SPACE_TIME, 8).withTubeletSize(2));
        TimeSformer scratch = new TimeSformer(tiny(AttentionType.DIVIDED_SPACE_TIME, 8));
        OfficialInit.applyScratch(scratch);
        try (NoGradGuard g = new NoGradGuard()) {
            for (TimeSformer m : List.of(official, tubelets, scratch)) m.eval();
            double d0 = official.forward(x).sub(official.forward(reversed)).abs().max().item_double();
            assertTrue(d0 < 1e-5, "official init: reversal changes nothing, got " + d0);
            double d1 = tubelets.forward(x).sub(tubelets.forward(reversed)).abs().max().item_double();
            assertTrue(d1 > 1e-3, "tubelets see frame order at step 0, got " + d1);
            double d2 = scratch.forward(x).sub(scratch.forward(reversed)).abs().max().item_double();
            assertTrue(d2 > 1e-4, "scratch init sees frame order at step 0, got " + d2);
        }
        Map<String, Tensor> sd = scratch.stateDict();
        assertEquals(0.02, sd.get("timesformer.embeddings.time_embeddings").std().item_double(), 0.004);
        assertEquals(0.02, sd.get("timesformer.encoder.layer.1.temporal_dense.weight").std().item_double(), 0.003);
    }

    @Test
    void inputTransformsByHand() {
        // one pixel, one channel... the model's shape (B=1, T=3, C=3, H=8, W=8) with x[t] = value_t everywhere,
        // plus pixel (0, 0) of channel 0 varying differently
        float[] v = {1f, 4f, 10f};
        float[] data = new float[3 * 3 * 8 * 8];
        for (int t = 0; t < 3; t++) for (int i = 0; i < 3 * 64; i++) data[t * 192 + i] = v[t];
        data[0] = 2f;                       // t0, c0, (0,0)
        data[192] = 2f;                     // t1
        data[384] = 8f;                     // t2
        Tensor x = Tensor.create(data, 1, 3, 3, 8, 8);
        TimesformerConfig base = TimesformerConfig.of(8, 8, 3, 16, 1, 2, 32, AttentionType.DIVIDED_SPACE_TIME, LABELS);
        TimeSformer residual = new TimeSformer(base.withInputTransform(InputTransform.TEMPORAL_RESIDUAL));
        TimeSformer difference = new TimeSformer(base.withInputTransform(InputTransform.FRAME_DIFFERENCE));
        TimeSformer none = new TimeSformer(base);
        try (NoGradGuard g = new NoGradGuard()) {
            float[] r = toArray(residual.transformInput(x));
            // mean of 1, 4, 10 = 5 -> -4, -1, 5; pixel (0,0,c0): 2, 2, 8 (mean 4) -> -2, -2, 4
            assertEquals(-4f, r[1], 1e-6);
            assertEquals(-1f, r[192 + 1], 1e-6);
            assertEquals(5f, r[384 + 5], 1e-6);
            assertEquals(-2f, r[0], 1e-6);
            assertEquals(-2f, r[192], 1e-6);
            assertEquals(4f, r[384], 1e-6);
            float[] d = toArray(difference.transformInput(x));
            // x[1]-x[0] = 3, x[2]-x[1] = 6, last frame 0; pixel (0,0,c0): 0, 6, 0
            assertEquals(3f, d[7], 1e-6);
            assertEquals(6f, d[192 + 100], 1e-6);
            assertEquals(0f, d[384 + 50], 0);
            assertEquals(0f, d[0], 0);
            assertEquals(6f, d[192], 1e-6);
            assertArrayEquals(data, toArray(none.transformInput(x)));
        }
    }

    @Test
    void configJsonCarriesTheExtensionsOnlyWhenUsed() {
        TimesformerConfig official = tiny(AttentionType.DIVIDED_SPACE_TIME, 8);
        ObjectNode j = official.toJson();
        assertFalse(j.has("tubelet_size"));
        assertFalse(j.has("input_transform"));
        TimesformerConfig ext = official.withTubeletSize(2).withInputTransform(InputTransform.FRAME_DIFFERENCE);
        ObjectNode j2 = ext.toJson();
        assertEquals(2, j2.get("tubelet_size").asInt());
        assertEquals("frame_difference", j2.get("input_transform").asText());
        assertEquals(ext, TimesformerConfig.fromJson(j2));
        assertEquals(official, TimesformerConfig.fromJson(j));
    }

    /** A per-frame checkpoint starts a tubelet model by I3D inflation: a static clip gives the same logits. */
    @Test
    void perFrameWeightsInflateIntoTubelets() throws Exception {
        manual_seed(5);
        TimeSformer perFrame = new TimeSformer(tiny(AttentionType.DIVIDED_SPACE_TIME, 8));
        TimeSformer tubelets = new TimeSformer(tiny(AttentionType.DIVIDED_SPACE_TIME, 8).withTubeletSize(2));
        var report = WeightsInit.initFrom(tubelets, perFrame.stateDict(), "per-frame model");
        Tensor frame = randn(1, 1, 3, 32, 32);
        Tensor staticClip = frame.expand(1, 8, 3, 32, 32).contiguous();
        try (NoGradGuard g = new NoGradGuard()) {
            perFrame.eval();
            tubelets.eval();
            double diff = perFrame.forward(staticClip).sub(tubelets.forward(staticClip)).abs().max().item_double();
            assertTrue(diff < 1e-4, "inflated kernel on a static clip, got " + diff + " (" + report + ")");
        }
    }

    private static float[] toArray(Tensor t) {
        Tensor c = t.contiguous();
        float[] out = new float[(int) c.numel()];
        c.data_ptr_float().get(out);
        return out;
    }
}
