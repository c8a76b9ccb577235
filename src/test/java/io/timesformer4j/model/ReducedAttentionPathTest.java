package io.timesformer4j.model;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.timesformer4j.runtime.CpuFeatures;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * When {@code SelfAttention} sends bf16 q, k, v to libtorch's bf16 flash kernel instead of casting them to fp32:
 * only without grad, only on AMX, only from 64 tokens (docs/performance.md, 2026-12-03). The values of either
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
}
