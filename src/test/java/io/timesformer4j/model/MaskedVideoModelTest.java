package io.timesformer4j.model;

import static org.bytedeco.pytorch.global.torch.manual_seed;
import static org.bytedeco.pytorch.global.torch.rand;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The VideoMAE objective: per-patch normalised pixel targets of the masked patches, encoder blind to them. */
class MaskedVideoModelTest {
    static final int T = 4, SIZE = 32, P = 8, N = 16;
    static final float[] MEAN = {0.45f, 0.45f, 0.45f}, STD = {0.225f, 0.225f, 0.225f};

    static MaskedVideoModel model(AttentionType type) {
        TimeSformer enc = MaskedEncoderTest.randomModel(type, SIZE);
        MaskedVideoModel m = new MaskedVideoModel(enc, MaskedVideoModel.DecoderConfig.defaults(enc.config(), 0, 2), MEAN, STD);
        m.eval();
        return m;
    }

    /** Normalised clip {@code (2, T, 3, 32, 32)} from pixels in [0, 1]. */
    static Tensor clip(long seed) {
        manual_seed(seed);
        return rand(2, T, 3, SIZE, SIZE).sub(new Scalar(0.45)).div(new Scalar(0.225));
    }

    @ParameterizedTest
    @EnumSource(AttentionType.class)
    void targetIsThePerPatchNormalisedPixelsOfTheMaskedPatches(AttentionType type) {
        MaskedVideoModel m = model(type);
        TubeMask mask = TubeMask.sample(N, 0.75, new long[] {1, 2});
        Tensor px = clip(9);
        try (NoGradGuard g = new NoGradGuard()) {
            MaskedVideoModel.Output out = m.forward(px, mask);
            assertArrayEquals(new long[] {2, (long) T * 12, P * P * 3}, out.target().sizes().vec().get());
            assertArrayEquals(out.target().sizes().vec().get(), out.prediction().sizes().vec().get());
            Tensor raw = m.pixels(px).contiguous();                                      // (2, T, 3, 32, 32) in [0, 1]
            for (int[] c : new int[][] {{0, 0, 0}, {1, 3, 11}, {0, 2, 5}}) {              // clip, frame, k-th masked
                int i = c[0], t = c[1], k = c[2], n = mask.masked()[i][k], gy = n / 4, gx = n % 4;
                for (int ch = 0; ch < 3; ch++) {
                    double[] v = new double[P * P];
                    for (int y = 0; y < P; y++) for (int x = 0; x < P; x++)
                        v[y * P + x] = raw.select(0, i).select(0, t).select(0, ch).select(0, gy * P + y).select(0, gx * P + x).item_double();
                    double mu = 0, var = 0;
                    for (double a : v) mu += a;
                    mu /= v.length;
                    for (double a : v) var += (a - mu) * (a - mu);
                    var /= v.length - 1;                                                     // unbiased, as VideoMAE
                    Tensor row = out.target().select(0, i).select(0, (long) t * 12 + k);
                    for (int q = 0; q < P * P; q += 7) {
                        double want = (v[q] - mu) / (Math.sqrt(var) + 1e-6);
                        assertEquals(want, row.select(0, (long) q * 3 + ch).item_double(), 1e-4);
                    }
                }
            }
            assertEquals(out.prediction().sub(out.target()).pow(new Scalar(2)).mean().item_double(), out.loss().item_double(), 1e-6);
        }
    }

    @ParameterizedTest
    @EnumSource(AttentionType.class)
    void theEncoderNeverSeesTheMaskedPatches(AttentionType type) {
        MaskedVideoModel m = model(type);
        TubeMask mask = TubeMask.sample(N, 0.75, new long[] {3, 4});
        Tensor px = clip(5);
        Tensor changedMasked = px.clone(), changedVisible = px.clone();
        try (NoGradGuard g = new NoGradGuard()) {
            // overwrite one masked and one visible patch of clip 0 in every frame
            int nm = mask.masked()[0][0], nv = mask.visible()[0][0];
            changedMasked.narrow(0, 0, 1).narrow(3, (long) (nm / 4) * P, P).narrow(4, (long) (nm % 4) * P, P).fill_(new Scalar(2.0));
            changedVisible.narrow(0, 0, 1).narrow(3, (long) (nv / 4) * P, P).narrow(4, (long) (nv % 4) * P, P).fill_(new Scalar(2.0));
            Tensor base = m.forward(px, mask).prediction();
            MaskedVideoModel.Output a = m.forward(changedMasked, mask), b = m.forward(changedVisible, mask);
            assertTrue(base.equal(a.prediction()), "the prediction ignores masked pixels");
            assertFalse(base.equal(b.prediction()), "the prediction uses visible pixels");
            assertFalse(m.forward(px, mask).target().equal(a.target()), "the target is made of masked pixels");
            assertTrue(m.forward(px, mask).target().equal(b.target()), "no visible pixel is in the target");
        }
    }

