package io.timesformer4j.model;

import io.timesformer4j.runtime.CpuFeatures;
import org.bytedeco.pytorch.DoubleOptional;
import org.bytedeco.pytorch.GradMode;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.LinearOptions;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.TensorVector;

import org.bytedeco.pytorch.global.torch.DeviceType;
import org.bytedeco.pytorch.global.torch.ScalarType;

import static org.bytedeco.pytorch.global.torch.dropout;
import static org.bytedeco.pytorch.global.torch.matmul;
import static org.bytedeco.pytorch.global.torch.softmax;
import static org.bytedeco.pytorch.global.torch.is_autocast_enabled;
import static org.bytedeco.pytorch.global.torch.set_autocast_enabled;
import static org.bytedeco.pytorch.global.torch.scaled_dot_product_attention;
import java.util.List;

/**
 * Multi-head self-attention, the official {@code Attention} (fused qkv, output projection) with Hugging
 * Face names: {@code attention.qkv.*}, {@code output.dense.*}. Scores go through libtorch's
 * {@code scaled_dot_product_attention} (scale {@code head_dim^-0.5}), except in bf16 training, which writes
 * the attention out as the official code does ({@link #attendReduced}).
 */
final class SelfAttention extends Module {
    final Dense qkv;
    final Dense proj;
    private final int heads;
    private final double attnDrop;
    private final double projDrop;
    /** Fewest tokens at which libtorch's bf16 flash attention packs its blocks for brgemm. */
    static final long REDUCED_FLASH_MIN_TOKENS = 64;
    /** The CPU's AMX bf16 support: a fact of the hardware, read once. */
    private static final boolean AMX_BF16 = CpuFeatures.amxBf16(CpuFeatures.flags());

    // plain container modules: JavaCPP calls back into these Java objects (train/eval), so they must stay reachable
    private final Module attentionContainer;
    private final Module outputContainer;

    SelfAttention(int dim, int heads, boolean qkvBias, double attnDrop, double projDrop) {
        this.heads = heads;
        this.attnDrop = attnDrop;
        this.projDrop = projDrop;
        Module attention = attentionContainer = register_module("attention", new Module());
        LinearOptions o = new LinearOptions(dim, 3L * dim);
        o.bias().put(qkvBias);
        qkv = new Dense(attention.register_module("qkv", new LinearImpl(o)));
        Module output = outputContainer = register_module("output", new Module());
        proj = new Dense(output.register_module("dense", new LinearImpl(dim, dim)));
    }

    /** The fused qkv projection and the output projection. */
    List<Dense> linears() {
        return List.of(qkv, proj);
    }

    /** {@code x (R, L, D)} -> {@code (R, L, D)}: attention among the L tokens of each of the R rows. */
    Tensor forward(Tensor x) {
        long r = x.size(0), l = x.size(1), d = x.size(2);
        boolean train = is_training();
        Tensor qkvOut = qkv.apply(x);                                                           // (R, L, 3D)
        Tensor a;
        ScalarType type = qkvOut.scalar_type().intern();
        boolean reduced = type == ScalarType.BFloat16 || type == ScalarType.Half;
        boolean bf16Flash = type == ScalarType.BFloat16 && reducedFlashIsFaster(l);
        if (reduced && GradMode.is_enabled() && writtenOutKeepsLess(l, d / heads)) {
            a = outsideAutocast(() -> attendReduced(qkvOut, r, l, d, train));
        } else if (reduced && !bf16Flash) {
            // bf16/fp16 (CPU autocast), no grad: outside bf16Flash this libtorch build's reduced-precision
            // CPU SDPA kernel is 4-20x slower than its fp32 one (docs/performance.md: built against OpenBLAS,
            // it has no bf16 GEMM for the flash kernel's blocks but oneDNN brgemm on AMX, and its backward is
            // slow even there), so run the scores in fp32 and cast the result back. One contiguous cast
            // of the qkv output (not three strided casts of q, k, v) gives the same values in fewer passes.
            // Attention is a small share of the FLOPs; fp32 is also more exact.
            a = outsideAutocast(() -> attend(qkvOut.to(ScalarType.Float), r, l, d, train).to(type));
        } else {
            a = attend(qkvOut, r, l, d, train);
        }
        Tensor out = proj.apply(a.transpose(1, 2).reshape(r, l, d));
        return projDrop > 0 && train ? dropout(out, projDrop, true) : out;
    }

