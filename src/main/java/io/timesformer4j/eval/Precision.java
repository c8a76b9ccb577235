package io.timesformer4j.eval;

import io.timesformer4j.model.Autocast;
import io.timesformer4j.model.TimeSformer;
import io.timesformer4j.runtime.CpuFeatures;
import java.util.Locale;

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
    public Autocast.Scope enter() {
        return this == FP32 ? () -> {} : Autocast.bf16();
    }

    /**
     * Readies {@code model} to run only no-grad forwards in this precision, as {@code evaluate} and
     * {@code predict} do: under {@code BF16} its Linear and convolution weights are stored in bf16 and its Linear
     * weights packed for oneDNN where the CPU runs that ({@link TimeSformer#prepareBf16Inference()}; less time and
     * memory). Not for a model that is trained, saved or copied afterwards.
     */
    public TimeSformer forInference(TimeSformer model) {
        if (this == BF16) model.prepareBf16Inference();
        return model;
    }
}
