package io.timesformer4j.model;

import org.bytedeco.pytorch.LayerNormImpl;
import org.bytedeco.pytorch.LayerNormOptions;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.LongVector;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.TensorOptions;

import static org.bytedeco.pytorch.global.torch.cat;
import static org.bytedeco.pytorch.global.torch.dropout;
import static org.bytedeco.pytorch.global.torch.rand;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * One TimeSformer block, the official {@code Block} with Hugging Face parameter names
 * ({@code layernorm_before}, {@code attention}, {@code temporal_layernorm}, {@code temporal_attention},
 * {@code temporal_dense}, {@code layernorm_after}, {@code intermediate.dense}, {@code output.dense}).
 */
final class TimesformerLayer extends Module {
    final LayerNormImpl norm1;
    final SelfAttention attn;
    final LayerNormImpl temporalNorm1;
    final SelfAttention temporalAttn;
    final Dense temporalFc;
    final LayerNormImpl norm2;
    final Dense fc1;
    final Dense fc2;
    private final AttentionType type;
    private final double dropPath;
    private final double drop;
    private final String act;
    private final Module intermediateContainer;   // kept reachable: JavaCPP calls back into container modules
    private final Module outputContainer;

    TimesformerLayer(TimesformerConfig c, double dropPath) {
        this.type = c.attentionType();
        this.dropPath = dropPath;
        this.drop = c.hiddenDropoutProb();
        this.act = c.hiddenAct().equals("gelu") ? "none" : "tanh";
        int d = c.hiddenSize();
        attn = register_module("attention", new SelfAttention(d, c.numAttentionHeads(), c.qkvBias(),
                c.attentionProbsDropoutProb(), c.hiddenDropoutProb()));
        intermediateContainer = register_module("intermediate", new Module());
        fc1 = new Dense(intermediateContainer.register_module("dense", new LinearImpl(d, c.intermediateSize())));
        outputContainer = register_module("output", new Module());
        fc2 = new Dense(outputContainer.register_module("dense", new LinearImpl(c.intermediateSize(), d)));
        norm1 = register_module("layernorm_before", layerNorm(d, c.layerNormEps()));
        norm2 = register_module("layernorm_after", layerNorm(d, c.layerNormEps()));
        if (type == AttentionType.DIVIDED_SPACE_TIME) {
            temporalNorm1 = register_module("temporal_layernorm", layerNorm(d, c.layerNormEps()));
            temporalAttn = register_module("temporal_attention", new SelfAttention(d, c.numAttentionHeads(),
                    c.qkvBias(), c.attentionProbsDropoutProb(), c.hiddenDropoutProb()));
            temporalFc = new Dense(register_module("temporal_dense", new LinearImpl(d, d)));
        } else {
            temporalNorm1 = null;
            temporalAttn = null;
            temporalFc = null;
        }
    }

    /** The Linear layers of this block, attention projections included. */
    List<Dense> linears() {
        List<Dense> out = new ArrayList<>(attn.linears());
        if (temporalAttn != null) {
            out.addAll(temporalAttn.linears());
            out.add(temporalFc);
        }
        out.add(fc1);
        out.add(fc2);
        return out;
    }

    static LayerNormImpl layerNorm(int d, double eps) {
        LayerNormOptions o = new LayerNormOptions(new LongVector(new long[] {d}));
        o.eps().put(eps);
        return new LayerNormImpl(o);
    }

