package io.timesformer4j.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.bytedeco.pytorch.Adam;
import org.bytedeco.pytorch.AdamOptions;
import org.bytedeco.pytorch.AdamW;
import org.bytedeco.pytorch.AdamWOptions;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Optimizer;
import org.bytedeco.pytorch.OptimizerParamGroup;
import org.bytedeco.pytorch.OptimizerParamGroupVector;
import org.bytedeco.pytorch.SGD;
import org.bytedeco.pytorch.SGDOptions;
import org.bytedeco.pytorch.StringTensorDictItem;
import org.bytedeco.pytorch.StringTensorDictItemVector;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;

/**
 * Builds libtorch optimizers for a module.
 *
 * <p>Adam and SGD apply their weight decay to every parameter (as {@code torch.optim} does with one group).
 * AdamW uses two parameter groups: group 0 is decayed; group 1 ({@link #isNoDecay}) holds biases, norms,
 * the position/time embeddings and the CLS token with weight decay 0 (the usual ViT/TimeSformer fine-tuning practice).
 */
public final class Optimizers {
    private Optimizers() {}

    /** Creates the optimizer over {@code module}'s trainable parameters. */
    public static Optimizer create(Module module, OptimizerSpec spec) {
        List<Tensor> decay = new ArrayList<>(), noDecay = new ArrayList<>();
        StringTensorDictItemVector items = module.named_parameters(true).items();
        for (long i = 0; i < items.size(); i++) {
            StringTensorDictItem it = items.get(i);
            String name = it.key().getString();
            Tensor p = new Tensor(it.value());      // value() points into the item, freed when the item is collected
            java.lang.ref.Reference.reachabilityFence(it);
            if (!p.requires_grad()) continue;
            (isNoDecay(name, p.dim()) ? noDecay : decay).add(p);
        }
        java.lang.ref.Reference.reachabilityFence(items);
        List<Tensor> all = new ArrayList<>(decay);
        all.addAll(noDecay);
        if (all.isEmpty()) throw new IllegalArgumentException("the model has no trainable parameters");
        switch (spec.kind()) {
            case ADAM -> {
                AdamOptions o = new AdamOptions(spec.lr());
                o.weight_decay().put(spec.weightDecay());
                return new Adam(vector(all), o);
            }
            case SGD -> {
                SGDOptions o = new SGDOptions(spec.lr());
                o.momentum().put(spec.momentum());
                o.weight_decay().put(spec.weightDecay());
                o.nesterov().put(spec.nesterov());
                return new SGD(vector(all), o);
            }
            case ADAMW -> {
                AdamWOptions d = new AdamWOptions(spec.lr());
                d.weight_decay().put(spec.weightDecay());
                AdamWOptions nd = new AdamWOptions(spec.lr());
                nd.weight_decay().put(0.0);
                // libtorch has no empty groups: the first non-empty list founds the optimizer.
                AdamW opt = decay.isEmpty() ? new AdamW(vector(noDecay), nd) : new AdamW(vector(decay), d);
                if (!decay.isEmpty() && !noDecay.isEmpty()) opt.add_param_group(new OptimizerParamGroup(vector(noDecay), nd));
                return opt;
            }
            default -> throw new IllegalStateException(spec.kind().toString());
        }
    }

    /**
     * True for parameters AdamW must not decay: tensors with at most one dimension (biases, LayerNorm
     * weights) and the embeddings the official model lists in {@code no_weight_decay()}: the CLS token and the
     * position and time embeddings. The patch-embedding convolution is a weight like any other and is decayed.
     */
    public static boolean isNoDecay(String name, long ndim) {
        String n = name.toLowerCase(Locale.ROOT);
        return ndim <= 1 || n.endsWith("cls_token") || n.endsWith("position_embeddings") || n.endsWith("time_embeddings")
                || n.endsWith("pos_embed") || n.endsWith("time_embed");
    }

    /** Sets the learning rate of every parameter group. */
    public static void setLr(Optimizer opt, double lr) {
        OptimizerParamGroupVector gs = opt.param_groups();
        for (long i = 0; i < gs.size(); i++) gs.get(i).options().set_lr(lr);
    }

    /** The learning rate of parameter group 0. */
    public static double lr(Optimizer opt) {
        return opt.param_groups().get(0).options().get_lr();
    }

    /** Number of parameters (tensors) in each group, for logs and tests. */
    public static int[] groupSizes(Optimizer opt) {
        OptimizerParamGroupVector gs = opt.param_groups();
        int[] out = new int[(int) gs.size()];
        for (int i = 0; i < out.length; i++) out[i] = (int) gs.get(i).params().size();
        return out;
    }

    private static TensorVector vector(List<Tensor> ts) {
        return new TensorVector(ts.toArray(new Tensor[0]));
    }

}
