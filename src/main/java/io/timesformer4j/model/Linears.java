package io.timesformer4j.model;

import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;

import static org.bytedeco.pytorch.global.torch.linear;

/**
 * A {@code Linear} layer applied as {@code aten::linear}, as PyTorch's {@code nn.Linear} applies it, not
 * through libtorch's C++ {@code LinearImpl::forward}.
 *
 * <p>The C++ module runs {@code input.matmul(weight.t())} and then {@code output += bias} for any input that is
 * not 2-D. That is an extra pass over the output in fp32. Under bf16 autocast it is worse: the matmul
 * output is bf16 and the bias stays fp32, so the in-place add casts the whole output to fp32 and back. In a
 * base bf16 forward those casts and the mixed-type add took about a third of the time. {@code aten::linear}
 * folds the bias into one {@code addmm} for contiguous 3-D inputs, and autocast casts the bias with the weight
 * (docs/performance.md, "2026-12-03, second session").
 */
final class Linears {
    private Linears() {}

    /** {@code x (..., in)} -> {@code (..., out)}: {@code x W^T + b}, the bias fused into the GEMM. */
    static Tensor apply(LinearImpl layer, Tensor x) {
        return linear(x, layer.weight(), new TensorOptional(layer.bias()));
    }
}
