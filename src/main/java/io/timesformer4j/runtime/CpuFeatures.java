package io.timesformer4j.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;

/** The CPU's instruction-set flags, as Linux lists them in {@code /proc/cpuinfo}. */
public final class CpuFeatures {
    private CpuFeatures() {}

    /** The {@code flags} of the first processor in {@code /proc/cpuinfo}; empty where there is none (not Linux). */
    public static Set<String> flags() {
        return flags(Path.of("/proc/cpuinfo"));
    }

    /** The first {@code flags} line of a cpuinfo file (x86) or its {@code Features} line (Arm). */
    static Set<String> flags(Path cpuinfo) {
        try {
            for (String line : Files.readAllLines(cpuinfo)) {
                int colon = line.indexOf(':');
                if (colon < 0) continue;
                String key = line.substring(0, colon).trim();
                if (key.equals("flags") || key.equals("Features"))
                    return new TreeSet<>(Arrays.asList(line.substring(colon + 1).trim().split("\\s+")));
            }
        } catch (IOException | RuntimeException e) {
            // no cpuinfo: no flags
        }
        return Set.of();
    }

    /**
     * True where bfloat16 matmuls run natively: AVX512-BF16 ({@code avx512_bf16}) or AMX ({@code amx_bf16}) on
     * x86, BF16 ({@code bf16}) on Arm. Elsewhere oneDNN emulates bf16 and it is slower than fp32.
     */
    public static boolean nativeBf16(Set<String> flags) {
        return flags.contains("avx512_bf16") || flags.contains("amx_bf16") || flags.contains("bf16");
    }

    /**
     * True where the CPU has AMX tiles for bfloat16 ({@code amx_bf16} and {@code amx_tile}): there libtorch's
     * oneDNN brgemm kernels, which its bf16 flash-attention forward uses, run natively.
     */
    public static boolean amxBf16(Set<String> flags) {
        return flags.contains("amx_bf16") && flags.contains("amx_tile");
    }

    /** {@link #nativeBf16(Set)} for this machine. */
    public static boolean nativeBf16() {
        return nativeBf16(flags());
    }
}
