package io.timesformer4j.model;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.timesformer4j.runtime.CpuFeatures;
import java.util.Locale;
import java.util.Set;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.bytedeco.pytorch.global.torch.manual_seed;
import static org.bytedeco.pytorch.global.torch.randn;

/**
 * When {@code SelfAttention} sends bf16 q, k, v to libtorch's bf16 flash kernel instead of casting them to fp32:
 * only without grad, only on AMX, only from 64 tokens (docs/performance.md, 2026-12-03); with grad, bf16 writes
 * the attention out, bounded against fp32 below. The values of either
 * path are bounded by {@code eval.PrecisionTest} on whatever CPU runs it.
 */
class ReducedAttentionPathTest {
    @Test
    void amxNeedsBothTileAndBf16Flags() {
        assertTrue(CpuFeatures.amxBf16(Set.of("avx512f", "amx_tile", "amx_bf16")));
        assertFalse(CpuFeatures.amxBf16(Set.of("avx512f", "avx512_bf16")), "AVX512-BF16 alone is not AMX");
        assertFalse(CpuFeatures.amxBf16(Set.of("amx_tile", "amx_int8")));
    }

    @Test
    void bf16FlashOnlyForNoGradAmxAndLongSequences() {
        long min = SelfAttention.REDUCED_FLASH_MIN_TOKENS;
        assertTrue(SelfAttention.reducedFlashIsFaster(true, 197, false), "base spatial attention, eval, AMX");
        assertTrue(SelfAttention.reducedFlashIsFaster(true, min, false));
        assertFalse(SelfAttention.reducedFlashIsFaster(true, min - 1, false), "below 64 tokens: slow kernel");
        assertFalse(SelfAttention.reducedFlashIsFaster(true, 8, false), "temporal attention over 8 frames");
        assertFalse(SelfAttention.reducedFlashIsFaster(true, 197, true), "training: bf16 backward is 8-10x slower");
        assertFalse(SelfAttention.reducedFlashIsFaster(false, 197, false), "no AMX: bf16 kernel ~15x slower");
    }

    @Test
    void bf16TrainingWritesAttentionOutOnlyWhereItKeepsLess() {
        assertTrue(SelfAttention.writtenOutKeepsLess(197, 64), "base spatial attention");
        assertTrue(SelfAttention.writtenOutKeepsLess(8, 64), "temporal attention over 8 frames");
        assertTrue(SelfAttention.writtenOutKeepsLess(320, 64));
        assertFalse(SelfAttention.writtenOutKeepsLess(321, 64));
        assertFalse(SelfAttention.writtenOutKeepsLess(1569, 64), "base joint space-time attention: the fp32 flash path");
        assertFalse(SelfAttention.writtenOutKeepsLess(785, 64), "448-pixel spatial attention");
    }

    private static double relative(Tensor got, Tensor expected) {
        return got.to(ScalarType.Float).sub(expected).abs().max().item_double() / expected.abs().max().item_double();
    }

    /**
     * bf16 training writes the attention out (bf16 scores, fp32 softmax stored in bf16). Output and gradients stay
     * within 3 % of the largest fp32 value (measured 0.6-0.9 % on the AMX Xeon): room for bf16 rounding, not for a
     * softmax over the wrong axis, the scale of the whole width instead of a head's, or transposed weights (each
     * of those gave 33-145 %). Same weights, same input, both with grad.
     */
    @ParameterizedTest
    @ValueSource(ints = {8, 65})
    void bf16TrainingAttentionStaysNearFp32(int tokens) {
        try (PointerScope scope = new PointerScope()) {
            manual_seed(11);
            SelfAttention attn = new SelfAttention(64, 4, true, 0.0, 0.0);
            attn.train(true);
            Tensor x0 = randn(6, tokens, 64).mul(new org.bytedeco.pytorch.Scalar(2.0));
            Tensor grad = randn(6, tokens, 64);
            // fp32 reference
            Tensor x32 = x0.clone().requires_grad_(true);
            Tensor y32 = attn.forward(x32);
            y32.mul(grad).sum().backward();
            Tensor gx32 = x32.grad().clone(), gw32 = attn.qkv.module.weight().grad().clone();
            attn.qkv.module.weight().grad().zero_();
            // bf16 autocast training step
            Tensor x16 = x0.clone().requires_grad_(true);
            Tensor y16;
            try (Autocast.Scope s = Autocast.bf16()) {
                y16 = attn.forward(x16);
            }
            assertTrue(y16.scalar_type().intern() == ScalarType.BFloat16, "autocast reached the projections");
            y16.to(ScalarType.Float).mul(grad).sum().backward();
            double out = relative(y16, y32), gx = relative(x16.grad(), gx32), gw = relative(attn.qkv.module.weight().grad(), gw32);
            System.out.printf(Locale.ROOT, "bf16 training attention, %d tokens: output %.4f, grad x %.4f, grad W_qkv %.4f (relative)%n",
                    tokens, out, gx, gw);
            assertTrue(out < 0.03, "output " + out);
            assertTrue(gx < 0.03, "grad of the input " + gx);
            assertTrue(gw < 0.03, "grad of the qkv weight " + gw);
            try (NoGradGuard g = new NoGradGuard()) {
                assertTrue(x16.grad().abs().sum().item_double() > 0);
            }
        }
    }
}
