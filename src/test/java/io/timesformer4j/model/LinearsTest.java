package io.timesformer4j.model;

import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.LinearOptions;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch.DeviceType;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;

import java.util.function.Supplier;

import static org.bytedeco.pytorch.global.torch.clear_cache;
import static org.bytedeco.pytorch.global.torch.linear;
import static org.bytedeco.pytorch.global.torch.manual_seed;
import static org.bytedeco.pytorch.global.torch.randn;
import static org.bytedeco.pytorch.global.torch.set_autocast_dtype;
import static org.bytedeco.pytorch.global.torch.set_autocast_enabled;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Linears#apply} is {@code x W^T + b} with the bias inside the GEMM, as {@code nn.Linear} computes it,
 * in fp32 and under bf16 autocast, for the 3-D inputs the blocks pass, with and without a bias.
 */
class LinearsTest {
    private static double maxDiff(Tensor a, Tensor b) {
        return a.to(ScalarType.Float).sub(b.to(ScalarType.Float)).abs().max().item_double();
    }

    private static LinearImpl layer(boolean bias) {
        LinearOptions o = new LinearOptions(48, 40);
        o.bias().put(bias);
        return new LinearImpl(o);
    }

    private static Tensor underBf16Autocast(Supplier<Tensor> f) {
        set_autocast_dtype(DeviceType.CPU, ScalarType.BFloat16);
        set_autocast_enabled(DeviceType.CPU, true);
        try {
            return f.get();
        } finally {
            set_autocast_enabled(DeviceType.CPU, false);
            clear_cache();                                                           // the cached bf16 weight casts
        }
    }

    @Test
    void fp32IsTheAffineMapWithAndWithoutBias() {
        manual_seed(3);
        Tensor x = randn(2, 7, 48);                                                     // (B, L, in)
        try (NoGradGuard g = new NoGradGuard()) {
            for (boolean bias : new boolean[] {true, false}) {
                LinearImpl l = layer(bias);
                Tensor y = Linears.apply(l, x);
                Tensor expected = x.matmul(l.weight().t());
                if (bias) expected = expected.add(l.bias());
                assertEquals(3, y.dim());
                assertEquals(40, y.size(2));
                assertTrue(maxDiff(y, expected) < 1e-5, "bias " + bias + ": " + maxDiff(y, expected));
            }
        }
    }

    /**
     * Under autocast the bias is cast with the weight and added inside the bf16 GEMM, rounded once: exactly
     * {@code linear} on bf16 operands. libtorch's {@code LinearImpl::forward} rounds the GEMM to bf16, adds the
     * fp32 bias after it (casting the whole output to fp32 and back) and rounds again, so it differs.
     */
    @Test
    void bf16AutocastRoundsOnceWithTheBiasInsideTheGemm() {
        manual_seed(4);
        LinearImpl l = layer(true);
        Tensor x = randn(2, 65, 48).mul(new Scalar(3.0));
        try (NoGradGuard g = new NoGradGuard()) {
            Tensor y = underBf16Autocast(() -> Linears.apply(l, x));
            Tensor cxx = underBf16Autocast(() -> l.forward(x));
            Tensor expected = linear(x.to(ScalarType.BFloat16), l.weight().to(ScalarType.BFloat16),
                    new TensorOptional(l.bias().to(ScalarType.BFloat16)));
            assertEquals(ScalarType.BFloat16, y.scalar_type().intern());
            assertEquals(0.0, maxDiff(y, expected), "autocast linear is linear on bf16 operands");
            assertTrue(maxDiff(cxx, expected) > 0, "LinearImpl::forward rounds twice (matmul, then += fp32 bias)");
        }
    }
}
