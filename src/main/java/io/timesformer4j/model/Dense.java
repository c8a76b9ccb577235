package io.timesformer4j.model;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Dispatcher;
import org.bytedeco.pytorch.GenericList;
import org.bytedeco.pytorch.GradMode;
import org.bytedeco.pytorch.IValue;
import org.bytedeco.pytorch.IValueVector;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.OperatorHandle;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.Type;
import org.bytedeco.pytorch.global.torch.ScalarType;

import static org.bytedeco.pytorch.global.torch.arange;
import static org.bytedeco.pytorch.global.torch.eye;
import static org.bytedeco.pytorch.global.torch.gelu;
import static org.bytedeco.pytorch.global.torch.gelu_;
import static org.bytedeco.pytorch.global.torch.linear;

/**
 * One Linear layer as the model applies it: {@code x W^T + b}.
 *
 * <p>Normally through {@code aten::linear}, as PyTorch's {@code nn.Linear} applies it, not through libtorch's
 * C++ {@code LinearImpl::forward}. The C++ module runs {@code input.matmul(weight.t())} and then {@code output
 * += bias} for any input that is not 2-D: an extra pass over the output in fp32, and under bf16 autocast worse
 * (the bf16 matmul output plus the fp32 bias casts the whole output to fp32 and back; about a third of a base
 * bf16 forward). {@code aten::linear} folds the bias into one {@code addmm} for contiguous 3-D inputs, and
 * autocast casts the bias with the weight (docs/performance.md, "2026-12-03, second session").
 *
 * <p>For bf16 inference ({@link #packForBf16Inference()}) the bf16 weight is reordered once into oneDNN's blocked
 * layout and every call runs oneDNN's inner product on it ({@code mkldnn::_linear_pointwise}, the op PyTorch's
 * Inductor emits for frozen CPU models). {@code aten::linear} on a plain bf16 weight makes oneDNN reorder the
 * weight again at every call; the packed weight saves that pass and the cache it thrashes: base bf16 eval
 * forward 17 % faster at 2 threads (docs/performance.md, "2026-12-03, fifth session"). The outputs are
 * {@code aten::linear}'s on bf16 operands: the same bits on the AMX Xeon for the block shapes, within one bf16
 * step for a few small row counts ({@code DenseTest}). The plain weight is released: a packed layer only runs
 * inference.
 */
final class Dense {
    /** The libtorch module: parameters, names and state-dict entries live here. */
    final LinearImpl module;
    /** The weight in oneDNN's blocked bf16 layout, or null: plain {@code aten::linear}. */
    private Tensor packed;

    Dense(LinearImpl module) {
        this.module = module;
    }

    /** {@code x (..., in)} -> {@code (..., out)}: {@code x W^T + b}, the bias fused into the GEMM. */
    Tensor apply(Tensor x) {
        return packed == null ? linear(x, module.weight(), new TensorOptional(module.bias()))
                : OneDnn.OPS.linear(bf16(x), packed, module.bias(), "none", "");
    }

    /**
     * {@code gelu(apply(x))}, with {@code approximate} {@code "none"} (erf) or {@code "tanh"}. Packed, the GELU
     * runs inside the GEMM on its fp32 accumulator and rounds to bf16 once, where the separate op rounds the
     * GEMM output to bf16 first: at most one bf16 step apart, closer to fp32, and one pass over the
     * {@code (..., 4D)} activation fewer.
     *
     * <p>Unpacked and without grad, the GELU runs in place on the GEMM output. As a separate op its input, held
     * by the caller's scope, lived on through {@code fc2}, where PyTorch's {@code x = act(fc1(x))} drops it: one
     * more {@code (..., 4D)} activation alive in every block (19 MiB at base 8x224) and one more to allocate
     * (docs/performance.md, "2026-12-04"). With grad, the GELU's backward reads its input, so autograd keeps it
     * in any case.
     */
    Tensor applyGelu(Tensor x, String approximate) {
        if (packed != null) return OneDnn.OPS.linear(bf16(x), packed, module.bias(), "gelu", approximate);
        if (GradMode.is_enabled()) return gelu(apply(x), approximate);
        Tensor y = apply(x);                                                               // (..., out)
        gelu_(y, approximate);
        return y;
    }