    @ParameterizedTest
    @EnumSource(AttentionType.class)
    void reconstructionKeepsVisiblePatchesAndFillsMaskedOnes(AttentionType type) {
        MaskedVideoModel m = model(type);
        TubeMask mask = TubeMask.sample(N, 0.75, new long[] {7, 8});
        Tensor px = clip(6);
        try (NoGradGuard g = new NoGradGuard()) {
            Tensor rec = m.reconstruct(px, mask), raw = m.pixels(px);
            assertArrayEquals(raw.sizes().vec().get(), rec.sizes().vec().get());
            for (int i = 0; i < 2; i++) {
                for (int n = 0; n < N; n++) {
                    Tensor a = rec.narrow(0, i, 1).narrow(3, (long) (n / 4) * P, P).narrow(4, (long) (n % 4) * P, P);
                    Tensor b = raw.narrow(0, i, 1).narrow(3, (long) (n / 4) * P, P).narrow(4, (long) (n % 4) * P, P);
                    double diff = a.sub(b).abs().max().item_double();
                    if (mask.isMasked(i)[n]) assertTrue(diff > 1e-3, "masked patch " + n + " is predicted");
                    else assertTrue(diff < 1e-6, "visible patch " + n + " is the input");
                }
            }
        }
    }

    /** Tubelets of 2 frames: each masked token's target is its normalised (2, 8, 8) cube; the encoder stays blind. */
    @ParameterizedTest
    @EnumSource(AttentionType.class)
    void tubeletTokensPredictTwoFrameCubes(AttentionType type) {
        manual_seed(3);
        TimeSformer enc = new TimeSformer(TimesformerConfig.of(SIZE, P, T, 32, 2, 4, 64, type,
                TimesformerConfig.defaultLabels(3)).withTubeletSize(2));
        MaskedVideoModel m = new MaskedVideoModel(enc, MaskedVideoModel.DecoderConfig.defaults(enc.config(), 0, 1), MEAN, STD);
        m.eval();
        assertEquals(2 * P * P * 3, m.patchDim());
        TubeMask mask = TubeMask.sample(N, 0.75, new long[] {1, 2});
        Tensor px = clip(9);
        try (NoGradGuard g = new NoGradGuard()) {
            MaskedVideoModel.Output out = m.forward(px, mask);
            assertArrayEquals(new long[] {2, 2L * 12, 2 * P * P * 3}, out.target().sizes().vec().get());   // T' = 2
            Tensor raw = m.pixels(px).contiguous();
            int i = 1, tp = 1, k = 4, n = mask.masked()[i][k], gy = n / 4, gx = n % 4, ch = 2;
            double[] v = new double[2 * P * P];
            for (int f = 0; f < 2; f++) for (int y = 0; y < P; y++) for (int x = 0; x < P; x++)
                v[f * P * P + y * P + x] = raw.select(0, i).select(0, 2 * tp + f).select(0, ch)
                        .select(0, gy * P + y).select(0, gx * P + x).item_double();
            double mu = 0, var = 0;
            for (double a : v) mu += a;
            mu /= v.length;
            for (double a : v) var += (a - mu) * (a - mu);
            var /= v.length - 1;
            Tensor row = out.target().select(0, i).select(0, (long) tp * 12 + k);
            for (int q = 0; q < v.length; q += 5)
                assertEquals((v[q] - mu) / (Math.sqrt(var) + 1e-6), row.select(0, (long) q * 3 + ch).item_double(), 1e-4);
            Tensor changed = px.clone();
            changed.narrow(0, 1, 1).narrow(3, (long) gy * P, P).narrow(4, (long) gx * P, P).fill_(new Scalar(2.0));
            assertTrue(out.prediction().equal(m.forward(changed, mask).prediction()), "the prediction ignores masked cubes");
            Tensor rec = m.reconstruct(px, mask), rawAll = m.pixels(px);
            int nv = mask.visible()[0][0];
            Tensor a = rec.narrow(0, 0, 1).narrow(3, (long) (nv / 4) * P, P).narrow(4, (long) (nv % 4) * P, P);
            Tensor b = rawAll.narrow(0, 0, 1).narrow(3, (long) (nv / 4) * P, P).narrow(4, (long) (nv % 4) * P, P);
            assertTrue(a.sub(b).abs().max().item_double() < 1e-6, "visible cubes are the input in every frame");
        }
    }
}
