package io.timesformer4j.cli;

import io.timesformer4j.eval.Precision;
import picocli.CommandLine.Option;

/** {@code --precision fp32|bf16|auto} for the inference commands ({@code evaluate}, {@code predict}). */
public final class PrecisionOption {
    @Option(names = "--precision", defaultValue = "fp32", paramLabel = "fp32|bf16|auto",
            description = "Forward precision: fp32 (default, the official numbers), bf16 (CPU autocast: about 2x faster "
                    + "where the CPU has AVX512-BF16 or AMX, logits within docs/model.md's bound), or auto (bf16 exactly "
                    + "where the CPU runs it natively).")
    String precision = "fp32";

    Precision get() {
        return Precision.parse(precision);
    }
}