    /** Whether this process has oneDNN's bf16 inner product (the ops are registered and ran on this CPU). */
    static boolean packingAvailable() {
        return OneDnn.OPS != null;
    }

    boolean isPacked() {
        return packed != null;
    }

    /**
     * Packs this layer's bf16 weight for oneDNN and releases the plain one. Returns false, changing nothing, where
     * this libtorch or CPU has no oneDNN bf16 inner product (no AVX-512 or AMX bf16 support, a build without
     * oneDNN) or the weight is not bf16.
     */
    boolean packForBf16Inference() {
        if (packed != null) return true;
        Tensor w = module.weight();
        if (w.scalar_type().intern() != ScalarType.BFloat16 || OneDnn.OPS == null) return false;
        Tensor p;
        try (NoGradGuard g = new NoGradGuard()) {
            p = OneDnn.OPS.pack(w);
            w.set_();                                       // the plain copy: the packed one replaces it
        } catch (RuntimeException e) {
            return false;
        }
        p.retainReference();                                // outlives the caller's PointerScope
        packed = p;
        return true;
    }

    private static Tensor bf16(Tensor x) {
        return x.scalar_type().intern() == ScalarType.BFloat16 ? x : x.to(ScalarType.BFloat16);
    }

    /**
     * The two oneDNN ops, reached through the dispatcher (this binding maps neither): looked up once per process;
     * {@code OPS} is null where they are not registered or do not run on this CPU.
     */
    private static final class OneDnn {
        static final OneDnn OPS = probe();
        private final OperatorHandle reorder;
        private final OperatorHandle pointwise;
        /** The element type of the {@code Scalar?[] scalars} argument: an empty list of it is passed. */
        private final Type.TypePtr optionalScalar;

        private OneDnn(OperatorHandle reorder, OperatorHandle pointwise) {
            this.reorder = reorder;
            this.pointwise = pointwise;
            this.optionalScalar = pointwise.schema().arguments().getPointer(4).type().get().containedType(0);
        }

        /** Finds the ops and runs them once on a tiny layer: an exception or a wrong result means no packing. */
        private static OneDnn probe() {
            try (PointerScope scope = new PointerScope();
                 NoGradGuard g = new NoGradGuard()) {
                Dispatcher d = Dispatcher.singleton();
                OneDnn ops = new OneDnn(d.findSchemaOrThrow("mkldnn::_reorder_linear_weight", "").retainReference(),
                        d.findSchemaOrThrow("mkldnn::_linear_pointwise", "").retainReference());
                ops.optionalScalar.retainReference();
                Tensor w = eye(32).to(ScalarType.BFloat16);
                Tensor x = arange(new Scalar(64)).reshape(2, 32).to(ScalarType.BFloat16);
                Tensor y = ops.linear(x, ops.pack(w), new Tensor(), "none", "");
                return y.equal(x) ? ops : null;
            } catch (RuntimeException e) {
                return null;
            }
        }

        /**
         * {@code mkldnn::_reorder_linear_weight(W, batch_size=None)}: the layout oneDNN picks for this weight. It
         * serves every row count (measured 1 to 3,152 rows: the same outputs, and no faster with a hint).
         */
        Tensor pack(Tensor weight) {
            IValueVector stack = new IValueVector(new IValue(weight), new IValue());
            reorder.callBoxed(stack);
            return result(stack);
        }

        /** {@code mkldnn::_linear_pointwise(X, W, B, attr, scalars, algorithm)} on a packed {@code W}. */
        Tensor linear(Tensor x, Tensor packedWeight, Tensor bias, String attr, String algorithm) {
            IValueVector stack = new IValueVector(new IValue(x), new IValue(packedWeight),
                    bias != null && bias.defined() ? new IValue(bias) : new IValue(), new IValue(attr),
                    new IValue(new GenericList(optionalScalar)), new IValue(algorithm));
            pointwise.callBoxed(stack);
            return result(stack);
        }

        /**
         * The op's output, a handle of its own: {@code IValue::toTensor()} returns a reference into the stack
         * (a pointer with no deallocator in this binding), which dangles once the stack is freed, by the
         * caller's scope closing or by the garbage collector, while the tensor is still in use.
         */
        private static Tensor result(IValueVector stack) {
            return new Tensor(stack.get(0).toTensor());
        }
    }
}
