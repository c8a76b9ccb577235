package io.timesformer4j.model;

import org.bytedeco.pytorch.DoubleOptional;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.LinearOptions;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;

import static org.bytedeco.pytorch.global.torch.dropout;
import static org.bytedeco.pytorch.global.torch.scaled_dot_product_attention;

/**
 * Multi-head self-attention, the official {@code Attention} (fused qkv, output projection) with Hugging
 * Face names: {@code attention.qkv.*}, {@code output.dense.*}. Scores go through libtorch's
 * {@code scaled_dot_product_attention} (scale {@code head_dim^-0.5}).
 */
final class SelfAttention extends Module {
    final LinearImpl qkv;
    final LinearImpl proj;
    private final int heads;
    private final double attnDrop;
    private final double projDrop;
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
        qkv = attention.register_module("qkv", new LinearImpl(o));
        Module output = outputContainer = register_module("output", new Module());
        proj = output.register_module("dense", new LinearImpl(dim, dim));
    }

    /** {@code x (R, L, D)} -> {@code (R, L, D)}: attention among the L tokens of each of the R rows. */
    Tensor forward(Tensor x) {
        long r = x.size(0), l = x.size(1), d = x.size(2);
        Tensor t = qkv.forward(x).reshape(r, l, 3, heads, d / heads).permute(2, 0, 3, 1, 4);   // (3, R, h, L, d/h)
        boolean train = is_training();
        Tensor a = scaled_dot_product_attention(t.select(0, 0), t.select(0, 1), t.select(0, 2), new TensorOptional(),
                train ? attnDrop : 0.0, false, new DoubleOptional(), false);                     // (R, h, L, d/h)
        Tensor out = proj.forward(a.transpose(1, 2).reshape(r, l, d));
        return projDrop > 0 && train ? dropout(out, projDrop, true) : out;
    }
}
