package io.timesformer4j.model;

import static org.bytedeco.pytorch.global.torch.manual_seed;
import static org.bytedeco.pytorch.global.torch.randn;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The masked encoder path ({@link TimeSformer#forwardVisible}) against the full-model code path: with every
 * position visible it is the normal forward bit for bit; with a tube mask it equals the full model run on an
 * image made of the visible patches only (a smaller grid whose position embeddings are the visible ones), for
 * every attention type.
 */
class MaskedEncoderTest {
    static final int T = 4, SIZE = 32, PATCH = 8, N = 16;

    /** A tiny model with every parameter random (the official init zeroes temporal_fc and time embeddings). */
    static TimeSformer randomModel(AttentionType type, int imageSize) {
        manual_seed(3);
        TimeSformer m = new TimeSformer(TimesformerConfig.of(imageSize, PATCH, T, 32, 2, 4, 64, type,
                TimesformerConfig.defaultLabels(3)));
        try (NoGradGuard g = new NoGradGuard()) {
            for (Tensor p : m.stateDict().values()) p.add_(randn(p.sizes().vec().get()).mul(new Scalar(0.2)));
        }
        m.eval();
        return m;
    }

    @ParameterizedTest
    @EnumSource(AttentionType.class)
    void allVisibleIsTheNormalForwardExactly(AttentionType type) {
        TimeSformer m = randomModel(type, SIZE);
        manual_seed(1);
        Tensor px = randn(2, T, 3, SIZE, SIZE);
        try (NoGradGuard g = new NoGradGuard()) {
            TimeSformer.Outputs full = m.forwardWithOutputs(px, true);
            TimeSformer.VisibleOutputs vis = m.forwardVisible(px, TubeMask.none(N, 2).visibleIndex(), true);
            assertTrue(full.embeddings().equal(vis.embeddings()), "embeddings");
            assertEquals(full.hiddenStates().size(), vis.hiddenStates().size());
            for (int i = 0; i < full.hiddenStates().size(); i++)
                assertTrue(full.hiddenStates().get(i).equal(vis.hiddenStates().get(i)), "hidden state " + i);
            assertTrue(full.sequenceOutput().equal(vis.sequenceOutput()));
        }
    }

    @ParameterizedTest
    @EnumSource(AttentionType.class)
    void maskedEncoderEqualsTheFullEncoderOnTheVisibleTokens(AttentionType type) {
        TimeSformer m = randomModel(type, SIZE);
        // 75 % masked: 4 of 16 positions visible, which tile a 2x2 grid (16 px)
        TubeMask mask = TubeMask.sample(N, 0.75, new long[] {11, 12});
        assertEquals(4, mask.visibleCount());
        assertFalse(java.util.Arrays.equals(mask.visible()[0], mask.visible()[1]), "two different masks");
        manual_seed(2);
        Tensor px = randn(2, T, 3, SIZE, SIZE);
        try (NoGradGuard g = new NoGradGuard()) {
            TimeSformer.VisibleOutputs out = m.forwardVisible(px, mask.visibleIndex(), true);
            Tensor pos = m.stateDict().get("timesformer.embeddings.position_embeddings");       // (1, 1+N, D)
            for (int i = 0; i < 2; i++) {
                TimeSformer small = randomModel(type, 2 * PATCH);
                Map<String, Tensor> sd = small.stateDict();
                for (var e : m.stateDict().entrySet()) {
                    if (e.getKey().endsWith("position_embeddings")) continue;
                    sd.get(e.getKey()).copy_(e.getValue());
                }
                Tensor[] rows = new Tensor[5];
                rows[0] = pos.narrow(1, 0, 1);
                for (int k = 0; k < 4; k++) rows[k + 1] = pos.narrow(1, 1 + mask.visible()[i][k], 1);
                sd.get("timesformer.embeddings.position_embeddings").copy_(torch.cat(new TensorVector(rows), 1));
                Tensor tiled = tile(px.narrow(0, i, 1), mask.visible()[i]);                    // (1, T, 3, 16, 16)
                TimeSformer.Outputs ref = small.forwardWithOutputs(tiled, true);
                long rowsPerClip = type == AttentionType.SPACE_ONLY ? T : 1;
                for (int l = 0; l < ref.hiddenStates().size(); l++) {
                    Tensor got = out.hiddenStates().get(l).narrow(0, i * rowsPerClip, rowsPerClip);
                    Tensor want = ref.hiddenStates().get(l);
                    assertArrayEquals(want.sizes().vec().get(), got.sizes().vec().get());
                    double diff = got.sub(want).abs().max().item_double();
                    assertTrue(diff < 1e-5, type + " clip " + i + " block " + l + ": max diff " + diff);
                }
            }
            // and the visible tokens do not equal the unmasked model's: the masked patches were really left out
            Tensor fullLast = m.forwardWithOutputs(px, true).hiddenStates().get(1);
            Tensor maskedLast = out.hiddenStates().get(1);
            if (type != AttentionType.SPACE_ONLY) {
                Tensor gathered = fullLast.narrow(1, 1, (long) N * T).view(2, N, T, 32)
                        .gather(1, mask.visibleIndex().view(2, 4, 1, 1).expand(2, 4, T, 32));
                Tensor visTokens = maskedLast.narrow(1, 1, 4L * T).view(2, 4, T, 32);
                assertTrue(gathered.sub(visTokens).abs().max().item_double() > 1e-3);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(AttentionType.class)
    void tubesKeepTheSamePositionsInEveryFrame(AttentionType type) {
        TimeSformer m = randomModel(type, SIZE);
        TubeMask mask = TubeMask.sample(N, 0.75, new long[] {5, 6});
        manual_seed(4);
        Tensor px = randn(2, T, 3, SIZE, SIZE);
        try (NoGradGuard g = new NoGradGuard()) {
            Tensor full = m.forwardWithOutputs(px, false).embeddings();
            Tensor vis = m.forwardVisible(px, mask.visibleIndex(), false).embeddings();
            for (int i = 0; i < 2; i++) {
                for (int t = 0; t < T; t++) {
                    for (int k = 0; k < 4; k++) {
                        int n = mask.visible()[i][k];
                        Tensor want = type == AttentionType.SPACE_ONLY
                                ? full.select(0, i * T + t).select(0, 1 + n) : full.select(0, i).select(0, 1 + n * T + t);
                        Tensor got = type == AttentionType.SPACE_ONLY
                                ? vis.select(0, i * T + t).select(0, 1 + k) : vis.select(0, i).select(0, 1 + k * T + t);
                        assertTrue(want.equal(got), "clip " + i + " frame " + t + " position " + n);
                    }
                }
            }
        }
    }

    /** The visible patches of {@code clip (1, T, 3, 32, 32)} in order, laid out as a 2x2 grid {@code (1, T, 3, 16, 16)}. */
    static Tensor tile(Tensor clip, int[] visible) {
        Tensor[] rowsOut = new Tensor[2];
        for (int r = 0; r < 2; r++) {
            Tensor[] cols = new Tensor[2];
            for (int c = 0; c < 2; c++) {
                int n = visible[r * 2 + c], gy = n / 4, gx = n % 4;
                cols[c] = clip.narrow(3, (long) gy * PATCH, PATCH).narrow(4, (long) gx * PATCH, PATCH);
            }
            rowsOut[r] = torch.cat(new TensorVector(cols), 4);
        }
        return torch.cat(new TensorVector(rowsOut), 3).contiguous();
    }
}
