package io.timesformer4j.eval;

import io.timesformer4j.runtime.CpuFeatures;
import java.util.Locale;
import org.bytedeco.pytorch.GradMode;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.DeviceType;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Numeric precision of the forward pass. {@code BF16} runs the forward under CPU autocast (matmuls in
 * bfloat16, weights, gradients and optimizer state stay float32); it pays off on CPUs with AVX512-BF16 or AMX.
 */
public enum Precision {
    FP32, BF16;

    /** Parses {@code fp32|bf16|auto}; {@code auto} is {@link #auto()}. */
    public static Precision parse(String s) {
        return switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "fp32", "float32", "32" -> FP32;
            case "bf16", "bfloat16" -> BF16;
            case "auto" -> auto();
            default -> throw new IllegalArgumentException("unknown precision '" + s + "' (fp32, bf16, auto)");
        };
    }

    /** BF16 where the CPU runs bfloat16 matmuls natively (AVX512-BF16 or AMX flags), FP32 elsewhere. */
    public static Precision auto() {
        return CpuFeatures.nativeBf16() ? BF16 : FP32;
    }

    /** {@code fp32} or {@code bf16}, as the option spells it. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Enters this precision on the calling thread (autocast state is thread-local in libtorch); closing
     * the returned scope restores fp32.
     */
    public Scope enter() {
        if (this == FP32) return () -> {};
        boolean cache = torch.is_autocast_cache_enabled();
        // Without grad the weight-cast cache only costs memory: each weight is read once per forward and a
        // scope covers one forward, so caching kept every bf16 weight copy alive to the end of it (base: +230 MiB
        // peak RSS, no time saved). With grad, autograd keeps those copies for backward anyway.
        if (!GradMode.is_enabled()) torch.set_autocast_cache_enabled(false);
        torch.set_autocast_dtype(DeviceType.CPU, ScalarType.BFloat16);
        torch.set_autocast_enabled(DeviceType.CPU, true);
        torch.increment_nesting();
        return () -> {
            torch.set_autocast_enabled(DeviceType.CPU, false);
            // as torch.autocast.__exit__: drop the cached bf16 weight casts (the weights change every step)
            if (torch.decrement_nesting() == 0) torch.clear_cache();
            torch.set_autocast_cache_enabled(cache);
        };
    }

    /** An autocast region; {@link #close()} throws nothing. */
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }
}
