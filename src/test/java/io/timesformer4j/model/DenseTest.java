package io.timesformer4j.model;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.LinearOptions;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch.DeviceType;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Arrays;
import java.util.function.Supplier;

import static org.bytedeco.pytorch.global.torch.clear_cache;
import static org.bytedeco.pytorch.global.torch.gelu;
import static org.bytedeco.pytorch.global.torch.grad;
import static org.bytedeco.pytorch.global.torch.linear;
import static org.bytedeco.pytorch.global.torch.manual_seed;
import static org.bytedeco.pytorch.global.torch.randn;
import static org.bytedeco.pytorch.global.torch.set_autocast_dtype;
import static org.bytedeco.pytorch.global.torch.set_autocast_enabled;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@link Dense#apply} is {@code x W^T + b} with the bias inside the GEMM, as {@code nn.Linear} computes it,
 * in fp32 and under bf16 autocast, for the 3-D inputs the blocks pass, with and without a bias; packed for
 * oneDNN bf16 inference it computes the same.
 */
class DenseTest {
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
                Tensor y = new Dense(l).apply(x);
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
            Tensor y = underBf16Autocast(() -> new Dense(l).apply(x));
            Tensor cxx = underBf16Autocast(() -> l.forward(x));
            Tensor expected = linear(x.to(ScalarType.BFloat16), l.weight().to(ScalarType.BFloat16),
                    new TensorOptional(l.bias().to(ScalarType.BFloat16)));
            assertEquals(ScalarType.BFloat16, y.scalar_type().intern());
            assertEquals(0.0, maxDiff(y, expected), "autocast linear is linear on bf16 operands");
            assertTrue(maxDiff(cxx, expected) > 0, "LinearImpl::forward rounds twice (matmul, then += fp32 bias)");
        }
    }

    /** A bf16 layer of {@code in -> out} with weights of the scale the model's init gives. */
    private static LinearImpl bf16Layer(long in, long out, boolean bias) {
        LinearOptions o = new LinearOptions(in, out);
        o.bias().put(bias);
        LinearImpl l = new LinearImpl(o);
        try (NoGradGuard g = new NoGradGuard()) {
            l.weight().mul_(new Scalar(0.5));
            if (bias) l.bias().copy_(randn(out).mul(new Scalar(0.5)));
        }
        l.to(ScalarType.BFloat16, false);
        return l;
    }

    /** {@code |a - b| <= steps} bf16 rounding steps at the magnitude of {@code b} (2^-8 relative per step). */
    private static void withinBf16Steps(Tensor a, Tensor b, double steps, String what) {
        double scale = b.to(ScalarType.Float).abs().max().item_double();
        double d = maxDiff(a, b);
        assertTrue(d <= steps * scale / 256, what + ": max |diff| " + d + " at max |value| " + scale);
    }

    /**
     * Packed, the layer gives what {@code aten::linear} gives on the same bf16 operands, for every row count
     * (the packed layout does not depend on it) and without a bias; the plain weight is released. oneDNN may
     * split the sums differently for some row counts on some CPUs, so the bound is one bf16 rounding step (on the
     * AMX Xeon the outputs are the same to the bit for the block shapes).
     */
    @Test
    void packedIsTheSameAffineMap() {
        assumeTrue(Dense.packingAvailable(), "no oneDNN bf16 inner product on this CPU");
        manual_seed(6);
        try (NoGradGuard g = new NoGradGuard()) {
            for (boolean bias : new boolean[] {true, false}) {
                LinearImpl l = bf16Layer(96, 80, bias);
                Tensor w = l.weight().clone();
                Tensor b = bias ? l.bias().clone() : new Tensor();
                Dense d = new Dense(l);
                assertTrue(d.packForBf16Inference());
                assertTrue(d.isPacked());
                assertEquals(0, l.weight().numel(), "the plain weight is released");
                for (long[] shape : new long[][] {{2, 65, 96}, {9, 8, 96}, {1, 1, 96}, {3, 96}}) {
                    Tensor x = randn(shape).to(ScalarType.BFloat16);
                    Tensor y = d.apply(x);
                    Tensor expected = linear(x, w, new TensorOptional(b));
                    assertEquals(ScalarType.BFloat16, y.scalar_type().intern());
                    assertEquals(Arrays.toString(expected.sizes().vec().get()), Arrays.toString(y.sizes().vec().get()));
                    withinBf16Steps(y, expected, 1, "bias " + bias + ", x " + Arrays.toString(shape));
                    // an fp32 input is cast to bf16 first, as autocast casts it
                    withinBf16Steps(d.apply(x.to(ScalarType.Float)), expected, 1, "fp32 input");
                }
            }
        }
    }

    /**
     * Packed, the GELU runs on the GEMM's fp32 accumulator and rounds once: within one bf16 step of GELU of the
     * exact fp32 product, where the separate op (round the GEMM, then GELU, round again) may be a step further.
     */
    @Test
    void packedGeluRoundsOnce() {
        assumeTrue(Dense.packingAvailable(), "no oneDNN bf16 inner product on this CPU");
        manual_seed(7);
        try (NoGradGuard g = new NoGradGuard()) {
            for (String approximate : new String[] {"none", "tanh"}) {
                LinearImpl l = bf16Layer(64, 256, true);
                Tensor w = l.weight().to(ScalarType.Float), b = l.bias().to(ScalarType.Float);
                Dense d = new Dense(l);
                assertTrue(d.packForBf16Inference());
                Tensor x = randn(2, 70, 64).to(ScalarType.BFloat16);
                Tensor exact = gelu(linear(x.to(ScalarType.Float), w, new TensorOptional(b)), approximate);
                Tensor y = d.applyGelu(x, approximate);
                withinBf16Steps(y, exact, 1, approximate);
            }
        }
    }

    /** Only a bf16 weight is packed: an fp32 layer stays as it was and still computes in fp32. */
    @Test
    void fp32LayersAreNotPacked() {
        manual_seed(8);
        LinearImpl l = layer(true);
        Dense d = new Dense(l);
        assertFalse(d.packForBf16Inference());
        assertFalse(d.isPacked());
        assertEquals(48 * 40, l.weight().numel());
        Tensor x = randn(2, 5, 48);
        try (NoGradGuard g = new NoGradGuard()) {
            assertEquals(ScalarType.Float, d.apply(x).scalar_type().intern());
            assertTrue(maxDiff(d.applyGelu(x, "none"), gelu(d.apply(x), "none")) == 0);
        }
    }

    /**
     * The packed weight and a packed output are handles of their own: both outlive the scope they were made in,
     * and the op's argument stack with it. (The op's result is a reference into that stack; kept as it was, the
     * packed weights of a model packed inside a scope pointed at freed memory.)
     */
    @Test
    void packedWeightsAndOutputsOutliveTheScopeTheyWereMadeIn() {
        assumeTrue(Dense.packingAvailable(), "no oneDNN bf16 inner product on this CPU");
        manual_seed(10);
        LinearImpl l = bf16Layer(64, 256, true);
        Tensor w = l.weight().clone(), b = l.bias().clone();
        Dense d = new Dense(l);
        try (PointerScope scope = new PointerScope()) {
            assertTrue(d.packForBf16Inference());
        }
        Tensor x = randn(2, 70, 64).to(ScalarType.BFloat16);
        try (NoGradGuard g = new NoGradGuard()) {
            Tensor y;
            try (PointerScope scope = new PointerScope()) {
                y = d.apply(x);
                y.retainReference();
            }
            for (int i = 0; i < 20; i++) randn(2, 70, 256).to(ScalarType.BFloat16).sum();   // reuse freed memory
            Tensor expected = linear(x, w, new TensorOptional(b));
            assertEquals(3, y.dim());
            withinBf16Steps(y, expected, 1, "an output made in a closed scope");
            withinBf16Steps(d.apply(x), expected, 1, "the weight packed in a closed scope");
            y.releaseReference();
        }
    }

    /**
     * Without grad the unpacked GELU runs in place on the GEMM output: the same values as the separate op, one
     * output allocated instead of two. A 64 MiB output (over glibc's largest mmap threshold, so it is mapped
     * fresh and shows in the resident set at once) grows the peak by about 64 MiB, where a GEMM output kept
     * beside the GELU's grows it by 128. With grad the GELU keeps its input for backward, and its gradient is
     * the separate op's.
     */
    @Test
    void unpackedGeluWithoutGradRunsInPlaceOnTheGemmOutput() throws IOException {
        ResidentSet.assumeReadable();
        manual_seed(9);
        LinearOptions o = new LinearOptions(512, 8192);
        Dense d = new Dense(new LinearImpl(o));
        Tensor x = randn(2048, 512);                                                 // output (2048, 8192): 64 MiB
        try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            Tensor expected = gelu(d.apply(x), "tanh");
            assertEquals(0, maxDiff(d.applyGelu(x, "tanh"), expected));
        }
        try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            ResidentSet.resetPeak();
            long before = ResidentSet.mib();
            Tensor y = d.applyGelu(x, "none");
            long grown = ResidentSet.peakMib() - before;
            assertEquals(8192, y.size(1));
            assertTrue(grown < 96, "applyGelu without grad grew the peak by " + grown + " MiB (64 for one output)");
        }
        try (PointerScope scope = new PointerScope()) {
            Tensor xs = randn(4, 3, 48).set_requires_grad(true);
            Dense small = new Dense(layer(true));
            Tensor gradIn = gradOf(small.applyGelu(xs, "none"), xs);
            Tensor gradRef = gradOf(gelu(small.apply(xs), "none"), xs);
            assertTrue(maxDiff(gradIn, gradRef) < 1e-6, "gradient " + maxDiff(gradIn, gradRef));
        }
    }

    /** d(sum(y))/dx. */
    private static Tensor gradOf(Tensor y, Tensor x) {
        return grad(new TensorVector(y.sum()), new TensorVector(x)).get(0);
    }
}