    /**
     * True where the reduced-precision SDPA beats the fp32 cast: a no-grad forward (its backward has no fast
     * kernel in this build, 8-10x slower than fp32), on an AMX CPU (oneDNN brgemm), with at least
     * {@value #REDUCED_FLASH_MIN_TOKENS} tokens (measured: 65 tokens 0.99 against 1.37 ms, 50 tokens 16.5
     * against 1.0 ms; libtorch packs blocks for brgemm only from 64 query and key tokens). Base spatial
     * attention (L = 197), 1 thread, AMX Xeon: 5.0 ms against 8.7 ms (docs/performance.md, 2026-12-03).
     */
    private static boolean reducedFlashIsFaster(long tokens) {
        return reducedFlashIsFaster(AMX_BF16, tokens, GradMode.is_enabled());
    }

    /**
     * True where the written-out bf16 attention ({@link #attendReduced}) keeps no more for backward than the fp32
     * flash path. Per row it keeps bf16 q, k, v ({@code 3 L D} values of 2 bytes) and bf16 softmax weights
     * ({@code h L^2} of 2 bytes); the fp32 path keeps fp32 q, k, v and output ({@code 4 L D} of 4 bytes). So up to
     * {@code L = 5 D / h} tokens: 320 for 64-dim heads, base spatial attention's 197 and temporal's 8, not joint
     * attention's 1,569 (whose softmax weights alone would be 59 MB per layer) nor 448-pixel frames' 785.
     */
    static boolean writtenOutKeepsLess(long tokens, long headDim) {
        return tokens <= 5 * headDim;
    }

    static boolean reducedFlashIsFaster(boolean amxBf16, long tokens, boolean gradEnabled) {
        return amxBf16 && tokens >= REDUCED_FLASH_MIN_TOKENS && !gradEnabled;
    }

    private static Tensor outsideAutocast(java.util.function.Supplier<Tensor> f) {
        boolean autocast = is_autocast_enabled(DeviceType.CPU);
        set_autocast_enabled(DeviceType.CPU, false);
        try {
            return f.get();
        } finally {
            set_autocast_enabled(DeviceType.CPU, autocast);
        }
    }

    /**
     * {@code qkv (R, L, 3D)} in bf16/fp16 -> {@code (R, h, L, D/h)}, for training: the official attention as it
     * runs under autocast ({@code softmax(q k^T * scale) v}, the scores a reduced-precision GEMM), with the
     * softmax computed in fp32 from those scores and stored in the reduced type. This libtorch's reduced
     * flash backward is 8-10x slower than fp32, and the fp32 flash kernel needs fp32 copies of q, k, v (kept for
     * backward) and two casts each way; written out, the base block's spatial attention takes 16 ms forward and
     * backward against 35 ms, the temporal one 6 ms against 14 (2 threads, AMX Xeon), and keeps bf16 q, k, v and
     * softmax weights for backward, 16 MB less per base block (docs/performance.md, fifth session). The scores
     * are rounded to bf16 before the softmax, as in the official code under autocast and coarser than the
     * flash kernels' fp32 scores: a training-time trade, bounded by {@code ReducedAttentionPathTest}.
     */
    private Tensor attendReduced(Tensor qkvOut, long r, long l, long d, boolean train) {
        TensorVector qkvHeads = splitHeads(qkvOut, r, l, d);                                   // 3 x (R, h, L, d/h)
        Tensor scores = matmul(qkvHeads.get(0), qkvHeads.get(1).transpose(-2, -1))            // (R, h, L, L)
                .mul_(new Scalar(1.0 / Math.sqrt((double) d / heads)));
        Tensor weights = softmax(scores, -1, new ScalarTypeOptional());                        // fp32 inside
        if (train && attnDrop > 0) weights = dropout(weights, attnDrop, true);
        return matmul(weights, qkvHeads.get(2));                                               // (R, h, L, d/h)
    }

    /**
     * {@code qkv (R, L, 3D)} -> q, k and v of each head, {@code (R, h, L, D/h)} views. {@code unbind}, as
     * PyTorch's attention splits them: its backward stacks the three gradients into the qkv gradient in one
     * pass, where three {@code select}s would each zero a whole qkv-sized gradient, copy their third into it and
     * add the three up.
     */
    private TensorVector splitHeads(Tensor qkvOut, long r, long l, long d) {
        return qkvOut.reshape(r, l, 3, heads, d / heads).permute(2, 0, 3, 1, 4).unbind(0);
    }

    /** {@code qkv (R, L, 3D)} -> {@code (R, h, L, D/h)}: scaled dot-product attention of each head. */
    private Tensor attend(Tensor qkvOut, long r, long l, long d, boolean train) {
        TensorVector qkvHeads = splitHeads(qkvOut, r, l, d);                                   // 3 x (R, h, L, d/h)
        return scaled_dot_product_attention(qkvHeads.get(0), qkvHeads.get(1), qkvHeads.get(2), new TensorOptional(),
                train ? attnDrop : 0.0, false, new DoubleOptional(), false);                   // (R, h, L, d/h)
    }
}
