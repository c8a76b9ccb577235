package io.timesformer4j.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.timesformer4j.model.Autocast;
import io.timesformer4j.model.Fixtures;
import io.timesformer4j.model.ModelDir;
import io.timesformer4j.model.SafeTensors;
import io.timesformer4j.model.TimeSformer;
import io.timesformer4j.runtime.CpuFeatures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code --precision}: parsing, {@code auto}, and how far bf16 logits move from fp32 on the parity fixtures. */
class PrecisionTest {
    /**
     * Bound stated in docs/model.md: under bf16 autocast the fixture logits stay within this fraction of the
     * largest fp32 logit (max |bf16 - fp32| / max |fp32|), and the arg-max class does not change.
     */
    static final double BF16_RELATIVE_BOUND = 0.02;

    @ParameterizedTest
    @ValueSource(strings = {"tiny_divided_space_time", "tiny_joint_space_time", "tiny_space_only"})
    void bf16LogitsStayNearFp32(String name) throws Exception {
        Path dir = Fixtures.dir(name);
        try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
            ModelDir.LoadedModel m = ModelDir.load(dir);
            m.model().eval();
            Tensor x = SafeTensors.read(dir.resolve("input.safetensors")).get("pixel_values");
            Tensor fp32 = m.model().forward(x);
            Tensor bf16;
            try (Autocast.Scope ps = Precision.BF16.enter()) {
                bf16 = m.model().forward(x);
            }
            assertEquals(ScalarType.BFloat16.value, bf16.scalar_type().value, "autocast did not reach the head");
            bf16 = bf16.to(ScalarType.Float);
            double dev = bf16.sub(fp32).abs().max().item_double(), scale = fp32.abs().max().item_double();
            System.out.printf(Locale.ROOT, "%s: bf16 vs fp32 logits max |diff| %.4g, max |logit| %.4g, relative %.4f%n",
                    name, dev, scale, dev / scale);
            assertTrue(dev > 0, "bf16 gave exactly the fp32 logits: autocast not in effect");
            assertTrue(dev <= BF16_RELATIVE_BOUND * scale, name + ": relative deviation " + dev / scale);
            for (int i = 0; i < fp32.size(0); i++)
                assertEquals(fp32.get(i).argmax().item_long(), bf16.get(i).argmax().item_long(), "arg-max of clip " + i);
            // the official fp32 numbers are untouched after leaving the scope
            Tensor again = m.model().forward(x);
            assertEquals(0.0, again.sub(fp32).abs().max().item_double(), 0.0);
            // and the model as evaluate and predict run it (bf16 weights, packed where oneDNN runs them) keeps the bound
            TimeSformer inference = Precision.BF16.forInference(m.model());
            Tensor served;
            try (Autocast.Scope ps = Precision.BF16.enter()) {
                served = inference.forward(x).to(ScalarType.Float);
            }
            double devServed = served.sub(fp32).abs().max().item_double();
            System.out.printf(Locale.ROOT, "%s: inference model (%d Linear layers packed) vs fp32 logits max |diff| %.4g, relative %.4f%n",
                    name, inference.packedLinears(), devServed, devServed / scale);
            assertTrue(devServed <= BF16_RELATIVE_BOUND * scale, name + ": inference model, relative deviation " + devServed / scale);
            for (int i = 0; i < fp32.size(0); i++)
                assertEquals(fp32.get(i).argmax().item_long(), served.get(i).argmax().item_long(), "inference model, arg-max of clip " + i);
        }
    }

    /**
     * Without grad a bf16 scope turns autocast's weight-cast cache off (it would keep every bf16 weight copy
     * to the end of the forward, +230 MiB for base); with grad it leaves it on. Closing restores the setting.
     */
    @Test
    void noGradScopesDropTheWeightCastCache() {
        assertTrue(torch.is_autocast_cache_enabled(), "libtorch's default");
        try (NoGradGuard ng = new NoGradGuard(); Autocast.Scope ps = Precision.BF16.enter()) {
            assertFalse(torch.is_autocast_cache_enabled());
        }
        assertTrue(torch.is_autocast_cache_enabled(), "restored on close");
        try (Autocast.Scope ps = Precision.BF16.enter()) {
            assertTrue(torch.is_autocast_cache_enabled(), "training step: autograd keeps the casts anyway");
        }
        try (NoGradGuard ng = new NoGradGuard(); Autocast.Scope ps = Precision.FP32.enter()) {
            assertTrue(torch.is_autocast_cache_enabled(), "fp32 changes nothing");
        }
    }

    @Test
    void parsesTheOptionValues() {
        assertEquals(Precision.FP32, Precision.parse("fp32"));
        assertEquals(Precision.BF16, Precision.parse("BF16"));
        assertEquals(CpuFeatures.nativeBf16() ? Precision.BF16 : Precision.FP32, Precision.parse("auto"));
        assertThrows(IllegalArgumentException.class, () -> Precision.parse("fp16"));
    }

    @Test
    void autoNeedsNativeBf16Flags() {
        assertTrue(CpuFeatures.nativeBf16(java.util.Set.of("avx512f", "avx512_bf16")));
        assertTrue(CpuFeatures.nativeBf16(java.util.Set.of("amx_tile", "amx_bf16")));
        assertTrue(!CpuFeatures.nativeBf16(java.util.Set.of("avx2", "avx512f", "avx512bw")));
        if (Files.isReadable(Path.of("/proc/cpuinfo")) && System.getProperty("os.arch").contains("64"))
            assertTrue(!CpuFeatures.flags().isEmpty(), "no flags read from /proc/cpuinfo");
    }
}