    /**
     * Divided/joint: {@code x (B, 1+N*T, D)}, tokens time-fastest ({@code 1 + n*T + t}); space-only:
     * {@code x (B*T, 1+N, D)}. Returns the same shape.
     */
    Tensor forward(Tensor x, long b, long t) {
        // Each residual branch runs in its own native scope (NativeScopes.scoped): its intermediates are freed
        // when it returns, only the branch results live until the block ends.
        if (type != AttentionType.DIVIDED_SPACE_TIME) {
            Tensor h = NativeScopes.scoped(() -> x.add(dropPath(attention(attn, norm1, () -> x))));
            return NativeScopes.scoped(() -> h.add(dropPath(mlp(norm2.forward(h)))));
        }
        long d = x.size(2);
        long n = (x.size(1) - 1) / t;
        // CLS and patches as one split, not two narrows: in backward a split concatenates the two gradients,
        // where each narrow zero-fills a gradient of the whole input and the two are then added
        TensorVector clsAndPatches = x.split_with_sizes(new long[] {1, n * t}, 1);
        Tensor initCls = clsAndPatches.get(0);                                             // (B, 1, D)
        Tensor patches = clsAndPatches.get(1);                                             // (B, N*T, D)
        // temporal attention among the T frames of each patch position: rows (B*N, T, D)
        Tensor xt = NativeScopes.scoped(() -> {
            Tensor resT = dropPath(attention(temporalAttn, temporalNorm1, () -> patches.reshape(b * n, t, d)))
                    .reshape(b, n * t, d);
            return patches.add(temporalFc.apply(resT));                                    // (B, N*T, D)
        });
        // spatial attention among the N patches of each frame, with the CLS token: rows (B*T, 1+N, D).
        // One cat straight from the permuted view builds the rows (no separate reshape copy).
        Tensor h = NativeScopes.scoped(() -> {
            TensorVector resS = dropPath(attention(attn, norm1, () -> {
                Tensor cls = initCls.unsqueeze(1).expand(b, t, 1, d);                      // (B, T, 1, D)
                return cat(new TensorVector(cls, xt.view(b, n, t, d).permute(0, 2, 1, 3)), 2)
                        .view(b * t, n + 1, d);                                            // (B*T, 1+N, D)
            })).split_with_sizes(new long[] {1, n}, 1);
            Tensor clsRes = resS.get(0).reshape(b, t, d).mean(new long[] {1}, true,
                    new org.bytedeco.pytorch.ScalarTypeOptional());                         // (B, 1, D)
            // residual: the add reads the spatial result through a permuted view (same sums as the official
            // cat + add, without materialising the permuted copy and two cats first)
            Tensor tokens = xt.view(b, n, t, d).add(resS.get(1).view(b, t, n, d).permute(0, 2, 1, 3));
            return cat(new TensorVector(initCls.add(clsRes), tokens.view(b, n * t, d)), 1);   // (B, 1+N*T, D)
        });
        return NativeScopes.scoped(() -> h.add(dropPath(mlp(norm2.forward(h)))));
    }

    /**
     * {@code attn(norm(x))}, with {@code x} built, in a scope of its own: the rows built for it, the normalised
     * rows, the qkv output and the heads' output are freed when it returns, not kept through the residual
     * arithmetic after it (as PyTorch's temporaries and locals go). Base fp32 eval peak, in-place GELU on both
     * sides: 930-984 -> 923-946 MiB on the AMX Xeon (docs/performance.md, "2026-12-04").
     */
    private static Tensor attention(SelfAttention attn, LayerNormImpl norm, Supplier<Tensor> x) {
        return NativeScopes.scoped(() -> attn.forward(norm.forward(x.get())));
    }

    private Tensor mlp(Tensor x) {
        Tensor h = fc1.applyGelu(x, act);
        boolean train = is_training() && drop > 0;
        if (train) h = dropout(h, drop, true);
        h = fc2.apply(h);
        return train ? dropout(h, drop, true) : h;
    }

    /** Stochastic depth per row (dim 0), as the official {@code drop_path}: {@code x / keep * floor(keep + U)}. */
    private Tensor dropPath(Tensor x) {
        if (dropPath <= 0 || !is_training()) return x;
        double keep = 1.0 - dropPath;
        long[] shape = new long[(int) x.dim()];
        java.util.Arrays.fill(shape, 1);
        shape[0] = x.size(0);
        Tensor mask = rand(shape, x.options()).add_(new org.bytedeco.pytorch.Scalar(keep)).floor_();
        return x.div(new org.bytedeco.pytorch.Scalar(keep)).mul(mask);
    }
}
